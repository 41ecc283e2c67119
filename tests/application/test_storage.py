"""The store under the application, the same on every backend: tables created
idempotently, receipts, tokens, and several processes sharing one store."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from tests.builders import enter, record, statuses, stored, tap
from tests.conftest import FakeClock
from walkthrough.errors import Unauthorized
from walkthrough.events import SchoolRegistered
from walkthrough.persistence import ReceiptRecorder
from walkthrough.sync import Submission, decode_client_event
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT


@pytest.fixture
def second(demo: Services, settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """Another process's view of the same store (its own pool and caches)."""
    other = bootstrap(settings, clock=clock)
    yield other
    other.close()


def sent(services: Services, user: str, *events: dict[str, Any],
         device: str = "tablet-1") -> list[str]:
    return statuses(record(services, user, *events, device=device))


def test_opening_an_existing_store_again_creates_nothing_and_loses_nothing(
    demo: Services, second: Services
) -> None:
    assert stored(second) == stored(demo) > 0
    assert second.app.district() == demo.app.district()


def test_receipts_are_stored_with_their_events(demo: Services) -> None:
    room, other = enter(CURRENT_VISIT), enter(CURRENT_VISIT, room="c-room-b")
    assert sent(demo, "coach1", room) == ["accepted"]
    recorder = demo.app.recorder
    assert isinstance(recorder, ReceiptRecorder)
    submission = decode_client_event(msgspec.json.encode(room), demo.clock())
    assert isinstance(submission, Submission)
    other_id = decode_client_event(msgspec.json.encode(other), demo.clock())
    assert isinstance(other_id, Submission)
    found = recorder.select_tail(None, [submission.event_id, other_id.event_id]).receipts
    assert found == {submission.event_id: submission.digest}
    assert recorder.select_tail(None, []).receipts == {}


def test_the_tail_names_every_change_and_brings_the_events_asked_for(
    demo: Services, backend: str
) -> None:
    recorder = demo.app.recorder
    assert isinstance(recorder, ReceiptRecorder)
    start = recorder.select_tail(None, []).position
    assert sent(demo, "coach1", enter(CURRENT_VISIT), enter(CURRENT_VISIT, room="c-b")) == [
        "accepted", "accepted"]
    demo.app.register([SchoolRegistered(school_id="polk-middle", name="Polk Middle",
                                        level="middle")])
    every = recorder.select_tail(start, [])
    assert every.stored is not None
    assert every.changed is not None
    assert len(every.stored) == len(every.changed) == 3
    visit = CURRENT_VISIT
    some = recorder.select_tail(start, [], {visit})
    assert some.position == every.position
    assert some.changed is not None
    assert some.stored is not None
    assert {i: v for i, v in some.changed} == {i: v for i, v in every.changed}
    assert [e.originator_id for e in some.stored if e.originator_id == visit] == [visit] * 2
    if backend == "postgres":  # one row for the district's change, without its event
        assert [e.originator_id for e in some.stored] == [visit] * 2
        assert recorder.select_tail(start, [], set()).stored == []


def test_the_same_batch_at_two_processes_at_once_is_stored_once(
    demo: Services, second: Services
) -> None:
    before = stored(demo)
    batch = [enter(CURRENT_VISIT), *(tap(CURRENT_VISIT, "cfu", "yes") for _ in range(5))]
    start = threading.Barrier(2)
    results: dict[str, list[str]] = {}

    def send(name: str, services: Services) -> None:
        start.wait()
        results[name] = sent(services, "coach1", *batch)

    threads = [threading.Thread(target=send, args=item)
               for item in (("one", demo), ("two", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for one, two in zip(results["one"], results["two"], strict=True):
        assert sorted([one, two]) == ["accepted", "duplicate"]
    assert stored(demo) == before + len(batch)


def test_a_cached_visit_catches_up_with_another_process_s_events(
    demo: Services, second: Services
) -> None:
    cached = demo.app.visit(CURRENT_VISIT)
    assert cached is not None
    version = cached.version  # the visit changes in place: keep the number, not the visit
    assert sent(second, "coach2", enter(CURRENT_VISIT, room="c-b"), device="t2") \
        == ["accepted"]
    seen = demo.app.visit(CURRENT_VISIT)
    assert seen is not None
    assert seen.version == version + 1
    assert sent(demo, "coach1", enter(CURRENT_VISIT, room="c-b")) == ["accepted"]
    assert sent(demo, "coach1", tap(CURRENT_VISIT, "cfu", "no", room="c-b")) == ["accepted"]
    latest = second.app.visit(CURRENT_VISIT)
    assert latest is not None
    assert latest.version == version + 3


def test_tokens_are_issued_checked_expired_and_revoked(demo: Services, clock: FakeClock,
                                                       second: Services) -> None:
    token = demo.tokens.issue("coach1", clock(), timedelta(days=1))
    assert second.tokens.user_for(token, clock()) == "coach1"
    with pytest.raises(Unauthorized):
        demo.tokens.user_for("wt_unknown", clock())
    with pytest.raises(Unauthorized) as expired:
        demo.tokens.user_for(token, clock() + timedelta(days=2))
    assert expired.value.code == "token_expired"
    assert second.tokens.revoke_all("coach1", clock()) == 1
    with pytest.raises(Unauthorized):
        demo.tokens.user_for(token, clock())
