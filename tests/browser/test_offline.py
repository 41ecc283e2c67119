"""Offline-first: taps are kept on the tablet and reach the server exactly once."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import count, evidence_count, unique

pytestmark = pytest.mark.browser


def test_the_app_reloads_offline_and_the_taps_sync_once_when_back_online(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    coach = tablet("coach1").sign_in()
    coach.wait_for_service_worker()
    coach.open_capture()
    before = server.summary()
    room = unique("Room O")
    evidence = unique("Students compared two strategies at the board")

    coach.context.set_offline(True)
    coach.page.reload()  # the shell and the visit come from the service worker and IndexedDB
    expect(coach.by("offline-banner")).to_be_visible()
    expect(coach.by("enter-form")).to_be_visible()
    coach.enter_classroom(room, students=20)
    coach.tap("target_posted", "no")
    coach.tap("engagement", 3)
    coach.note_evidence(evidence)
    coach.leave_thank_you()
    expect(coach.by("pending-count")).to_have_text("5")
    expect(coach.by("lookfor-engagement-status")).to_have_text("pending")

    coach.page.reload()  # nothing is lost on reload
    expect(coach.by("room-title")).to_have_text(f"In {room}")
    expect(coach.by("pending-count")).to_have_text("5")
    expect(coach.by("lookfor-engagement-3")).to_have_attribute("aria-pressed", "true")
    assert server.summary()["rooms"] == before["rooms"]

    coach.context.set_offline(False)
    coach.wait_until_sent(at_least=5)
    expect(coach.by("offline-banner")).to_be_hidden()
    after = server.summary()
    assert after["rooms"] == before["rooms"] + 1
    assert after["thank_you_notes"] == before["thank_you_notes"] + 1
    assert count(after, "target_posted", "no") == count(before, "target_posted", "no") + 1
    assert count(after, "engagement", 3) == count(before, "engagement", 3) + 1
    assert evidence_count(after, evidence) == 1

    # The server holds each event once: sending them all again is duplicate, every one.
    events = [row["event"] for row in coach.journal()]
    status, body = server.call("POST", "/api/sync", "coach1",
                               {"device_id": "tablet-replay", "events": events})
    assert status == 200
    assert [r["status"] for r in body["results"]] == ["duplicate"] * len(events)
    assert server.summary() == after


def test_a_lost_response_is_retried_and_counted_once(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    coach = tablet("coach1").sign_in().open_capture()
    coach.enter_classroom(unique("Room R"))
    coach.wait_until_sent(at_least=1)
    before = server.summary()
    evidence = unique("Pairs explained their answer to each other")
    answers: list[dict[str, Any]] = []
    sent: list[list[str]] = []

    def lose_the_first_answer(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        sent.append([event["id"] for event in body["events"]])
        response = route.fetch()  # the server commits...
        answers.append(response.json())
        if len(answers) == 1:
            route.abort("connectionreset")  # ...but the tablet never hears back
        else:
            route.fulfill(response=response)

    coach.page.route("**/api/sync", lose_the_first_answer)
    coach.tap("student_talk", "yes")
    coach.note_evidence(evidence)
    coach.leave_thank_you()
    coach.wait_until_sent(at_least=4)

    assert len(answers) >= 2
    committed = [r["id"] for r in answers[0]["results"] if r["status"] == "accepted"]
    assert committed, answers[0]
    retried = {r["id"]: r["status"] for answer in answers[1:] for r in answer["results"]}
    assert all(retried[event_id] == "duplicate" for event_id in committed), (answers, sent)
    after = server.summary()
    assert count(after, "student_talk", "yes") == count(before, "student_talk", "yes") + 1
    assert after["thank_you_notes"] == before["thank_you_notes"] + 1
    assert evidence_count(after, evidence) == 1
    assert after["rooms"] == before["rooms"]


@pytest.mark.parametrize("first", ["coach1", "coach2"])
def test_two_offline_devices_converge_whatever_order_they_come_back(
    tablet: Callable[..., Tablet], server: Server, first: str
) -> None:
    devices = {user: tablet(user).sign_in().open_capture() for user in ("coach1", "coach2")}
    before = server.summary()
    plan = {"coach1": (unique("Room 1"), 4, "small_groups", unique("Exit tickets were sorted")),
            "coach2": (unique("Room 2"), 2, "pairs", unique("Students used whiteboards"))}
    for user, device in devices.items():
        label, engagement, grouping, evidence = plan[user]
        device.context.set_offline(True)
        expect(device.by("offline-banner")).to_be_visible()
        device.enter_classroom(label)
        device.tap("engagement", engagement)
        device.tap("grouping", grouping)
        device.note_evidence(evidence)
        device.leave_thank_you()
        expect(device.by("pending-count")).to_have_text("5")
    assert server.summary() == before

    order = [first, "coach2" if first == "coach1" else "coach1"]
    for user in order:
        devices[user].context.set_offline(False)
        devices[user].wait_until_sent(at_least=5)

    after = server.summary()
    assert after["rooms"] == before["rooms"] + 2
    assert after["thank_you_notes"] == before["thank_you_notes"] + 2
    for user in devices:
        label, engagement, grouping, evidence = plan[user]
        assert evidence_count(after, evidence) == 1
    assert count(after, "engagement", 4) == count(before, "engagement", 4) + 1
    assert count(after, "engagement", 2) == count(before, "engagement", 2) + 1
    assert count(after, "grouping", "small_groups") == count(before, "grouping", "small_groups") + 1
    assert count(after, "grouping", "pairs") == count(before, "grouping", "pairs") + 1


def test_a_rejected_event_is_shown_and_does_not_block_the_ones_behind_it(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    coach = tablet("coach1").sign_in().open_capture()
    coach.enter_classroom(unique("Room X"))
    coach.wait_until_sent(at_least=1)
    before = server.summary()
    coach.context.set_offline(True)
    coach.page.evaluate(
        """async (visitId) => {
            const outbox = await import('/static/js/outbox.js');
            const rows = await outbox.journal(visitId);
            const room = rows.find((row) => row.event.type === 'ClassroomEntered').event.data;
            await outbox.record(visitId, 'LookForObserved',
                { classroom_id: 'c-never-entered', item: 'target_posted', value: 'yes' });
            await outbox.record(visitId, 'LookForObserved',
                { classroom_id: room.classroom_id, item: 'teacher_name', value: 'Ms. Smith' });
        }""", server.visit_id)
    coach.tap("small_group_instruction", "yes")
    expect(coach.by("pending-count")).to_have_text("3")

    coach.context.set_offline(False)
    coach.wait_until_sent(at_least=4)
    rejected = coach.by("rejected-list")
    expect(rejected).to_be_visible()
    expect(coach.by("rejected-item")).to_have_count(2)
    expect(rejected).to_contain_text("classroom_not_entered")
    expect(rejected).to_contain_text("unknown_item")
    expect(coach.by("lookfor-small_group_instruction-status")).to_have_text("sent")
    after = server.summary()
    assert (count(after, "small_group_instruction", "yes")
            == count(before, "small_group_instruction", "yes") + 1)
    assert count(after, "target_posted", "yes") == count(before, "target_posted", "yes")

    coach.page.reload()  # the rejected list survives a reload until dismissed
    expect(coach.by("rejected-item")).to_have_count(2)
    coach.by("dismiss-rejected").first.click()
    expect(coach.by("rejected-item")).to_have_count(1)


def test_server_errors_keep_the_outbox_and_retry_with_backoff(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    coach = tablet("coach1").sign_in().open_capture()
    coach.enter_classroom(unique("Room U"))
    coach.wait_until_sent(at_least=1)
    before = server.summary()
    calls: list[str] = []

    def unavailable_twice(route: Route) -> None:
        calls.append(route.request.post_data or "")
        if len(calls) == 1:
            route.fulfill(status=503, headers={"Retry-After": "1"}, json={"error": {
                "code": "store_unavailable", "message": "retry the same request later"}})
        elif len(calls) == 2:
            route.fulfill(status=500, json={"error": {
                "code": "internal_error", "message": "an unexpected error occurred"}})
        else:
            route.continue_()

    coach.page.route("**/api/sync", unavailable_twice)
    coach.by("lookfor-open_questions-inc").click()
    expect(coach.by("lookfor-open_questions-status")).to_have_text("pending")
    coach.wait_until_sent(at_least=2)
    assert len(calls) >= 3
    assert calls[0] == calls[1] == calls[2]  # the same batch, retried as it was
    assert count(server.summary(), "open_questions", 1) == count(before, "open_questions", 1) + 1
    assert coach.by("rejected-item").count() == 0
