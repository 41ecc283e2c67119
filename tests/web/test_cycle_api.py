"""The visit cycle through the API, on the demo district: preparation and matching,
phases, the action plan and its check-ins, the debrief agenda (progress first),
trends with suppression, charts and pages, and who may see what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from starlette.testclient import TestClient

from tests.builders import batch, enter, event, tap
from tests.conftest import NOW
from web.app import create_app
from web.composition.bootstrap import Services
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, PAST_VISIT

Headers = dict[str, dict[str, str]]
Fresh = Callable[[dict[str, str]], dict[str, str]]  # tests/conftest.py after_writes
VISIT = str(CURRENT_VISIT)
TODAY = NOW.date()


def sync(client: TestClient, user: dict[str, str], *events: dict[str, Any]) -> list[Any]:
    response = client.post("/api/sync", headers=user, json=batch(*events))
    assert response.status_code == 200, response.text
    return [(r["status"], r.get("error", {}).get("code")) for r in response.json()["results"]]


def next_step(step_id: str, visit: str = VISIT, days: int = 28) -> dict[str, Any]:
    return event(visit, "NextStepProposed", {
        "step_id": step_id, "text": f"Step {step_id}", "owner": "Morgan Blake",
        "due": (TODAY + timedelta(days=days)).isoformat(),
        "success": "Exit tickets in 4 of 5 math rooms"})


def sections(client: TestClient, user: dict[str, str], visit: str = VISIT) -> dict[str, Any]:
    response = client.get(f"/api/visits/{visit}/debrief", headers=user)
    assert response.status_code == 200, response.text
    return {s["kind"]: s for s in response.json()["sections"]}


def phase(client: TestClient, user: dict[str, str], visit: str = VISIT) -> str:
    return str(client.get(f"/api/visits/{visit}", headers=user).json()["phase"])


# --- preparation ----------------------------------------------------------------------


def test_an_organizer_assesses_needs_gets_matches_and_forms_a_partnership(
        client: TestClient, auth: Headers) -> None:
    org = auth["organizer1"]
    response = client.post("/api/schools/adams-middle/needs-assessment", headers=org,
                           json={"focus_areas": ["cfu", "student_talk"],
                                 "notes": "Math lessons move on without checking."})
    assert response.status_code == 201, response.text
    assert response.json()["type"] == "NeedsAssessmentRecorded"
    response = client.post("/api/people/coach2/skill-inventory", headers=org,
                           json={"role": "principal", "strengths": ["grouping"],
                                 "growth_areas": ["cfu"]})
    assert response.status_code == 201
    matches = client.get("/api/schools/adams-middle/matches", headers=org).json()
    ranked = [m["user_id"] for m in matches["matches"]]
    assert ranked[0] == "coach1"  # principal, cfu + target...; another campus
    assert "coach2" not in ranked  # the school's own administrator
    assert all(m["role"] == "principal" for m in matches["matches"])
    assert matches["matches"][0]["reason"]
    assert "coach4" not in ranked  # an assistant principal: another role
    aps = client.get("/api/schools/adams-middle/matches?role=assistant_principal",
                     headers=org).json()
    assert [m["user_id"] for m in aps["matches"]] == ["coach4"]
    formed = client.post("/api/partnerships", headers=org, json={
        "partnership_id": "llp-adams-roosevelt", "kind": "leadership_learning",
        "members": ["coach2", "coach1"], "starts": TODAY.isoformat()})
    assert formed.status_code == 201, formed.text
    again = client.post("/api/partnerships", headers=org, json={
        "partnership_id": "llp-adams-roosevelt", "kind": "leadership_learning",
        "members": ["coach2", "coach3"], "starts": TODAY.isoformat()})
    assert again.status_code == 409
    listed = {p["partnership_id"]: p for p in
              client.get("/api/partnerships", headers=org).json()["partnerships"]}
    assert listed["llp-adams-roosevelt"]["cadence"] == "bi-weekly"
    cfg = listed["cfg-talk"]
    assert cfg["cadence"] == "monthly"
    assert [m["facilitator"] for m in cfg["next_meetings"]][:2] != [None, None]
    mine = client.get("/api/partnerships", headers=auth["coach3"]).json()["partnerships"]
    assert [p["partnership_id"] for p in mine] == ["cfg-talk"]


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"partnership_id": "p", "kind": "leadership_learning",
      "members": ["coach1", "coach2", "coach3"], "starts": "2026-12-01"},
     422, "invalid_partnership"),
    ({"partnership_id": "p", "kind": "leadership_learning", "members": ["coach1", "coach4"],
      "starts": "2026-12-01"}, 422, "same_campus"),
    ({"partnership_id": "p", "kind": "critical_friends", "members": ["coach1", "coach2"],
      "starts": "2026-12-01"}, 422, "invalid_partnership"),
    ({"partnership_id": "p", "kind": "book_club", "members": ["coach1", "coach2"],
      "starts": "2026-12-01"}, 422, "invalid_request"),
])
def test_partnerships_keep_their_shape(client: TestClient, auth: Headers,
                                       body: dict[str, Any], status: int, code: str) -> None:
    response = client.post("/api/partnerships", headers=auth["organizer1"], json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/schools/lincoln-middle/needs-assessment", {"focus_areas": ["cfu"]}),
    # someone else's inventory (a leader fills in their own: test_partnership_meetings)
    ("post", "/api/people/host2/skill-inventory", {"role": "principal"}),
    ("post", "/api/partnerships", {"partnership_id": "p", "kind": "leadership_learning",
                                   "members": ["coach1", "coach2"], "starts": "2026-12-01"}),
    ("get", "/api/schools/lincoln-middle/matches", None),
    ("get", "/api/preparation", None),
    ("post", "/api/catalogs", {"items": [{"key": "x", "prompt": "X", "kind": "yes_no"}]}),
])
def test_preparation_is_for_organizers(client: TestClient, auth: Headers, method: str,
                                       path: str, body: dict[str, Any] | None) -> None:
    for user in ("host1", "coach1", "analyst1"):
        response = client.request(method.upper(), path, headers=auth[user], json=body)
        assert response.status_code == 403, (user, response.text)
        assert response.json()["error"]["code"] == "forbidden"
    assert client.request(method.upper(), path, json=body).status_code == 401


def test_a_needs_assessment_names_look_fors(client: TestClient, auth: Headers) -> None:
    response = client.post("/api/schools/lincoln-middle/needs-assessment",
                           headers=auth["organizer1"], json={"focus_areas": ["charisma"]})
    assert response.status_code == 422
    response = client.post("/api/schools/lincoln-middle/needs-assessment",
                           headers=auth["organizer1"],
                           json={"focus_areas": ["cfu"], "teacher": "Ms Smith"})
    assert response.status_code == 422
    assert "teacher" in response.json()["error"]["message"]


def test_the_demo_district_is_prepared(client: TestClient, auth: Headers) -> None:
    prepared = client.get("/api/preparation", headers=auth["organizer1"]).json()
    assert {n["school_id"] for n in prepared["needs_assessments"]} >= {"lincoln-middle"}
    assert len(prepared["skill_inventories"]) >= 5
    matches = client.get("/api/schools/lincoln-middle/matches",
                         headers=auth["organizer1"]).json()["matches"]
    assert matches[0]["user_id"] == "coach1"
    assert "focus areas of Lincoln Middle" in matches[0]["reason"]


# --- planning and phases --------------------------------------------------------------


def plan(team: list[str], school: str = "lincoln-middle", host: str = "host1",
         version: int = 1) -> tuple[str, dict[str, Any]]:
    visit_id = str(uuid4())
    return visit_id, event(visit_id, "VisitPlanned", {
        "school_id": school, "host": host, "team": team, "focus": "Checking for "
        "understanding", "catalog_version": version, "date": TODAY.isoformat()})


def test_planning_keeps_the_team_off_the_host_campus(client: TestClient,
                                                     auth: Headers) -> None:
    org = auth["organizer1"]
    _, from_host_school = plan(["coach1", "host1"])
    _, with_roosevelt_host = plan(["coach2", "host3"], school="roosevelt-middle",
                                  host="host3")
    _, alone = plan(["coach1"])
    _, too_many = plan(["coach1", "coach2", "coach3", "coach4", "host2"])
    _, good = plan(["coach3", "coach4"])
    assert sync(client, org, from_host_school, with_roosevelt_host, alone, too_many, good) == [
        ("rejected", "invalid_team"), ("rejected", "invalid_team"),
        ("rejected", "invalid_team"), ("rejected", "invalid_event"), ("accepted", None)]
    _, peer_from_host_school = plan(["coach1", "coach4"], school="roosevelt-middle",
                                    host="host3")
    assert sync(client, org, peer_from_host_school) == [("rejected", "team_from_host_school")]


def test_a_visit_moves_through_its_phases_only_forward(client: TestClient, auth: Headers,
                                                       after_writes: Fresh) -> None:
    org, host, coach = auth["organizer1"], auth["host1"], auth["coach1"]
    visit_id, planned = plan(["coach1", "coach2"])
    assert sync(client, org, planned) == [("accepted", None)]
    assert phase(client, after_writes(org), visit_id) == "preparation"
    assert sync(client, host, event(visit_id, "VisitStarted", {})) == [
        ("rejected", "teachers_not_notified")]
    assert sync(client, host, event(visit_id, "TeachersNotified", {}),
                event(visit_id, "VisitStarted", {})) == [("accepted", None)] * 2
    assert phase(client, after_writes(org), visit_id) == "observation"
    assert sync(client, host, event(visit_id, "VisitClosed", {}),
                next_step("s1", visit_id)) == [("rejected", "invalid_phase")] * 2
    assert sync(client, coach, enter(visit_id), event(visit_id, "DebriefStarted", {})) == [
        ("accepted", None)] * 2
    assert phase(client, after_writes(org), visit_id) == "analysis"
    assert sync(client, coach, next_step("s1", visit_id)) == [("accepted", None)]
    assert sync(client, host, event(visit_id, "ActionPlanAgreed", {"step_ids": ["s1"]})) == [
        ("accepted", None)]
    assert phase(client, after_writes(org), visit_id) == "support"
    assert sync(client, host, event(visit_id, "CheckInRecorded",
                                    {"step_id": "s1", "status": "done", "progress": 1}),
                event(visit_id, "VisitClosed", {})) == [("accepted", None)] * 2
    assert phase(client, after_writes(org), visit_id) == "closed"
    assert sync(client, host, event(visit_id, "CheckInRecorded",
                                    {"step_id": "s1", "status": "done"})) == [
        ("rejected", "visit_closed")]


# --- the debrief and the action plan ----------------------------------------------


def test_the_debrief_opens_with_progress_on_the_previous_plan(client: TestClient,
                                                              auth: Headers) -> None:
    debrief = client.get(f"/api/visits/{VISIT}/debrief", headers=auth["host1"]).json()
    assert debrief["sections"][0]["kind"] == "progress"
    progress = debrief["sections"][0]
    steps = {s["step_id"]: s for s in progress["steps"]}
    assert set(steps) == {"exit-tickets", "talk-protocol"}
    assert all(s["visit_id"] == str(PAST_VISIT) for s in steps.values())
    assert steps["exit-tickets"]["overdue"] is True
    assert steps["exit-tickets"]["status"] == "at_risk"
    assert steps["exit-tickets"]["latest_check_in"]["note"].startswith("Testing weeks")
    assert steps["talk-protocol"]["overdue"] is False
    assert steps["talk-protocol"]["latest_check_in"]["progress"] == 0.5
    assert progress["counts"]["overdue"] == 1
    # the past visit itself has no earlier plan: its progress section is empty, not absent
    past = sections(client, auth["host1"], str(PAST_VISIT))
    assert past["progress"]["steps"] == []
    assert len(past["root_causes"]["noted"]) == 2
    assert [s["step_id"] for s in past["next_steps"]["steps"]] == ["exit-tickets",
                                                                   "talk-protocol"]
    assert past["next_steps"]["agreed"] is True


def test_the_debrief_fills_from_the_teams_work(client: TestClient, auth: Headers,
                                              started_visit: str, after_writes: Fresh) -> None:
    coach, host, visit = auth["coach1"], auth["host1"], started_visit
    rooms = [(enter(visit, room=room), tap(visit, "cfu", "yes", room=room),
              tap(visit, "student_talk", "no", room=room)) for room in ("c-a", "c-b", "c-c")]
    statuses = sync(client, coach, *[e for room in rooms for e in room],
                    event(visit, "DebriefStarted", {}),
                    event(visit, "RootCauseNoted", {"text": "Talk protocols are new.",
                                                    "item": "student_talk"}),
                    next_step("s1", visit), next_step("s2", visit), next_step("s3", visit))
    assert statuses[:-1] == [("accepted", None)] * 13
    assert statuses[-1] == ("rejected", "too_many_steps")
    agenda = sections(client, after_writes(host), visit)
    assert [s["step_id"] for s in agenda["next_steps"]["steps"]] == ["s1", "s2"]
    assert agenda["root_causes"]["noted"][0]["text"] == "Talk protocols are new."
    assert agenda["root_causes"]["prompts"][0]["key"] == "student_talk"
    assert [b["key"] for b in agenda["bright_spots"]["items"]] == ["cfu"]
    assert agenda["progress"]["steps"]  # still first, still there
    assert sync(client, host, event(visit, "NextStepWithdrawn", {"step_id": "s2"}),
                next_step("s3", visit),
                event(visit, "ActionPlanAgreed", {"step_ids": ["s1", "s3"]})) == [
        ("accepted", None)] * 3
    agenda = sections(client, host, visit)
    assert agenda["next_steps"]["agreed"] is True
    assert [s["step_id"] for s in agenda["next_steps"]["steps"]] == ["s1", "s3"]
    assert len(agenda["check_ins"]["schedule"]) == 4


def test_hosts_see_their_open_steps_and_what_is_overdue(client: TestClient,
                                                        auth: Headers) -> None:
    plans = client.get("/api/action-plans", headers=auth["host1"]).json()
    assert plans["school_id"] == "lincoln-middle"
    assert {s["step_id"] for s in plans["steps"]} == {"exit-tickets", "talk-protocol"}
    assert [s["step_id"] for s in plans["overdue"]] == ["exit-tickets"]
    assert {s["school_id"] for s in plans["steps"]} == {"lincoln-middle"}
    talk = next(s for s in plans["steps"] if s["step_id"] == "talk-protocol")
    assert talk["next_check_in"] > TODAY.isoformat()
    # a check-in marks the exit-ticket step done: it leaves the open steps
    assert sync(client, auth["host1"], event(PAST_VISIT, "CheckInRecorded", {
        "step_id": "exit-tickets", "status": "done", "progress": "5 of 5 rooms",
        "note": "Back on track after testing."})) == [("accepted", None)]
    plans = client.get("/api/action-plans", headers=auth["host1"]).json()
    assert [s["step_id"] for s in plans["steps"]] == ["talk-protocol"]
    assert plans["overdue"] == []


def test_action_plans_are_scoped(client: TestClient, auth: Headers) -> None:
    district = client.get("/api/action-plans", headers=auth["organizer1"]).json()
    assert district["school_id"] is None
    assert {s["school_id"] for s in district["steps"]} == {"lincoln-middle"}
    other = client.get("/api/action-plans", headers=auth["host2"]).json()
    assert other["steps"] == []  # Jefferson's own plans only
    assert client.get("/api/action-plans?school_id=lincoln-middle",
                      headers=auth["host2"]).status_code == 403
    for user in ("coach1", "analyst1"):
        assert client.get("/api/action-plans", headers=auth[user]).status_code == 403


def test_the_host_organizers_and_the_visits_coaches_check_in(client: TestClient,
                                                              auth: Headers) -> None:
    check_in = {"step_id": "exit-tickets", "status": "on_track"}
    assert sync(client, auth["host2"], event(PAST_VISIT, "CheckInRecorded", check_in)) == [
        ("rejected", "forbidden")]
    assert sync(client, auth["coach3"], event(PAST_VISIT, "CheckInRecorded", check_in)) == [
        ("rejected", "forbidden")]
    assert sync(client, auth["coach1"], event(PAST_VISIT, "CheckInRecorded", check_in)) == [
        ("accepted", None)]
    assert sync(client, auth["host1"], event(PAST_VISIT, "CheckInRecorded",
                                             {**check_in, "step_id": "nope"})) == [
        ("rejected", "unknown_step")]


# --- trends -------------------------------------------------------------------------


def test_school_trends_go_visit_by_visit(client: TestClient, auth: Headers,
                                         started_visit: str, after_writes: Fresh) -> None:
    visit = started_visit  # a visit of its own, with no room yet
    trends = client.get("/api/schools/lincoln-middle/trends", headers=auth["host1"]).json()
    assert trends["visits"][0]["visit_id"] == str(PAST_VISIT)
    assert {v["visit_id"] for v in trends["visits"]} == {str(PAST_VISIT), str(CURRENT_VISIT)}
    assert trends["visits"][0]["next_steps"]
    keys = [s["key"] for s in trends["series"]]
    assert "cfu" in keys
    assert "engagement" not in keys  # a scale has no rate
    # today's visit: cfu yes in one room, a retracted no, and a not-observed room
    retracted = tap(visit, "cfu", "no", room="c-b")
    assert {s for s, _ in sync(
        client, auth["coach1"], enter(visit, room="c-a"), tap(visit, "cfu", "yes", room="c-a"),
        enter(visit, room="c-b"), retracted,
        event(visit, "ObservationRetracted", {"event_id": retracted["id"], "reason": "undo"}),
        enter(visit, room="c-c"), tap(visit, "cfu", "not_observed", room="c-c"))} == {
        "accepted"}
    trends = client.get("/api/schools/lincoln-middle/trends",
                        headers=after_writes(auth["host1"])).json()
    cfu = next(s for s in trends["series"] if s["key"] == "cfu")
    points = {p["visit_id"]: p for p in cfu["points"]}
    assert cfu["points"][0]["visit_id"] == str(PAST_VISIT)  # visit by visit, by date
    assert set(points) == {str(PAST_VISIT), str(CURRENT_VISIT), visit}
    # one room observed: no rate, so no figure points at one teacher
    assert points[visit] == {"visit_id": visit, "date": TODAY.isoformat(), "rate": None,
                             "rooms_observed": 1, "suppressed": True, "rooms_rated": 1,
                             "figure": "fewer than 3 rooms: no figure"}
    # two more rooms where cfu was seen (c-b's withdrawn "no" still does not count)
    assert {s for s, _ in sync(
        client, auth["coach1"], tap(visit, "cfu", "yes", room="c-c"),
        enter(visit, room="c-d"), tap(visit, "cfu", "yes", room="c-d"))} == {"accepted"}
    trends = client.get("/api/schools/lincoln-middle/trends",
                        headers=after_writes(auth["host1"])).json()
    cfu = next(s for s in trends["series"] if s["key"] == "cfu")
    point = next(p for p in cfu["points"] if p["visit_id"] == visit)
    assert (point["rate"], point["rooms_observed"], point["rooms_rated"]) == (1.0, 3, 3)
    assert point["figure"] == "100% (3 rooms)"


def test_school_trends_are_scoped(client: TestClient, auth: Headers) -> None:
    path = "/api/schools/lincoln-middle/trends"
    assert client.get(path, headers=auth["organizer1"]).status_code == 200
    for user in ("host2", "coach1", "analyst1"):
        response = client.get(path, headers=auth[user])
        assert response.status_code == 403, user
    assert client.get("/api/schools/nowhere/trends",
                      headers=auth["organizer1"]).status_code == 404
    assert client.get(path + "/chart.svg", headers=auth["host2"]).status_code == 403


def all_cells(trends: dict[str, Any]) -> list[dict[str, Any]]:
    return [cell for item in trends["look_fors"]
            for cells in [item["district"], *item["by_level"].values(),
                          *item["by_grade_band"].values()]
            for cell in cells]


def test_district_trends_suppress_small_cells(client: TestClient, auth: Headers) -> None:
    trends = client.get("/api/trends", headers=auth["analyst1"]).json()
    assert trends["min_cell"] == 5
    assert trends["periods"] == ["2026-Q3", "2026-Q4"]
    cells = all_cells(trends)
    shown = [c for c in cells if not c["suppressed"]]
    hidden = [c for c in cells if c["suppressed"]]
    assert shown
    assert hidden
    assert all(c["classrooms"] >= 5 and c["rate"] is not None for c in shown)
    assert all(c["classrooms"] is None and c["rate"] is None for c in hidden)
    cfu = next(i for i in trends["look_fors"] if i["key"] == "cfu")
    assert set(cfu["by_level"]) == {"middle", "elementary"}
    assert set(cfu["by_grade_band"]) == {"6-8", "3-5"}


def test_the_minimum_cell_is_configurable_but_never_below_three(
        demo: Services, auth: Headers) -> None:
    for configured, effective in ((3, 3), (1, 3), (40, 40)):
        demo.settings = Settings(data_dir=demo.settings.data_dir, min_cell=configured)
        with TestClient(create_app(services=demo)) as client:
            trends = client.get("/api/trends", headers=auth["organizer1"]).json()
        assert trends["min_cell"] == effective
        if effective == 40:
            assert all(c["suppressed"] for c in all_cells(trends))
        else:
            assert all(c["classrooms"] >= 3 for c in all_cells(trends) if not c["suppressed"])
    assert Settings.from_env({"WALKTHROUGH_MIN_CELL": "2"}).min_cell == 3
    assert Settings.from_env({}).min_cell == 5


def test_district_trends_are_for_organizers_and_analysts(client: TestClient,
                                                         auth: Headers) -> None:
    for user in ("host1", "coach1"):
        assert client.get("/api/trends", headers=auth[user]).status_code == 403
        assert client.get("/api/trends/chart.svg", headers=auth[user]).status_code == 403


# --- catalogs -----------------------------------------------------------------------


def test_a_published_catalog_version_is_used_by_new_visits_only(client: TestClient,
                                                                auth: Headers) -> None:
    org = auth["organizer1"]
    v1 = client.get("/api/catalogs/1", headers=org).json()
    items = [*v1["items"], {"key": "exit_ticket_used", "prompt": "Exit ticket used",
                            "kind": "yes_no"}]
    response = client.post("/api/catalogs", headers=org, json={"items": items})
    assert response.status_code == 201, response.text
    assert response.json()["data"]["version"] == 2
    assert [c["version"] for c in client.get("/api/catalogs", headers=org).json()[
        "catalogs"]] == [1, 2]
    assert "exit_ticket_used" in {i["key"] for i in client.get(
        "/api/catalogs/2", headers=org).json()["items"]}
    visit_id, planned = plan(["coach1", "coach2"], version=2)
    assert sync(client, org, planned, event(visit_id, "TeachersNotified", {}),
                event(visit_id, "VisitStarted", {})) == [("accepted", None)] * 3
    assert sync(client, auth["coach1"], enter(visit_id),
                tap(visit_id, "exit_ticket_used", "yes")) == [("accepted", None)] * 2
    # the visit in progress keeps version 1
    assert sync(client, auth["coach1"], enter(VISIT),
                tap(VISIT, "exit_ticket_used", "yes")) == [
        ("accepted", None), ("rejected", "unknown_item")]
    assert client.get(f"/api/visits/{VISIT}", headers=org).json()["catalog_version"] == 1
    bad = client.post("/api/catalogs", headers=org, json={"items": [
        {"key": "x", "prompt": "X", "kind": "choice", "options": ["only"]}]})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_catalog"


# --- charts, pages, description -------------------------------------------------------


@pytest.mark.parametrize(("user", "path"), [
    ("host1", "/api/schools/lincoln-middle/trends/chart.svg"),
    ("analyst1", "/api/trends/chart.svg"),
    ("organizer1", "/api/trends/chart.svg?chart=lines"),
    ("host1", f"/api/visits/{PAST_VISIT}/debrief/chart.svg"),
])
def test_charts_are_svg_with_their_numbers_as_text(client: TestClient, auth: Headers,
                                                   user: str, path: str) -> None:
    response = client.get(path, headers=auth[user])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = response.text
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "<script" not in svg
    assert "style=" not in svg
    assert "<style" not in svg
    assert "%" in svg


def test_the_district_chart_draws_suppressed_cells_as_words(client: TestClient,
                                                            auth: Headers,
                                                            demo: Services) -> None:
    demo.settings = Settings(data_dir=demo.settings.data_dir, min_cell=50)
    with TestClient(create_app(services=demo)) as big:
        svg = big.get("/api/trends/chart.svg", headers=auth["organizer1"]).text
    assert "suppressed" in svg
    assert "%" not in svg.replace("0%", "").replace("50%", "").replace("100%", "")


@pytest.mark.parametrize("path", [f"/reports/visits/{VISIT}/debrief",
                                  "/reports/schools/lincoln-middle/trends",
                                  "/reports/trends"])
def test_report_pages_are_shells_without_inline_code(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<script type="module" src="/static/js/pages/' in page
    assert "<style" not in page
    assert "style=" not in page
    assert "Lincoln" not in page  # no data in the shell: it is fetched with the token


def test_openapi_describes_the_cycle_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/action-plans", "/api/trends", "/api/schools/{school_id}/trends",
                 "/api/schools/{school_id}/matches", "/api/partnerships", "/api/catalogs",
                 "/api/schools/{school_id}/needs-assessment",
                 "/api/people/{user_id}/skill-inventory"):
        assert path in paths, path
    assert "post" in paths["/api/partnerships"]
