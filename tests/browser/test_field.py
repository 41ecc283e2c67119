"""In the field (issue 24): capture ready before the school with no rehearsal, a coach's
taps that follow the coach to a second device, shared tablets that keep each person's
unsent taps for that person, and a room on a phone that opens on the visit's focus."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import unique
from web.demo.district import PAST_VISIT

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def own_rooms(server: Server, user: str) -> dict[str, dict[str, Any]]:
    """The coach's own record of the visit on the server, by room label."""
    visit = server.get(f"/api/visits/{server.visit_id}", user)
    return {room["label"]: room for room in visit["mine"]}


def listed(server: Server, label: str) -> list[dict[str, Any]]:
    visit = server.get(f"/api/visits/{server.visit_id}", "host1")
    return [room for room in visit["classrooms"] if room["label"] == label]


def latest(room: dict[str, Any], item: str) -> Any:
    taps = [tap for tap in room["taps"] if tap["item"] == item]
    return taps[-1]["value"] if taps else None


def test_capture_opens_offline_on_a_device_that_never_opened_it(
        tablet: Callable[..., Tablet], server: Server) -> None:
    coach = tablet("coach1").sign_in()
    coach.wait_for_service_worker()
    # saved on signing in, with the visit list open online: no rehearsal needed
    expect(coach.by("offline-ready")).to_contain_text("Ready offline")
    before = server.summary()["rooms"]
    labels = [unique("Field room") for _ in range(3)]

    coach.context.set_offline(True)
    coach.page.reload()  # the tablet restarts at the school: the shell and list are saved
    expect(coach.by("visit-list")).to_be_visible()
    coach.open_capture()  # never opened before on this device
    expect(coach.by("offline-banner")).to_be_visible()
    expect(coach.by("page-error")).to_have_count(0)
    for label in labels:
        coach.enter_classroom(label)
        coach.tap("cfu", "yes")
        coach.by("exit-classroom").click()
        expect(coach.by("enter-form")).to_be_visible()
    expect(coach.by("pending-count")).to_have_text("9")
    expect(coach.by("sync-bar")).to_contain_text(
        "9 taps waiting \u2013 they will send when the network is back")

    coach.context.set_offline(False)
    coach.wait_until_sent(at_least=9)
    expect(coach.by("sent-line")).to_contain_text("All sent just now")
    expect(coach.by("sync-bar")).not_to_contain_text("never")
    assert server.summary()["rooms"] == before + 3
    for label in labels:
        [room] = listed(server, label)
        assert room["coaches"] == ["coach1"]


def test_the_same_coach_on_a_second_device_sees_and_changes_their_taps(
        tablet: Callable[..., Tablet], server: Server) -> None:
    label = unique("Room two devices")
    first = tablet("coach1").sign_in()
    first.open_capture()
    first.enter_classroom(label)
    first.tap("cfu", "no")
    first.tap("student_talk", "yes")
    first.note_evidence("4 of 22 students explained a strategy")
    first.wait_until_sent(at_least=4)

    second = tablet("coach1").sign_in()  # the battery died: the cart tablet
    second.open_capture()
    second.by(f"resume-{label}").click()  # their own room: "Go back in", not "Join"
    expect(second.by("room-title")).to_have_text(f"In {label}")
    expect(second.by("lookfor-cfu-no")).to_have_attribute("aria-pressed", "true")
    expect(second.by("lookfor-student_talk-yes")).to_have_attribute("aria-pressed", "true")
    expect(second.by("evidence-list")).to_contain_text("4 of 22 students explained a strategy")

    second.tap("cfu", "yes")  # changed: the later tap is the coach's observation
    second.by("lookfor-student_talk-yes").click()  # tapped again: withdrawn
    expect(second.by("lookfor-student_talk-yes")).to_have_attribute("aria-pressed", "false")
    second.by("withdraw-evidence").click()
    expect(second.by("evidence-list")).not_to_contain_text("4 of 22")
    second.wait_until_sent(at_least=4)

    room = own_rooms(server, "coach1")[label]
    assert latest(room, "cfu") == "yes"
    assert latest(room, "student_talk") is None
    assert room["notes"] == []
    [shared] = listed(server, label)
    assert shared["coaches"] == ["coach1"]  # one room, one coach, whatever the device


def test_a_shared_tablet_keeps_unsent_taps_for_the_coach_who_made_them(
        tablet: Callable[..., Tablet], server: Server) -> None:
    label = unique("Room cart")
    cart = tablet("coach1").sign_in()
    cart.context.set_offline(True)
    cart.open_capture()
    cart.enter_classroom(label)
    cart.tap("cfu", "yes")
    expect(cart.by("pending-count")).to_have_text("2")

    cart.by("sign-out").click()  # says so first
    expect(cart.by("sign-out-warning")).to_contain_text("2 taps are not sent yet")
    cart.by("sign-out").click()
    expect(cart.by("signin-reason")).to_contain_text("2 taps not sent yet")
    expect(cart.by("signin-pending")).to_contain_text("2 recorded events are kept")
    cart.context.set_offline(False)

    # the next person: told that someone's events wait, not what they are
    cart.user = "coach2"
    cart.sign_in()
    expect(cart.by("others-waiting")).to_contain_text("2 recorded by someone who used this tablet")
    expect(cart.by("pending-count")).to_have_text("0")
    cart.open_capture()
    expect(cart.by("room-list")).not_to_contain_text(label)
    cart.by("sync-now").click()
    cart.page.wait_for_timeout(1500)
    assert listed(server, label) == []  # never sent as coach2
    assert label not in own_rooms(server, "coach2")

    cart.by("sign-out").click()  # nothing of theirs waiting: signed out at once
    expect(cart.by("token-input")).to_be_visible()
    cart.user = "coach1"
    cart.sign_in()  # the first coach comes back: theirs are sent, as theirs
    cart.wait_until_sent(at_least=2)
    expect(cart.by("others-waiting")).to_be_hidden()
    [room] = listed(server, label)
    assert room["coaches"] == ["coach1"]
    assert latest(own_rooms(server, "coach1")[label], "cfu") == "yes"


def test_on_a_phone_a_room_opens_on_the_focus_look_fors_and_the_evidence_box(
        tablet: Callable[..., Tablet], server: Server) -> None:
    phone = tablet("coach1", viewport=PHONE).sign_in()
    phone.open_capture()
    label = unique("Room phone")
    for name, value in (("room-label", label),):
        phone.by(name).fill(value)
    phone.by("room-grade").select_option("6-8")
    phone.by("room-subject").select_option("math")
    phone.by("enter-classroom").click()
    expect(phone.by("room-title")).to_have_text(f"In {label}")
    expect(phone.by("other-lookfors")).not_to_have_attribute("open", "")

    metrics = phone.page.evaluate("""() => {
        const top = (el) => el.getBoundingClientRect().top + window.scrollY;
        const grid = document.querySelector('[data-testid=focus-grid]');
        const firstFocus = grid.querySelector('.lookfor');
        return {
            focusKeys: [...grid.querySelectorAll('.lookfor')].map((el) => el.dataset.testid),
            firstLookFor: top(firstFocus),
            firstLookForBottom: top(firstFocus.querySelector('h3')) + 40,
            evidence: top(document.querySelector('[data-testid=evidence-text]')),
            folded: top(document.querySelector('[data-testid=other-lookfors]')),
            height: window.innerHeight,
        };
    }""")
    # Lincoln's focus (its needs assessment: cfu, target explained, student talk)
    assert set(metrics["focusKeys"]) == {"lookfor-cfu", "lookfor-target_explained",
                                         "lookfor-student_talk"}
    assert metrics["firstLookForBottom"] < metrics["height"], metrics  # on the first screen
    assert metrics["evidence"] < metrics["folded"], metrics  # before the rest of the catalog
    assert metrics["evidence"] < 3 * metrics["height"], metrics
    phone.by("jump-to-evidence").click()
    expect(phone.by("evidence-text")).to_be_focused()
    expect(phone.by("evidence-text")).to_be_in_viewport()


# Every chart text's size as rendered: its font size times the SVG's scale on the page.
RENDERED_TEXT = """() => [...document.querySelectorAll('figure.chart-figure svg')].flatMap(
  (svg) => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].map((t) => ({
        text: t.textContent, px: parseFloat(t.getAttribute('font-size')) * scale,
        right: t.getBoundingClientRect().right, left: t.getBoundingClientRect().left }));
})"""


@pytest.mark.parametrize("page", ["/reports/schools/lincoln-middle/trends",
                                  "/reports/visits/{visit}/debrief"])
def test_charts_are_legible_on_a_phone(tablet: Callable[..., Tablet], server: Server,
                                       page: str) -> None:
    host = tablet("host1", viewport=PHONE).sign_in()
    host.page.goto(server.url + page.format(visit=server.visit_id))
    expect(host.page.locator("figure.chart-figure svg").first).to_be_visible()
    texts = host.page.evaluate(RENDERED_TEXT)
    assert texts
    small = [t for t in texts if t["px"] < 12]
    assert small == [], small[:5]
    width = host.page.evaluate("() => document.documentElement.clientWidth")
    outside = [t for t in texts if t["right"] > width + 1 or t["left"] < -1]
    assert outside == [], outside[:5]
    assert host.page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


# On paper: what is still shown of navigation and controls, and the focused element's ring.
PRINTED_CONTROLS = """() => [...document.querySelectorAll(
    'nav, .crumbs, .links, .app-header, .syncbar, .skip-link, button, form, .print-bar')]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => el.outerHTML.slice(0, 80))"""
FOCUS_RING = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { tag: el.tagName, outline: style.outlineStyle, shadow: style.boxShadow };
}"""


@pytest.mark.parametrize(("user", "path"), [
    ("host1", "/visits/{past}/debrief"), ("host1", "/visits/{past}/plan"),
    ("host1", "/reports/visits/{past}/debrief"), ("coach1", "/visits/{current}/thanks")])
def test_the_debrief_the_plan_and_the_thank_you_cards_print_without_navigation(
        tablet: Callable[..., Tablet], server: Server, user: str, path: str) -> None:
    reader = tablet(user).sign_in()
    reader.page.goto(server.url + path.format(past=PAST_VISIT, current=server.visit_id))
    expect(reader.page.locator("main h1")).to_be_visible()
    expect(reader.page.locator("main .loading")).to_have_count(0)
    focusable = reader.page.locator("main a, main button, main h1").first
    focusable.focus()
    reader.page.keyboard.press("Tab")  # a keyboard focus: its ring shows on screen...
    reader.page.keyboard.press("Shift+Tab")
    reader.page.emulate_media(media="print")
    assert reader.page.evaluate(PRINTED_CONTROLS) == []
    ring = reader.page.evaluate(FOCUS_RING)  # ...and not on paper
    assert ring["outline"] == "none", ring
    assert ring["shadow"] == "none", ring
    assert reader.page.locator("main").inner_text().strip()  # the content itself prints


def test_two_judgments_of_a_step_are_both_shown(tablet: Callable[..., Tablet],
                                               server: Server) -> None:
    status, body = server.call("POST", "/api/sync", "coach2", {"device_id": "t-field", "events": [{
        "id": str(uuid.uuid4()), "visit_id": str(PAST_VISIT), "type": "CheckInRecorded",
        "occurred_at": "2026-01-05T10:00:00.000Z",
        "data": {"step_id": "talk-protocol", "status": "at_risk", "progress": 0.25}}]})
    assert (status, [r["status"] for r in body["results"]]) == (200, ["accepted"])
    host = tablet("host1").sign_in()
    host.page.goto(f"{server.url}/visits/{PAST_VISIT}/plan")
    judged = host.by("judgments-talk-protocol")
    expect(judged).to_contain_text("judged differently")
    expect(judged).to_contain_text("At risk (25%)")
    expect(judged).to_contain_text("On track")
    expect(host.by("step-status-talk-protocol")).to_have_text("At risk")
    # the next visit's debrief opens with the same words
    host.page.goto(f"{server.url}/reports/visits/{server.visit_id}/debrief")
    expect(host.page.locator("[data-testid=judgments-talk-protocol]")).to_contain_text(
        "At risk (25%)")
