"""Exports: Parquet tables DuckDB reads, byte-identical repeats, bounded row groups."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import duckdb
import msgspec
import pyarrow.parquet as pq
from typer.testing import CliRunner

from projections.event_log import last_position, read_log
from projections.export import (
    EVENTS_SCHEMA,
    OBSERVATIONS_SCHEMA,
    export_ndjson,
    export_parquet,
)
from projections.projector import VISIT, view_decoder
from projections.pseudonyms import Pseudonymiser
from projections.queries import Reader
from tests.builders import record_payload
from tests.conftest import NOW
from tests.servers import cli_env
from walkthrough.application import SYSTEM
from walkthrough.events import LookForObserved, ObservationRetracted
from web.cli import cli
from web.composition.bootstrap import Services
from web.composition.settings import Settings
from web.demo.district import JEFFERSON_VISIT, PAST_VISIT, SEMESTER_DAYS

GUIDE = Path(__file__).parents[2] / "docs" / "analysts.md"


def parquet(services: Services, pseudonyms: Pseudonymiser, out: Path, *, after: int = 0,
            until: int | None = None, row_group_size: int = 50_000) -> Path:
    end = last_position(services.app) if until is None else until
    export_parquet(services.app, pseudonyms, out, after=after, until=end, include_text=False,
                   row_group_size=row_group_size)
    return out


def test_parquet_holds_every_event_in_order_with_the_documented_schema(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    out = parquet(demo, pseudonyms, tmp_path / "export")
    events = pq.read_table(out / "events.parquet")
    assert events.schema.remove_metadata() == EVENTS_SCHEMA
    stored = list(read_log(demo.app))
    assert events.column("position").to_pylist() == [entry.position for entry in stored]
    assert events.column("id").to_pylist() == [str(entry.event.event_id) for entry in stored]
    metadata = events.schema.metadata
    assert metadata[b"walkthrough.table"] == b"events"
    assert metadata[b"walkthrough.until"] == str(len(stored)).encode()

    observations = pq.read_table(out / "observations.parquet")
    assert observations.schema.remove_metadata() == OBSERVATIONS_SCHEMA
    taps = [e for e in stored if isinstance(e.event.payload, LookForObserved)]
    assert observations.column("event_id").to_pylist() == [str(e.event.event_id) for e in taps]
    row = observations.slice(0, 1).to_pylist()[0]
    assert row["school"] == "lincoln-middle"
    assert row["school_level"] == "middle"
    assert row["grade_band"] == "6-8"
    assert row["classroom"] == pseudonyms.classroom(row["visit_id"], f"c-{PAST_VISIT.hex[:8]}-0")
    assert row["observer"] == pseudonyms.person("coach1")
    assert row["retracted"] is False


def test_repeated_exports_are_byte_identical(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    for name in ("one", "two"):
        parquet(demo, pseudonyms, tmp_path / name)
        export_ndjson(demo.app, pseudonyms, tmp_path / name / "log.ndjson", after=0,
                      until=last_position(demo.app), include_text=False)
    for file in ("events.parquet", "observations.parquet", "log.ndjson"):
        assert (tmp_path / "one" / file).read_bytes() == (tmp_path / "two" / file).read_bytes()


def test_parquet_is_written_in_bounded_row_groups(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    out = parquet(demo, pseudonyms, tmp_path / "export", row_group_size=16)
    metadata = pq.ParquetFile(out / "events.parquet").metadata
    assert metadata.num_rows == last_position(demo.app)
    assert metadata.num_row_groups == -(-metadata.num_rows // 16)
    assert max(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)) == 16


def test_a_range_starting_mid_visit_still_knows_the_visit_and_the_room(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    first_tap = next(entry.position for entry in read_log(demo.app)
                     if isinstance(entry.event.payload, LookForObserved))
    out = parquet(demo, pseudonyms, tmp_path / "export", after=first_tap, until=first_tap + 5)
    events = pq.read_table(out / "events.parquet")
    assert events.column("position").to_pylist() == list(range(first_tap + 1, first_tap + 6))
    rows = pq.read_table(out / "observations.parquet").to_pylist()
    assert rows
    assert all(row["grade_band"] == "6-8" and row["school"] == "lincoln-middle"
               and row["visit_date"] is not None for row in rows)


def test_retracted_taps_are_flagged(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    tap = next(entry.event for entry in read_log(demo.app)
               if entry.event.originator_id == JEFFERSON_VISIT
               and isinstance(entry.event.payload, LookForObserved))
    record_payload(demo, "coach3", JEFFERSON_VISIT, NOW, ObservationRetracted(
        event_id=UUID(tap.event_id), reason="tapped the wrong room"))
    rows = pq.read_table(parquet(demo, pseudonyms, tmp_path / "x") / "observations.parquet")
    flagged = [r["event_id"] for r in rows.to_pylist() if r["retracted"]]
    assert flagged == [str(tap.event_id)]


def documented_query(path: Path) -> str:
    """The cfu example of docs/analysts.md, pointed at `path`."""
    (sql,) = [block for block in re.findall(r"```sql\n(.*?)```", GUIDE.read_text(), re.S)
              if "cfu_rate" in block]
    return str(sql).replace("'export/observations.parquet'", f"'{path}'")


def test_the_documented_duckdb_query_answers_the_example_question(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    out = parquet(demo, pseudonyms, tmp_path / "export")
    query = documented_query(out / "observations.parquet")
    duck = duckdb.connect()
    rows = duck.execute(query).fetchall()
    # The same answer from the read models: each visit's tallies (one room counted
    # once, differed rooms left out), added up by cell.
    reader = Reader(demo.read_models)
    cells: dict[tuple[str | None, str], Counter[str]] = {}
    for visit_id, doc in demo.read_models.all_of(VISIT).items():
        visit = reader.visit(SYSTEM, visit_id)
        cell = (visit.school.level, f"{visit.date.year}-Q{(visit.date.month - 1) // 3 + 1}")
        cfu = view_decoder.decode(doc).pooled().get("cfu")
        cells.setdefault(cell, Counter()).update(cfu.counts if cfu else {})
    expected = {cell: (counts["yes"] + counts["no"], counts["not_observed"],
                       round(counts["yes"] / (counts["yes"] + counts["no"]), 3))
                for cell, counts in cells.items() if counts["yes"] + counts["no"]}
    assert len(expected) >= 2
    assert {(level, quarter): (observed, unseen, rate if observed >= 5 else None)
            for level, quarter, observed, unseen, rate in rows} == {
        cell: (observed, unseen, rate if observed >= 5 else None)
        for cell, (observed, unseen, rate) in expected.items()}
    unguarded = duck.execute(query.replace(">= 5", ">= 1")).fetchall()
    assert {(level, quarter): rate for level, quarter, _, _, rate in unguarded} == {
        cell: rate for cell, (_, _, rate) in expected.items()}


def test_the_export_command(demo: Services, settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    env = cli_env(settings)
    total = last_position(demo.app)
    result = runner.invoke(cli, ["export", "--format", "parquet", "--out",
                                 str(tmp_path / "pq"), "--until", "40"], env=env)
    assert result.exit_code == 0, result.output
    assert "exported 40 events" in result.output
    assert pq.ParquetFile(tmp_path / "pq" / "events.parquet").metadata.num_rows == 40
    since = (NOW - timedelta(days=SEMESTER_DAYS + 1)).isoformat()
    result = runner.invoke(cli, ["export", "--format", "ndjson", "--out",
                                 str(tmp_path / "log.ndjson"), "--since", since], env=env)
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "log.ndjson").read_bytes().splitlines()
    assert len(lines) == total  # the demo's story starts with the semester
    assert msgspec.json.decode(lines[0])["position"] == 1
    result = runner.invoke(cli, ["export", "--format", "ndjson", "--out",
                                 str(tmp_path / "x.ndjson"), "--since", "last week"], env=env)
    assert result.exit_code == 2
    assert "neither a log position" in result.output
