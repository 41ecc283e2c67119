"""Catching the read models up off the request path, and waiting for a log position.

One thread per server process folds new events into the read models: in a lone server
(`start`) after every write this process answers and every few seconds; in a worker of
`walkthrough serve` (whose projector process keeps the read models warm) only when a read
asks for a position not projected yet. A read never catches up itself: it answers what
is projected, or waits (`wait`, bounded) for a position the caller wrote.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

from eventsourcing.persistence import PersistenceError

from projections.projector import Projector
from projections.versions import ReadModelsRebuilding

log = logging.getLogger("walkthrough.projector")


class Catchup:
    """The process's catch-up thread, what it has projected so far, and the last log
    position each caller wrote through this process."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._reached = threading.Condition()
        self._projected = 0  # as this process last saw it
        self._folding = threading.Lock()  # held while the thread catches up (and by hold)
        self._starting = threading.Lock()
        self._thread: threading.Thread | None = None
        self._interval: float | None = None  # None: only when woken
        self._follow_writes = False
        self._prepare: Callable[[], None] | None = None
        self._written: dict[str, int] = {}

    def start(self, interval: float, prepare: Callable[[], None] | None = None) -> None:
        """Keep the read models warm from this process: `prepare` once (bring read
        models of another version up to date), then catch up after every write and
        every `interval` seconds (changes other processes made)."""
        self._interval = interval
        self._follow_writes = True
        self._prepare = prepare
        self.wake()

    def stop(self) -> None:
        """Stop the thread (a later `wake` starts another)."""
        with self._starting:
            thread, self._thread = self._thread, None
            self._stopping.set()
            self._wake.set()
        if thread is not None:
            thread.join(timeout=10)
        self._stopping.clear()
        self._interval, self._follow_writes, self._prepare = None, False, None

    def wake(self) -> None:
        """Catch up soon (the thread starts when it is not running)."""
        self._wake.set()
        with self._starting:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="catch-up",
                                                daemon=True)
                self._thread.start()

    def written(self, user_id: str, position: int) -> None:
        """`user_id` wrote through this process; the log then reached `position`."""
        if position > self._written.get(user_id, 0):
            self._written[user_id] = position
        if self._follow_writes:
            self.wake()

    def last_written(self, user_id: str) -> int:
        """The log position this process answered `user_id`'s last write with (0: none)."""
        return self._written.get(user_id, 0)

    def wait(self, position: int, timeout: float) -> int:
        """Until the read models reach `position` (or the log's top, when it is beyond),
        at most `timeout` seconds; the position they reached (below `position` when the
        time ran out)."""
        if self._projected >= position:
            return self._projected
        self._reach(self.projector.position())  # another process may have projected it
        # Nobody wrote past the log's top: a position beyond it waits for the top only.
        position = min(position, self.projector.app.recorder.max_notification_id() or 0)
        if self._projected >= position:
            return self._projected
        self.wake()
        with self._reached:
            self._reached.wait_for(lambda: self._projected >= position, timeout)
            return self._projected

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Keep this process's thread from projecting meanwhile (reads then answer what
        was projected before; tests hold the projector behind with it)."""
        with self._folding:
            yield

    def _run(self) -> None:
        prepared = False
        while True:
            self._wake.wait(self._interval)
            if self._stopping.is_set():
                return
            self._wake.clear()
            try:
                if self._prepare is not None and not prepared:
                    self._prepare()
                    prepared = True
                with self._folding:
                    position = self.projector.catch_up()
            except ReadModelsRebuilding as exc:
                log.warning("not projecting: %s", exc)  # another version's server is at it
                self._stopping.wait(self._interval or 1.0)
                continue
            except PersistenceError:
                log.warning("catch-up failed (store unavailable); retrying", exc_info=True)
                self._stopping.wait(self._interval or 1.0)
                continue
            self._reach(position)

    def _reach(self, position: int) -> None:
        with self._reached:
            if position > self._projected:
                self._projected = position
                self._reached.notify_all()
