"""A log's taps in a scratch table, for a rebuild from nothing.

Nearly every event of a log is a tap, and folding each into its room's consensus
is what made a rebuild cost ten times reading the log. A rebuild instead files each
live tap as a row of small codes in a scratch SQLite table (a temporary file: memory
stays flat whatever the log's size), while every other event is folded as usual. At
the end SQLite gives the taps back sorted: per visit, per classroom id, each coach's
taps of each look-for oldest first, as a room log holds them; withdrawn ones are
left out. What they add up to is then worked out once per room
(projections.rooms.fold), with the same rule as the live fold.

Occurred-at times are kept as UTC microseconds: sync stores them in UTC
(walkthrough.sync), as the documents show them.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from projections.rooms.documents import Tap
from projections.visit_view import Projected
from walkthrough.events import LookForObserved, ObservationRetracted

FETCH = 20_000  # rows brought back into Python at a time
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
LOW = 2**32 - 1  # two codes share one integer: the first shifted 32 bits up

TapsByItem = dict[str, dict[str, list[Tap]]]  # look-for -> coach -> taps, oldest first
Run = tuple[str, str, TapsByItem]  # visit id, classroom id, its live taps


class TapTable:
    """The live taps of a log, filed one page at a time, given back sorted by visit
    and classroom id. Text repeated from tap to tap (visit and classroom ids, look-fors,
    coaches, values, methods) is kept once, in memory, as a code."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="walkthrough-taps-")
        self._db = sqlite3.connect(Path(self._directory.name) / "taps.sqlite3")
        # A small cache: SQLite sorts in temporary files beyond it (the OS caches them),
        # so the rebuild's memory does not grow with the log.
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -2000"):
            self._db.execute(f"PRAGMA {pragma}")
        # tap_key: visit code and (visit, classroom id) code; look_key: look-for and coach
        self._db.execute("CREATE TABLE taps (tap_key INTEGER, look_key INTEGER, "
                         "value INTEGER, method INTEGER, at INTEGER, event_id TEXT)")
        self._visits: dict[str, int] = {}
        self._pairs: dict[tuple[str, str], int] = {}  # (visit id, classroom id) -> code
        self._items: dict[str, int] = {}
        self._coaches: dict[str, int] = {}
        self._values: dict[str | int, int] = {}
        self._methods: dict[str | None, int] = {}
        self._rows: list[tuple[int, int, int, int, int, str]] = []
        # Retracted taps, by event id: (visit, classroom id, look-for, coach) as the
        # retraction names them (the live fold drops a tap only where all four match).
        self._retracted: dict[str, tuple[str, str, str, str]] = {}
        # Per visit whose last event so far is a tap, that tap's timestamp.
        self._last_tap: dict[str, datetime] = {}

    def __enter__(self) -> TapTable:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._db.close()
        self._directory.cleanup()

    def add(self, event: Projected, payload: LookForObserved) -> None:
        """File a live tap (one not withdrawn on arrival)."""
        visit_id = event.originator_id
        visits, pairs, items, coaches = self._visits, self._pairs, self._items, self._coaches
        values, methods = self._values, self._methods
        self._rows.append((
            visits.setdefault(visit_id, len(visits)) << 32
            | pairs.setdefault((visit_id, payload.classroom_id), len(pairs)),
            items.setdefault(payload.item, len(items)) << 32
            | coaches.setdefault(event.actor, len(coaches)),
            values.setdefault(payload.value, len(values)),
            methods.setdefault(payload.method, len(methods)),
            (event.occurred_at - EPOCH) // MICROSECOND,
            event.event_id))
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
        """Write the taps filed so far to the table (once per page)."""
        self._db.executemany("INSERT INTO taps VALUES (?, ?, ?, ?, ?, ?)", self._rows)
        self._rows.clear()

    def last_tap(self, visit_id: str) -> datetime | None:
        """The timestamp of the visit's last event when that event is a tap."""
        return self._last_tap.get(visit_id)

    def classroom_ids(self) -> dict[str, list[str]]:
        """Per visit with taps (in the order `runs` gives them), its classroom ids."""
        found: dict[str, list[str]] = {}
        for visit_id, classroom_id in self._pairs:  # in code order, so visits too
            found.setdefault(visit_id, []).append(classroom_id)
        return found

    def runs(self) -> Iterator[Run]:
        """Every classroom id's live taps (none left: an empty run, its log is still
        written), a visit's classroom ids one after another, in the order of
        `classroom_ids`."""
        self.seal()
        pairs, items, coaches = list(self._pairs), list(self._items), list(self._coaches)
        values, methods = list(self._values), list(self._methods)
        retracted = self._retracted
        current = -1
        taps: TapsByItem = {}
        cursor = self._db.execute("SELECT tap_key, look_key, value, method, at, event_id "
                                  "FROM taps ORDER BY tap_key, look_key, at, event_id")
        while rows := cursor.fetchmany(FETCH):
            for tap_key, look_key, value, method, micros, event_id in rows:
                pair = tap_key & LOW
                if pair != current:
                    if current >= 0:
                        yield *pairs[current], taps
                    current, taps = pair, {}
                item, coach = items[look_key >> 32], coaches[look_key & LOW]
                if event_id in retracted and retracted[event_id] == (*pairs[pair], item, coach):
                    continue
                taps.setdefault(item, {}).setdefault(coach, []).append(
                    Tap(occurred_at=EPOCH + timedelta(microseconds=micros), event_id=event_id,
                        value=values[value], method=methods[method]))
        if current >= 0:
            yield *pairs[current], taps
