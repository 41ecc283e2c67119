"""Time travel: the read models as they were at a point of the log.

The same projector that keeps the live read models folds the log, stopped at a
position, into a separate store (projections.rebuild): a scratch SQLite file (`walkthrough replay
--until ... --out DIR`) or a private in-memory database (`?as_of=` on the API).
The live read models are never touched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import msgspec
from eventsourcing.sqlite import SQLiteDatastore

from projections.projector import VISIT
from projections.queries import Reader
from projections.rebuild import rebuild
from projections.store import ReadModelStore, SQLiteReadModelStore
from walkthrough.application import SYSTEM, Walkthrough

STORE_FILE = "read-models.sqlite3"
_encoder = msgspec.json.Encoder()


def open_store(db_name: str) -> SQLiteReadModelStore:
    store = SQLiteReadModelStore(SQLiteDatastore(db_name))
    store.create_table()
    return store


def scratch_store(out_dir: Path) -> SQLiteReadModelStore:
    """A fresh store in `out_dir`; an earlier replay's store there is replaced."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / STORE_FILE
    for leftover in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return open_store(str(path))


@contextlib.contextmanager
def store_as_of(app: Walkthrough, position: int) -> Iterator[SQLiteReadModelStore]:
    """Read models as of `position`, in a private in-memory database, for one use."""
    store = open_store(f"file:as-of-{uuid4().hex}?mode=memory&cache=shared")
    try:
        rebuild(app, store, until=position)
        yield store
    finally:
        store.datastore.close()


def write_visit_documents(store: ReadModelStore, out_dir: Path, min_rooms: int) -> int:
    """Each visit's summary and debrief as JSON files under `out_dir/visits/`, as an
    organizer would have read them; returns how many visits were written."""
    reader = Reader(store, min_rooms)
    visits_dir = out_dir / "visits"
    visits_dir.mkdir(parents=True, exist_ok=True)
    for stale in visits_dir.glob("*.json"):
        stale.unlink()
    visit_ids = sorted(store.all_of(VISIT))
    for visit_id in visit_ids:
        document = {"summary": reader.summary(SYSTEM, visit_id),
                    "debrief": reader.debrief(SYSTEM, visit_id)}
        (visits_dir / f"{visit_id}.json").write_bytes(
            msgspec.json.format(_encoder.encode(document), indent=2) + b"\n")
    return len(visit_ids)
