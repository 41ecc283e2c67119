"""The read models' schema version: which shape of documents the stored read models have.

`READ_MODEL_VERSION` goes up by one with every change to projections/ that changes what
is stored (a new document kind, a field added to or read from a document, a fold that
counts differently). Read models of another version are never read nor fed: on start,
the projector rebuilds them from the log (`projections.rebuild.upgrade`) and marks them
current, while reads answer 503 with Retry-After and syncs go on being stored. The log
itself is never touched. See docs/evolving-events.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from walkthrough.errors import StoreUnavailable

READ_MODEL_VERSION = 2
"""2: a tally's sum back at zero is left out of the visit document (1 wrote it when
the sum had been other than zero before: a live fold and a rebuild differed).
1: the first versioned read models. A store without a version was written before
read models were versioned (version 0) and is rebuilt once."""
REBUILDING = 0  # marked while a rebuild runs: no version reads or feeds them
RECHECK_SECONDS = 1.0  # a process that saw current read models asks again after this


class VersionedStore(Protocol):
    def schema_version(self) -> int | None: ...

    def set_schema_version(self, version: int) -> None: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...


class ReadModelsRebuilding(StoreUnavailable):
    """The read models are of another version and are being rebuilt from the log."""


def stored_version(store: VersionedStore, application_name: str) -> int:
    """The version of the stored read models. Read models never fed (a new store, or
    one reset before a rebuild) take this version: there is nothing in them to redo."""
    version = store.schema_version()
    if version is not None:
        return version
    if not store.max_tracking_id(application_name):
        store.set_schema_version(READ_MODEL_VERSION)
        return READ_MODEL_VERSION
    return 0  # fed before read models carried a version


class VersionCheck:
    """Refuses to read or feed read models of another version (ReadModelsRebuilding);
    a current answer is trusted for RECHECK_SECONDS."""

    def __init__(self, store: VersionedStore, application_name: str,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.application_name = application_name
        self.monotonic = monotonic
        self._current_until = float("-inf")

    def require_current(self) -> None:
        now = self.monotonic()
        if now < self._current_until:
            return
        version = stored_version(self.store, self.application_name)
        if version != READ_MODEL_VERSION:
            raise ReadModelsRebuilding(
                f"the read models are of version {version}, this server reads version "
                f"{READ_MODEL_VERSION}: they are being rebuilt from the log")
        self._current_until = now + RECHECK_SECONDS
