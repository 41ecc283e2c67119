"""The pictures in the README and the documentation site, taken from the demo district in
Chromium on every run, so they always show the app as it is.

Each test opens one screen at a phone's or a tablet's size, waits until it shows what it
is for, and writes docs/images/<name>.png. The PNGs are committed; a run that changes a
screen changes its picture. tests/docs/test_readme.py checks that every picture the
README and the guides name is one of these.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TABLET, Server, Tablet
from web.demo.district import CURRENT_VISIT

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

pytestmark = pytest.mark.browser

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PHONE: ViewportSize = {"width": 390, "height": 844}
# Every picture this module writes; the docs test holds the pages to this list.
SHOTS = ("visits-phone", "capture-tablet", "debrief-tablet", "trends-tablet", "growth-phone")


def shoot(device: Tablet, name: str, viewport: ViewportSize) -> None:
    """Write the visible screen to docs/images/`name`.png and check it is that picture."""
    assert name in SHOTS
    assert not device.console_errors, device.console_errors
    if device.by("sync-state").count():  # the app's header, not a report page's
        expect(device.by("sync-state")).to_have_text("")  # not caught mid-send
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / f"{name}.png"
    device.page.screenshot(path=str(path), animations="disabled", caret="hide")
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "a PNG"
    width, height = struct.unpack(">II", head[16:24])
    # Chromium may draw at a device scale above 1; the shape is the screen's.
    assert width * viewport["height"] == height * viewport["width"], (width, height)


def test_the_visits_screen_on_a_phone(tablet: Callable[..., Tablet], server: Server) -> None:
    coach = tablet("coach1", PHONE).sign_in()
    expect(coach.by(f"capture-{server.visit_id}")).to_be_visible()
    shoot(coach, "visits-phone", PHONE)


def test_capture_in_a_room_on_a_tablet(tablet: Callable[..., Tablet], server: Server) -> None:
    visit = server.get(f"/api/visits/{server.visit_id}", "coach1")
    label = visit["mine"][0]["label"]  # a room coach1 walked in the demo: their taps show
    coach = tablet("coach1", TABLET).sign_in().open_capture()
    coach.by(f"resume-{label}").click()
    expect(coach.by("room-title")).to_have_text(f"In {label}")
    # The room's look-fors are drawn (which of coach1's taps show pressed depends on
    # what earlier tests did on the shared demo server; test_field holds that rule).
    expect(coach.page.locator("[aria-pressed]:visible").first).to_be_visible()
    shoot(coach, "capture-tablet", TABLET)


def test_the_debrief_page_on_a_tablet(tablet: Callable[..., Tablet]) -> None:
    coach = tablet("coach1", TABLET).sign_in()
    coach.page.goto(coach.server.url + f"/reports/visits/{CURRENT_VISIT}/debrief")
    expect(coach.page.locator("main.report > .loading")).to_have_count(0)
    expect(coach.page.locator("main.report section[data-kind=progress]")).to_be_visible()
    shoot(coach, "debrief-tablet", TABLET)


def test_district_trends_on_a_tablet(tablet: Callable[..., Tablet]) -> None:
    organizer = tablet("organizer1", TABLET).sign_in()
    organizer.page.goto(organizer.server.url + "/reports/trends")
    expect(organizer.page.locator("main.report > .loading")).to_have_count(0)
    expect(organizer.page.locator("main.report figure.chart-figure").first).to_be_visible()
    shoot(organizer, "trends-tablet", TABLET)


def test_a_growth_record_on_a_phone(tablet: Callable[..., Tablet]) -> None:
    coach = tablet("coach1", PHONE).sign_in()
    coach.page.goto(coach.server.url + "/people/host1/growth")
    expect(coach.by("growth-title")).to_have_text("Growth of Morgan Blake")
    shoot(coach, "growth-phone", PHONE)
