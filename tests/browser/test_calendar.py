"""The school calendar in the app: an organizer enters winter break, plans a visit on a
Saturday (the form warns, the organizer confirms) and one on a school day; the host's
check-ins skip the break; everyone has a private feed to subscribe to."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import unique
from walkthrough.school_calendar import Closure, SchoolCalendar

pytestmark = pytest.mark.browser


def next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def plan(organizer: Tablet, day: date, focus: str) -> None:
    organizer.page.goto(organizer.server.url + "/schools/lincoln-middle/matches")
    for coach in ("coach1", "coach2"):
        organizer.by(f"pick-{coach}").check()
    organizer.by("visit-date").fill(day.isoformat())
    organizer.by("visit-time").fill("09:15")
    organizer.by("visit-focus").fill(focus)
    organizer.by("plan-visit").click()


def test_breaks_warn_the_planner_and_move_the_check_ins(tablet: Callable[..., Tablet],
                                                       server: Server) -> None:
    today = datetime.now(UTC).date()
    # Winter break over the current visit's second and third check-in weeks.
    winter = Closure(start=today + timedelta(days=13), end=today + timedelta(days=22),
                     label="Winter break")
    organizer = tablet("organizer1").sign_in_by_link()
    organizer.by("calendar-link").click()
    expect(organizer.by("closure-list")).to_contain_text("No breaks entered yet")
    organizer.by("closure-start").fill(winter.start.isoformat())
    organizer.by("closure-end").fill(winter.end.isoformat())
    organizer.by("closure-label").fill(winter.label)
    organizer.by("add-closure").click()
    expect(organizer.by("calendar-unsaved")).to_be_visible()
    organizer.by("save-calendar").click()
    expect(organizer.by("flash")).to_have_text("School calendar saved.")
    assert server.get("/api/calendar", "coach1")["closures"] == [
        {"start": winter.start.isoformat(), "end": winter.end.isoformat(),
         "label": "Winter break"}]

    saturday = next_weekday(today, 5)
    focus = unique("Saturday academy: student talk")
    plan(organizer, saturday, focus)
    expect(organizer.by("visit-day-warning")).to_contain_text("weekend")
    assert focus not in str(server.get("/api/me", "organizer1"))  # nothing planned yet
    organizer.by("visit-confirm-day").check()
    organizer.by("plan-visit").click()
    expect(organizer.by("notify-card")).to_be_visible()

    tuesday = next_weekday(today, 1)
    weekday_focus = unique("Student talk in grades 6-8")
    plan(organizer, tuesday, weekday_focus)
    expect(organizer.by("notify-card")).to_be_visible()  # no warning on a school day
    planned = {v["focus"]: v for v in server.get("/api/me", "organizer1")["visits"]}
    assert planned[focus]["date"] == saturday.isoformat()
    assert planned[weekday_focus]["date"] == tuesday.isoformat()
    assert planned[weekday_focus]["starts_at"] == "09:15:00"

    host = tablet("host1").sign_in_by_link()
    host.page.goto(f"{server.url}/visits/{server.visit_id}/debrief")
    schedule = host.by("check-in-schedule").locator("li")
    expect(schedule).to_have_count(4)
    shown = [date.fromisoformat(schedule.nth(n).get_attribute("data-due") or "")
             for n in range(4)]
    expected = SchoolCalendar(closures=(winter,)).check_in_days(today)
    assert shown == expected
    assert not any(winter.covers(day) or day.weekday() >= 5 for day in shown)

    host.page.goto(server.url + "/")
    url = host.by("calendar-url").input_value()
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/calendar")
        assert f"visit-{server.visit_id}@walkthrough".encode() in response.read()
    for device in (organizer, host):
        assert device.console_errors == [], device.console_errors
