"""Opening the store for a command, the same way for every command: the settings (exit 2
when they are wrong), then the services (exit 2 for a bad database URL, 3 when the store is
unreachable, 4 when its file is damaged), closed again when the command ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from eventsourcing.persistence import PersistenceError

from projections.rebuild import upgrade
from projections.versions import READ_MODEL_VERSION, stored_version
from walkthrough.adapters.sqlite_integrity import StoreDamaged, check_sqlite_store
from walkthrough.errors import StoreUnavailable
from web.cli.progress import log_progress
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.composition.storage import storage_for

STORE_DAMAGED_EXIT = 4


@contextmanager
def opened(settings: Settings | None = None, attempts: int = 1) -> Iterator[Services]:
    """The services for one command (from the environment's settings unless given),
    closed when it ends."""
    services = open_services(settings or read_settings(), attempts)
    try:
        yield services
    finally:
        services.close()


def read_settings() -> Settings:
    """The settings from the environment, or a clear message and exit code 2."""
    try:
        return Settings.from_env()
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None


def open_services(settings: Settings, attempts: int = 1) -> Services:
    """The services, or a clear message: exit code 2 for a bad database URL, 3 when
    the store is unreachable (after `attempts` tries, a second apart), 4 when its
    file is damaged, truncated, empty or not a walkthrough store."""
    try:
        storage_for(settings)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    try:
        if settings.postgres is None:
            check_sqlite_store(settings.sqlite_path, thorough=attempts == 1)
    except StoreDamaged as exc:
        typer.echo(f"error: the store cannot be used: {exc.message}", err=True)
        raise typer.Exit(code=STORE_DAMAGED_EXIT) from None
    for attempt in range(1, attempts + 1):
        try:
            return bootstrap(settings)
        except (StoreUnavailable, PersistenceError) as exc:
            if attempt >= attempts:
                typer.echo(f"error: the store is unavailable: {exc}", err=True)
                raise typer.Exit(code=3) from None
            time.sleep(1.0)
    raise AssertionError("unreachable: attempts >= 1")


def upgrade_read_models(services: Services) -> None:
    """Read models of another version are rebuilt first, with progress (as `serve`'s
    projector does on start)."""
    version = stored_version(services.read_models, services.app.name)
    if version == READ_MODEL_VERSION:
        return
    total = services.app.recorder.max_notification_id() or 0
    with log_progress(f"rebuilding the read models of version {version} as version "
                      f"{READ_MODEL_VERSION}", total) as progress:
        upgrade(services.app, services.read_models, progress=progress)
