"""Group commit and the aggregate cache inside the application, on every backend:
concurrent batches share a transaction without losing or doubling an event, and
what another process stored is seen before deciding."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from tests.builders import decoded, enter, stored, tap
from tests.conftest import FakeClock
from walkthrough import writer as writer_module
from walkthrough.access import Actor
from walkthrough.application import Walkthrough
from walkthrough.catalog import DEFAULT_CATALOG
from walkthrough.errors import DomainError
from walkthrough.events import Event, NeedsAssessmentRecorded, PersonRegistered, SchoolRegistered
from walkthrough.sync import Rejection, Submission
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT

WAIT = 10.0  # seconds before a stuck test fails instead of hanging
Items = list[Submission | Rejection]


@pytest.fixture
def second(demo: Services, settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """Another process's view of the same store (its own pool and caches)."""
    other = bootstrap(settings, clock=clock)
    yield other
    other.close()


@contextmanager
def busy_writer(app: Walkthrough) -> Iterator[Callable[[int], None]]:
    """Play a leader in the middle of a commit: callers queue behind it, and when it
    is done the next leader takes them all in one group. Yields a wait for the queue
    to hold n jobs."""
    with app.writer.paused() as waiting:

        def queued(n: int) -> None:
            deadline = time.monotonic() + WAIT
            while waiting() < n:
                assert time.monotonic() < deadline, f"{n} jobs never queued"
                time.sleep(0.001)

        yield queued


class Sender(threading.Thread):
    def __init__(self, app: Walkthrough, actor: Actor, items: Items,
                 start: threading.Barrier | None = None) -> None:
        super().__init__()
        self.app, self.actor, self.items, self.start_together = app, actor, items, start
        self.statuses: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            if self.start_together is not None:
                self.start_together.wait(WAIT)
            outcomes = self.app.record(self.actor, "tablet-1", self.items)
            self.statuses = [o.status for o in outcomes]
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            self.error = exc


def joined(senders: list[Sender]) -> list[list[str]]:
    for sender in senders:
        sender.join(WAIT)
        assert not sender.is_alive()
        assert sender.error is None, sender.error
    return [sender.statuses for sender in senders]


def test_a_person_registered_by_another_process_acts_here_at_once(
    demo: Services, second: Services
) -> None:
    demo.app.actor("organizer1")  # the district is cached here, and fresh
    second.app.register([
        SchoolRegistered(school_id="polk-middle", name="Polk Middle", level="middle"),
        PersonRegistered(user_id="organizer9", name="Kim Doe", roles=("organizer",)),
    ])
    organizer = demo.app.actor("organizer9")
    assert organizer == Actor(user_id="organizer9", roles=("organizer",))
    needs = NeedsAssessmentRecorded(school_id="polk-middle",
                                    catalog_version=DEFAULT_CATALOG.version,
                                    focus_areas=("cfu",))
    event = demo.app.prepare(organizer, needs)
    assert (event.actor, event.payload) == ("organizer9", needs)
    demo.app.register([PersonRegistered(user_id="host9", name="Lou Roe", roles=("host",),
                                        school_id="polk-middle")])
    assert second.app.actor("host9").school_id == "polk-middle"


@pytest.mark.parametrize("start", ["racing", "queued behind a busy leader"])
def test_concurrent_batches_on_one_visit_are_each_stored_once_in_order(
    demo: Services, start: str
) -> None:
    app = demo.app
    coaches = [app.actor("coach1"), app.actor("coach2")]
    batches = [decoded(demo, enter(CURRENT_VISIT, room=f"c-room-{n}"),
                       tap(CURRENT_VISIT, "cfu", "yes", room=f"c-room-{n}"),
                       tap(CURRENT_VISIT, "target_posted", "no", room=f"c-room-{n}"))
               for n in range(8)]
    visit = app.visit(CURRENT_VISIT)
    assert visit is not None
    before, version = stored(demo), visit.version
    if start == "racing":
        barrier = threading.Barrier(len(batches))
        senders = [Sender(app, coaches[n % 2], items, barrier)
                   for n, items in enumerate(batches)]
        for sender in senders:
            sender.start()
    else:
        with busy_writer(app) as queued:
            senders = [Sender(app, coaches[n % 2], items) for n, items in enumerate(batches)]
            for sender in senders:
                sender.start()
            queued(len(senders))
    assert joined(senders) == [["accepted"] * 3] * len(batches)
    total = sum(len(items) for items in batches)
    assert stored(demo) == before + total
    events = cast(list[Event], list(app.events.get(CURRENT_VISIT)))
    assert [e.originator_version for e in events] == list(range(1, version + total + 1))
    submitted = {item.event_id for items in batches for item in items
                 if isinstance(item, Submission)}
    new_ids = Counter(e.event_id for e in events[version:])
    assert set(new_ids) == submitted
    assert set(new_ids.values()) == {1}
    latest = app.visit(CURRENT_VISIT)
    assert latest is not None
    assert latest.version == version + total
    assert {f"c-room-{n}" for n in range(8)} <= {cid for _, cid in latest.entries}


def test_an_event_resent_while_its_first_copy_waits_in_the_same_group_is_stored_once(
    demo: Services
) -> None:
    """The tablet timed out and sent its batch again; both copies, and a third
    request reusing one id for other content, are decided in one group."""
    app, coach = demo.app, demo.app.actor("coach1")
    room, cfu = enter(CURRENT_VISIT), tap(CURRENT_VISIT, "cfu", "yes")
    reused = {**cfu, "data": {**cfu["data"], "value": "no"}}
    batches = [decoded(demo, room, cfu), decoded(demo, room, cfu),
               decoded(demo, reused, tap(CURRENT_VISIT, "on_task", 20))]
    before = stored(demo)
    with busy_writer(app) as queued:
        senders = []
        for n, items in enumerate(batches, start=1):  # queued in this order
            senders.append(Sender(app, coach, items))
            senders[-1].start()
            queued(n)
    assert joined(senders) == [["accepted", "accepted"], ["duplicate", "duplicate"],
                               ["conflict", "accepted"]]
    assert stored(demo) == before + 3
    first = batches[0]
    assert all(isinstance(item, Submission) for item in first)
    receipts = app.receipts.select_tail(
        None, [item.event_id for item in first if isinstance(item, Submission)]).receipts
    assert receipts == {item.event_id: item.digest for item in first
                        if isinstance(item, Submission)}


def test_a_job_refused_in_a_group_leaves_no_trace_and_the_others_are_stored(
    demo: Services
) -> None:
    """A registration is all or nothing even when other jobs share its transaction."""
    app, coach = demo.app, demo.app.actor("coach1")
    items = decoded(demo, enter(CURRENT_VISIT), tap(CURRENT_VISIT, "cfu", "yes"))
    before = stored(demo)
    refused: list[BaseException] = []

    def register() -> None:
        try:
            app.register([
                SchoolRegistered(school_id="polk-middle", name="Polk Middle", level="middle"),
                PersonRegistered(user_id="coach1", name="Dana Reyes", roles=("coach",)),
            ])
        except DomainError as exc:
            refused.append(exc)

    with busy_writer(app) as queued:
        registrar = threading.Thread(target=register)
        registrar.start()
        queued(1)
        sender = Sender(app, coach, items)
        sender.start()
        queued(2)
    registrar.join(WAIT)
    assert not registrar.is_alive()
    assert joined([sender]) == [["accepted", "accepted"]]
    assert [getattr(exc, "code", None) for exc in refused] == ["already_registered"]
    assert stored(demo) == before + 2
    assert "polk-middle" not in app.district().schools


def test_two_processes_taking_turns_on_one_visit_decide_on_each_others_events(
    demo: Services, second: Services
) -> None:
    """Each writer brings its kept visit up to date from the log's tail (another
    worker's events): a tap into a room entered through the other process is accepted,
    and both end with the visit as the log says."""
    # One coach with two tablets, whose syncs land on two server processes.
    writers = [(demo, demo.app.actor("coach1")), (second, second.app.actor("coach1"))]
    for n in range(4):
        (here, coach), (there, other) = writers[n % 2], writers[1 - n % 2]
        room = f"c-turn-{n}"
        entered = here.app.record(coach, "tablet-1", decoded(
            here, enter(CURRENT_VISIT, room=room)))
        tapped = there.app.record(other, "tablet-2", decoded(
            there, tap(CURRENT_VISIT, "cfu", "yes", room=room)))
        assert [(o.status, o.error) for o in entered + tapped] == [("accepted", None)] * 2
    kept = [services.app.visit(CURRENT_VISIT) for services in (demo, second)]
    fresh = bootstrap(demo.settings, clock=demo.clock)
    try:
        read = fresh.app.visit(CURRENT_VISIT)
    finally:
        fresh.close()
    assert read is not None
    assert all(visit is not None and visit.version == read.version for visit in kept)
    assert all(visit is not None and visit.entries == read.entries for visit in kept)


def reads_of(services: Services) -> list[tuple[UUID, object]]:
    """From now on, every read of an aggregate's events by the writer: (id, after which
    version)."""
    reads: list[tuple[UUID, object]] = []
    events_of = services.app.writer._events_of

    def counted(aggregate_id: UUID, **kwargs: Any) -> Iterable[Any]:
        reads.append((aggregate_id, kwargs.get("gt")))
        return events_of(aggregate_id, **kwargs)

    services.app.writer._events_of = counted
    return reads


def test_a_visit_is_brought_up_to_date_from_the_tail_even_behind_its_own_events(
    demo: Services, second: Services
) -> None:
    """Another process's insert lands between this one's tail read and its insert: the
    next tail brings this process's own events again before the other's. The kept
    visit still moves on from the tail, without reading the visit's events."""
    coach = demo.app.actor("coach1")
    other = second.app.actor("coach1")
    for services, actor, room in ((demo, coach, "c-a"), (second, other, "c-b")):
        assert [o.status for o in services.app.record(actor, "tablet-1", decoded(
            services, enter(CURRENT_VISIT, room=room)))] == ["accepted"]
    recorder = demo.app.recorder
    insert = recorder.insert_events

    def insert_after_another(stored_events: Sequence[StoredEvent], **kwargs: Any,
                             ) -> Sequence[int] | None:
        recorder.insert_events = insert  # type: ignore[method-assign]
        second.app.register([SchoolRegistered(school_id="polk-middle", name="Polk Middle",
                                              level="middle")])
        return insert(stored_events, **kwargs)

    recorder.insert_events = insert_after_another  # type: ignore[method-assign]
    assert [o.status for o in demo.app.record(coach, "tablet-1", decoded(
        demo, tap(CURRENT_VISIT, "cfu", "yes", room="c-a")))] == ["accepted"]
    assert [o.status for o in second.app.record(other, "tablet-2", decoded(
        second, tap(CURRENT_VISIT, "cfu", "no", room="c-b")))] == ["accepted"]
    reads = reads_of(demo)
    assert [o.status for o in demo.app.record(coach, "tablet-1", decoded(
        demo, tap(CURRENT_VISIT, "target_posted", "yes", room="c-b")))] == ["accepted"]
    assert reads == []
    kept = demo.app.visit(CURRENT_VISIT)
    fresh = bootstrap(demo.settings, clock=demo.clock)
    try:
        read = fresh.app.visit(CURRENT_VISIT)
    finally:
        fresh.close()
    assert kept is not None
    assert read is not None
    assert (kept.version, kept.entries) == (read.version, read.entries)


def test_a_kept_visit_not_used_lately_is_left_behind_and_read_from_its_version_on_use(
    demo: Services, second: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker's visits (its tablets' connections are there) cost this process
    no decode and no fold of their events: a kept visit is brought up to date from the
    tail only when it was used lately; otherwise it is read, from the version kept,
    when it is used again."""
    monkeypatch.setattr(writer_module, "IN_USE_SECONDS", 0.0)  # lately: this group or the last
    coach = demo.app.actor("coach1")
    assert [o.status for o in demo.app.record(coach, "tablet-1", decoded(
        demo, enter(CURRENT_VISIT, room="c-a")))] == ["accepted"]
    kept = demo.app.visit(CURRENT_VISIT)
    assert kept is not None
    version = kept.version
    demo.app.writer.follow_log()
    demo.app.writer.follow_log()  # two groups without the visit: not used lately
    other = second.app.actor("coach1")
    assert [o.status for o in second.app.record(other, "tablet-2", decoded(
        second, tap(CURRENT_VISIT, "cfu", "yes", room="c-a")))] == ["accepted"]
    reads = reads_of(demo)
    demo.app.writer.follow_log()  # the tail says the visit changed; it stays behind
    assert reads == []
    assert [o.status for o in demo.app.record(coach, "tablet-1", decoded(
        demo, tap(CURRENT_VISIT, "cfu", "no", room="c-a")))] == ["accepted"]
    assert reads == [(CURRENT_VISIT, version)]
    fresh = bootstrap(demo.settings, clock=demo.clock)
    try:
        read = fresh.app.visit(CURRENT_VISIT)
    finally:
        fresh.close()
    now = demo.app.visit(CURRENT_VISIT)
    assert now is not None
    assert read is not None
    assert (now.version, now.entries) == (read.version, read.entries)


def test_a_kept_visit_used_in_the_last_period_is_still_brought_up_to_date_from_the_tail(
    demo: Services, second: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """"Lately" is this period and the last one: a visit used in the group before is
    still moved on from the tail, and not read again when it is next used."""
    monkeypatch.setattr(writer_module, "IN_USE_SECONDS", 0.0)  # a period is one group
    coach = demo.app.actor("coach1")
    assert [o.status for o in demo.app.record(coach, "tablet-1", decoded(
        demo, enter(CURRENT_VISIT, room="c-a")))] == ["accepted"]
    other = second.app.actor("coach1")
    assert [o.status for o in second.app.record(other, "tablet-2", decoded(
        second, tap(CURRENT_VISIT, "cfu", "yes", room="c-a")))] == ["accepted"]
    reads = reads_of(demo)
    demo.app.writer.follow_log()  # the visit was used in the last period: moved on
    assert [o.status for o in demo.app.record(coach, "tablet-1", decoded(
        demo, tap(CURRENT_VISIT, "cfu", "no", room="c-a")))] == ["accepted"]
    assert reads == []


def test_batches_submitted_without_waiting_are_stored_in_one_group_each_told_its_own(
    demo: Services
) -> None:
    """The server's event loop hands batches to the writer's thread (Writer.submit)
    and is called back; batches waiting while a group commits form the next group."""
    app, coach = demo.app, demo.app.actor("coach1")
    batches = [decoded(demo, enter(CURRENT_VISIT, room=f"c-sub-{n}"),
                       tap(CURRENT_VISIT, "cfu", "yes", room=f"c-sub-{n}")) for n in range(3)]
    batches.append(decoded(demo, tap(CURRENT_VISIT, "cfu", "yes", room="c-nowhere")))
    before = stored(demo)
    finished = threading.Semaphore(0)
    jobs = [app.recording(coach, "tablet-1", items) for items in batches]
    with busy_writer(app) as queued:
        app.writer.submit(jobs[0], lambda _: finished.release())
        queued(1)  # the writer's thread took it and waits for the group commit
        for job in jobs[1:]:  # these wait in the hand-off, for the next group
            app.writer.submit(job, lambda _: finished.release())
    for _ in jobs:
        assert finished.acquire(timeout=WAIT)
    assert [[o.status for o in job.outcome()] for job in jobs] == [
        ["accepted", "accepted"]] * 3 + [["rejected"]]
    assert stored(demo) == before + 6
