"""The school calendar and people's calendar feeds over HTTP: organizers set the
breaks, the debrief's check-ins skip them, and each person's private feed parses with
two independent iCalendar parsers and holds their visits only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from uuid import uuid4

import icalendar
import vobject
from starlette.testclient import TestClient

from tests.builders import batch, of
from tests.conftest import FakeClock
from walkthrough.events import VisitCancelled, VisitPlanned, VisitRescheduled
from web.demo.district import CURRENT_VISIT
from web.http.freshness import AFTER_HEADER

Fresh = Callable[[dict[str, str]], dict[str, str]]  # tests/conftest.py after_writes
WINTER = {"start": "2026-12-21", "end": "2027-01-01", "label": "Winter break"}


def feed(client: TestClient, headers: dict[str, str]) -> tuple[str, bytes]:
    url = client.get("/api/me", headers=headers).json()["calendar_url"]
    # no bearer token: the secret is in the address (a position asked for is passed on)
    got = client.get(url, headers={k: v for k, v in headers.items() if k == AFTER_HEADER})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/calendar")
    return url, got.content


def uids(document: bytes) -> dict[str, icalendar.cal.Component]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(document).walk("VEVENT")}


def test_organizers_set_the_breaks_and_everyone_reads_them(
        client: TestClient, auth: dict[str, dict[str, str]], after_writes: Fresh) -> None:
    assert client.get("/api/calendar", headers=auth["coach1"]).json()["closures"] == []
    put = client.put("/api/calendar", json={"closures": [WINTER]}, headers=auth["host1"])
    assert put.status_code == 403
    put = client.put("/api/calendar", json={"closures": [WINTER]},
                     headers={**auth["organizer1"], "Idempotency-Key": str(uuid4())})
    assert put.status_code == 201, put.text
    answer = client.get("/api/calendar", headers=after_writes(auth["coach1"])).json()
    assert answer["closures"] == [WINTER]
    assert answer["time_zone"] == "UTC"
    assert answer["weekend"] == ["saturday", "sunday"]


def test_an_icalendar_or_csv_file_is_read_for_review_and_nothing_is_stored(
        client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    csv = "date,end,label\n2026-12-21,2027-01-01,Winter break\n"
    parsed = client.post("/api/calendar/parse", json={"kind": "csv", "text": csv},
                         headers=auth["organizer1"])
    assert parsed.status_code == 200, parsed.text
    assert parsed.json()["closures"] == [WINTER]
    bad = client.post("/api/calendar/parse", json={"kind": "csv", "text": "2026-12-21,later,x"},
                      headers=auth["organizer1"])
    assert bad.status_code == 422
    assert "row 1, column 2" in bad.json()["error"]["message"]
    assert client.get("/api/calendar", headers=auth["coach1"]).json()["closures"] == []


def test_the_debriefs_check_ins_skip_the_break(
        client: TestClient, auth: dict[str, dict[str, str]], clock: FakeClock,
        after_writes: Fresh) -> None:
    today = clock().date()  # Monday 23 November 2026
    closure = {"start": str(today + timedelta(days=14)), "end": str(today + timedelta(days=20)),
               "label": "Thanksgiving break"}
    client.put("/api/calendar", json={"closures": [closure]}, headers=auth["organizer1"])
    debrief = client.get(f"/api/visits/{CURRENT_VISIT}/debrief",
                         headers=after_writes(auth["host1"])).json()
    (check_ins,) = [s for s in debrief["sections"] if s["kind"] == "check_ins"]
    due = [date.fromisoformat(d["due"]) for d in check_ins["schedule"]]
    assert due == [today + timedelta(days=7), today + timedelta(days=21),
                   today + timedelta(days=22), today + timedelta(days=28)]


def test_a_coachs_feed_holds_their_visits_and_parses_with_two_parsers(
        client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    _, coach1 = feed(client, auth["coach1"])
    _, coach3 = feed(client, auth["coach3"])
    current = f"visit-{CURRENT_VISIT}@walkthrough"
    assert current in uids(coach1)  # coach1 is on Lincoln's current visit
    assert current not in uids(coach3)  # coach3 is not
    me = client.get("/api/me", headers=auth["coach1"]).json()
    assert {f"visit-{v['id']}@walkthrough" for v in me["visits"]} == {
        uid for uid in uids(coach1) if uid.startswith("visit-")}
    parsed = vobject.readOne(coach1.decode())  # a second, independent parser
    assert {str(e.uid.value) for e in parsed.vevent_list} == set(uids(coach1))


def test_a_reschedule_raises_the_sequence_and_a_cancellation_stays_cancelled(
        client: TestClient, auth: dict[str, dict[str, str]], clock: FakeClock,
        after_writes: Fresh) -> None:
    visit_id = str(uuid4())
    planned = VisitPlanned(school_id="lincoln-middle", host="host1", team=("coach1", "coach2"),
                           focus="Student talk", catalog_version=1,
                           date=clock().date() + timedelta(days=10), starts_at=time(8, 30),
                           minutes=150)
    sent = client.post("/api/sync", json=batch(of(visit_id, planned)),
                       headers=auth["organizer1"])
    assert sent.json()["results"][0]["status"] == "accepted"
    uid = f"visit-{visit_id}@walkthrough"
    first = uids(feed(client, after_writes(auth["coach1"]))[1])[uid]
    assert first["SEQUENCE"] == 0
    assert first.decoded("DTSTART").time() == time(8, 30)
    assert first.decoded("DTEND") - first.decoded("DTSTART") == timedelta(minutes=150)
    moved = VisitRescheduled(date=clock().date() + timedelta(days=11), starts_at=time(9))
    client.post("/api/sync", json=batch(of(visit_id, moved)), headers=auth["organizer1"])
    second = uids(feed(client, after_writes(auth["coach1"]))[1])[uid]
    assert second["SEQUENCE"] == 1
    assert second.decoded("DTSTART").date() == moved.date
    client.post("/api/sync", json=batch(of(visit_id, VisitCancelled())),
                headers=auth["organizer1"])
    assert uids(feed(client, after_writes(auth["coach1"]))[1])[uid]["STATUS"] == "CANCELLED"


def test_a_reset_feed_address_stops_the_old_one(
        client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    old, _ = feed(client, auth["coach1"])
    reset = client.post("/api/me/calendar-feed/reset", headers=auth["coach1"])
    assert reset.status_code == 201
    new = reset.json()["calendar_url"]
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    other = old.replace("/coach1/", "/coach2/")
    assert client.get(other).status_code == 404  # one person's secret is not another's
