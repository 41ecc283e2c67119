"""A log's taps as columns, for a rebuild from nothing.

Nearly every event of a log is a tap, and folding each into its room's consensus
is what made a rebuild cost ten times reading the log. A rebuild instead files each
live tap here, as a row of small codes in Arrow columns (a few tens of bytes a tap,
out of Python objects), while every other event is folded as usual. At the end the
taps come back sorted: per visit, per classroom id, each coach's taps of each
look-for oldest first, as a room log holds them; withdrawn ones left out. What they
add up to is then worked out once per room (projections.rooms.fold), with the same
rule as the live fold.

Occurred-at times are kept as UTC microseconds: sync stores them in UTC
(walkthrough.sync), as the documents show them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from projections.rooms.documents import Tap
from projections.visit_view import Projected
from walkthrough.events import LookForObserved, ObservationRetracted

CHUNK = 50_000  # rows brought back into Python at a time
SCHEMA = pa.schema([("pair", pa.int32()), ("item", pa.int32()), ("coach", pa.int32()),
                    ("value", pa.int32()), ("method", pa.int32()),
                    ("at", pa.timestamp("us", tz="UTC")), ("event_id", pa.string())])

TapsByItem = dict[str, dict[str, list[Tap]]]  # look-for -> coach -> taps, oldest first
Run = tuple[str, str, TapsByItem]  # visit id, classroom id, its live taps


class TapColumns:
    """The live taps of a log, filed one page at a time, given back sorted by visit
    and classroom id. Text repeated from tap to tap (visit and classroom ids, look-fors,
    coaches, values, methods) is kept once, as a code."""

    def __init__(self) -> None:
        self._pairs: dict[tuple[str, str], int] = {}  # (visit id, classroom id) -> code
        self._items: dict[str, int] = {}
        self._coaches: dict[str, int] = {}
        self._values: dict[str | int, int] = {}
        self._methods: dict[str | None, int] = {}
        self._columns: tuple[list[int], list[int], list[int], list[int], list[int],
                             list[datetime], list[str]] = ([], [], [], [], [], [], [])
        self._batches: list[pa.RecordBatch] = []
        # Retracted taps, by event id: (visit, classroom id, look-for, coach) as the
        # retraction names them (the live fold drops a tap only where all four match).
        self._retracted: dict[str, tuple[str, str, str, str]] = {}
        # Per visit whose last event so far is a tap, that tap's timestamp.
        self._last_tap: dict[str, datetime] = {}

    def __len__(self) -> int:
        return sum(int(batch.num_rows) for batch in self._batches) + len(self._columns[0])

    def add(self, event: Projected, payload: LookForObserved) -> None:
        """File a live tap (one not withdrawn on arrival)."""
        visit_id = event.originator_id
        pairs, items, coaches = self._pairs, self._items, self._coaches
        values, methods = self._values, self._methods
        pair, item, coach, value, method, at, event_id = self._columns
        pair.append(pairs.setdefault((visit_id, payload.classroom_id), len(pairs)))
        item.append(items.setdefault(payload.item, len(items)))
        coach.append(coaches.setdefault(event.actor, len(coaches)))
        value.append(values.setdefault(payload.value, len(values)))
        method.append(methods.setdefault(payload.method, len(methods)))
        at.append(event.occurred_at)
        event_id.append(event.event_id)
        self._last_tap[visit_id] = event.timestamp

    def passed(self, event: Projected) -> None:
        """Note an event that is not filed here (it is folded as usual): a retraction
        of a tap withdraws it; the visit's last event is then not a tap."""
        self._last_tap.pop(event.originator_id, None)
        target = event.withdraws
        if (target is not None and target.type == "LookForObserved"
                and target.item is not None
                and isinstance(event.payload, ObservationRetracted)):
            self._retracted[str(event.payload.event_id)] = (
                event.originator_id, target.classroom_id, target.item, event.actor)

    def seal(self) -> None:
        """Move the taps filed so far into Arrow columns (once per page)."""
        if not self._columns[0]:
            return
        self._batches.append(pa.record_batch(
            [pa.array(column, type=field.type) for column, field in zip(self._columns, SCHEMA,
                                                                        strict=True)],
            schema=SCHEMA))
        for column in self._columns:
            column.clear()

    def last_tap(self, visit_id: str) -> datetime | None:
        """The timestamp of the visit's last event when that event is a tap."""
        return self._last_tap.get(visit_id)

    def classroom_ids(self) -> dict[str, list[str]]:
        """Per visit with taps (in the order `runs` gives them), its classroom ids."""
        found: dict[str, list[str]] = {}
        for visit_id, classroom_id in self._pairs:
            found.setdefault(visit_id, []).append(classroom_id)
        return found

    def runs(self) -> Iterator[Run]:
        """Every classroom id's live taps, a visit's classroom ids one after another,
        in the order of `classroom_ids`. The columns are let go as they are read."""
        self.seal()
        table = pa.Table.from_batches(self._batches, schema=SCHEMA)
        self._batches = []
        pairs = list(self._pairs)
        visit_rank: dict[str, int] = {}
        for visit_id, _ in pairs:
            visit_rank.setdefault(visit_id, len(visit_rank))
        visit_of_pair = pa.array([visit_rank[visit_id] for visit_id, _ in pairs], pa.int32())
        keyed = table.append_column("visit", pc.take(visit_of_pair, table["pair"]))
        order = pc.sort_indices(keyed, sort_keys=[
            ("visit", "ascending"), ("pair", "ascending"), ("item", "ascending"),
            ("coach", "ascending"), ("at", "ascending"), ("event_id", "ascending")])
        del keyed
        items, coaches = list(self._items), list(self._coaches)
        values, methods = list(self._values), list(self._methods)
        retracted = self._retracted
        current = -1
        taps: TapsByItem = {}
        for start in range(0, len(order), CHUNK):
            chunk = table.take(order[start:start + CHUNK])
            for pair, item, coach, value, method, at, event_id in zip(
                    *(chunk.column(name).to_pylist() for name in SCHEMA.names), strict=True):
                if pair != current:
                    if current >= 0:  # even with every tap withdrawn: its log is written
                        yield *pairs[current], taps
                    current, taps = pair, {}
                if event_id in retracted and retracted[event_id] == (
                        *pairs[pair], items[item], coaches[coach]):
                    continue
                taps.setdefault(items[item], {}).setdefault(coaches[coach], []).append(
                    Tap(occurred_at=at, event_id=event_id, value=values[value],
                        method=methods[method]))
        if current >= 0:
            yield *pairs[current], taps
