"""A visit's rooms as read models, folded at a constant cost per event.

Documents (kind, id):
- `visit_rooms`, `<visit>`: the team's merges (a `RoomIndex` without statements;
  documents written before the statements had their own also hold them, and are
  split up the next time the visit changes);
- `room_entries`, `<visit>/<classroom id>`: each coach's record of that classroom id
  (entered, corrected, withdrawn), so a page writes only the classroom ids it touched;
- `room`, `<visit>/<classroom id>`: `RoomLog`, each coach's live taps, thank-you
  notes and evidence notes in that classroom id;
- `quote`, `<visit>/<time>/<event id>`: one evidence quote (an evidence note, or a
  coach's latest note-kind tap), so a debrief reads the first quotes in time order
  without reading every room.

Which classroom ids are one room, and what a room contributes to a look-for's
trend, are the domain's rules (walkthrough.consensus). The visit document's
tallies hold the sum of every room's contribution: an event takes away the
contributions it changes, as they were, and adds them as they are now.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple, TypeVar, assert_never

import msgspec

from projections.store import ReadModelStore
from projections.visit_view import Projected, VisitView
from walkthrough.catalog import Catalog, LookFor
from walkthrough.consensus import Observed, Outcome, combine, label_key, settle
from walkthrough.events import (
    ClassroomCorrected,
    ClassroomEntered,
    ClassroomExited,
    ClassroomRetracted,
    ClassroomsMerged,
    EvidenceNoted,
    LookForObserved,
    ObservationRetracted,
    RoomPayload,
    ThankYouNoteLeft,
)
from walkthrough.kinds import is_free_text

ROOMS = "visit_rooms"
# What a visit holds in memory while the projector folds, about, in bytes (measured
# with tracemalloc on generated visits): the view, its tallies and the look-fors; per
# classroom id its statements and its place in the partition; per room log in memory
# its skeleton (a dict and a list per look-for tapped); per tap, note or thanks.
VISIT_BYTES = 8_000
ROOM_BYTES = 1_700
LOG_BYTES = 4_300
UNIT_BYTES = 250
ROOM = "room"
ENTRIES = "room_entries"
QUOTE = "quote"
MAX_ROOMS = 10**9  # a visit's entries are read in one go (bounded only by the visit)
CORRECTABLE = ("label", "grade_band", "subject", "students_present")
T = TypeVar("T")


class Statement(msgspec.Struct, omit_defaults=True):
    """What one coach recorded about one classroom id. `stamps` says, for each detail
    the coach corrected (or restated going back in), when: a coach's own later
    statement wins, whatever order their events arrive in."""

    label: str
    grade_band: str
    subject: str
    students_present: int | None = None
    stamps: dict[str, str] = {}
    retracted: bool = False

    def corrected(self, detail: str) -> bool:
        return detail in self.stamps


class RoomIndex(msgspec.Struct, omit_defaults=True):
    rooms: dict[str, dict[str, Statement]] = {}  # classroom id -> coach -> statement
    merges: list[tuple[str, str]] = []  # sorted pairs of classroom ids, no repeats

    def live(self, classroom_id: str) -> dict[str, Statement]:
        return {coach: s for coach, s in self.rooms.get(classroom_id, {}).items()
                if not s.retracted}


class Tap(msgspec.Struct, array_like=True):
    occurred_at: datetime
    event_id: str
    value: str | int
    method: str | None = None


class RoomLog(msgspec.Struct, omit_defaults=True):
    taps: dict[str, dict[str, list[Tap]]] = {}  # item -> coach -> live taps, oldest first
    thanks: dict[str, list[str]] = {}  # coach -> live thank-you notes (event ids)
    notes: dict[str, list[str]] = {}  # coach -> quote ids of live evidence notes

    @property
    def weight(self) -> int:
        taps = sum(len(taps) for per_coach in self.taps.values() for taps in per_coach.values())
        return 1 + taps + sum(map(len, self.thanks.values())) + sum(map(len, self.notes.values()))


class Quote(msgspec.Struct):
    item: str | None
    text: str


class Room(msgspec.Struct, kw_only=True):
    """One room as the team recorded it; `id` is the smallest of its classroom ids."""

    id: str
    ids: list[str]
    label: str
    grade_band: str
    subject: str
    students_present: int | None
    coaches: list[str]


class OwnTap(msgspec.Struct):
    """One of a coach's live taps (oldest first per look-for; the last one counts)."""

    event_id: str
    item: str
    value: str | int
    occurred_at: datetime
    method: str | None = None


class OwnNote(msgspec.Struct):
    event_id: str
    text: str
    occurred_at: datetime
    item: str | None = None


class OwnClassroom(msgspec.Struct, kw_only=True):
    """What one coach recorded under one classroom id, as the server has it: so the
    coach's own taps follow them to any device, shown pressed, to change or withdraw."""

    classroom_id: str
    label: str
    grade_band: str
    subject: str
    students_present: int | None
    taps: list[OwnTap]
    notes: list[OwnNote]
    thank_you: list[str]  # event ids of live thank-you notes


class Contribution(msgspec.Struct):
    band: str
    thanked: bool
    outcomes: dict[str, Outcome]


index_decoder = msgspec.json.Decoder(RoomIndex)
entries_decoder = msgspec.json.Decoder(dict[str, Statement])
log_decoder = msgspec.json.Decoder(RoomLog)
quote_decoder = msgspec.json.Decoder(Quote)
_encoder = msgspec.json.Encoder(order="deterministic")


def room_doc_id(visit_id: str, classroom_id: str) -> str:
    return f"{visit_id}/{classroom_id}"


def assemble_index(merges_doc: bytes | None,
                   entries: Iterable[tuple[str, bytes]]) -> tuple[RoomIndex, bool]:
    """A visit's record of rooms from its `visit_rooms` document (None: none yet) and
    its `room_entries` documents ((doc id, doc) pairs, ids `<visit>/<classroom id>`),
    which take precedence over statements an older `visit_rooms` document holds; and
    whether it held any (it is then to be written again, split up)."""
    index = index_decoder.decode(merges_doc) if merges_doc is not None else RoomIndex()
    older = bool(index.rooms)
    for doc_id, doc in entries:
        index.rooms[doc_id.split("/", 1)[1]] = entries_decoder.decode(doc)
    return index, older


def load_index(store: ReadModelStore, visit_id: str) -> RoomIndex:
    """A visit's record of rooms as stored (empty when it has none)."""
    return assemble_index(store.get(ROOMS, visit_id),
                          store.first(ENTRIES, f"{visit_id}/", MAX_ROOMS))[0]


def quote_id(visit_id: str, occurred_at: datetime, event_id: str) -> str:
    """Sorts by time within a visit (fixed-width UTC), then by event id."""
    return f"{visit_id}/{occurred_at.strftime('%Y-%m-%dT%H:%M:%S.%f')}/{event_id}"


def stamp(event: Projected) -> str:
    return f"{event.occurred_at.strftime('%Y-%m-%dT%H:%M:%S.%f')}/{event.event_id}"


# --- which classroom ids are one room ---------------------------------------------------


class Partition:
    """The rooms of a visit: classroom ids joined by a shared label (of a live
    statement) or a merge. Kept up to date one change at a time."""

    def __init__(self, index: RoomIndex) -> None:
        self.index = index
        self._keys: dict[str, set[str]] = {}  # classroom id -> its live label keys
        self._ids_of_key: dict[str, set[str]] = {}
        self._merged: dict[str, set[str]] = {}
        self._room_of: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        for classroom_id in index.rooms:
            self.reindex(classroom_id)
        for a, b in index.merges:
            self.link(a, b)
        self.regroup(set(self._keys) | set(self._merged))

    def ids_with_label(self, label: str) -> set[str]:
        return set(self._ids_of_key.get(label_key(label), ()))

    def group(self, classroom_id: str) -> list[str]:
        """The classroom ids of the room `classroom_id` belongs to."""
        room_id = self._room_of.get(classroom_id)
        return self._members[room_id] if room_id is not None else [classroom_id]

    def groups(self) -> list[list[str]]:
        return [members for _, members in sorted(self._members.items())]

    def groups_of(self, classroom_ids: Iterable[str]) -> list[list[str]]:
        found: dict[str, list[str]] = {}
        for classroom_id in classroom_ids:
            members = self.group(classroom_id)
            found[members[0]] = members
        return [members for _, members in sorted(found.items())]

    def reindex(self, classroom_id: str) -> None:
        """Take in a change to the statements about `classroom_id`."""
        for key in self._keys.get(classroom_id, set()):
            self._ids_of_key[key].discard(classroom_id)
        keys = {label_key(s.label) for s in self.index.live(classroom_id).values()}
        self._keys[classroom_id] = keys
        for key in keys:
            self._ids_of_key.setdefault(key, set()).add(classroom_id)

    def link(self, a: str, b: str) -> None:
        self._merged.setdefault(a, set()).add(b)
        self._merged.setdefault(b, set()).add(a)

    def regroup(self, classroom_ids: set[str]) -> list[list[str]]:
        """Recompute the rooms made of `classroom_ids` (a union of whole rooms, before
        and after the change) and return them."""
        for classroom_id in classroom_ids:
            room_id = self._room_of.pop(classroom_id, None)
            if room_id is not None:
                self._members.pop(room_id, None)
        groups = []
        seen: set[str] = set()
        for start in sorted(classroom_ids):
            if start in seen:
                continue
            found = {start}
            frontier = [start]
            while frontier:
                current = frontier.pop()
                for key in self._keys.get(current, ()):
                    for other in self._ids_of_key[key]:
                        if other not in found:
                            found.add(other)
                            frontier.append(other)
                for other in self._merged.get(current, ()):
                    if other not in found:
                        found.add(other)
                        frontier.append(other)
            members = sorted(found)
            seen |= found
            for member in members:
                self._room_of[member] = members[0]
            self._members[members[0]] = members
            groups.append(members)
        return groups


def room_of(index: RoomIndex, members: Sequence[str]) -> Room | None:
    """The room made of classroom ids `members`, or None when no coach's entry of it
    is live."""
    statements = [(coach, s) for cid in members for coach, s in index.live(cid).items()]
    if not statements:
        return None
    present = [s.students_present for _, s in statements if s.students_present is not None]
    return Room(
        id=members[0], ids=list(members),
        label=settle((s.corrected("label"), s.label) for _, s in statements) or "",
        grade_band=settle((s.corrected("grade_band"), s.grade_band)
                          for _, s in statements) or "",
        subject=settle((s.corrected("subject"), s.subject) for _, s in statements) or "",
        students_present=max(present) if present else None,
        coaches=sorted({coach for coach, _ in statements}))


def rooms_of(index: RoomIndex) -> list[Room]:
    """Every room of a visit, by id."""
    found = (room_of(index, members) for members in Partition(index).groups())
    return [room for room in found if room is not None]


def own_classrooms(store: ReadModelStore, index: RoomIndex, visit_id: str,
                   coach: str) -> list[OwnClassroom]:
    """`coach`'s own live record of the visit, per classroom id they entered (and did
    not withdraw), with their live taps, evidence notes and thank-you notes."""
    mine = sorted(cid for cid, statements in index.rooms.items()
                  if coach in statements and not statements[coach].retracted)
    if not mine:
        return []
    found = store.get_many(ROOM, [room_doc_id(visit_id, cid) for cid in mine])
    logs = {cid: log_decoder.decode(found[room_doc_id(visit_id, cid)]) for cid in mine
            if room_doc_id(visit_id, cid) in found}
    qids = [qid for log in logs.values() for qid in log.notes.get(coach, [])]
    quotes = store.get_many(QUOTE, qids) if qids else {}
    records = []
    for cid in mine:
        own = index.rooms[cid][coach]
        log = logs.get(cid, RoomLog())
        taps = [OwnTap(event_id=tap.event_id, item=item, value=tap.value, method=tap.method,
                       occurred_at=tap.occurred_at)
                for item, per_coach in sorted(log.taps.items())
                for tap in per_coach.get(coach, [])]
        taps.sort(key=lambda tap: (tap.occurred_at, tap.event_id))
        notes = []
        for qid in log.notes.get(coach, []):
            doc = quotes.get(qid)
            if doc is None:
                continue
            quote = quote_decoder.decode(doc)
            _, at, event_id = qid.rsplit("/", 2)
            notes.append(OwnNote(event_id=event_id, text=quote.text, item=quote.item,
                                 occurred_at=datetime.fromisoformat(at).replace(tzinfo=UTC)))
        records.append(OwnClassroom(
            classroom_id=cid, label=own.label, grade_band=own.grade_band, subject=own.subject,
            students_present=own.students_present, taps=taps, notes=notes,
            thank_you=list(log.thanks.get(coach, []))))
    return records


class Change(NamedTuple):
    """A change to the record of rooms: the classroom ids whose rooms it may touch (a
    union of whole rooms once their rooms are added), and how to apply it."""

    seeds: set[str]
    classroom_id: str | None  # the classroom id whose statements change, if any
    apply: Callable[[], None]


class RoomRecord:
    """Who entered which classroom id, with their corrections and withdrawals, the
    team's merges, and so which classroom ids are one room."""

    def __init__(self, index: RoomIndex) -> None:
        self.index = index
        self.partition = Partition(index)

    def change(self, event: Projected, payload: RoomPayload) -> Change | None:
        """The change a room event makes to the record (None for no change)."""
        coach = event.actor
        match payload:
            case ClassroomEntered():
                cid = payload.classroom_id
                own = self.index.rooms.get(cid, {}).get(coach)
                if own is None:
                    entry = Statement(label=payload.label, grade_band=payload.grade_band,
                                      subject=payload.subject,
                                      students_present=payload.students_present)
                    return self._statement({cid} | self.partition.ids_with_label(payload.label),
                                           cid, coach, entry)
                if payload.students_present is not None and not own.retracted:
                    # going back in, counting again
                    return self._statement({cid}, cid, coach, _restate(
                        own, stamp(event), {"students_present": payload.students_present}))
            case ClassroomCorrected():
                cid = payload.classroom_id
                own = self.index.rooms.get(cid, {}).get(coach)
                if own is not None:
                    details = {detail: getattr(payload, detail) for detail in CORRECTABLE
                               if getattr(payload, detail) is not None}
                    seeds = {cid} | (self.partition.ids_with_label(payload.label)
                                     if payload.label else set())
                    return self._statement(seeds, cid, coach,
                                           _restate(own, stamp(event), details))
            case ClassroomRetracted():
                cid = payload.classroom_id
                own = self.index.rooms.get(cid, {}).get(coach)
                if own is not None and not own.retracted:
                    return self._statement({cid}, cid, coach,
                                           msgspec.structs.replace(own, retracted=True))
            case ClassroomsMerged():
                pair = (min(payload.classroom_id, payload.into),
                        max(payload.classroom_id, payload.into))
                if pair not in self.index.merges:
                    def merge() -> None:
                        bisect.insort(self.index.merges, pair)
                        self.partition.link(*pair)

                    return Change(set(pair), None, merge)
            case LookForObserved() | EvidenceNoted() | ThankYouNoteLeft() \
                    | ObservationRetracted() | ClassroomExited():
                pass  # observations, not the record of rooms
            case _:
                assert_never(payload)
        return None

    def _statement(self, seeds: set[str], classroom_id: str, coach: str,
                   statement: Statement) -> Change:
        def put() -> None:
            self.index.rooms.setdefault(classroom_id, {})[coach] = statement
            self.partition.reindex(classroom_id)

        return Change(seeds, classroom_id, put)

    def restructure(self, change: Change,
                    before: Callable[[list[list[str]]], None] = lambda _: None,
                    after: Callable[[list[list[str]]], None] = lambda _: None) -> None:
        """Apply `change`; `before` sees the rooms it touches as they were, `after` the
        rooms they became."""
        affected = {member for cid in change.seeds for member in self.partition.group(cid)}
        before(self.partition.groups_of(affected))
        change.apply()
        after(self.partition.regroup(affected))

    def room_of(self, classroom_id: str) -> str:
        """The id of the room a classroom id belongs to (its smallest classroom id)."""
        return self.partition.group(classroom_id)[0]


# --- one visit's rooms while the projector folds -------------------------------------------


LoadLogs = Callable[[str, Sequence[str]], dict[str, RoomLog]]
"""Reads the stored logs of some classroom ids of a visit."""


class VisitRooms:
    """A visit's rooms in memory: its index, the room logs read so far, and what a
    page changed (written by the projector at the end of the page)."""

    def __init__(self, view: VisitView, index: RoomIndex, catalog: Catalog,
                 load_logs: LoadLogs, older: bool = False) -> None:
        self.view = view
        self.record = RoomRecord(index)
        self.index = index
        self.partition = self.record.partition
        self.catalog = catalog
        self.look_fors = {item.key: item for item in catalog.items}
        self.logs: dict[str, RoomLog] = {}
        self._load_logs = load_logs
        self._units = 0  # taps, notes and thanks in the logs in memory (about; never less)
        self._rooms: dict[str, Room | None] = {}  # room id -> its room, as last asked
        # Written with statements from before they had documents of their own: write
        # the merges alone and every classroom id's entries the next time.
        self.merges_changed = older
        self.changed_entries: set[str] = set(index.rooms) if older else set()
        self.changed_logs: set[str] = set()
        self.quotes: dict[str, bytes | None] = {}  # quote id -> document, None: deleted

    # --- reading ----------------------------------------------------------------------

    def need(self, classroom_ids: Iterable[str]) -> None:
        """Read the logs of these classroom ids (and of their rooms) if not in memory."""
        wanted: set[str] = set()
        for cid in classroom_ids:
            if cid not in wanted:  # a room's members are all added at once
                wanted.update(self.partition.group(cid))
        # Not `wanted - self.logs.keys()`: that walks every log in memory (O(rooms)).
        missing = [cid for cid in wanted if cid not in self.logs]
        if not missing:
            return
        # Only a classroom id someone entered can have a stored log (a coach enters a
        # room before recording in it, and both are written on the same page).
        stored = sorted(cid for cid in missing if cid in self.index.rooms)
        found = self._load_logs(self.view.id, stored) if stored else {}
        for classroom_id in missing:
            log = self.logs[classroom_id] = found.get(classroom_id) or RoomLog()
            if classroom_id in found:
                self._units += log.weight

    def log(self, classroom_id: str) -> RoomLog:
        self.need([classroom_id])
        return self.logs[classroom_id]

    def room(self, members: Sequence[str]) -> Room | None:
        """The room made of `members` (a whole room of the partition), kept until a
        change to the record of rooms touches it (every tap asks for its room)."""
        room_id = members[0]
        if room_id in self._rooms:
            return self._rooms[room_id]
        room = self._rooms[room_id] = room_of(self.index, members)
        return room

    def outcome(self, members: Sequence[str], room: Room, look_for: LookFor) -> Outcome | None:
        """The room's outcome for one look-for: each coach's own latest tap."""
        return combine(look_for, list(self.observations(members, room, look_for).values()))

    def observations(self, members: Sequence[str], room: Room,
                     look_for: LookFor) -> dict[str, Observed]:
        """Each coach's observation of one look-for in the room (their own latest tap),
        by coach."""
        self.need(members)
        observed: dict[str, Observed] = {}
        for coach in room.coaches:
            latest: Tap | None = None
            present: int | None = None
            for cid in members:
                own = self.index.rooms.get(cid, {}).get(coach)
                if own is None or own.retracted:
                    continue
                if own.students_present is not None:
                    present = max(present or 0, own.students_present)
                taps = self.logs[cid].taps.get(look_for.key, {}).get(coach)
                if taps and (latest is None or _order(taps[-1]) > _order(latest)):
                    latest = taps[-1]
            if latest is not None:
                observed[coach] = Observed(latest.value, latest.method,
                                           present if present is not None
                                           else room.students_present)
        return observed

    def contribution(self, members: Sequence[str]) -> Contribution | None:
        room = self.room(members)
        if room is None:
            return None
        self.need(members)
        # A look-for nobody tapped in the room has no outcome (combine: None): a room
        # just entered is counted without working out every look-for of the catalog.
        tapped = {item for cid in members for item in self.logs[cid].taps}
        outcomes = {}
        for key, look_for in self.look_fors.items():
            if key not in tapped:
                continue
            found = self.outcome(members, room, look_for)
            if found is not None:
                outcomes[key] = found
        return Contribution(band=room.grade_band, thanked=self._thanked(members, room),
                            outcomes=outcomes)

    def _thanked(self, members: Sequence[str], room: Room) -> bool:
        self.need(members)
        return any(self.logs[cid].thanks.get(coach) for cid in members
                   for coach in self.index.live(cid) if coach in room.coaches)

    # --- folding --------------------------------------------------------------------

    def fold(self, event: Projected, payload: RoomPayload) -> None:
        match payload:
            case LookForObserved():
                if not event.withdrawn:
                    self._tap(event, payload)
            case EvidenceNoted():
                if not event.withdrawn:
                    self._note(event, payload)
            case ThankYouNoteLeft():
                if not event.withdrawn:
                    self._change_thanks(payload.classroom_id, event.actor,
                                        lambda ids: bisect.insort(ids, event.event_id))
            case ObservationRetracted():
                self._retract(event, payload)
            case ClassroomEntered() | ClassroomCorrected() | ClassroomsMerged():
                self._restructure(event, payload)
            case ClassroomRetracted():
                self._room_retracted(event, payload)
            case ClassroomExited():
                pass  # leaving a room changes no trend; the log keeps it for analysts
            case _:
                assert_never(payload)

    def _tap(self, event: Projected, payload: LookForObserved) -> None:
        tap = Tap(occurred_at=event.occurred_at, event_id=event.event_id,
                  value=payload.value, method=payload.method)
        self._change_taps(payload.classroom_id, payload.item, event.actor,
                          lambda taps: bisect.insort(taps, tap, key=_order))

    def _note(self, event: Projected, payload: EvidenceNoted) -> None:
        qid = quote_id(self.view.id, event.occurred_at, event.event_id)
        log = self.log(payload.classroom_id)
        self._units += 1
        bisect.insort(log.notes.setdefault(event.actor, []), qid)
        self.changed_logs.add(payload.classroom_id)
        self.quotes[qid] = _encoder.encode(Quote(item=payload.item, text=payload.text))
        self.view.quotes += 1

    def _retract(self, event: Projected, payload: ObservationRetracted) -> None:
        target = event.withdraws
        if target is None:
            return  # its target has not arrived: it is stored withdrawn when it does
        withdrawn = str(payload.event_id)
        if target.type == "LookForObserved" and target.item is not None:
            self._change_taps(target.classroom_id, target.item, event.actor,
                              lambda taps: _drop(taps, lambda t: t.event_id == withdrawn))
        elif target.type == "EvidenceNoted":
            qid = quote_id(self.view.id, target.occurred_at, withdrawn)
            notes = self.log(target.classroom_id).notes.get(event.actor, [])
            if qid in notes:
                notes.remove(qid)
                self.changed_logs.add(target.classroom_id)
                self.quotes[qid] = None
                self.view.quotes -= 1
        elif target.type == "ThankYouNoteLeft":
            self._change_thanks(target.classroom_id, event.actor,
                                lambda ids: _drop(ids, lambda i: i == withdrawn))

    def _change_taps(self, classroom_id: str, item: str, coach: str,
                     change: Callable[[list[Tap]], None]) -> None:
        members = self.partition.group(classroom_id)
        self.need(members)
        look_for = self.look_fors.get(item)
        log = self.logs[classroom_id]
        self._units += 1
        taps = log.taps.setdefault(item, {}).setdefault(coach, [])
        if look_for is not None and is_free_text(look_for.kind):
            before = taps[-1] if taps else None
            change(taps)
            self._requote(coach, classroom_id, item, before, taps[-1] if taps else None)
        else:
            room = self.room(members)
            old = self.outcome(members, room, look_for) if room and look_for else None
            change(taps)
            new = self.outcome(members, room, look_for) if room and look_for else None
            if room is not None:
                self._shift(room.grade_band, item, old, new)
        if not taps:
            del log.taps[item][coach]
            if not log.taps[item]:
                del log.taps[item]
        self.changed_logs.add(classroom_id)

    def _requote(self, coach: str, classroom_id: str, item: str, before: Tap | None,
                 after: Tap | None) -> None:
        """A coach's latest note-kind tap is their quote for that look-for in the room."""
        if before == after:
            return
        live = coach in self.index.live(classroom_id)
        if before is not None and live:
            self.quotes[quote_id(self.view.id, before.occurred_at, before.event_id)] = None
            self.view.quotes -= 1
        if after is not None and live:
            self.quotes[quote_id(self.view.id, after.occurred_at, after.event_id)] = \
                _encoder.encode(Quote(item=item, text=str(after.value)))
            self.view.quotes += 1

    def _change_thanks(self, classroom_id: str, coach: str,
                       change: Callable[[list[str]], None]) -> None:
        members = self.partition.group(classroom_id)
        self.need(members)
        room = self.room(members)
        before = self._thanked(members, room) if room else False
        log = self.logs[classroom_id]
        self._units += 1
        change(log.thanks.setdefault(coach, []))
        if not log.thanks[coach]:
            del log.thanks[coach]
        after = self._thanked(members, room) if room else False
        self.view.thanked += after - before
        self.changed_logs.add(classroom_id)

    def _shift(self, band: str, item: str, old: Outcome | None, new: Outcome | None) -> None:
        if old == new:
            return
        tally = self.view.tally(band, item)
        if old is not None:
            tally.apply(old, -1)
        if new is not None:
            tally.apply(new, 1)
        if tally.is_empty():
            self.view.prune()

    # --- the record of rooms --------------------------------------------------------------

    def _restructure(self, event: Projected, payload: RoomPayload) -> None:
        """Apply a change to the record of rooms: take away the contributions of every
        room it touches, as they were, and add those of the rooms it leaves."""
        change = self.record.change(event, payload)
        if change is None:
            return

        stale: list[str] = []

        def before(rooms: list[list[str]]) -> None:
            self.need(member for members in rooms for member in members)
            for members in rooms:
                self._count(members, -1)
                stale.append(members[0])

        def after(rooms: list[list[str]]) -> None:
            for room_id in stale + [members[0] for members in rooms]:
                self._rooms.pop(room_id, None)
            for members in rooms:
                self._count(members, 1)

        self.record.restructure(change, before, after)
        if change.classroom_id is not None:
            self.changed_entries.add(change.classroom_id)
            self.changed_logs.add(change.classroom_id)
        else:
            self.merges_changed = True
        self.view.prune()

    def _room_retracted(self, event: Projected, payload: ClassroomRetracted) -> None:
        """The coach's entry is withdrawn, and their notes there with it."""
        cid, coach = payload.classroom_id, event.actor
        own = self.index.rooms.get(cid, {}).get(coach)
        if own is None or own.retracted:
            return
        log = self.log(cid)
        for qid in log.notes.pop(coach, []):
            self.quotes[qid] = None
            self.view.quotes -= 1
        for item, per_coach in log.taps.items():
            taps = per_coach.get(coach)
            look_for = self.look_fors.get(item)
            if taps and look_for is not None and is_free_text(look_for.kind):
                self._requote(coach, cid, item, taps[-1], None)
        self.changed_logs.add(cid)
        self._restructure(event, payload)

    def _count(self, members: Sequence[str], sign: int) -> None:
        found = self.contribution(members)
        if found is None:
            return
        self.view.rooms += sign
        self.view.thanked += sign * found.thanked
        for item, outcome in found.outcomes.items():
            self.view.tally(found.band, item).apply(outcome, sign)

    # --- writing --------------------------------------------------------------------

    def documents(self) -> dict[tuple[str, str], bytes | None]:
        """What the page changed, as documents to write (None: delete), then forgets
        that it changed them."""
        docs: dict[tuple[str, str], bytes | None] = {}
        visit_id = self.view.id
        if self.merges_changed:  # none left (an older document split up): none written
            docs[(ROOMS, visit_id)] = (_encoder.encode(RoomIndex(merges=self.index.merges))
                                       if self.index.merges else None)
        for classroom_id in sorted(self.changed_entries):
            docs[(ENTRIES, room_doc_id(visit_id, classroom_id))] = \
                _encoder.encode(self.index.rooms[classroom_id])
        for classroom_id in sorted(self.changed_logs):
            docs[(ROOM, room_doc_id(visit_id, classroom_id))] = \
                _encoder.encode(self.logs[classroom_id])
        for qid, doc in self.quotes.items():
            docs[(QUOTE, qid)] = doc
        self.merges_changed = False
        self.changed_entries.clear()
        self.changed_logs.clear()
        self.quotes = {}
        return docs

    @property
    def weight(self) -> int:
        """About how many bytes the visit holds in memory (kept up to date as it
        changes, so asking costs nothing)."""
        return (VISIT_BYTES + ROOM_BYTES * len(self.index.rooms) + LOG_BYTES * len(self.logs)
                + UNIT_BYTES * self._units)

    def forget_logs(self) -> None:
        """Drop the room logs from memory (they are stored; read again when needed)."""
        self.logs.clear()
        self._units = 0


def _order(tap: Tap) -> tuple[datetime, str]:
    return tap.occurred_at, tap.event_id


def _drop(items: list[T], match: Callable[[T], bool]) -> None:
    for position, item in enumerate(items):
        if match(item):
            del items[position]
            return


def _restate(own: Statement, at: str, details: dict[str, object]) -> Statement:
    """`own` with the coach's later statement of some details: each detail is taken
    only when this statement is the coach's latest about it."""
    stamps = dict(own.stamps)
    changes: dict[str, object] = {}
    for detail, value in details.items():
        if stamps.get(detail, "") < at:
            stamps[detail] = at
            changes[detail] = value
    return msgspec.structs.replace(own, stamps=stamps, **changes)

