"""One visit's rooms while the projector folds: taps, notes and thanks go into the room
logs, and the visit document's tallies hold the sum of every room's contribution (an
event takes away the contributions it changes, as they were, and adds them as they
are now). What a room contributes is the domain's rule (walkthrough.consensus).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import NamedTuple, TypeVar, assert_never

import msgspec

from projections.rooms.documents import (
    ENTRIES,
    QUOTE,
    ROOM,
    ROOMS,
    Quote,
    Room,
    RoomIndex,
    RoomLog,
    Tap,
    encoder,
    quote_id,
    room_doc_id,
)
from projections.rooms.partition import room_of
from projections.rooms.record import RoomRecord
from projections.visit_view import Projected, VisitView
from walkthrough.catalog import Catalog, LookFor
from walkthrough.consensus import Observed, Outcome, combine
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

# What a visit holds in memory while the projector folds, about, in bytes (measured
# with tracemalloc on generated visits): the view, its tallies and the look-fors; per
# classroom id its statements and its place in the partition; per room log in memory
# its skeleton (a dict and a list per look-for tapped); per tap, note or thanks.
VISIT_BYTES = 8_000
ROOM_BYTES = 1_700
LOG_BYTES = 4_300
UNIT_BYTES = 250
T = TypeVar("T")
OUTCOMES_KEPT = 5_000  # outcomes remembered (`_combined`), at most
_OUTCOMES: dict[tuple[object, ...], Outcome | None] = {}


class Contribution(msgspec.Struct):
    band: str
    thanked: bool
    outcomes: dict[str, Outcome]


class Seat(NamedTuple):
    """One coach in one room: where their entry is live, and the students present
    their observations are shares of."""

    coach: str
    classroom_ids: list[str]
    present: int | None


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
        self._seats: dict[str, list[Seat]] = {}  # room id -> its coaches, this page
        # Written with statements from before they had documents of their own: write
        # the merges alone and every classroom id's entries the next time.
        self.merges_changed = older
        self.changed_entries: set[str] = set(index.rooms) if older else set()
        self.changed_logs: set[str] = set()
        self.quotes: dict[str, bytes | None] = {}  # quote id -> document, None: deleted
        # Taps are settled once per page, not once per tap: the (room, look-for) pairs
        # taps changed since the tallies were last settled, with the outcome the
        # tallies count for them; and, for the rooms counted on this page, the
        # outcomes their tallies hold (so a tap into a room just entered works out
        # its outcome once, not before and after).
        self._unsettled: dict[tuple[str, str], tuple[Sequence[str], LookFor,
                                                     Outcome | None]] = {}
        self._counted: dict[str, dict[str, Outcome]] = {}
        # A rebuild's rooms counted with all their taps, by grade band, look-for and
        # outcome (`count_taps`), until added to the tallies.
        self._tap_counts: Counter[tuple[str, str, Outcome]] = Counter()

    # --- reading ----------------------------------------------------------------------

    def need(self, classroom_ids: Iterable[str]) -> None:
        """Read the logs of these classroom ids (and of their rooms) if not in memory.
        A room's logs are read all at once (a change to the record of rooms reads those
        of every room it joins first), so a classroom id whose log is in memory has its
        whole room's: most calls end at the first line."""
        missing = self.unread(classroom_ids)
        if not missing:
            return
        stored = self.stored(missing)
        self.put_logs(missing, self._load_logs(self.view.id, stored) if stored else {})

    def unread(self, classroom_ids: Iterable[str]) -> list[str]:
        """The classroom ids of these ids' rooms whose logs are not in memory."""
        unread = [cid for cid in classroom_ids if cid not in self.logs]
        if not unread:
            return []
        wanted: set[str] = set()
        for cid in unread:
            if cid not in wanted:  # a room's members are all added at once
                wanted.update(self.partition.group(cid))
        # Not `wanted - self.logs.keys()`: that walks every log in memory (O(rooms)).
        return [cid for cid in wanted if cid not in self.logs]

    def stored(self, classroom_ids: Iterable[str]) -> list[str]:
        """Those that can have a stored log: only a classroom id someone entered (a
        coach enters a room before recording in it, and both are written on the same
        page)."""
        return sorted(cid for cid in classroom_ids if cid in self.index.rooms)

    def put_logs(self, classroom_ids: Iterable[str], found: dict[str, RoomLog]) -> None:
        """Keep the logs of `classroom_ids` (unread) as `found` in the store (none: empty)."""
        for classroom_id in classroom_ids:
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
        self.need(members)
        return _combined(look_for, list(self._observed(members, room, look_for).values()))

    def observations(self, members: Sequence[str], room: Room,
                     look_for: LookFor) -> dict[str, Observed]:
        """Each coach's observation of one look-for in the room (their own latest tap),
        by coach."""
        self.need(members)
        return self._observed(members, room, look_for)

    def _observed(self, members: Sequence[str], room: Room,
                  look_for: LookFor) -> dict[str, Observed]:
        seats = self._seats.get(members[0])
        if seats is None:
            seats = self._seats[members[0]] = self._seated(members, room)
        key = look_for.key
        observed: dict[str, Observed] = {}
        for coach, classroom_ids, present in seats:
            latest: Tap | None = None
            for cid in classroom_ids:
                per_coach = self.logs[cid].taps.get(key)
                taps = per_coach.get(coach) if per_coach is not None else None
                if taps and (latest is None or _order(taps[-1]) > _order(latest)):
                    latest = taps[-1]
            if latest is not None:
                observed[coach] = Observed(latest.value, latest.method, present)
        return observed

    def _seated(self, members: Sequence[str], room: Room) -> list[Seat]:
        """Per coach of the room, the classroom ids of it where their entry is live and
        the students present they counted (the largest; the room's when none)."""
        seats = []
        for coach in room.coaches:
            classroom_ids: list[str] = []
            present: int | None = None
            for cid in members:
                own = self.index.rooms.get(cid, {}).get(coach)
                if own is None or own.retracted:
                    continue
                classroom_ids.append(cid)
                if own.students_present is not None:
                    present = max(present or 0, own.students_present)
            seats.append(Seat(coach, classroom_ids,
                              present if present is not None else room.students_present))
        return seats

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
            found = _combined(look_for, list(self._observed(members, room, look_for).values()))
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
        self.quotes[qid] = encoder.encode(Quote(item=payload.item, text=payload.text))
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
            if look_for is not None and (members[0], item) not in self._unsettled:
                self._unsettle(members, look_for)
            change(taps)
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
                encoder.encode(Quote(item=item, text=str(after.value)))
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

    # --- a rebuild's taps, all at once (projections.tap_columns) ------------------------

    def take_taps(self, classroom_id: str, taps: dict[str, dict[str, list[Tap]]]) -> None:
        """Give a classroom id's log every live tap it has (oldest first per coach and
        look-for) when the fold saw none of them: each coach's latest note-kind tap is
        their quote while their entry is live, as `_requote` keeps it live."""
        log = self.log(classroom_id)
        log.taps = taps
        for item, per_coach in taps.items():
            look_for = self.look_fors.get(item)
            if look_for is not None and is_free_text(look_for.kind):
                for coach, own in per_coach.items():
                    self._requote(coach, classroom_id, item, None, own[-1])
        self.changed_logs.add(classroom_id)

    def count_taps(self, members: Sequence[str]) -> None:
        """Note what a room's taps contribute (its logs given every tap: the room is
        counted once, as `_count` counts it); `add_counted` adds it to the tallies."""
        found = self.contribution(members) if self.room(members) is not None else None
        if found is not None:
            for item, outcome in found.outcomes.items():
                self._tap_counts[(found.band, item, outcome)] += 1

    def add_counted(self) -> None:
        """Add the rooms' counted outcomes to the tallies, each alike outcome at once
        (n times an outcome: exact integer sums, as n rooms one by one)."""
        for (band, item, outcome), times in self._tap_counts.items():
            self.view.tally(band, item).apply(outcome, times)
        self._tap_counts.clear()

    def forget_room(self, members: Sequence[str]) -> None:
        """Drop a room's logs and details from memory once written (a rebuild reads
        each once)."""
        self._rooms.pop(members[0], None)
        for classroom_id in members:
            self.logs.pop(classroom_id, None)

    def _unsettle(self, members: Sequence[str], look_for: LookFor) -> None:
        """Remember what the tallies count for `look_for` in the room before a tap
        changes it (nothing when the room is not counted: no live entry)."""
        room = self.room(members)
        if room is None:
            return
        counted = self._counted.get(members[0])
        old = (counted.get(look_for.key) if counted is not None
               else self.outcome(members, room, look_for))
        self._unsettled[(members[0], look_for.key)] = (members, look_for, old)

    def settle(self) -> None:
        """Bring the tallies up to date with the taps folded since they were last
        settled: each changed (room, look-for) once, whatever its number of taps."""
        for (room_id, item), (members, look_for, old) in self._unsettled.items():
            room = self.room(members)
            assert room is not None  # taps do not change the record of rooms
            new = self.outcome(members, room, look_for)
            self._shift(room.grade_band, item, old, new)
            counted = self._counted.get(room_id)
            if counted is not None:
                if new is None:
                    counted.pop(item, None)
                else:
                    counted[item] = new
        self._unsettled.clear()

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
        self.settle()  # the rooms' contributions are taken away as the tallies count them

        stale: list[str] = []

        def before(rooms: list[list[str]]) -> None:
            self.need(member for members in rooms for member in members)
            for members in rooms:
                self._count(members, -1)
                stale.append(members[0])

        def after(rooms: list[list[str]]) -> None:
            for room_id in stale + [members[0] for members in rooms]:
                self._rooms.pop(room_id, None)
                self._seats.pop(room_id, None)
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
        if sign > 0 and found is not None:
            self._counted[members[0]] = dict(found.outcomes)
        else:
            self._counted.pop(members[0], None)
        if found is None:
            return
        self.view.rooms += sign
        self.view.thanked += sign * found.thanked
        for item, outcome in found.outcomes.items():
            self.view.tally(found.band, item).apply(outcome, sign)

    # --- writing --------------------------------------------------------------------

    def documents(self) -> dict[tuple[str, str], bytes | None]:
        """What the page changed, as documents to write (None: delete), then forgets
        that it changed them. The tallies are settled first (the visit document is
        to be written after this)."""
        self.settle()
        # Kept only while the page that needed them folds (a visit of 100k rooms would
        # otherwise hold a seat per coach and room for good).
        self._counted.clear()
        self._seats.clear()
        docs: dict[tuple[str, str], bytes | None] = {}
        visit_id = self.view.id
        if self.merges_changed:  # none left (an older document split up): none written
            docs[(ROOMS, visit_id)] = (encoder.encode(RoomIndex(merges=self.index.merges))
                                       if self.index.merges else None)
        for classroom_id in sorted(self.changed_entries):
            docs[(ENTRIES, room_doc_id(visit_id, classroom_id))] = \
                encoder.encode(self.index.rooms[classroom_id])
        for classroom_id in sorted(self.changed_logs):
            docs[(ROOM, room_doc_id(visit_id, classroom_id))] = \
                encoder.encode(self.logs[classroom_id])
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


def _combined(look_for: LookFor, observed: list[Observed]) -> Outcome | None:
    """`combine`, remembered: what a room contributes depends only on what `combine`
    reads of the look-for and on the coaches' observations, which repeat from room to
    room (the outcome is immutable, so one is shared)."""
    key = (look_for.kind, look_for.max_field, look_for.min, look_for.max, *observed)
    if key in _OUTCOMES:
        return _OUTCOMES[key]
    if len(_OUTCOMES) >= OUTCOMES_KEPT:
        _OUTCOMES.clear()
    found = _OUTCOMES[key] = combine(look_for, observed)
    return found


def _order(tap: Tap) -> tuple[datetime, str]:
    return tap.occurred_at, tap.event_id


def _drop(items: list[T], match: Callable[[T], bool]) -> None:
    for position, item in enumerate(items):
        if match(item):
            del items[position]
            return

