"""The commit machinery under the application's commands: every write, and every
read of current state, goes through one group commit.

Batches that arrive together are decided by one leader, in order, on fresh state,
and stored with their receipts (the idempotency keys) in a single transaction.
Aggregates stay in memory between writes (`AggregateCache`): before deciding, the
leader reads the log's tail since it last looked (ids and versions only) and the
jobs' receipts in one query, so a cached aggregate is used without a query unless
another process changed it (then it is fast-forwarded). If a concurrent writer got
there first (a version clash on an aggregate, the same event id committed
elsewhere), the transaction fails as a whole and the group is decided again from
fresh state: nothing is lost, nothing doubled.
"""

from __future__ import annotations

import contextlib
import queue
import random
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.persistence import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
    PersistenceError,
    StoredEvent,
)

from walkthrough.aggregate_cache import AggregateCache
from walkthrough.district import DISTRICT_ID, District, Rosters, no_rosters, project_district
from walkthrough.draft import Group
from walkthrough.errors import StoreUnavailable
from walkthrough.events import Event
from walkthrough.group_commit import GroupCommit, Job
from walkthrough.growth import Growth, project_growth
from walkthrough.persistence import ReceiptRecorder
from walkthrough.visit import Visit, project_visit

A = TypeVar("A", Visit, District, Growth)
R = TypeVar("R")
MAX_ATTEMPTS = 8
CLASH_BACKOFF_SECONDS = 0.005  # the most a writer waits after its first clash
# Aggregates kept in memory, by weight (about one per observation, ~250 bytes each).
CACHE_WEIGHT = 400_000
FRESHNESS_SECONDS = 1.0  # how far readers may lag other processes' writes
# A kept aggregate used within about this long is brought up to date from the tail's
# events; one not used that long stays behind and is read (from its version) when used.
IN_USE_SECONDS = 1.0
Done = Callable[[Job[Any]], object]
_STOP: Any = None  # what `close` puts on the queue of submitted jobs
EventsOf = Callable[..., Iterable[Any]]
"""The application's stored events of one aggregate: `(id, gt=version, desc=...)`."""


class _Recent(Collection[UUID]):
    """This period's and the last period's aggregates in use, without building their
    union per group (a union hashes every id again: with 200 visits in use, more than
    the group's own work asked of them); only PostgreSQL's tail statement lists them."""

    __slots__ = ("_last", "_now")

    def __init__(self, now: set[UUID], last: set[UUID]) -> None:
        self._now = now
        self._last = last

    def __contains__(self, item: object) -> bool:
        return item in self._now or item in self._last

    def __iter__(self) -> Iterator[UUID]:
        return iter(self._now | self._last)

    def __len__(self) -> int:
        return len(self._now | self._last)


class Writer:
    """Decides jobs on fresh state and stores what they decided, one transaction per
    group of jobs; keeps the aggregates it decided on."""

    def __init__(self, recorder: ReceiptRecorder, mapper: Mapper[UUID], events_of: EventsOf,
                 clock: Callable[[], datetime], cache_weight: int = CACHE_WEIGHT) -> None:
        self._recorder = recorder
        self._mapper = mapper
        self._events_of = events_of
        self._clock = clock
        self._cache = AggregateCache(cache_weight)
        self._followed_at = -FRESHNESS_SECONDS
        # Aggregates used lately: this period's and the last period's.
        self._in_use: tuple[set[UUID], set[UUID]] = (set(), set())
        self._in_use_since = time.monotonic()
        self._group_commit = GroupCommit(self._commit_group)
        self._submitted: queue.SimpleQueue[tuple[Job[Any], Done] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        # Where schools' staff rosters come from (read once per group).
        self.rosters: Rosters = no_rosters
        # The log position every job decided so far is at or below: the log's top when
        # its group was decided, or past what the group stored (a write answers it, so
        # its caller can read its own writes by position).
        self.reached = 0
        # District changes stored by this process (a person deactivated, roles changed):
        # whoever keeps callers resolved from the district knows to look again.
        self.district_writes = 0

    def run(self, job: Job[R]) -> R:
        """Decide `job` (in a group with whatever else is waiting) and store it."""
        return self._group_commit.run(job)

    def submit(self, job: Job[R], done: Callable[[Job[R]], object]) -> None:
        """Decide and store `job` on the writer's own thread, in one group with whatever
        else was submitted (or is running) meanwhile; `done(job)` is called there once
        the job holds its outcome. For callers that must not block (a server's event
        loop): one hand-off per request, and a busy writer takes the jobs waiting when
        it finishes a group without being woken for each."""
        if self._thread is None:
            with self._thread_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._commit_submitted,
                                                    name="writer", daemon=True)
                    self._thread.start()
        self._submitted.put((job, done))

    def close(self) -> None:
        """Let the writer's thread end once the jobs submitted before are done."""
        with self._thread_lock:
            if self._thread is not None:
                self._submitted.put(_STOP)
                self._thread.join(timeout=30)
                self._thread = None

    def _commit_submitted(self) -> None:
        while True:
            first = self._submitted.get()
            if first is _STOP:
                return
            waiting = [first]
            while True:
                try:
                    waiting.append(self._submitted.get_nowait())
                except queue.Empty:
                    break
            submitted = [item for item in waiting if item is not None]
            self._group_commit.run_all([job for job, _ in submitted])
            for job, done in submitted:
                try:
                    done(job)
                except RuntimeError:  # the caller's event loop closed: it is gone, the
                    continue  # writer goes on for the others
            if len(submitted) < len(waiting):
                return

    def paused(self) -> contextlib.AbstractContextManager[Callable[[], int]]:
        """Hold off committing (see GroupCommit.paused)."""
        return self._group_commit.paused()

    # --- reading current state ----------------------------------------------------

    def follow_log(self) -> None:
        """Catch the cached aggregates up with what other processes stored."""
        self.run(Job(lambda draft: None))

    def keep_fresh(self) -> None:
        """Readers use cached aggregates that are at most FRESHNESS_SECONDS behind
        other processes' writes (our own are always in)."""
        if time.monotonic() - self._followed_at > FRESHNESS_SECONDS:
            self.follow_log()

    def load_district(self) -> District:
        district = self._load(DISTRICT_ID, project_district)
        return district or District(id=DISTRICT_ID, version=0, schools={}, people={})

    def load_visit(self, visit_id: UUID) -> Visit | None:
        return None if visit_id == DISTRICT_ID else self._load(visit_id, project_visit)

    def load_growth(self, record_id: UUID, owner: str) -> Growth | None:
        return self._load(record_id, project_growth(owner))

    def _load(self, aggregate_id: UUID, project: Callable[[A | None, Iterable[Event]], A | None],
              ) -> A | None:
        """From the cache, fast-forwarded when the log's tail showed it is behind."""
        self._in_use[0].add(aggregate_id)
        cached, behind = self._cache.get(aggregate_id)
        if cached is not None and not behind:
            return cast(A, cached)
        gt = cached.version if cached is not None else None
        events = cast(Iterable[Event], self._events_of(aggregate_id, gt=gt))
        return project(cast("A | None", cached), events)

    def _wanted(self) -> Collection[UUID]:
        """The aggregates used lately (this period's and the last period's)."""
        now = time.monotonic()
        if now - self._in_use_since > IN_USE_SECONDS:
            self._in_use = (set(), self._in_use[0])
            self._in_use_since = now
        return _Recent(*self._in_use)

    def _fast_forward(self, stored: Sequence[StoredEvent], wanted: Collection[UUID]) -> None:
        """Bring the kept visits and district that other processes changed up to date
        from the events the tail read brought (another worker's writes to the same
        visits), instead of reading each one's events again on its next use. Only those
        used lately: a visit only another worker writes (its tablets' connections are
        there) would cost this process a decode and a fold of every event it gets.
        Anything else stays marked behind and is read when used."""
        if not stored:
            return
        by_aggregate: dict[UUID, list[StoredEvent]] = {}
        for event in stored:
            by_aggregate.setdefault(cast(UUID, event.originator_id), []).append(event)
        for aggregate_id, events in by_aggregate.items():
            if aggregate_id not in wanted:
                continue
            cached, behind = self._cache.get(aggregate_id)
            if not behind or cached is None:
                continue
            # The tail may bring this process's own events again (another's insert came
            # between its tail read and its insert): they are in what is kept already.
            events = [e for e in events if e.originator_version > cached.version]
            if not events or events[0].originator_version != cached.version + 1:
                continue  # not contiguous with what is kept: read it when used
            decoded = cast(list[Event], [self._mapper.to_domain_event(e) for e in events])
            kept = False
            try:
                if isinstance(cached, Visit):
                    self._cache.put(aggregate_id, cast(Visit, project_visit(cached, decoded)))
                elif isinstance(cached, District):
                    self._cache.put(aggregate_id,
                                    cast(District, project_district(cached, decoded)))
                kept = True
            finally:  # a visit changes in place: one stopped half way is never kept
                if not kept:
                    self._cache.forget([aggregate_id])

    # --- committing ---------------------------------------------------------------

    def _commit_group(self, jobs: list[Job[Any]]) -> None:
        """Decide every job of the group on fresh state and store all their events in
        one transaction. A concurrent writer that got there first (a version clash, a
        receipt stored elsewhere) fails the transaction as a whole; the group is then
        decided again: nothing is lost, nothing doubled. Between attempts a writer
        waits a random moment that grows with each clash, so two processes racing on
        one visit fall out of step instead of clashing again and again."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                self._attempt(jobs)
                return
            except IntegrityError:
                time.sleep(random.uniform(0, CLASH_BACKOFF_SECONDS * (attempt + 1)))
                continue
            except (OperationalError, InterfaceError, DatabaseError) as exc:
                reason = str(exc)
                break
        else:
            reason = "too many concurrent writers; retry the batch"
        for job in jobs:  # one exception each: each caller's thread raises its own
            job.fail(StoreUnavailable(reason))

    def _attempt(self, jobs: list[Job[Any]]) -> None:
        wanted = self._wanted()
        tail = self._recorder.select_tail(self._cache.position,
                                          [key for job in jobs for key in job.keys], wanted)
        self._cache.follow(tail)
        self._fast_forward(tail.stored or (), wanted)
        self._followed_at = time.monotonic()
        group = Group(self.load_district, self.load_visit, tail.receipts, self._clock,
                      self.rosters, self.load_growth)
        district = group.district()  # every batch needs it, and readers find it fresh
        decided: list[tuple[Job[Any], Any, Exception | None]] = []
        kept = False
        try:
            for job in jobs:
                draft = group.draft()
                try:
                    decided.append((job, job.decide(draft), None))
                except PersistenceError:
                    raise
                except Exception as exc:  # noqa: BLE001 - one job's refusal is its own
                    draft.rollback()
                    decided.append((job, None, exc))
                    continue
                group.merge(draft)
            notification_ids: Sequence[int] = ()
            if group.events:
                stored = [self._mapper.to_stored_event(event) for event in group.events]
                notification_ids = self._recorder.insert_events(
                    stored, receipts=group.receipts) or ()
            group.keep()
            kept = True
            self.reached = max(self.reached, tail.position, *notification_ids[-1:])
            if group.district().version != district.version:
                self.district_writes += 1
        finally:
            if not kept:  # the transaction failed (or a job broke the group): undo it all
                self._cache.forget(group.undo())
        for aggregate_id, state in group.states.items():
            if state is not None:
                self._cache.put(aggregate_id, state)
        self._cache.wrote(notification_ids)
        for job, result, error in decided:
            if error is None:
                job.succeed(result)
            else:
                job.fail(error)

