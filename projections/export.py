"""Exports of the published log: NDJSON lines, or Parquet tables for DuckDB and pandas.

Both stream the log a page at a time and write as they go (Parquet in row
groups), so memory stays bounded whatever the size of the log: what is kept is
one entry per visit and per open room, and the ids of retracted taps.

Two exports of the same log with the same secret and options are byte for
byte the same: lines and rows follow log order, keys follow the documented
order, and nothing about the moment of export is written.

Parquet layout (`--out DIR`): `DIR/events.parquet` (one row per event, the
published line with `data` as JSON text), `DIR/observations.parquet` (one
row per look-for tap, flattened with its visit, school and room), and the
tables for effectiveness questions (projections.effectiveness): `steps.parquet`,
`partnerships.parquet` and `pulse.parquet` (aggregates only), and
`calibration.parquet` (how alike visit teams see, per look-for: projections.calibration,
from the read models as of the export's last position). The column lists are the
*_SCHEMA constants, documented in the analysts' guide (docs/analysts.md).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, assert_never, cast
from uuid import UUID

import pyarrow as pa
import pyarrow.parquet as pq

from projections.calibration import Calibrations
from projections.effectiveness import (
    PARTNERSHIPS_SCHEMA,
    PULSE_SCHEMA,
    STEPS_SCHEMA,
    StepRows,
    partnership_rows,
    pulse_rows,
)
from projections.event_log import (
    PAGE_SIZE,
    LogEntry,
    LogPublisher,
    line_encoder,
    read_log,
)
from projections.pseudonyms import Pseudonymiser
from projections.queries import Reader
from projections.rooms import RoomIndex, RoomRecord
from projections.summary import MIN_ROOMS_DEFAULT
from projections.time_travel import store_as_of
from projections.visit_view import projected_decoder
from walkthrough.application import Walkthrough
from walkthrough.events import (
    ClassroomEntered,
    Event,
    LookForObserved,
    ObservationRetracted,
    RoomPayload,
    VisitClosed,
)
from walkthrough.kinds import published
from walkthrough.persistence import decode_state, plain_state

ROW_GROUP_SIZE = 50_000
# 2: `room` (one room whoever entered it), room withdrawals retract;
# 3: steps, partnerships and pulse tables; growth records' lines
# 4: calibration table
# 5: ids tablets make up (steps, goals, observations, entries, requests) are pseudonyms
SCHEMA_VERSION = "5"
ROOM_TOPICS = ["ClassroomEntered", "ClassroomCorrected", "ClassroomRetracted",
               "ClassroomsMerged"]
Progress = Callable[[int], None]
"""Told the log position reached, after each page."""

_TIME = pa.timestamp("us", tz="UTC")
EVENTS_SCHEMA = pa.schema([
    pa.field("position", pa.int64(), nullable=False),
    pa.field("id", pa.string(), nullable=False),
    pa.field("type", pa.string(), nullable=False),
    pa.field("visit_id", pa.string()),
    pa.field("school", pa.string()),
    pa.field("actor", pa.string(), nullable=False),
    pa.field("device", pa.string(), nullable=False),
    pa.field("occurred_at", _TIME, nullable=False),
    pa.field("recorded_at", _TIME, nullable=False),
    pa.field("catalog_version", pa.int32()),
    pa.field("data", pa.string(), nullable=False),
])
OBSERVATIONS_SCHEMA = pa.schema([
    pa.field("position", pa.int64(), nullable=False),
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("visit_id", pa.string(), nullable=False),
    pa.field("school", pa.string()),
    pa.field("school_level", pa.string()),
    pa.field("visit_date", pa.date32()),
    pa.field("classroom", pa.string(), nullable=False),
    pa.field("room", pa.string(), nullable=False),
    pa.field("grade_band", pa.string()),
    pa.field("subject", pa.string()),
    pa.field("students_present", pa.int32()),
    pa.field("item", pa.string(), nullable=False),
    pa.field("kind", pa.string()),
    pa.field("value", pa.string()),
    pa.field("value_number", pa.int64()),
    pa.field("method", pa.string()),
    pa.field("catalog_version", pa.int32()),
    pa.field("observer", pa.string(), nullable=False),
    pa.field("occurred_at", _TIME, nullable=False),
    pa.field("recorded_at", _TIME, nullable=False),
    pa.field("retracted", pa.bool_(), nullable=False),
])


CALIBRATION_SCHEMA = pa.schema([
    pa.field("scope", pa.string(), nullable=False),  # district | team
    pa.field("team", pa.string()),  # a pseudonym of the team's coaches; null: district
    pa.field("item", pa.string(), nullable=False),
    pa.field("term", pa.string()),  # "2026-27 fall"...; null: every term
    pa.field("discussion", pa.string(), nullable=False),  # all | before | after
    pa.field("rooms", pa.int32(), nullable=False),  # observed by two or more coaches
    pa.field("agreed", pa.int32()),  # null when suppressed
    pa.field("agreement", pa.float64()),
    pa.field("suppressed", pa.bool_(), nullable=False),
])
# Columns that hold pseudonyms (keyed HMAC: p_ people, d_ devices, c_ rooms, g_
# partnerships, t_ teams), never an id or a name, per table.
PSEUDONYMISED = {
    "events": ("actor", "device"),
    "observations": ("classroom", "room", "observer"),
    "steps": ("partnership", "administrator"),
    "partnerships": ("partnership", "member"),
    "calibration": ("team",),
}


class ExportResult(NamedTuple):
    events: int
    observations: int
    after: int
    until: int


def export_ndjson(app: Walkthrough, pseudonyms: Pseudonymiser, out: Path, *,
                  after: int, until: int, include_text: bool,
                  progress: Progress | None = None) -> ExportResult:
    """Write the published lines for positions (after, until] to `out`."""
    publisher = LogPublisher(app, pseudonyms, include_text=include_text)
    count = 0
    with _replacing(out) as stream:
        buffer = bytearray()
        for page in _pages(app, after, until):
            for entry in page:
                line_encoder.encode_into(publisher.line(entry), buffer, len(buffer))
                buffer.extend(b"\n")
                count += 1
            stream.write(buffer)
            buffer.clear()
            if progress and page:
                progress(page[-1].position)
    return ExportResult(events=count, observations=0, after=after, until=until)


def export_parquet(app: Walkthrough, pseudonyms: Pseudonymiser, out_dir: Path, *,
                   after: int, until: int, include_text: bool,
                   progress: Progress | None = None,
                   row_group_size: int = ROW_GROUP_SIZE,
                   min_rooms: int = MIN_ROOMS_DEFAULT) -> ExportResult:
    """Write events, observations, steps, partnerships and pulse tables (.parquet) for
    positions (after, until]."""
    out_dir.mkdir(parents=True, exist_ok=True)
    publisher = LogPublisher(app, pseudonyms, include_text=include_text)
    metadata = {"walkthrough.schema_version": SCHEMA_VERSION, "walkthrough.after": str(after),
                "walkthrough.until": str(until),
                "walkthrough.include_text": str(include_text).lower()}
    observations = _Observations(app, publisher, retracted_ids(app, until),
                                 room_records(app, until))
    steps = StepRows(publisher)

    def table(name: str, schema: pa.Schema) -> _TableWriter:
        return _TableWriter(out_dir / f"{name}.parquet", schema,
                            {**metadata, "walkthrough.table": name}, row_group_size)

    with table("events", EVENTS_SCHEMA) as events, \
         table("observations", OBSERVATIONS_SCHEMA) as rows, \
         table("steps", STEPS_SCHEMA) as step_rows, \
         table("partnerships", PARTNERSHIPS_SCHEMA) as members:
        for page in _pages(app, after, until):
            for entry in page:
                line = publisher.line(entry)
                events.add([line.position, line.id, line.type, line.visit_id, line.school,
                            line.actor, line.device, line.occurred_at, line.recorded_at,
                            line.catalog_version, line_encoder.encode(line.data).decode()])
                row = observations.row(entry, line.school)
                if row is not None:
                    rows.add(row)
                for step in steps.rows(entry):
                    step_rows.add(step)
                for member in partnership_rows(publisher, entry):
                    members.add(member)
            if progress and page:
                progress(page[-1].position)
    with table("pulse", PULSE_SCHEMA) as pulse:
        for cell in pulse_rows(app, after, until):
            pulse.add(cell)
    with table("calibration", CALIBRATION_SCHEMA) as calibration, \
         store_as_of(app, until) as store:
        found = Calibrations(store, min_rooms, Reader(store, min_rooms).catalog)
        for calibration_row in found.rows(publisher.pseudonyms.team):
            calibration.add(calibration_row)
    return ExportResult(events=events.count, observations=rows.count, after=after,
                        until=until)


def retracted_ids(app: Walkthrough, until: int) -> set[str]:
    """Ids of the taps retracted at or before `until` (only retractions are read)."""
    found: set[str] = set()
    start = 1
    while start <= until:
        page = app.recorder.select_notifications(start=start, limit=PAGE_SIZE, stop=until,
                                                 topics=["ObservationRetracted"])
        if not page:
            break
        for notification in page:
            payload = decode_state(notification.state, app.mapper).payload
            if isinstance(payload, ObservationRetracted):
                found.add(str(payload.event_id))
        start = page[-1].id + 1
    return found


def room_records(app: Walkthrough, until: int) -> dict[str, RoomRecord]:
    """Each visit's record of rooms as the log stands at `until` (only room events are
    read): which classroom ids are one room, and which entries were withdrawn."""
    records: dict[str, RoomRecord] = {}
    start = 1
    while start <= until:
        page = app.recorder.select_notifications(start=start, limit=PAGE_SIZE, stop=until,
                                                 topics=ROOM_TOPICS)
        if not page:
            break
        for notification in page:
            event = projected_decoder.decode(plain_state(notification.state, app.mapper))
            record = records.setdefault(event.originator_id, RoomRecord(RoomIndex()))
            change = record.change(event, cast(RoomPayload, event.payload))  # ROOM_TOPICS
            if change is not None:
                record.restructure(change)
        start = page[-1].id + 1
    return records


def _pages(app: Walkthrough, after: int, until: int) -> Iterator[list[LogEntry]]:
    page: list[LogEntry] = []
    for entry in read_log(app, after=after, stop=until):
        page.append(entry)
        if len(page) == PAGE_SIZE:
            yield page
            page = []
    if page:
        yield page


class _Observations:
    """Flattens taps with what the log said before them about their visit and room."""

    def __init__(self, app: Walkthrough, publisher: LogPublisher, retracted: set[str],
                 records: dict[str, RoomRecord]) -> None:
        self.app = app
        self.publisher = publisher
        self.retracted = retracted
        self.records = records
        self.rooms: dict[UUID, dict[str, ClassroomEntered]] = {}

    def row(self, entry: LogEntry, school: str | None) -> list[Any] | None:
        event = entry.event
        payload = event.payload
        if isinstance(payload, ClassroomEntered):
            self.rooms.setdefault(event.originator_id, {}).setdefault(
                payload.classroom_id, payload)
        elif isinstance(payload, VisitClosed):
            self.rooms.pop(event.originator_id, None)  # no room of a closed visit comes back
        if not isinstance(payload, LookForObserved):
            return None
        visits = self.publisher.visits
        plan = visits.plan(event.originator_id)
        room = self._room(event.originator_id, payload.classroom_id)
        kind = visits.item_kind(event.catalog_version, payload.item)
        how = published(kind, payload.value)
        match how:
            case "free_text":
                value = str(payload.value) if self.publisher.include_text else None
            case "value":
                value = str(payload.value)
            case _:
                assert_never(how)
        pseudonyms = self.publisher.pseudonyms
        visit_id = str(event.originator_id)
        record = self.records.get(visit_id)
        own = record.index.rooms.get(payload.classroom_id, {}).get(event.actor) if record else None
        withdrawn = str(event.event_id) in self.retracted or (own is not None and own.retracted)
        return [
            entry.position, str(event.event_id), visit_id, school,
            visits.school_level(school) if school else None, plan.date if plan else None,
            pseudonyms.classroom(visit_id, payload.classroom_id),
            pseudonyms.classroom(visit_id, record.room_of(payload.classroom_id)
                                 if record else payload.classroom_id),
            room.grade_band if room else None, room.subject if room else None,
            room.students_present if room else None,
            payload.item, kind, value,
            payload.value if isinstance(payload.value, int) else None,
            payload.method, event.catalog_version, pseudonyms.person(event.actor),
            event.occurred_at, event.timestamp, withdrawn,
        ]

    def _room(self, visit_id: UUID, classroom_id: str) -> ClassroomEntered | None:
        rooms = self.rooms.get(visit_id)
        if rooms is None or classroom_id not in rooms:
            # The room was entered before the exported range: read it from the visit.
            rooms = self.rooms.setdefault(visit_id, {})
            for stored in self.app.recorder.select_events(visit_id):
                earlier: Event = decode_state(stored.state, self.app.mapper)
                if isinstance(earlier.payload, ClassroomEntered):
                    rooms.setdefault(earlier.payload.classroom_id, earlier.payload)
        return rooms.get(classroom_id)


class _TableWriter:
    """Buffers rows and writes them to a Parquet file a row group at a time."""

    def __init__(self, path: Path, schema: pa.Schema, metadata: dict[str, str],
                 row_group_size: int) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.schema = schema.with_metadata(metadata)
        self.row_group_size = row_group_size
        self.columns: list[list[Any]] = [[] for _ in schema.names]
        self.count = 0
        self.writer = pq.ParquetWriter(self.partial, self.schema, compression="zstd",
                                       write_statistics=True)

    def __enter__(self) -> _TableWriter:
        return self

    def add(self, row: list[Any]) -> None:
        for column, value in zip(self.columns, row, strict=True):
            column.append(value)
        self.count += 1
        if len(self.columns[0]) >= self.row_group_size:
            self._flush()

    def _flush(self) -> None:
        if self.columns[0]:
            arrays = [pa.array(column, type=field.type)
                      for column, field in zip(self.columns, self.schema, strict=True)]
            self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
            self.columns = [[] for _ in self.schema.names]

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self._flush()
        self.writer.close()
        if exc_type is None:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[IO[bytes]]:
    """A file written beside its target and moved into place only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    completed = False
    try:
        with partial.open("wb") as stream:
            yield stream
        completed = True
    finally:
        if not completed:
            partial.unlink(missing_ok=True)
    os.replace(partial, path)
