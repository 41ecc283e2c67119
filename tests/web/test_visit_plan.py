"""`GET /api/visits/{visit_id}/plan`: one visit's action plan for the people who support
it, with the next weekly check-in; the visit's coaches read it and check in on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from starlette.testclient import TestClient

from tests.builders import batch, event
from tests.conftest import NOW
from web.demo.district import PAST_VISIT

Headers = dict[str, dict[str, str]]
Fresh = Callable[[dict[str, str]], dict[str, str]]
PLAN = f"/api/visits/{PAST_VISIT}/plan"


def test_the_plan_lists_agreed_steps_with_the_next_weekly_check_in(client: TestClient,
                                                                   auth: Headers) -> None:
    plan = client.get(PLAN, headers=auth["coach1"]).json()
    assert plan["phase"] == "support"
    steps = {s["step_id"]: s for s in plan["steps"]}
    assert list(steps) == ["exit-tickets", "talk-protocol"]
    talk = steps["talk-protocol"]
    assert talk["latest_check_in"]["status"] == "on_track"
    last = talk["latest_check_in"]["date"]
    assert talk["next_check_in"] > last
    assert [c["step_id"] for c in plan["check_ins"]][:1] == ["talk-protocol"]  # newest first
    assert len(plan["check_ins"]) == 4


def test_a_coach_of_the_visit_checks_in_and_it_is_the_latest(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    response = client.post("/api/sync", headers=auth["coach2"], json=batch(event(
        PAST_VISIT, "CheckInRecorded", {"step_id": "exit-tickets", "status": "on_track",
                                        "progress": "Met the AP: exit tickets in 3 of 5 rooms",
                                        "note": "Weekly meeting"},
        at=NOW + timedelta(minutes=1))))
    assert response.json()["results"][0]["status"] == "accepted", response.text
    plan = client.get(PLAN, headers=after_writes(auth["host1"])).json()
    exit_tickets = next(s for s in plan["steps"] if s["step_id"] == "exit-tickets")
    assert exit_tickets["latest_check_in"]["by"] == "coach2"
    # the host's "at risk" is not erased by the coach's later "on track" (issue 24): the
    # status is the most cautious judgment, and both are shown
    assert exit_tickets["status"] == "at_risk"
    assert exit_tickets["differs"] is True
    assert {(j["by"], j["status"]) for j in exit_tickets["judgments"]} == {
        ("host1", "at_risk"), ("coach2", "on_track")}
    assert plan["check_ins"][0]["by"] == "coach2"


def test_the_plan_is_for_the_team_the_host_and_organizers(client: TestClient,
                                                          auth: Headers) -> None:
    for user in ("coach1", "coach2", "host1", "organizer1"):
        assert client.get(PLAN, headers=auth[user]).status_code == 200, user
    for user in ("coach3", "host2", "analyst1"):
        assert client.get(PLAN, headers=auth[user]).status_code == 404, user
