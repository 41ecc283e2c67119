"""A whole visit cycle in the app, by clicking only, each person on their own device
signed in by a one-time link: the organizer plans a visit from a match and notifies the
teachers; the host records the school update and starts it; two coaches capture (one of
them offline); the team debriefs and agrees two steps; the host and a coach check in;
the next visit's debrief opens with progress on those steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import unique

pytestmark = pytest.mark.browser

SCHOOL = "lincoln-middle"
SATURDAY = 5


def today() -> date:
    """The district's date (the server runs in UTC)."""
    return datetime.now(UTC).date()


def person(tablet: Callable[..., Tablet], user: str) -> Tablet:
    return tablet(user).sign_in_by_link()


def plan_a_visit(organizer: Tablet, day: date, focus: str) -> str:
    """From the visits screen: a match's peers planned as a visit team; the visit's id.
    A weekend day (the demo has no breaks) is planned once the organizer confirms it."""
    organizer.by("plan-link").click()
    organizer.by(f"matches-{SCHOOL}").click()
    for coach in ("coach1", "coach2"):
        organizer.by(f"pick-{coach}").check()
    organizer.by("visit-date").fill(day.isoformat())
    organizer.by("visit-focus").fill(focus)
    organizer.by("plan-visit").click()
    if day.weekday() >= SATURDAY:
        expect(organizer.by("visit-day-warning")).to_contain_text("weekend")
        organizer.by("visit-confirm-day").check()
        organizer.by("plan-visit").click()
    expect(organizer.by("notify-card")).to_be_visible()
    return organizer.page.url.rstrip("/").split("/")[-2]


def back_to_visits(device: Tablet) -> None:
    device.page.get_by_role("link", name="← Visits").click()
    expect(device.by("visit-list")).to_be_visible()


def check_in(device: Tablet, step: int, status: str, progress: str, note: str) -> None:
    card = device.by(f"plan-step-{step}")
    card.get_by_label(status).check()
    card.get_by_label("Progress (optional)").fill(progress)
    card.get_by_label("Note (optional)").fill(note)
    card.get_by_role("button", name="Record check-in").click()
    expect(device.by("flash")).to_have_text("Check-in recorded.")


def test_a_district_runs_a_visit_cycle_from_the_app(tablet: Callable[..., Tablet],
                                                    server: Server) -> None:
    focus = unique("Checking for understanding in grades 6-8 math")
    organizer = person(tablet, "organizer1")
    visit = plan_a_visit(organizer, today(), focus)  # a visit starts on its day
    organizer.by("notify-teachers").click()
    expect(organizer.by("teachers-notified")).to_be_visible()
    organizer.by("notice-link").click()
    expect(organizer.by("staff-notice")).to_contain_text("This visit is nonevaluative")
    expect(organizer.by("staff-notice")).to_contain_text(focus)
    organizer.page.get_by_role("link", name="← Visit day").click()
    expect(organizer.by("notify-card")).to_be_visible()

    host = person(tablet, "host1")
    host.by(f"start-{visit}").click()
    update = "Since the last visit every math team plans one check per lesson."
    host.by("school-update-text").fill(update)
    host.by("record-school-update").click()
    expect(host.by("school-update-current")).to_have_text(update)
    host.by("start-visit").click()
    expect(host.by("visit-started")).to_be_visible()

    coach1, coach2 = person(tablet, "coach1"), person(tablet, "coach2")
    room = unique("Room 12")
    for coach in (coach1, coach2):
        coach.by(f"capture-{visit}").click()
        expect(coach.by("enter-form")).to_be_visible()
    # A tablet is readied on the network before the visit: going offline seconds after a
    # first load, before the worker has the shell, fails that load's stragglers.
    coach2.wait_for_service_worker()
    coach2.context.set_offline(True)
    coach2.enter_classroom(room.lower(), students=25)
    coach2.tap("cfu", "no")
    coach2.tap("target_posted", "yes")
    expect(coach2.by("pending-count")).to_have_text("3")
    coach1.enter_classroom(room, students=24)
    coach1.tap("cfu", "yes")
    coach1.tap("target_posted", "yes")
    coach1.note_evidence("7 of 24 students explained the target in their own words", "cfu")
    coach1.leave_thank_you()
    coach2.context.set_offline(False)
    for coach in (coach1, coach2):
        expect(coach.by("pending-count")).to_have_text("0")

    coach1.page.get_by_role("link", name="Debrief agenda").click()
    coach1.by("start-debrief").click()
    expect(coach1.by("debrief-open")).to_be_visible()
    expect(coach1.by("calibration-prompts")).to_contain_text("differently in 1 of 1 room")
    coach1.by("root-cause-text").fill("No shared routine for acting on what a check shows.")
    coach1.by("root-cause-item").select_option("cfu")
    coach1.by("add-root-cause").click()
    expect(coach1.by("debrief-section-root_causes")).to_contain_text("No shared routine")
    # The no-names rule, before anything is queued.
    coach1.by("step-text").fill("Ms. Smith models exit tickets")
    coach1.by("propose-step").click()
    expect(coach1.by("step-error")).to_contain_text('names a person ("Ms. Smith")')
    expect(coach1.by("pending-count")).to_have_text("0")
    steps = [("Every math lesson ends with a two-question exit ticket.",
              "Exit tickets in 4 of 5 rooms."),
             ("Teams model one turn-and-talk protocol each week.",
              "Talk in half of the rooms.")]
    for text, success in steps:
        coach1.by("step-text").fill(text)
        coach1.by("step-success").fill(success)
        coach1.by("propose-step").click()
        expect(coach1.by("debrief-section-next_steps")).to_contain_text(text)
    expect(coach1.by("steps-full")).to_be_visible()
    expect(coach1.by("host-agrees")).to_be_visible()

    host.by("to-debrief").click()
    host.by("agree-plan").click()
    expect(host.by("plan-agreed")).to_be_visible()
    host.by("to-plan").click()
    check_in(host, 1, "On track", "2 of 5 rooms", "Week 1: planning meeting.")

    back_to_visits(coach1)
    coach1.by(f"checkin-{visit}").click()
    expect(coach1.by("plan-step-2").locator(".due")).to_contain_text("Next check-in")
    check_in(coach1, 2, "At risk", "Modelled once", "Met the AP: testing week.")
    expect(coach1.by("check-in-history")).to_contain_text("Met the AP: testing week.")

    back_to_visits(organizer)
    later = today() + timedelta(days=42)
    following = plan_a_visit(organizer, later, unique("Student talk"))
    back_to_visits(organizer)
    organizer.by(f"debrief-{following}").click()
    progress = organizer.by("debrief-section-progress")
    expect(progress).to_contain_text(steps[0][0])
    expect(progress).to_contain_text(steps[1][0])
    items = progress.locator(".steps > li")
    expect(items.nth(0)).to_contain_text("On track")
    expect(items.nth(1)).to_contain_text("At risk")
    for device in (organizer, host, coach1, coach2):
        assert device.console_errors == [], device.console_errors


def test_an_organizers_form_waits_offline_and_a_lost_answer_records_it_once(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    """A needs assessment saved offline is queued; back online it is sent, its answer is
    lost, and the resend (the same Idempotency-Key) is answered as the first one was."""
    organizer = tablet("organizer1").sign_in_by_link()
    organizer.wait_for_service_worker()
    organizer.by("plan-link").click()
    expect(organizer.by("school-adams-middle")).to_be_visible()
    keys: list[str] = []
    answers: list[Any] = []

    def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        response = route.fetch()  # the server records it...
        answers.append(response.json())
        if len(answers) == 1:
            route.abort("connectionreset")  # ...but the tablet never hears back
        else:
            route.fulfill(response=response)

    organizer.page.route("**/needs-assessment", lose_the_first_answer)
    organizer.context.set_offline(True)
    notes = unique("Grade 7 science: labs end before students explain")
    organizer.by("edit-needs-adams-middle").click()
    organizer.by("needs-areas-adams-middle-cfu").check()
    organizer.by("needs-notes-adams-middle").fill("Ms. Smith's labs run long")
    organizer.by("save-needs-adams-middle").click()
    expect(organizer.by("needs-error-adams-middle")).to_contain_text("names a person")
    organizer.by("needs-notes-adams-middle").fill(notes)
    organizer.by("save-needs-adams-middle").click()
    expect(organizer.by("flash")).to_contain_text("Saved on this tablet")
    expect(organizer.by("pending-count")).to_have_text("1")

    organizer.context.set_offline(False)
    expect(organizer.by("pending-count")).to_have_text("0", timeout=30_000)
    expect(organizer.by("needs-adams-middle")).to_contain_text(notes)
    assert len(keys) == 2
    assert keys[0] == keys[1] != ""
    assert answers[0] == answers[1]
    assert answers[0]["event_id"] == keys[0]
    needs = server.get("/api/preparation", "organizer1")["needs_assessments"]
    assert [n["notes"] for n in needs if n["school_id"] == "adams-middle"] == [notes]
