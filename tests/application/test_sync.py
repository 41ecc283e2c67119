"""The sync core through the application service: exactly once, per-event outcomes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import msgspec
import pytest

from tests.builders import enter, event, record, tap
from tests.conftest import FakeClock
from walkthrough.events import Event
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_VISIT

Sync = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def sync(demo: Services, clock: FakeClock) -> Sync:
    def send(user: str, *events: dict[str, Any], device: str = "tablet-1"
             ) -> list[dict[str, Any]]:
        return [msgspec.to_builtins(o) for o in record(demo, user, *events, device=device)]

    return send


def statuses(results: list[dict[str, Any]]) -> list[str]:
    return [r["status"] for r in results]


def stored_count(services: Services) -> int:
    return services.app.recorder.max_notification_id() or 0


def test_accepted_events_are_stored_and_a_resent_batch_is_all_duplicate(
    demo: Services, sync: Sync
) -> None:
    events = [enter(CURRENT_VISIT), tap(CURRENT_VISIT, "cfu", "yes", method="whiteboards")]
    assert statuses(sync("coach1", *events)) == ["accepted", "accepted"]
    before = stored_count(demo)
    assert statuses(sync("coach1", *events)) == ["duplicate", "duplicate"]
    assert stored_count(demo) == before


def test_same_content_in_another_json_shape_from_another_device_is_duplicate(
    demo: Services, sync: Sync
) -> None:
    room = enter(CURRENT_VISIT)
    sync("coach1", room)
    reshaped = {**room, "occurred_at": room["occurred_at"].replace("Z", "+00:00"),
                "data": dict(reversed(list(room["data"].items())))}
    assert statuses(sync("coach2", reshaped, device="tablet-2")) == ["duplicate"]


def test_an_id_spelt_another_way_is_the_same_event(demo: Services, sync: Sync) -> None:
    """Ids are kept as canonical text from decoding on: a retry that spells the event's
    UUID in upper case (or the visit's) is the same event, stored once, under one id."""
    room = enter(CURRENT_VISIT)
    assert statuses(sync("coach1", room)) == ["accepted"]
    before = stored_count(demo)
    shouted = {**room, "id": room["id"].upper(), "visit_id": room["visit_id"].upper()}
    assert statuses(sync("coach1", shouted)) == ["duplicate"]
    assert stored_count(demo) == before
    [stored] = demo.app.events.get(CURRENT_VISIT, desc=True, limit=1)
    assert isinstance(stored, Event)
    assert stored.event_id == room["id"].lower()


def test_same_id_with_different_content_is_a_conflict_and_appends_nothing(
    demo: Services, sync: Sync
) -> None:
    first = tap(CURRENT_VISIT, "cfu", "yes")
    sync("coach1", enter(CURRENT_VISIT), first)
    before = stored_count(demo)
    changed = {**first, "data": {**first["data"], "value": "no"}}
    assert statuses(sync("coach1", changed)) == ["conflict"]
    assert stored_count(demo) == before


def test_one_bad_event_never_blocks_the_rest(sync: Sync) -> None:
    results = sync(
        "coach1",
        enter(CURRENT_VISIT),
        tap(CURRENT_VISIT, "charisma", "yes"),
        tap(CURRENT_VISIT, "cfu", "maybe"),
        tap(CURRENT_VISIT, "cfu", "yes", room="c-never-entered"),
        event(CURRENT_VISIT, "TeacherRated", {"score": 3}),
        {"id": "not-a-uuid", "visit_id": str(CURRENT_VISIT), "type": "VisitStarted",
         "occurred_at": "2026-11-23T09:00:00Z", "data": {}},
        event(uuid4(), "ClassroomExited", {"classroom_id": "c-room-a"}),
        tap(CURRENT_VISIT, "target_posted", "yes"),
    )
    assert statuses(results) == ["accepted", "rejected", "rejected", "rejected", "rejected",
                                 "rejected", "rejected", "accepted"]
    assert [r.get("error", {}).get("code") for r in results] == [
        None, "unknown_item", "invalid_value", "classroom_not_entered", "unknown_type",
        "invalid_event", "unknown_visit", None]
    assert results[5]["id"] == "not-a-uuid"


def test_a_rejected_event_is_not_stored_so_resending_it_is_rejected_again(
    sync: Sync
) -> None:
    bad = tap(CURRENT_VISIT, "cfu", "yes", room="c-nowhere")
    assert statuses(sync("coach1", bad)) == ["rejected"]
    assert statuses(sync("coach1", bad)) == ["rejected"]


def test_events_more_than_a_day_ahead_are_rejected(sync: Sync, clock: FakeClock) -> None:
    from datetime import timedelta

    soon = event(CURRENT_VISIT, "ClassroomEntered", enter(CURRENT_VISIT)["data"],
                 at=clock() + timedelta(hours=23))
    late = event(CURRENT_VISIT, "ClassroomEntered", enter(CURRENT_VISIT, room="c2")["data"],
                 at=clock() + timedelta(hours=25))
    results = sync("coach1", soon, late)
    assert statuses(results) == ["accepted", "rejected"]
    assert results[1]["error"]["code"] == "future_event"


def test_a_coach_off_the_team_is_rejected(sync: Sync) -> None:
    results = sync("coach3", enter(CURRENT_VISIT))
    assert results[0]["error"]["code"] == "not_on_team"


def test_retry_after_a_lost_response_appends_nothing_twice(
    demo: Services, sync: Sync
) -> None:
    """The server committed, the tablet never heard: the resend is all duplicate."""
    events = [enter(CURRENT_VISIT)] + [tap(CURRENT_VISIT, item, "yes") for item in
                                       ("cfu", "target_posted", "student_talk")]
    sync("coach1", *events)  # response "lost"
    position = stored_count(demo)
    results = sync("coach1", *events, tap(CURRENT_VISIT, "monitoring", "no"))
    assert statuses(results) == ["duplicate"] * 4 + ["accepted"]
    assert stored_count(demo) == position + 1


def test_the_same_batch_from_two_connections_at_once_is_stored_once(
    demo: Services, sync: Sync
) -> None:
    sync("coach1", enter(CURRENT_VISIT))
    events = [tap(CURRENT_VISIT, "cfu", "yes"), tap(CURRENT_VISIT, "on_task", 20),
              tap(CURRENT_VISIT, "engagement", 5)]
    before = stored_count(demo)
    results: list[list[str]] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        barrier.wait()
        results.append(statuses(sync("coach1", *events)))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stored_count(demo) == before + 3
    assert sorted(results) == [["accepted"] * 3, ["duplicate"] * 3]


def test_a_duplicate_id_inside_one_batch_is_stored_once(demo: Services, sync: Sync) -> None:
    room = enter(CURRENT_VISIT)
    changed = {**room, "data": {**room["data"], "label": "Room Z"}}
    assert statuses(sync("coach1", room, room, changed)) == ["accepted", "duplicate",
                                                              "conflict"]
