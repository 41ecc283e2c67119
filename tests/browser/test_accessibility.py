"""Every screen of the app at a tablet's and a phone's size (768x1024, 390x844): axe-core
finds no serious or critical violation, nothing scrolls sideways, touch targets are at
least 44px; a screenshot of each goes to tests/browser/artifacts/ to be looked at.

Screens are seen as the person who uses them, on the demo district: the organizer's
planning screens and district growth, the host's visit day, check-ins and own growth
record (its forms opened), the team's capture, debrief, thank-you notes, a peer's growth
record and leadership practice capture, and the report pages. The debrief's forms need a
visit in analysis: one is made here through the API (a room entered, the debrief started,
one step proposed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from projections.calibration import team_id
from tests.browser.conftest import Server, Tablet
from tests.builders import batch, enter, event
from tests.oneroster import MAPLE, as_zip, oneroster_12
from web.demo.district import PAST_VISIT

pytestmark = pytest.mark.browser

SIZES = [(768, 1024), (390, 844)]
BLOCKING = {"serious", "critical"}
# Controls smaller than 44px; a checkbox or radio counts by its label (the whole row).
SMALL_TARGETS = """() => [...document.querySelectorAll(
        'main button, main input, main select, main textarea, main a.button-link, header button')]
    .filter((el) => el.offsetParent !== null)
    .map((el) => el.closest('label.check') || el)
    .map((el) => [el.dataset.testid || el.id || el.textContent.trim().slice(0, 30),
                  el.getBoundingClientRect()])
    .filter(([, box]) => box.width < 44 || box.height < 44)
    .map(([name, box]) => `${name}: ${Math.round(box.width)}x${Math.round(box.height)}`)"""
OVERFLOW = "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def debriefing(server: Server) -> str:
    """A Lincoln visit of its own in analysis, with one proposed step."""
    visit = uuid4()
    plan = event(visit, "VisitPlanned", {
        "school_id": "lincoln-middle", "host": "host1", "team": ["coach1", "coach2"],
        "focus": "Student talk in grades 6-8", "catalog_version": 1, "date": "2026-01-05"})
    steps: list[tuple[str, dict[str, Any]]] = [
        ("organizer1", plan),
        ("host1", event(visit, "TeachersNotified", {})),
        ("host1", event(visit, "VisitStarted", {})),
        ("coach1", enter(visit, room="c-a11y-1")),
        ("coach1", event(visit, "DebriefStarted", {})),
        ("coach1", event(visit, "RootCauseNoted", {"text": "Talk routines fade after launch."})),
        ("coach1", event(visit, "NextStepProposed", {
            "step_id": "talk-routine", "text": "Relaunch one talk routine per grade.",
            "owner": "Math team leads", "due": "2026-02-02",
            "success": "Student talk seen in half of the rooms."})),
    ]
    for user, sent in steps:
        status, body = server.call("POST", "/api/sync", user, batch(sent))
        assert status == 200, body
        assert body["results"][0]["status"] == "accepted", body
    return str(visit)


@pytest.fixture(scope="module")
def network(server: Server) -> str:
    """A cross-role network of its own: two principals and an assistant principal."""
    network_id = f"net-a11y-{uuid4().hex[:6]}"
    status, body = server.call("POST", "/api/partnerships", "organizer1", {
        "partnership_id": network_id, "kind": "network", "members": ["host1", "coach4", "coach2"],
        "starts": "2026-01-05", "capability": "instructional_coaching"})
    assert status == 201, body
    return network_id


def screens(server: Server, debriefing: str, network: str) -> list[tuple[str, str, str]]:
    """(who, name, path) for every screen of the app and the report pages."""
    current, past = server.visit_id, str(PAST_VISIT)
    return [
        ("organizer1", "visits-organizer", "/"),
        ("organizer1", "schools", "/schools"),
        ("organizer1", "matches", "/schools/lincoln-middle/matches"),
        ("organizer1", "people", "/people"),
        ("organizer1", "district", "/district"),
        ("organizer1", "catalogs", "/catalogs"),
        ("organizer1", "visit-day-organizer", f"/visits/{current}/start"),
        ("organizer1", "staff-notice", f"/visits/{current}/notice"),
        ("organizer1", "district-trends", "/reports/trends"),
        ("organizer1", "district-growth", "/growth"),
        ("organizer1", "growth-organizer", "/people/host1/growth"),
        ("organizer1", "what-is-open", "/open"),
        ("organizer1", "conversation-guides", "/guides"),
        ("organizer1", "leadership-skills", "/skills"),
        ("organizer1", "partnerships-organizer", "/partnerships"),
        ("host1", "visits-host", "/"),
        ("host1", "visit-day-host", f"/visits/{current}/start"),
        ("host1", "debrief-analysis-host", f"/visits/{debriefing}/debrief"),
        ("host1", "check-ins-host", f"/visits/{past}/plan"),
        ("host1", "debrief-support-host", f"/visits/{past}/debrief"),
        ("host1", "school-trends", "/reports/schools/lincoln-middle/trends"),
        ("host1", "growth-self", "/people/host1/growth"),
        ("host1", "staff-names", "/district"),
        ("host1", "partnerships-host", "/partnerships"),
        ("host1", "skill-inventory", "/inventory"),
        ("host1", "meeting-cfg", "/partnerships/cfg-talk"),
        ("host1", "meeting-network", f"/partnerships/{network}"),
        ("host1", "debrief-report", f"/reports/visits/{current}/debrief"),
        ("coach1", "visits-coach", "/"),
        ("coach1", "capture", f"/visits/{current}"),
        ("coach1", "debrief-observation", f"/visits/{current}/debrief"),
        ("coach1", "debrief-analysis-team", f"/visits/{debriefing}/debrief"),
        ("coach1", "summary", f"/visits/{current}/summary"),
        ("coach1", "thank-you-notes", f"/visits/{current}/thanks"),
        ("coach1", "check-ins-coach", f"/visits/{past}/plan"),
        ("coach1", "growth-peer", "/people/host1/growth"),
        ("coach1", "practice-capture", "/people/host1/growth/practice/plc-2"),
        ("coach1", "meeting-llp", "/partnerships/llp-lincoln-roosevelt"),
        ("organizer1", "calibration-organizer", "/calibration"),
        ("organizer1", "calibration-district", "/calibration/district"),
        ("organizer1", "calibration-partnership",
         "/calibration/partnerships/llp-lincoln-roosevelt"),
        ("coach1", "calibration-coach", "/calibration"),
        ("coach1", "calibration-team", f"/calibration/teams/{team_id(('coach1', 'coach2'))}"),
        ("host1", "never-show", "/reports/never-show"),
    ]


@pytest.fixture(scope="module")
def devices(browser: Any, server: Server) -> Iterator[dict[str, Tablet]]:
    """One signed-in device per person, shared by this module's screens."""
    opened: dict[str, Tablet] = {}
    for user in ("organizer1", "host1", "coach1"):
        context = browser.new_context(viewport={"width": 768, "height": 1024},
                                      base_url=server.url)
        opened[user] = Tablet(context, server, user).sign_in()
    yield opened
    for device in opened.values():
        device.context.close()


def check_screen(device: Tablet, name: str, artifacts: Path, axe: Axe) -> list[str]:
    problems: list[str] = []
    for width, height in SIZES:
        device.page.set_viewport_size({"width": width, "height": height})
        where = f"{name} at {width}x{height}"
        if device.page.evaluate(OVERFLOW) > 0:
            problems.append(f"{where}: scrolls sideways")
        problems += [f"{where}: target {t}" for t in device.page.evaluate(SMALL_TARGETS)]
        results = axe.run(device.page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                nodes = "; ".join(n["html"][:80] for n in violation["nodes"][:3])
                problems.append(f"{where}: axe {violation['id']} ({violation['impact']}): {nodes}")
        device.page.screenshot(path=artifacts / f"{name}-{width}x{height}.png", full_page=True)
    return problems


def test_every_screen_is_accessible_at_tablet_and_phone_sizes(
    devices: dict[str, Tablet], server: Server, debriefing: str, network: str,
    artifacts: Path
) -> None:
    axe = Axe()
    problems: list[str] = []
    for user, name, path in screens(server, debriefing, network):
        device = devices[user]
        device.page.set_viewport_size({"width": 768, "height": 1024})
        device.page.goto(server.url + path, wait_until="networkidle")
        expect(device.page.locator("main h1")).to_be_visible()
        expect(device.page.locator("main .loading")).to_have_count(0)
        if name.startswith("growth-"):  # its forms open too (goal, step adjustments, pulse)
            toggles = device.page.locator("main .growth-section button[aria-expanded=false]")
            for _ in range(toggles.count()):
                toggles.nth(0).click()
        if name == "district":  # a roster's preview, and the forms to add and edit
            export = artifacts / "roster-preview.zip"
            export.write_bytes(as_zip(oneroster_12(MAPLE)))
            device.by("roster-file").set_input_files(str(export))
            device.by("roster-preview-button").click()
            expect(device.by("roster-preview")).to_be_visible()
            for toggle in ("add-school", "add-person", "edit-person-coach1",
                           "rename-school-lincoln-middle"):
                device.by(toggle).click()
        problems += check_screen(device, name, artifacts, axe)
    for device in devices.values():
        assert device.csp_violations() == []
    assert problems == [], "\n".join(problems)


def test_the_sign_in_screen_is_accessible(tablet: Callable[..., Tablet], artifacts: Path) -> None:
    device = tablet("coach1")
    device.page.goto(device.server.url + "/signin")
    expect(device.by("token-form")).to_be_visible()
    assert check_screen(device, "sign-in", artifacts, Axe()) == []
