"""The report pages under /reports (debrief agenda, school and district trends) in Chromium.

Each page is a static shell whose ES module reads the token the app stored, fetches the
API and the server-drawn SVG charts, and renders them. These tests compare what the page
shows with what the API answers for the same token, and watch the console.
"""

from __future__ import annotations

import dataclasses
import os
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Request, expect

from tests.browser.conftest import Server, Tablet, _cli
from web.demo.district import CURRENT_VISIT

pytestmark = pytest.mark.browser

DEBRIEF = f"/reports/visits/{CURRENT_VISIT}/debrief"
DISTRICT_TRENDS = "/reports/trends"
# The titles live once, in the module the app and the debrief page both use.
SECTION_TITLES = """async () => (await import('/static/js/debrief-agenda.js')).SECTION_TITLES"""


def school_trends(school_id: str) -> str:
    return f"/reports/schools/{school_id}/trends"


def percent(rate: float) -> str:
    """dom.js percent(): a rate's three decimals as a whole percent, halves rounded up."""
    return f"{(round(rate * 1000) + 5) // 10}%"


def humanize(key: str) -> str:
    """dom.js humanize() for the status words the pages show."""
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def chart_text(server: Server, path: str, user: str) -> str:
    """The words and numbers of a chart as the API draws it for `user`."""
    request = urllib.request.Request(server.url + path)
    request.add_header("Authorization", f"Bearer {server.tokens[user]}")
    request.add_header("Accept", "image/svg+xml")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        return "".join(ET.fromstring(response.read()).itertext())


def open_report(reader: Tablet, path: str) -> None:
    """Go to a report page and wait until its module replaced the loading note."""

    reader.console_errors.clear()  # only what the report page itself logs counts
    reader.page.goto(reader.server.url + path)
    expect(reader.page.locator("main.report > .loading")).to_have_count(0)


def charts(reader: Tablet) -> Locator:
    return reader.page.locator("main.report figure.chart-figure")


@pytest.fixture(scope="module")
def reports_server(server: Server) -> Server:
    """The shared server, plus a token for organizer1 (district trends are for organizers
    and analysts). The session server keeps its data directory beside its log."""
    env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(server.log.parent)}
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    token = _cli(env, "token", "organizer1").strip().splitlines()[-1].strip()
    return dataclasses.replace(server, tokens={**server.tokens, "organizer1": token})


def test_a_team_member_reads_the_debrief_page_with_every_section_and_the_visits_data(
    tablet: Callable[..., Tablet], server: Server
) -> None:

    me = server.get("/api/me", "coach1")
    assert any(v["id"] == str(CURRENT_VISIT) and v["relation"] == "team" for v in me["visits"])
    coach = tablet("coach1").sign_in()
    debrief: dict[str, Any] = server.get(f"/api/visits/{CURRENT_VISIT}/debrief", "coach1")
    sections = {section["kind"]: section for section in debrief["sections"]}
    open_report(coach, DEBRIEF)
    page = coach.page

    expect(page.locator("main.report h1")).to_have_text(
        f"Debrief agenda · {debrief['school']['name']}")
    expect(page.locator("main.report")).to_contain_text(f"Focus: {debrief['focus']}")
    titles: dict[str, str] = page.evaluate(SECTION_TITLES)
    assert set(titles) == set(sections), "every section the API sends has a title"
    rendered = page.locator("main.report section[data-kind]")
    assert rendered.evaluate_all("els => els.map((e) => e.dataset.kind)") == list(sections)
    expect(rendered.locator(":scope > h2")).to_have_text(
        [f"{n}. {titles[kind]}" for n, kind in enumerate(sections, start=1)])

    def section(kind: str) -> Locator:
        return page.locator(f"main.report section[data-kind={kind}]")

    # Progress on the previous visit's agreed plan: its steps, statuses, latest rates.
    steps = sections["progress"]["steps"]
    assert steps, "the demo's earlier Lincoln plan has agreed steps"
    expect(section("progress").locator(".step-text")).to_have_text([s["text"] for s in steps])
    for step, card in zip(steps, section("progress").locator("li.step").all(), strict=True):
        expect(card.locator(f".status-{step['status']}")).to_have_text(humanize(step["status"]))
        expect(card.locator(".status-overdue")).to_have_count(int(step["overdue"]))
        progress = (step["latest_check_in"] or {}).get("progress")
        if isinstance(progress, float | int):
            expect(card.locator(".check-in")).to_contain_text(percent(progress))
    assert any(isinstance((s["latest_check_in"] or {}).get("progress"), float) for s in steps)
    assert sections["school_update"]["text"]
    expect(section("school_update")).to_contain_text(sections["school_update"]["text"])
    expect(section("check_ins").locator("li")).to_have_count(
        len(sections["check_ins"]["schedule"]))

    # Trends across rooms: a card per recorded look-for, as in the app, and the server's
    # bar chart.
    items = sections["trends"]["items"]
    shown_items = [i for i in items if i["rooms_observed"] > 0 or sum(i["counts"].values()) > 0]
    cards = section("trends").locator(".trend-list > li")
    expect(cards.locator(":scope > h3")).to_have_text([i["prompt"] for i in shown_items])
    expect(cards.locator(".seen-in")).to_have_text([i["seen_in"] for i in shown_items])
    chart = section("trends").locator("figure.chart-figure svg")
    expect(chart).to_have_count(1)
    shown = chart.text_content() or ""
    assert shown == chart_text(server, f"/api/visits/{CURRENT_VISIT}/debrief/chart.svg",
                               "coach1")
    rates = [percent(i["rate"]) for i in items if i["rate"] is not None]
    for rate in rates:
        assert rate in shown
    if not rates:
        assert "Nothing observed yet." in shown
    assert coach.console_errors == []


def test_the_host_reads_the_school_trends_page_with_its_chart(
    tablet: Callable[..., Tablet], server: Server
) -> None:

    school_id = server.get(f"/api/visits/{CURRENT_VISIT}/debrief", "host1")["school"]["id"]
    host = tablet("host1").sign_in()
    trends: dict[str, Any] = server.get(f"/api/schools/{school_id}/trends", "host1")
    assert trends["visits"], "the demo observed Lincoln Middle before"
    open_report(host, school_trends(school_id))

    expect(host.page.locator("main.report h1")).to_have_text(
        f"Look-for trends · {trends['school_name']}")
    visits = host.page.locator("main.report > ul > li")
    expect(visits).to_have_count(len(trends["visits"]))
    for visit, row in zip(trends["visits"], visits.all(), strict=True):
        expect(row.locator(":scope > a")).to_have_attribute(
            "href", f"/reports/visits/{visit['visit_id']}/debrief")
        count = visit["rooms"]
        expect(row).to_contain_text(f"· {count} {'room' if count == 1 else 'rooms'} ·")
    expect(charts(host)).to_have_count(1)
    expect(charts(host).locator("svg")).to_have_count(1)
    assert charts(host).locator("svg").text_content() == chart_text(
        server, f"/api/schools/{school_id}/trends/chart.svg", "host1")
    expect(charts(host).locator("svg > title")).to_have_text(
        f"{trends['school_name']}: look-for rates, visit by visit")
    assert host.console_errors == []


def test_an_organizer_reads_the_district_trends_page_with_both_charts(
    tablet: Callable[..., Tablet], reports_server: Server
) -> None:

    organizer = tablet("organizer1")
    organizer.server = reports_server  # the one that knows organizer1's token
    organizer.sign_in()
    trends: dict[str, Any] = reports_server.get("/api/trends", "organizer1")
    assert trends["periods"]
    assert trends["look_fors"]
    open_report(organizer, DISTRICT_TRENDS)

    expect(organizer.page.locator("main.report h1")).to_have_text("District look-for trends")
    expect(organizer.page.locator("main.report .reminder")).to_contain_text(
        f"fewer than {trends['min_cell']} classrooms")
    expect(charts(organizer)).to_have_count(2)
    expect(charts(organizer).locator("svg")).to_have_count(2)
    for figure, path in zip(charts(organizer).all(),
                            ["/api/trends/chart.svg", "/api/trends/chart.svg?chart=lines"],
                            strict=True):
        assert figure.locator("svg").text_content() == chart_text(reports_server, path,
                                                                  "organizer1")
    expect(organizer.page.locator("main.report section.look-for > h2")).to_have_text(
        [item["prompt"] for item in trends["look_fors"]])
    suppressed = sum(cell["suppressed"] for item in trends["look_fors"]
                     for cell in item["district"])
    district = organizer.page.locator(
        "main.report section.look-for table:has(caption:text-is('District'))")
    expect(district).to_have_count(len(trends["look_fors"]))
    expect(district.locator("td.suppressed")).to_have_text(["suppressed"] * suppressed)
    assert organizer.console_errors == []


@pytest.mark.parametrize("path", [DEBRIEF, school_trends("lincoln-middle"), DISTRICT_TRENDS])
def test_without_a_token_a_report_page_asks_to_sign_in_and_reads_nothing(
    tablet: Callable[..., Tablet], path: str
) -> None:

    stranger = tablet("coach1")  # a fresh context: nothing in localStorage
    api_calls: list[str] = []

    def on_request(request: Request) -> None:
        if "/api/" in request.url:
            api_calls.append(request.url)

    stranger.page.on("request", on_request)
    open_report(stranger, path)

    expect(stranger.page.locator("main.report h1")).to_have_text("Sign in first")
    link = stranger.page.get_by_role("link", name="Open the app and sign in")
    expect(link).to_have_attribute("href", "/")
    assert api_calls == []
    assert stranger.console_errors == []
