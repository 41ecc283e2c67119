"""Composition root: builds the application, read models, projector and tokens."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from eventsourcing.sqlite import SQLiteDatastore

from projections.projector import Projector
from projections.store import SQLiteReadModelStore
from walkthrough.application import Clock, Walkthrough, utc_now
from walkthrough.tokens import TokenStore
from web.settings import Settings


@dataclass
class Services:
    settings: Settings
    app: Walkthrough
    read_models: SQLiteReadModelStore
    projector: Projector
    tokens: TokenStore
    clock: Clock = utc_now
    _stopping: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self._stopping.set()
        self.app.close()


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = Walkthrough(
        {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "10",
        },
        clock=clock,
    )
    datastore = app.factory.datastore  # type: ignore[attr-defined]
    assert isinstance(datastore, SQLiteDatastore)
    read_models = app.factory.tracking_recorder(SQLiteReadModelStore)
    assert isinstance(read_models, SQLiteReadModelStore)
    return Services(settings=settings, app=app, read_models=read_models,
                    projector=Projector(app, read_models), tokens=TokenStore(datastore),
                    clock=clock)
