"""A visit's rooms as stored: the documents, their ids and codecs, and a coach's own
record read back from them.

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
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import msgspec

from projections.store import ReadModelStore

ROOMS = "visit_rooms"
ROOM = "room"
ENTRIES = "room_entries"
QUOTE = "quote"
MAX_ROOMS = 10**9  # a visit's entries are read in one go (bounded only by the visit)


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


index_decoder = msgspec.json.Decoder(RoomIndex)
entries_decoder = msgspec.json.Decoder(dict[str, Statement])
log_decoder = msgspec.json.Decoder(RoomLog)
quote_decoder = msgspec.json.Decoder(Quote)
encoder = msgspec.json.Encoder(order="deterministic")

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
