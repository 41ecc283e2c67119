"""Analysts' commands: `walkthrough export`, and replaying the read models to a past point
(`walkthrough replay --until ... --out DIR` calls `replay_past`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from projections.event_log import parse_point, position_at, position_before
from projections.export import export_ndjson, export_parquet
from projections.rebuild import rebuild
from projections.time_travel import STORE_FILE, scratch_store, write_visit_documents
from walkthrough.errors import DomainError
from web.cli.progress import log_progress
from web.cli.store import opened
from web.composition.bootstrap import Services


class ExportFormat(StrEnum):
    ndjson = "ndjson"
    parquet = "parquet"


def export(
    out: Annotated[Path, typer.Option(
        help="ndjson: the file to write; parquet: a directory for events, observations, "
             "steps, partnerships and pulse (.parquet)")],
    format: Annotated[ExportFormat, typer.Option(
        "--format", help="ndjson (the published lines) or parquet (five tables)")],
    since: Annotated[str | None, typer.Option(
        help="First log position, or a date/time (ISO 8601, UTC when no offset); "
             "inclusive")] = None,
    until: Annotated[str | None, typer.Option(
        help="Last log position, or a date/time (a date means the end of that day); "
             "inclusive")] = None,
    include_text: Annotated[bool, typer.Option(
        help="Include free text (evidence, notes, labels...); for organizers' use only")
    ] = False,
) -> None:
    """Export the pseudonymised event log for analysis (NDJSON or Parquet)."""
    # opened() checks every page of an SQLite store: the export reads them all
    with opened() as services:
        with _user_errors():
            app = services.app
            today = services.clock().date()
            last = position_at(app, parse_point(until, end_of_day=True, today=today)) \
                if until else position_at(app, 2**62)
            first = position_before(app, parse_point(since, end_of_day=False, today=today)) \
                if since else 0
            pseudonyms = services.pseudonyms
        with _progress_bar("exporting", first, last) as advance:
            try:
                if format is ExportFormat.ndjson:
                    result = export_ndjson(app, pseudonyms, out, after=first, until=last,
                                           include_text=include_text, progress=advance)
                else:
                    result = export_parquet(app, pseudonyms, out, after=first, until=last,
                                            include_text=include_text, progress=advance,
                                            min_rooms=services.settings.min_rooms)
            except OSError as exc:  # --out is not writable, is a directory...
                typer.echo(f"error: cannot write {out}: {exc}", err=True)
                raise typer.Exit(code=2) from None
        rows = f", {result.observations} observations" if format is ExportFormat.parquet \
            else ""
        typer.echo(f"exported {result.events} events{rows} (log positions "
                   f"{first + 1}..{last}) to {out}")


def replay_past(services: Services, until: str | None, out_dir: Path | None) -> int:
    """Build the read models as they were at `until` (default: now) into `out_dir`
    (default: <data dir>/replays/position-N), never into the live ones, with each
    visit's summary and debrief as JSON; returns the position."""
    with _user_errors():
        point = parse_point(until, end_of_day=True, today=services.clock().date()) \
            if until else 2**62
        position = position_at(services.app, point)
    out_dir = out_dir or services.settings.data_dir / "replays" / f"position-{position}"
    store = scratch_store(out_dir)
    try:
        with log_progress(f"replaying to position {position}", position) as progress:
            rebuild(services.app, store, until=position, progress=progress)
        visits = write_visit_documents(store, out_dir, services.settings.min_rooms)
    finally:
        store.datastore.close()
    typer.echo(f"read models as of log position {position}: {out_dir / STORE_FILE}; "
               f"{visits} visits' summaries and debriefs in {out_dir / 'visits'}")
    return position


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=2) from None


@contextmanager
def _progress_bar(what: str, after: int, until: int) -> Iterator[Callable[[int], None]]:
    """A bar over the exported positions (after, until]."""
    with log_progress(what, max(until - after, 0)) as advance:
        yield lambda position: advance(position - after)
