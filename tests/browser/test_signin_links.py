"""Sign-in links in Chromium: a link from `walkthrough link` opened on a fresh device signs
it in and lands on the visits screen; opened again on another device it says it was
already used and offers the paste form. An organizer makes a link for a person in the
app, QR code and all, and it signs that person's tablet in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import CONTRAST_PROBLEMS, SMALL_TARGETS, overflow

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SIZES = [(390, 844), (768, 1024)]
STORED_TOKEN = "() => localStorage.getItem('walkthrough.token')"


def make_link(server: Server, user: str) -> str:
    """`walkthrough link <user> --base-url <the server>`, on the server's data directory."""
    return server.link(user)


def name_of(server: Server, user: str) -> str:
    name: str = server.get("/api/me", user)["user"]["name"]
    return name


def check_layout(device: Tablet, artifacts: Path, screen: str) -> None:
    """Legible on a phone and a tablet: no sideways scroll, 44px targets, AA contrast."""
    for width, height in SIZES:
        device.page.set_viewport_size({"width": width, "height": height})
        assert overflow(device.page) <= 0, f"{screen}: horizontal scroll at {width}x{height}"
        assert device.page.evaluate(SMALL_TARGETS) == [], f"{screen} at {width}x{height}"
        assert device.page.evaluate(CONTRAST_PROBLEMS) == [], f"{screen} at {width}x{height}"
        device.page.screenshot(path=artifacts / f"{screen}-{width}x{height}.png",
                               full_page=True)


def test_a_link_signs_a_fresh_device_in_once_then_says_it_was_used(
    tablet: Callable[..., Tablet], server: Server, artifacts: Path
) -> None:
    link = make_link(server, "coach1")

    first = tablet("coach1")
    first.page.goto(link)
    expect(first.by("visit-list")).to_be_visible()
    expect(first.page).to_have_url(f"{server.url}/")
    expect(first.by("user-name")).to_have_text(name_of(server, "coach1"))
    expect(first.by(f"capture-{server.visit_id}")).to_be_visible()
    expect(first.by("people-link")).to_have_count(0)  # coaches make no links
    assert str(first.page.evaluate(STORED_TOKEN)).startswith("wt_")
    first.page.go_back()  # the code was taken out of the history
    assert "code=" not in first.page.url
    assert first.csp_violations() == []

    second = tablet("coach1", viewport=PHONE)
    second.page.goto(link)
    expect(second.by("signin-link-error")).to_have_text(
        "This sign-in link was already used; each link works once - ask for a new one")
    expect(second.by("token-input")).to_be_visible()
    expect(second.page).to_have_url(f"{server.url}/signin")
    assert second.page.evaluate(STORED_TOKEN) is None
    check_layout(second, artifacts, "signin-link-used")
    assert second.csp_violations() == []

    second.by("token-input").fill(server.tokens["coach1"])  # the fallback still works
    second.by("sign-in").click()
    expect(second.by("visit-list")).to_be_visible()


def test_a_device_signed_in_as_someone_else_switches_to_the_link_s_person(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    shared = tablet("coach1").sign_in()
    shared.page.goto(make_link(server, "host1"))
    # Asked first, naming who is signed in: the link is not used until then.
    question = shared.by("switch-user-question")
    expect(question).to_contain_text(f"signed in as {name_of(server, 'coach1')}")
    assert shared.page.evaluate(STORED_TOKEN) == server.tokens["coach1"]
    shared.by("switch-user").click()
    expect(shared.by("user-name")).to_have_text(name_of(server, "host1"))
    expect(shared.by(f"debrief-{server.visit_id}")).to_be_visible()
    expect(shared.by(f"capture-{server.visit_id}")).to_have_count(0)


def test_a_link_opened_on_a_signed_in_tablet_can_be_declined_and_still_works_elsewhere(
    tablet: Callable[..., Tablet], server: Server, artifacts: Path
) -> None:
    shared = tablet("coach1", viewport=PHONE).sign_in()
    link = make_link(server, "host1")
    shared.page.goto(link)
    expect(shared.by("switch-user-question")).to_be_visible()
    check_layout(shared, artifacts, "signin-link-switch-question")
    shared.by("keep-user").click()
    expect(shared.by("visit-list")).to_be_visible()
    expect(shared.by("user-name")).to_have_text(name_of(server, "coach1"))
    assert shared.page.evaluate(STORED_TOKEN) == server.tokens["coach1"]
    assert shared.csp_violations() == []
    # Declined, the link was never redeemed: host1's own tablet signs in with it.
    own = tablet("host1")
    own.page.goto(link)
    expect(own.by("user-name")).to_have_text(name_of(server, "host1"))


def test_a_refused_link_leaves_the_signed_in_person_signed_in(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    shared = tablet("coach1").sign_in()
    shared.page.goto(f"{server.url}/signin#code=not-a-real-code")
    shared.by("switch-user").click()
    expect(shared.by("signin-link-error")).to_be_visible()
    assert shared.page.evaluate(STORED_TOKEN) == server.tokens["coach1"]


def test_an_organizer_makes_a_link_in_the_app_that_signs_a_tablet_in(
    tablet: Callable[..., Tablet], server: Server, artifacts: Path
) -> None:
    organizer = tablet("organizer1", viewport=PHONE)
    organizer.page.goto(make_link(server, "organizer1"))
    organizer.by("people-link").click()
    expect(organizer.page).to_have_url(f"{server.url}/people")
    expect(organizer.by("person-coach2")).to_contain_text(name_of(server, "coach2"))
    organizer.by("make-link-coach2").click()
    qr = organizer.by("link-qr-coach2").locator("svg")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("role", "img")
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150  # large enough for a camera at arm's length
    assert abs(box["width"] - box["height"]) < 1
    url = organizer.by("link-url-coach2").input_value()
    assert url.startswith(f"{server.url}/signin#code=")
    check_layout(organizer, artifacts, "people-link")
    assert organizer.csp_violations() == []
    assert organizer.console_errors == []

    coach = tablet("coach2")
    coach.page.goto(url)
    expect(coach.by("visit-list")).to_be_visible()
    expect(coach.by("user-name")).to_have_text(name_of(server, "coach2"))
