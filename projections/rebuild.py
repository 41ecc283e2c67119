"""Read models rebuilt from the log, and live ones checked against a rebuild.

The log is the only source of truth: `rebuild` throws a store's read models
away and folds the log into it again; `verify` rebuilds into a scratch store up
to the live store's position and lists every row that differs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import msgspec

from projections.projector import PAGE_SIZE, Progress, Projector
from projections.store import ReadModelStore, Row
from projections.versions import READ_MODEL_VERSION, REBUILDING, RECHECK_SECONDS, stored_version
from walkthrough.application import Walkthrough


class Difference(msgspec.Struct, frozen=True):
    key: tuple[str, ...]
    live: str | None
    rebuilt: str | None


def rebuild(app: Walkthrough, store: ReadModelStore, until: int | None = None,
            progress: Progress | None = None, page_size: int = PAGE_SIZE) -> int:
    """Drop `store`'s read models and fold the log into it (up to notification
    `until`, if given); return the position reached. They are then of this version;
    meanwhile marked as no version at all, so no process reads or feeds them."""
    store.set_schema_version(REBUILDING)
    store.reset(app.name)
    position = Projector(app, store, page_size, check_version=False, tap_table_from=1).catch_up(
        until=until, progress=progress)
    store.set_schema_version(READ_MODEL_VERSION)
    return position


def upgrade(app: Walkthrough, store: ReadModelStore,
            progress: Progress | None = None) -> int | None:
    """Rebuild read models of another version than this one (the log is only read);
    the position reached, or None when they were current."""
    if stored_version(store, app.name) == READ_MODEL_VERSION:
        return None
    store.set_schema_version(REBUILDING)
    # A process of the old version still running trusts its last look for this long:
    # let it see the mark before the read models are reset under it.
    time.sleep(RECHECK_SECONDS)
    return rebuild(app, store, progress=progress)


def verify(app: Walkthrough, live: ReadModelStore, scratch: ReadModelStore,
           progress: Progress | None = None) -> tuple[int, list[Difference]]:
    """Rebuild into `scratch` up to where `live` is; the position and the differences."""
    position, live_rows = live.snapshot(app.name)
    rebuild(app, scratch, until=position, progress=progress)
    return position, compare(live_rows, scratch.dump())


def compare(live: Sequence[Row], rebuilt: Sequence[Row]) -> list[Difference]:
    """Rows are keyed by all but their last column, which is the value."""
    live_values = {row[:-1]: row[-1] for row in live}
    rebuilt_values = {row[:-1]: row[-1] for row in rebuilt}
    return [Difference(key=key, live=live_values.get(key), rebuilt=rebuilt_values.get(key))
            for key in sorted(live_values.keys() | rebuilt_values.keys())
            if live_values.get(key) != rebuilt_values.get(key)]
