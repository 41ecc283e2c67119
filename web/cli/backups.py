"""`walkthrough backup` and `walkthrough restore`: the whole store copied while it serves,
and put back into an empty place (web.composition.backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from web.cli.store import read_settings
from web.composition import backups
from web.composition.storage import storage_for


def backup_command(
    dest: Annotated[Path, typer.Argument(help="A new file for the copy, e.g. "
                                              "/var/backups/walkthrough/2026-12-06.sqlite3")],
) -> None:
    """Copy the whole store (log, tokens, secret, rosters, read models) to DEST while it
    serves: everything acknowledged before the copy began is in it."""
    settings = read_settings()
    try:
        copied = backups.backup(settings, dest)
    except (backups.BackupError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"backed up {storage_for(settings).describe()} to {copied.path}: "
               f"{copied.events} events (log position {copied.position}), {copied.made_at}")


def restore_command(
    src: Annotated[Path, typer.Argument(help="A file made by `walkthrough backup`")],
) -> None:
    """Put a backup back into an empty data directory (or empty PostgreSQL schema);
    anything else is refused. Then run `walkthrough verify`."""
    settings = read_settings()
    try:
        copied = backups.restore(settings, src)
    except (backups.BackupError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    taken = f", taken {copied.made_at}" if copied.made_at else ""
    typer.echo(f"restored {src} into {storage_for(settings).describe()}: {copied.events} "
               f"events (log position {copied.position}){taken}. Check it with "
               "`walkthrough verify`, then start the server.")
