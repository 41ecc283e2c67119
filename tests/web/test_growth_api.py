"""The growth record over HTTP, on the demo: what the administrator, a peer and an
organizer each see; the district's view with the pulse minimum; sessions offered;
leadership catalogs numbered apart from classroom ones."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from projections.growth_view import pulse_cells
from tests.builders import batch, event
from tests.conftest import NOW
from walkthrough.district import growth_id
from walkthrough.events import PulseAnswered, PulseScores
from walkthrough.growth import MIN_PULSE_PEOPLE, Growth, Recorded
from web.demo.district import PAST_VISIT

Headers = dict[str, dict[str, str]]
Fresh = Callable[[dict[str, str]], dict[str, str]]  # tests/conftest.py after_writes
HOST1 = str(growth_id("host1"))


def test_the_administrator_sees_their_semester(client: TestClient, auth: Headers) -> None:
    record = client.get("/api/people/host1/growth", headers=auth["host1"]).json()
    assert record["relation"] == "self"
    assert record["record_id"] == HOST1
    goals = {g["goal_id"]: g for g in record["goals"]}
    assert set(goals) == {"act-on-cfu", "student-talk"}
    (adjusted,) = goals["act-on-cfu"]["steps"]
    assert adjusted["text"] != adjusted["original"]["text"]  # original kept beside it
    (change,) = adjusted["adjustments"]
    assert {c["field"] for c in change["changes"]} == {"text", "due"}
    assert change["reason"].startswith("Grade 6 PLC")
    assert record["plan_adjustments"] == adjusted["adjustments"]
    observations = record["leadership_observations"]["observations"]
    assert [o["observation_id"] for o in observations] == ["plc-1", "plc-2"]
    second = {seen["item"]: seen for seen in observations[1]["look_fors"]}
    assert second["questions_not_answers"]["differed"] is True
    assert second["teachers_talk"] == {**second["teachers_talk"], "value": "yes",
                                       "observers": 2, "differed": False}
    meetings = [e for e in record["support_log"] if e["kind"] == "coaching_meeting"]
    assert [m["data_point"]["value"] for m in meetings] == [0.48, 0.55, 0.61, 0.66]
    dates = [e["date"] for e in record["support_log"]]
    assert dates == sorted(dates)
    assert {e["kind"] for e in record["support_log"]} >= {"call", "text",
                                                         "spontaneous_debrief"}
    pulse = record["pulse"]
    assert pulse["shown"] is True
    assert [a["moment"] for a in pulse["answers"]] == ["start", "middle", "end"]
    sessions = {s["session_id"]: s["attended"] for s in record["learning_sessions"]}
    assert sessions == {"data-conversations": True, "talk-structures": False}


def test_goals_link_the_plan_steps_of_visits_the_administrator_hosted(
        client: TestClient, auth: Headers) -> None:
    record = client.get("/api/people/host1/growth", headers=auth["coach1"]).json()
    linkable = {(s["visit_id"], s["step_id"]): s for s in record["linkable_steps"]}
    past = str(PAST_VISIT)
    assert set(linkable) == {(past, "exit-tickets"), (past, "talk-protocol")}
    assert linkable[(past, "exit-tickets")]["status"] == "at_risk"  # its latest check-in
    goals = {g["goal_id"]: g for g in record["goals"]}
    (linked,) = goals["act-on-cfu"]["plan_steps"]
    assert linked == linkable[(past, "exit-tickets")]  # with its text and status
    # coach1 hosted no visit: nothing to link on their own record
    assert client.get("/api/people/coach1/growth",
                      headers=auth["coach1"]).json()["linkable_steps"] == []


def test_a_peer_sees_the_record_but_never_the_pulse(client: TestClient, auth: Headers) -> None:
    record = client.get("/api/people/host1/growth", headers=auth["coach1"]).json()
    assert record["relation"] == "peer"
    assert record["pulse"]["shown"] is False
    assert record["pulse"]["answers"] == []
    assert "at least 5 people" in record["pulse"]["why"]
    organizer = client.get("/api/people/host1/growth", headers=auth["organizer1"]).json()
    assert organizer["relation"] == "organizer"
    assert organizer["pulse"]["answers"] == []
    assert client.get("/api/people/host1/growth", headers=auth["coach4"]).status_code == 404


def test_a_tablet_writes_the_record_through_sync(client: TestClient, auth: Headers) -> None:
    at = NOW - timedelta(minutes=5)
    entry = event(HOST1, "SupportLogged", {
        "entry_id": "hallway", "date": at.date().isoformat(), "kind": "spontaneous_debrief",
        "line": "Five minutes after the grade 8 PLC.",
        "data_point": {"measure": "Grade 8 exit tickets at mastery", "value": 0.5}}, at=at)
    answer = client.post("/api/sync", headers=auth["coach1"], json=batch(entry))
    assert answer.json()["results"][0]["status"] == "accepted", answer.text
    again = client.post("/api/sync", headers=auth["coach1"], json=batch(entry))
    assert again.json()["results"][0]["status"] == "duplicate"
    record = client.get("/api/people/host1/growth", headers=auth["host1"]).json()
    logged = [e for e in record["support_log"] if e["entry_id"] == "hallway"]
    assert logged == [{"entry_id": "hallway", "date": at.date().isoformat(),
                       "kind": "spontaneous_debrief",
                       "line": "Five minutes after the grade 8 PLC.",
                       "data_point": {"measure": "Grade 8 exit tickets at mastery",
                                      "value": 0.5},
                       "by": {"id": "coach1", "name": "Dana Reyes"}}]


def test_me_lists_the_records_a_caller_may_open(client: TestClient, auth: Headers) -> None:
    coach1 = client.get("/api/me", headers=auth["coach1"]).json()["growth_records"]
    assert [(r["user_id"], r["relation"]) for r in coach1] == [("coach1", "self"),
                                                              ("host1", "peer")]
    assert client.get("/api/me", headers=auth["organizer1"]).json()["growth_records"] == []


def test_organizers_see_what_the_district_should_offer(client: TestClient,
                                                       auth: Headers) -> None:
    district = client.get("/api/growth", headers=auth["organizer1"]).json()
    assert district["areas"][0]["area"] == "cfu"  # a goal, a request and an inventory
    assert district["areas"][0]["requests"] == 1
    cells = {c["moment"]: c for c in district["pulse"]}
    assert cells["start"]["people"] == 5
    assert cells["start"]["suppressed"] is False
    assert cells["middle"]["means"]["self_efficacy"] > cells["start"]["means"]["self_efficacy"]
    assert cells["end"] == {"moment": "end", "suppressed": True, "people": None, "means": None}
    attended = {s["session_id"]: s["attended"] for s in district["sessions"]}
    assert attended == {"data-conversations": 1, "talk-structures": 0}


def test_an_organizer_offers_a_session_once_per_key(client: TestClient, auth: Headers) -> None:
    headers = {**auth["organizer1"], "Idempotency-Key": str(uuid.uuid4())}
    form = {"title": "Feedback conversations that teachers act on", "date": "2026-12-15",
            "areas": ["cfu", "student_talk"]}
    first = client.post("/api/learning-sessions", headers=headers, json=form)
    assert first.status_code == 201, first.text
    again = client.post("/api/learning-sessions", headers=headers, json=form)
    assert again.json()["event_id"] == first.json()["event_id"]
    offered = client.get("/api/growth", headers=auth["organizer1"]).json()["sessions"]
    assert [s["title"] for s in offered].count(form["title"]) == 1
    bad = client.post("/api/learning-sessions", headers=auth["organizer1"],
                      json={**form, "areas": ["not_a_look_for"]})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "unknown_item"


def test_leadership_catalogs_number_their_own_versions(client: TestClient, auth: Headers,
                                                       after_writes: Fresh) -> None:
    listed = client.get("/api/catalogs/leadership", headers=auth["coach1"]).json()
    assert [c["version"] for c in listed["catalogs"]] == [1]
    one = client.get("/api/catalogs/leadership/1", headers=auth["coach1"]).json()
    assert "teachers_talk" in {item["key"] for item in one["items"]}
    classroom_before = client.get("/api/catalogs", headers=auth["coach1"]).json()
    published = client.post("/api/catalogs", headers=auth["organizer1"], json={
        "kind": "leadership", "items": [*one["items"], {
            "key": "celebrates", "prompt": "Opens by celebrating progress", "kind": "yes_no"}]})
    assert published.status_code == 201, published.text
    assert published.json()["data"]["version"] == 2
    two = client.get("/api/catalogs/leadership/2", headers=after_writes(auth["coach1"])).json()
    assert two["items"][-1]["key"] == "celebrates"
    assert client.get("/api/catalogs", headers=auth["coach1"]).json() == classroom_before
    assert client.get("/api/catalogs/2", headers=auth["coach1"]).status_code == 404


def _person(number: int, moments: list[str]) -> Growth:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    scores = PulseScores(self_efficacy=3, isolation=3, partnership_value=3,
                         focus_confidence=3, protected_time=3)
    pulses = {("p", m): (PulseAnswered(partnership_id="p", moment=m, scores=scores),  # type: ignore[arg-type]
                         Recorded(by=f"u{number}", at=at)) for m in moments}
    return Growth(id=growth_id(f"u{number}"), version=len(moments) + 1, owner=f"u{number}",
                  pulses=pulses)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sets(st.sampled_from(["start", "middle", "end"])), max_size=12))
def test_no_pulse_aggregate_comes_from_fewer_than_five_people(
        answered: list[set[str]]) -> None:
    records = [_person(n, sorted(moments)) for n, moments in enumerate(answered)]
    for cell in pulse_cells(records):
        people = sum(cell.moment in moments for moments in answered)
        if people < MIN_PULSE_PEOPLE:
            assert cell.suppressed
            assert cell.people is None
            assert cell.means is None
        else:
            assert not cell.suppressed
            assert cell.people == people
            assert cell.means is not None
            assert cell.means["isolation"] == 3
