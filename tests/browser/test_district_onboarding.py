"""A district with only its OneRoster export, from an empty store to a planned visit, in
the app: `walkthrough init` -> the organizer signs in with the printed link -> uploads
the roster zip, previews, applies -> plans a visit at an imported school with imported
principals as its team -> a coach signed in by link has a note naming an imported
teacher refused by the server -> the same zip again changes nothing -> the coach,
deactivated, is signed out on their tablet with its outbox kept."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.conftest import TABLET, Server, Tablet, _cli, serving
from tests.oneroster import MAPLE, PRIVATE_NAMES, Roster, School, as_zip, oneroster_11, oneroster_12
from tests.servers import free_port

pytestmark = pytest.mark.browser

ORGANIZER_EMAIL = "priya.natarajan@maple.example"
SATURDAY = 5


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory, chromium_path: str,
             ) -> Iterator[tuple[Server, str]]:
    """A server on a store where `walkthrough init` alone ran; its printed link."""
    data_dir = tmp_path_factory.mktemp("district-data")
    env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    printed = _cli(env, "init", "--district", "Maple Valley", "--organizer-email",
                   "Priya.Natarajan@maple.example", "--organizer-name", "Priya Natarajan",
                   "--base-url", url)
    link = printed.strip().splitlines()[-1]
    with serving(env, data_dir, port) as (url, log):
        yield Server(url=url, tokens={}, log=log), link


@pytest.fixture
def device(browser: Browser, district: tuple[Server, str]) -> Iterator[Callable[[str], Tablet]]:
    server, _ = district
    contexts: list[BrowserContext] = []

    def make(user: str) -> Tablet:
        context = browser.new_context(viewport=TABLET, base_url=server.url)
        contexts.append(context)
        return Tablet(context, server, user)

    yield make
    for context in contexts:
        context.close()


def signed_in(tablet: Tablet, link: str) -> Tablet:
    tablet.page.goto(link)
    expect(tablet.by("visit-list")).to_be_visible()
    return tablet


def open_district(organizer: Tablet) -> None:
    organizer.page.goto(organizer.server.url + "/district")
    expect(organizer.by("roster-card")).to_be_visible()


def preview(organizer: Tablet, export: Path) -> None:
    organizer.by("roster-file").set_input_files(str(export))
    organizer.by("roster-preview-button").click()
    expect(organizer.by("roster-preview")).to_be_visible()


def test_a_district_goes_from_its_roster_export_to_a_planned_visit(
        device: Callable[[str], Tablet], district: tuple[Server, str], tmp_path: Path) -> None:
    server, link = district
    export = tmp_path / "maple-oneroster-1.2.zip"
    export.write_bytes(as_zip(oneroster_12(MAPLE)))

    organizer = signed_in(device("priya.natarajan"), link)
    organizer.by("district-link").click()
    preview(organizer, export)
    expect(organizer.by("roster-summary")).to_contain_text(
        "3 schools to add, 0 schools to change, 4 people to add")
    expect(organizer.by("people-added")).to_contain_text("Ingrid Lindqvist")
    expect(organizer.by("skipped")).to_contain_text("2 rows: students are not read")
    expect(organizer.by("staff-counts")).to_contain_text("Carver Middle: 1 name")
    organizer.by("roster-apply").click()
    expect(organizer.by("roster-applied")).to_be_visible()
    kept = organizer.page.evaluate("""async () => {
        const outbox = await import('/static/js/outbox.js');
        return await outbox.journal('district');
    }""")
    assert [row["status"] for row in kept] == ["synced"]
    assert kept[0]["request"]["body"] is None  # the zip, with its names, left the tablet
    expect(organizer.by("directory-people")).to_contain_text("Kwame Osei")
    expect(organizer.by("directory-schools")).to_contain_text("Carver Middle")
    for name in PRIVATE_NAMES:
        expect(organizer.page.locator("body")).not_to_contain_text(name)

    # Two imported principals as the team of a visit at Carver Middle, hosted by its own.
    organizer.page.goto(server.url + "/people")
    for user in ("kwame.osei", "celine.moreau"):
        organizer.by(f"edit-inventory-{user}").click()
        organizer.by(f"strengths-{user}-cfu").check()
        organizer.by(f"save-inventory-{user}").click()
        expect(organizer.by("flash")).to_contain_text("saved")
    organizer.page.goto(server.url + "/schools")
    organizer.by("edit-needs-carver-middle").click()
    organizer.by("needs-areas-carver-middle-cfu").check()
    organizer.by("save-needs-carver-middle").click()
    organizer.by("matches-carver-middle").click()
    for user in ("kwame.osei", "celine.moreau"):
        organizer.by(f"pick-{user}").check()
    today = datetime.now(UTC).date()  # a visit starts on its day (the server runs in UTC)
    organizer.by("visit-date").fill(today.isoformat())
    organizer.by("visit-focus").fill("Checking for understanding in grades 6-8 math")
    organizer.by("plan-visit").click()
    if today.weekday() >= SATURDAY:
        organizer.by("visit-confirm-day").check()
        organizer.by("plan-visit").click()
    expect(organizer.by("notify-card")).to_be_visible()
    visit = organizer.page.url.rstrip("/").split("/")[-2]
    organizer.by("notify-teachers").click()
    expect(organizer.by("teachers-notified")).to_be_visible()

    host = signed_in(device("ingrid.lindqvist"), server.link("ingrid.lindqvist@maple.example"))
    host.by(f"start-{visit}").click()
    host.by("start-visit").click()
    expect(host.by("visit-started")).to_be_visible()

    # The coach's note naming an imported teacher: refused by the school's staff roster.
    coach = signed_in(device("kwame.osei"), server.link("kwame.osei@maple.example"))
    coach.by(f"capture-{visit}").click()
    expect(coach.by("enter-form")).to_be_visible()
    coach.enter_classroom("Room 7")
    coach.by("evidence-text").fill("Whitfield asked the class to explain the target")
    coach.by("add-evidence").click()
    expect(coach.by("rejected-item")).to_contain_text("names_a_person")

    # The same export again: nothing to change.
    open_district(organizer)
    preview(organizer, export)
    expect(organizer.by("roster-summary")).to_contain_text("Nothing to change")
    expect(organizer.by("roster-apply")).to_be_hidden()

    # Deactivated while their tablet holds a tap: signed out, the tap kept.
    coach.context.set_offline(True)
    coach.tap("cfu", "yes")
    expect(coach.by("pending-count")).to_have_text("1")
    organizer.by("deactivate-kwame.osei").click()
    expect(organizer.by("flash")).to_contain_text("deactivated")
    expect(organizer.by("reactivate-kwame.osei")).to_be_visible()
    coach.context.set_offline(False)
    coach.page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(coach.by("signin-reason")).to_be_visible()
    expect(coach.by("signin-pending")).to_contain_text("1 recorded event")
    log = server.log.read_bytes()
    for name in PRIVATE_NAMES:
        assert name.encode() not in log
    stored = b"".join(f.read_bytes() for f in server.log.parent.rglob("*") if f.is_file()
                      and f != server.log)
    for name in PRIVATE_NAMES:
        assert name.encode() not in stored


def test_an_organizer_adds_a_school_and_a_person_and_edits_them_by_hand(
        device: Callable[[str], Tablet], district: tuple[Server, str]) -> None:
    server, _ = district
    organizer = signed_in(device("priya.natarajan"), server.link(ORGANIZER_EMAIL))
    open_district(organizer)
    organizer.by("add-school").click()
    organizer.page.locator("#new-school-name").fill("Juniper Middle")
    organizer.page.locator("#new-school-level").select_option("middle")
    organizer.by("new-school-save").click()
    expect(organizer.by("flash")).to_have_text("Juniper Middle added.")
    expect(organizer.by("directory-school-juniper-middle")).to_be_visible()
    organizer.by("add-person").click()
    organizer.page.locator("#new-person-name").fill("Ada Park")
    organizer.page.locator("#new-person-email").fill("Ada.Park@maple.example")
    organizer.page.locator("#new-person-school").select_option("juniper-middle")
    organizer.by("new-person-save").click()
    expect(organizer.by("flash")).to_have_text("Ada Park added.")
    card = organizer.by("directory-person-ada.park")
    expect(card).to_contain_text("Host, Coach · Juniper Middle · ada.park@maple.example")
    organizer.by("edit-person-ada.park").click()
    organizer.page.locator("#edit-ada\\.park-name").fill("Ada Park-Lee")
    organizer.page.locator("#edit-ada\\.park-roles-host").uncheck()
    organizer.by("edit-ada.park-save").click()
    expect(organizer.by("flash")).to_have_text("Ada Park-Lee saved.")
    expect(organizer.by("directory-person-ada.park")).to_contain_text("Ada Park-Lee")
    expect(organizer.by("directory-person-ada.park")).to_contain_text("Coach · Juniper Middle")


def test_a_school_without_grades_gets_its_level_in_the_preview(
        device: Callable[[str], Tablet], district: tuple[Server, str], tmp_path: Path) -> None:
    server, _ = district
    harbor = Roster(MAPLE.district_id, MAPLE.district_name,
                    (*MAPLE.schools, School("org-harbor", "Harbor Academy", "0401")),
                    MAPLE.members)
    export = tmp_path / "with-harbor.zip"
    export.write_bytes(as_zip(oneroster_11(harbor)))
    organizer = signed_in(device("priya.natarajan"), server.link(ORGANIZER_EMAIL))
    open_district(organizer)
    preview(organizer, export)
    expect(organizer.by("levels-needed")).to_contain_text("Harbor Academy")
    expect(organizer.by("roster-apply")).to_be_disabled()
    organizer.by("level-org-harbor").select_option("k8")
    expect(organizer.by("schools-added")).to_contain_text("Harbor Academy · K8 set by you")
    expect(organizer.by("level-org-harbor")).to_have_value("k8")
    organizer.by("roster-apply").click()
    expect(organizer.by("roster-applied")).to_be_visible()
    expect(organizer.by("directory-schools")).to_contain_text("Harbor Academy")


def test_a_host_pastes_their_staff_names_and_sees_counts_only(
        tablet: Callable[..., Tablet], server: Server) -> None:
    host = tablet("host1").sign_in()
    host.by("staff-link").click()
    expect(host.by("staff-card")).to_be_visible()
    try:
        host.by("staff-names").fill("Zebediah Quillon\nMarisol Fenwick\n")
        host.by("staff-save").click()
        expect(host.by("flash")).to_have_text("Staff list of your school replaced: 2 names.")
        expect(host.by("staff-names")).to_have_value("")  # never shown back
        status, body = server.call("POST", "/api/schools/lincoln-middle/needs-assessment",
                                   "organizer1", {"focus_areas": ["cfu"],
                                                  "notes": "Quillon asked for support"})
        assert status == 422, body
        assert body["error"]["code"] == "names_a_person"
    finally:  # the server is shared: leave no roster to screen other tests' notes
        assert server.call("PUT", "/api/schools/lincoln-middle/staff-names", "host1",
                           {"names": []})[0] == 200
