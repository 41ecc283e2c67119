"""`walkthrough replay` (the read models rebuilt from the log, or built as they were at a
past point) and `walkthrough verify` (a scratch rebuild compared with the live ones)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from projections.rebuild import rebuild, verify
from web.cli.analyst import replay_past
from web.cli.progress import log_progress
from web.cli.store import opened, upgrade_read_models


def replay(
    until: Annotated[str | None, typer.Option(
        help="A log position or ISO 8601 date/time: build the read models as they were "
             "then into --out (the live ones are not touched)")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Directory for a replay to the past (read-models.sqlite3 and visits/*.json); "
             "default <data dir>/replays/position-N")] = None,
) -> None:
    """Drop every read model and rebuild it from the event log, with progress
    (with --until/--out: the read models as they were, built beside the live ones)."""
    with opened() as services:
        if until is not None or out is not None:
            replay_past(services, until, out)
            return
        total = services.app.recorder.max_notification_id() or 0
        started = time.monotonic()
        with log_progress("replaying the log", total) as progress:
            position = rebuild(services.app, services.read_models, progress=progress)
        elapsed = max(time.monotonic() - started, 1e-9)
        typer.echo(f"rebuilt the read models to position {position} "
                   f"in {elapsed:.1f}s ({position / elapsed:,.0f} events/s)")


def verify_command() -> None:
    """Rebuild the read models into a scratch copy and compare with the live ones;
    exit 1 on any difference."""
    with opened() as services:
        upgrade_read_models(services)
        services.projector.catch_up()
        with services.storage.scratch_read_models() as scratch:
            total = services.read_models.max_tracking_id(services.app.name) or 0
            with log_progress("rebuilding a scratch copy", total) as progress:
                position, differences = verify(services.app, services.read_models, scratch,
                                               progress=progress)
    if differences:
        typer.echo(f"{len(differences)} read-model row(s) differ from a rebuild "
                   f"at position {position}:", err=True)
        for difference in differences:
            typer.echo(f"  {'/'.join(difference.key)}: live={_short(difference.live)} "
                       f"rebuilt={_short(difference.rebuilt)}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"read models equal a rebuild from the log (position {position})")


def _short(value: str | None, limit: int = 120) -> str:
    if value is None:
        return "(missing)"
    return value if len(value) <= limit else value[:limit] + "..."
