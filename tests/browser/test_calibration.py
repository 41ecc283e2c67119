"""The calibration screen and the never-show page in Chromium, for the right people.

On the demo, coach1 and coach2 observed today's three rooms at Lincoln Middle
together: their team's screen shows agreement per look-for (from 3 rooms) and, to
each of them only, "Just you two". Organizers read every team and the district, never
a pair; a host who coaches no team has no calibration to read. The never-show page
opens for anyone signed in, lists the claims the API generates, and prints without
its Print button.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from projections.calibration import team_id
from tests.browser.conftest import Server, Tablet

pytestmark = pytest.mark.browser

TEAM = team_id(("coach1", "coach2"))


def test_a_coach_reads_their_team_and_their_own_pair(tablet: Callable[..., Tablet],
                                                     server: Server) -> None:
    coach = tablet("coach1").sign_in()
    coach.by("calibration-link").click()
    expect(coach.page.locator("main h1")).to_have_text("Calibration: how alike we see")
    coach.by(f"team-{TEAM}").click()
    expect(coach.by("calibration-table")).to_be_visible()
    report = server.get(f"/api/calibration/teams/{TEAM}", "coach1")
    shown = [i for i in report["items"] if i["overall"]["rooms"] > 0]
    assert shown, report
    for item in shown:
        row = coach.by(f"calibration-{item['key']}")
        overall = item["overall"]
        if overall["suppressed"]:
            expect(row).to_contain_text(f"fewer than {report['min_rooms']}, not shown")
        else:
            expect(row).to_contain_text(f"{overall['agreed']} of {overall['rooms']} rooms")
    expect(coach.by("my-pairs")).to_contain_text("You and Sam Okafor")
    expect(coach.by("calibration-rule")).to_contain_text("never per room or teacher")
    assert coach.console_errors == []


def test_organizers_read_teams_and_the_district_but_no_pair(tablet: Callable[..., Tablet],
                                                            server: Server) -> None:
    organizer = tablet("organizer1").sign_in()
    organizer.page.goto(server.url + "/calibration")
    expect(organizer.by(f"team-{TEAM}")).to_be_visible()
    organizer.by("calibration-district").click()
    expect(organizer.page.locator("main h1")).to_have_text("District")
    expect(organizer.by("calibration-table")).to_be_visible()
    organizer.page.goto(server.url + f"/calibration/teams/{TEAM}")
    expect(organizer.by("calibration-table")).to_be_visible()
    expect(organizer.by("my-pairs")).to_have_count(0)
    assert server.call("GET", "/api/calibration/pairs/coach1/coach2", "organizer1")[0] == 404


def test_a_host_has_no_team_or_district_to_read(tablet: Callable[..., Tablet],
                                                server: Server) -> None:
    host = tablet("host1").sign_in()
    expect(host.by("calibration-link")).to_have_count(0)
    host.page.goto(server.url + f"/calibration/teams/{TEAM}")
    expect(host.by("page-error")).to_be_visible()
    host.page.goto(server.url + "/calibration/district")
    expect(host.by("page-error")).to_be_visible()


@pytest.mark.parametrize("user", ["analyst1", "host1"])
def test_anyone_signed_in_opens_the_never_show_page_and_prints_it(
        tablet: Callable[..., Tablet], server: Server, user: str) -> None:
    reader = tablet(user).sign_in()
    reader.by("never-show-link").click()
    expect(reader.page.locator("main h1")).to_have_text("What this system can never show")
    generated = server.get("/api/never-show", user)
    claims = reader.by("never-show-claims").locator("li")
    expect(claims).to_have_count(len(generated["claims"]))
    for claim in generated["claims"]:
        expect(reader.by(f"claim-{claim['id']}")).to_contain_text(claim["statement"])
    expect(reader.by("never-show-routes")).to_contain_text("GET /api/calibration/district")
    expect(reader.by("print-never-show")).to_be_visible()
    reader.page.emulate_media(media="print")
    expect(reader.by("print-never-show")).to_be_hidden()
    expect(reader.page.locator(".report-header")).to_be_hidden()
    assert reader.csp_violations() == []
