"""A visit team observes together: two coaches, two tablets, one room.

Both tablets offline enter the same room under the same label (their own ids), tap,
and see one look-for differently; back online the server counts one room and shows
the difference, and the debrief asks the team about it. A teammate's room is joined
from the list with one tap; mistakes are mended (a tap tapped again, a thank-you note
taken back, a room's details corrected, a room entered by mistake removed); capture
says why it is closed outside observation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import item, unique
from web.demo.district import PAST_VISIT

pytestmark = pytest.mark.browser


def rooms_named(server: Server, label: str) -> list[dict[str, Any]]:
    visit = server.get(f"/api/visits/{server.visit_id}", "host1")
    return [room for room in visit["classrooms"] if room["label"].lower() == label.lower()]


def test_two_offline_tablets_in_one_room_count_it_once_and_show_the_difference(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    before = server.summary()
    label = unique("Room 301")
    coach1 = tablet("coach1").sign_in()
    coach2 = tablet("coach2").sign_in()
    for coach in (coach1, coach2):
        coach.wait_for_service_worker()
        coach.open_capture()
        coach.context.set_offline(True)

    coach1.enter_classroom(label, students=24)
    coach2.enter_classroom(label.lower(), students=25)  # typed differently, same room
    coach1.tap("cfu", "yes")
    coach2.tap("cfu", "no")  # they saw checks for understanding differently
    for coach in (coach1, coach2):
        coach.tap("target_posted", "yes")
        coach.leave_thank_you()
        expect(coach.by("pending-count")).to_have_text("4")
    assert server.summary()["rooms"] == before["rooms"]

    for coach in (coach1, coach2):
        coach.context.set_offline(False)
        coach.wait_until_sent(at_least=4)

    (room,) = rooms_named(server, label)  # one room, both coaches in it
    assert room["coaches"] == ["coach1", "coach2"]
    assert len(room["ids"]) == 2
    after = server.summary()
    assert after["rooms"] == before["rooms"] + 1
    assert after["thank_you_notes"] == before["thank_you_notes"] + 1  # one room, one note
    assert item(after, "cfu")["differed"] == item(before, "cfu")["differed"] + 1
    assert item(after, "cfu")["counts"] == item(before, "cfu")["counts"]  # neither won
    assert (item(after, "target_posted")["counts"]["yes"]
            == item(before, "target_posted")["counts"]["yes"] + 1)  # agreement counts once
    rates = [i["rate"] for i in after["items"] if i["rate"] is not None]
    assert all(0 <= rate <= 1 for rate in rates)

    # In the app: the room list shows one room entered by both, the summary the
    # difference, the debrief the calibration question.
    coach1.by("exit-classroom").click()
    expect(coach1.by("enter-form")).to_be_visible()  # the exit is saved before the reload
    coach1.page.reload()
    entry = coach1.by("room-list").locator("li", has_text=label)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("entered by you, Sam Okafor")
    coach1.page.goto(f"{server.url}/visits/{server.visit_id}/summary")
    expect(coach1.by("differed-cfu")).to_contain_text(
        f"differently in {item(after, 'cfu')['differed']} rooms")
    coach1.page.goto(f"{server.url}/visits/{server.visit_id}/debrief")
    prompt = coach1.by("calibration-cfu")
    expect(prompt).to_contain_text("You saw 'teacher checks for understanding' differently")
    expect(prompt).to_contain_text(f"in {item(after, 'cfu')['differed']} of")
    coach1.page.goto(f"{server.url}/reports/visits/{server.visit_id}/debrief")
    expect(coach1.page.locator(".calibration li")).to_contain_text(
        ["You saw 'teacher checks for understanding' differently"])
    assert coach1.csp_violations() == []


def test_a_coach_joins_a_teammates_room_from_the_list(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    label = unique("Room 12")
    coach1 = tablet("coach1").sign_in().open_capture()
    coach1.enter_classroom(label)
    coach1.tap("monitoring", "yes")
    coach1.wait_until_sent(at_least=2)

    coach2 = tablet("coach2").sign_in().open_capture()
    entry = coach2.by("room-list").locator("li", has_text=label)
    expect(entry).to_contain_text("entered by Dana Reyes")
    coach2.by(f"join-{label}").click()
    expect(coach2.by("room-title")).to_have_text(f"In {label}")
    expect(coach2.by("room-team")).to_have_text("Also in this room: Dana Reyes")
    coach2.tap("monitoring", "yes")
    coach2.wait_until_sent(at_least=2)
    (room,) = rooms_named(server, label)
    assert (room["ids"], room["coaches"]) == ([room["id"]], ["coach1", "coach2"])


def test_mistakes_are_mended_without_rewriting_what_was_sent(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    before = server.summary()
    label, corrected = unique("Rm 7"), unique("Room 7")
    coach = tablet("coach1").sign_in().open_capture()
    coach.enter_classroom(label)
    coach.tap("student_talk", "yes")
    coach.by("lookfor-student_talk-yes").click()  # tapped again: withdrawn
    expect(coach.by("lookfor-student_talk-yes")).to_have_attribute("aria-pressed", "false")
    coach.leave_thank_you()
    coach.by("thank-you").click()  # taken back
    expect(coach.by("thank-you")).to_have_attribute("aria-pressed", "false")
    coach.by("correct-room").click()
    coach.by("fix-label").fill(corrected)
    coach.by("save-correction").click()
    expect(coach.by("room-title")).to_have_text(f"In {corrected}")
    coach.wait_until_sent(at_least=6)
    sent = [row["event"]["type"] for row in coach.journal()[-6:]]
    assert sent == ["ClassroomEntered", "LookForObserved", "ObservationRetracted",
                    "ThankYouNoteLeft", "ObservationRetracted", "ClassroomCorrected"]
    middle = server.summary()
    assert middle["rooms"] == before["rooms"] + 1
    assert middle["thank_you_notes"] == before["thank_you_notes"]
    assert (item(middle, "student_talk")["rooms_observed"]
            == item(before, "student_talk")["rooms_observed"])
    assert rooms_named(server, corrected)[0]["label"] == corrected

    coach.by("remove-room").click()
    coach.by("remove-room").click()  # asked once more, then removed
    expect(coach.by("enter-form")).to_be_visible()
    coach.wait_until_sent(at_least=7)
    assert server.summary()["rooms"] == before["rooms"]
    assert rooms_named(server, corrected) == []


def test_capture_says_why_it_is_closed_outside_observation(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    coach = tablet("coach1").sign_in()
    coach.page.goto(f"{server.url}/visits/{PAST_VISIT}")
    expect(coach.by("capture-closed")).to_contain_text(
        "The action plan is agreed: the visit's observations no longer change.")
    expect(coach.by("enter-form")).to_have_count(0)
