"""Group commit: concurrent writers share one transaction (and one fsync).

Each caller queues its job and competes for the leader lock. The winner takes
every queued job (up to `max_jobs`), commits them together through `commit`, and
hands each its own result or error; a caller whose job a previous leader already
committed just returns. No extra thread: the leader is whichever caller got there.
Under no contention a group is one job and this costs two uncontended locks.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Job(Generic[R]):
    """One caller's unit of work, decided inside the leader's group."""

    def __init__(self, decide: Callable[..., R], keys: Sequence[Any] = ()) -> None:
        self.decide = decide
        self.keys = keys  # what the leader reads for the job before deciding (event ids)
        self.done = False
        self._result: R | None = None
        self._error: BaseException | None = None

    def succeed(self, result: R) -> None:
        self._result, self._error, self.done = result, None, True

    def fail(self, error: BaseException) -> None:
        self._result, self._error, self.done = None, error, True

    def outcome(self) -> R:
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]


class GroupCommit:
    def __init__(self, commit: Callable[[list[Job[Any]]], None], max_jobs: int = 16) -> None:
        self._commit = commit
        self._max_jobs = max_jobs
        self._queue: list[Job[Any]] = []
        self._queue_lock = threading.Lock()
        self._leader = threading.Lock()

    def run(self, job: Job[R]) -> R:
        self.run_all([job])
        return job.outcome()

    def run_all(self, jobs: Sequence[Job[Any]]) -> None:
        """Queue every job and lead until all are done (each holds its own outcome)."""
        with self._queue_lock:
            self._queue.extend(jobs)
        for job in jobs:
            self._lead_until(job)

    def _lead_until(self, job: Job[Any]) -> None:
        while not job.done:
            with self._leader:
                if job.done:
                    break
                with self._queue_lock:
                    group = self._queue[: self._max_jobs]
                    del self._queue[: self._max_jobs]
                try:
                    self._commit(group)
                except Exception as exc:  # noqa: BLE001 - handed to every job it hit
                    _fail_pending(group, exc)
                finally:
                    _fail_pending(group, RuntimeError("the group commit was interrupted"))

    @contextlib.contextmanager
    def paused(self) -> Iterator[Callable[[], int]]:
        """Hold off committing, as a leader in the middle of a long commit does: callers
        queue, and when the pause ends the next leader takes them all in one group.
        Yields how many jobs are waiting."""

        def waiting() -> int:
            with self._queue_lock:
                return len(self._queue)

        with self._leader:
            yield waiting


def _fail_pending(group: list[Job[Any]], error: BaseException) -> None:
    for job in group:
        if not job.done:
            job.fail(error)
