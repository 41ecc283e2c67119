"""A coach signs in on a tablet, enters a classroom and taps look-fors; the server has them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import evidence_count, grew, item, method_count, own_taps, unique

pytestmark = pytest.mark.browser


def test_a_coach_captures_a_classroom_and_the_summary_shows_it(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    before = server.summary()
    coach = tablet("coach1").sign_in().open_capture()
    room = unique("Room A")
    evidence = unique("6 of 24 students explained the target in their own words")

    coach.enter_classroom(room, students=24)
    coach.tap("target_posted", "yes")
    coach.tap("cfu", "no")
    coach.tap("cfu", "method-whiteboards")  # changing your mind: the latest tap counts
    expect(coach.by("lookfor-cfu-no")).to_have_attribute("aria-pressed", "false")
    expect(coach.by("lookfor-cfu-yes")).to_have_attribute("aria-pressed", "true")
    coach.tap("engagement", 5)
    coach.tap("rigor", "apply")
    coach.tap("grade_level", "unsure")
    for _ in range(3):
        coach.by("lookfor-on_task-inc").click()
    expect(coach.by("lookfor-on_task-value")).to_have_value("3")
    coach.by("lookfor-on_task-dec").click()
    expect(coach.by("lookfor-on_task-value")).to_have_value("2")
    coach.by("lookfor-on_task-inc").evaluate("(b) => { for (let i = 0; i < 4; i++) b.click(); }")
    expect(coach.by("lookfor-on_task-value")).to_have_value("6")  # fast taps all count
    coach.tap("student_talk", "yes")
    coach.by("undo").click()  # undo withdraws the last tap with a retraction
    expect(coach.by("lookfor-student_talk-yes")).to_have_attribute("aria-pressed", "false")
    coach.note_evidence(evidence, item="target_explained")
    coach.leave_thank_you()
    coach.wait_until_sent(at_least=18)
    expect(coach.by("lookfor-target_posted-status")).to_have_text("sent")
    expect(coach.by("last-synced")).not_to_have_text("never")

    after = server.summary()
    assert after["rooms"] == before["rooms"] + 1
    assert after["thank_you_notes"] == before["thank_you_notes"] + 1
    # what the coach recorded, exactly, as the server holds it for them
    assert own_taps(server.get(f"/api/visits/{server.visit_id}"), room) == {
        "target_posted": ("yes", None), "cfu": ("yes", "whiteboards"), "engagement": (5, None),
        "rigor": ("apply", None), "grade_level": ("unsure", None), "on_task": (6, None)}
    # the figures: one more room each, wherever enough agreed rooms show a figure
    for key, value in (("target_posted", "yes"), ("cfu", "yes"), ("engagement", 5),
                       ("rigor", "apply"), ("grade_level", "unsure"), ("on_task", 6)):
        assert grew(before, after, key, value) in (None, 1), key
    assert grew(before, after, "cfu", "no") in (None, 0)
    assert grew(before, after, "student_talk", "yes") in (None, 0)
    if not item(before, "cfu").get("suppressed") and not item(after, "cfu").get("suppressed"):
        assert (method_count(after, "cfu", "whiteboards")
                == method_count(before, "cfu", "whiteboards") + 1)
    assert evidence_count(after, evidence) == 1

    coach.by("exit-classroom").click()
    expect(coach.by("room-list")).to_contain_text(room)
    coach.wait_until_sent(at_least=19)
    assert [e for e in coach.console_errors if "Failed to load resource" not in e] == []
    assert coach.csp_violations() == []


def test_a_tablet_shows_no_teacher_field_and_labels_every_input(
    tablet: Callable[..., Tablet],
) -> None:
    coach = tablet("coach1").sign_in().open_capture()
    page = coach.page
    assert "teacher" not in " ".join(
        page.locator("[data-testid=enter-form] input, [data-testid=enter-form] select")
        .evaluate_all("els => els.map(e => (e.name || '') + ' ' + (e.id || ''))")).lower()
    coach.enter_classroom(unique("Room L"))
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map((el) => el.outerHTML)""")
    assert unlabelled == []
    toggles = page.locator("[data-testid=lookfor-grid] button.choice")
    assert toggles.count() > 40
    missing = toggles.evaluate_all("els => els.filter(e => !e.hasAttribute('aria-pressed')).length")
    assert missing == 0
    page.keyboard.press("Tab")  # keyboard focus shows a visible ring
    focused = page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement, null);
        return [document.activeElement.tagName, style.outlineStyle, style.boxShadow];
    }""")
    assert focused[1] != "none" or focused[2] != "none", focused


def test_a_bad_token_is_refused_and_an_expired_session_keeps_the_outbox(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    coach = tablet("coach1")
    coach.page.goto(server.url + "/")
    coach.by("token-input").fill("wt_not-a-real-token")
    coach.by("sign-in").click()
    expect(coach.by("signin-error")).to_be_visible()

    coach.sign_in().open_capture()
    room = unique("Room T")
    coach.enter_classroom(room)
    coach.wait_until_sent(at_least=1)

    def refuse(route: object) -> None:
        route.fulfill(status=401, json={"error": {  # type: ignore[attr-defined]
            "code": "token_expired", "message": "the token has expired; sign in again"}})

    coach.page.route("**/api/sync", refuse)
    before = server.summary()
    coach.by("lookfor-monitoring-yes").click()  # the refused sync brings sign-in back at once
    expect(coach.by("signin-reason")).to_be_visible()
    expect(coach.by("signin-pending")).to_contain_text("1 recorded event")
    coach.page.unroute("**/api/sync")
    coach.by("token-input").fill(server.tokens["coach1"])
    coach.by("sign-in").click()
    expect(coach.by("room-title")).to_be_visible()
    expect(coach.by("lookfor-monitoring-yes")).to_have_attribute("aria-pressed", "true")
    coach.wait_until_sent(at_least=2)
    assert own_taps(server.get(f"/api/visits/{server.visit_id}"), room) == {
        "monitoring": ("yes", None)}
    assert grew(before, server.summary(), "monitoring", "yes") in (None, 1)
