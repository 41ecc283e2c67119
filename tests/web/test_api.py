"""The HTTP edge: status codes and error bodies, auth and scoping, through the ASGI app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, get_args

import pytest
from starlette.testclient import TestClient

from tests.builders import batch, enter, tap
from tests.conftest import FakeClock
from walkthrough.access import Capability
from web.app import create_app
from web.composition.bootstrap import Services
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, JEFFERSON_VISIT, PAST_VISIT

Headers = dict[str, dict[str, str]]
VISIT = str(CURRENT_VISIT)


def error_code(response: Any) -> str:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return str(body["error"]["code"])


def test_health_openapi_docs_and_the_app_shell_need_no_token(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert {"/api/sync", "/api/me", "/api/visits/{visit_id}/summary",
            "/api/visits/{visit_id}/debrief"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("path", ["/api/me", f"/api/visits/{VISIT}",
                                  f"/api/visits/{VISIT}/summary",
                                  f"/api/visits/{VISIT}/debrief", "/api/catalogs/1",
                                  "/api/nowhere"])
def test_every_api_route_needs_a_token(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"
    bad = client.get(path, headers={"Authorization": "Bearer wt_forged"})
    assert bad.status_code == 401


def test_sync_needs_a_token(client: TestClient) -> None:
    response = client.post("/api/sync", json=batch(enter(VISIT)))
    assert response.status_code == 401


def test_an_expired_token_says_so(client: TestClient, demo: Services,
                                  clock: FakeClock) -> None:
    token = demo.tokens.issue("coach1", clock(), ttl=timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert error_code(response) == "token_expired"


def test_a_revoked_token_is_refused(client: TestClient, demo: Services,
                                    clock: FakeClock) -> None:
    token = demo.tokens.issue("coach1", clock())
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).is_success
    demo.tokens.revoke_all("coach1", clock())
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401


def test_me_lists_the_coachs_visits(client: TestClient, auth: Headers) -> None:
    me = client.get("/api/me", headers=auth["coach1"]).json()
    assert me["user"]["id"] == "coach1"
    visits = {v["id"]: v for v in me["visits"]}
    assert visits[VISIT]["phase"] == "observation"
    assert visits[VISIT]["school"]["name"] == "Lincoln Middle"
    assert str(JEFFERSON_VISIT) not in visits
    other = client.get("/api/me", headers=auth["coach3"]).json()
    assert VISIT not in {v["id"] for v in other["visits"]}


@pytest.mark.parametrize("suffix", ["", "/summary", "/debrief"])
def test_reads_are_scoped_to_team_host_and_organizers(client: TestClient, auth: Headers,
                                                      suffix: str) -> None:
    path = f"/api/visits/{VISIT}{suffix}"
    for user in ("coach1", "coach2", "host1", "organizer1"):
        assert client.get(path, headers=auth[user]).status_code == 200, user
    for user in ("coach3", "host2", "analyst1"):
        response = client.get(path, headers=auth[user])
        assert response.status_code == 404, user
        assert error_code(response) == "visit_not_found"
    assert client.get(f"/api/visits/not-a-uuid{suffix}", headers=auth["organizer1"]
                      ).status_code == 404


def test_a_classrooms_taps_sync_and_show_in_the_summary(client: TestClient, auth: Headers,
                                                        started_visit: str) -> None:
    visit = started_visit
    events = []
    for room, (cfu, on_task) in {"c-a": ("yes", 18), "c-b": ("no", 12),
                                 "c-c": ("yes", 24)}.items():
        events += [enter(visit, room=room), tap(visit, "cfu", cfu, room=room),
                   tap(visit, "on_task", on_task, room=room)]
    events.append(tap(visit, "target_posted", "not_observed", room="c-a"))
    response = client.post("/api/sync", headers=auth["coach1"], json=batch(*events))
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["accepted"] * 10
    assert response.headers["cache-control"] == "no-store"
    summary = client.get(f"/api/visits/{visit}/summary", headers=auth["coach1"]).json()
    items = {item["key"]: item for item in summary["items"]}
    assert summary["rooms"] == 3
    assert items["cfu"]["counts"] == {"yes": 2, "no": 1, "not_observed": 0}
    assert items["cfu"]["rate"] == 0.667
    assert items["on_task"]["rate"] == 0.75  # the mean share of students present
    # observed in no room (not observed is not "no"): no figure at all
    assert items["target_posted"]["suppressed"] is True
    assert (items["target_posted"]["counts"], items["target_posted"]["rate"]) == ({}, None)


def test_the_debrief_has_the_seven_sections_in_order(client: TestClient,
                                                     auth: Headers) -> None:
    debrief = client.get(f"/api/visits/{PAST_VISIT}/debrief", headers=auth["host1"]).json()
    assert [s["kind"] for s in debrief["sections"]] == [
        "progress", "school_update", "bright_spots", "trends", "root_causes", "next_steps",
        "check_ins"]
    trends = debrief["sections"][3]
    assert any(item["rooms_observed"] > 0 for item in trends["items"])
    assert debrief["sections"][1]["text"]


def test_the_visit_carries_its_catalog_for_offline_capture(client: TestClient,
                                                           auth: Headers) -> None:
    visit = client.get(f"/api/visits/{VISIT}", headers=auth["coach1"]).json()
    assert visit["catalog_version"] == 1
    assert visit["can_capture"] is True
    assert {i["key"] for i in visit["catalog"]["items"]} >= {"cfu", "on_task", "rigor"}
    assert client.get(f"/api/visits/{VISIT}", headers=auth["host1"]).json()[
        "can_capture"] is False


@pytest.mark.parametrize(("body", "status", "code"), [
    (b"not json", 400, "bad_request"),
    (b"\xff\xfe\x00", 400, "bad_request"),
    (b"", 400, "bad_request"),
    (b"[]", 422, "invalid_request"),
    (b'{"device_id": "t1"}', 422, "invalid_request"),
    (b'{"device_id": "t1", "events": {}}', 422, "invalid_request"),
    (b'{"device_id": "t1", "events": [], "teacher": "x"}', 422, "invalid_request"),
    (b'{"device_id": "", "events": []}', 422, "invalid_request"),
    (b'{"device_id": 7, "events": []}', 422, "invalid_request"),
])
def test_whole_request_errors(client: TestClient, auth: Headers, body: bytes, status: int,
                              code: str) -> None:
    response = client.post("/api/sync", headers=auth["coach1"], content=body)
    assert response.status_code == status
    assert error_code(response) == code


@pytest.fixture
def small_client(demo: Services) -> Iterator[TestClient]:
    demo.settings = Settings(data_dir=demo.settings.data_dir, max_body_bytes=2048,
                             max_batch_events=3)
    with TestClient(create_app(services=demo)) as test_client:
        yield test_client


def test_too_many_events_is_422(small_client: TestClient, auth: Headers) -> None:
    events = [tap(VISIT, "cfu", "yes") for _ in range(4)]
    response = small_client.post("/api/sync", headers=auth["coach1"], json=batch(*events))
    assert response.status_code == 422
    assert error_code(response) == "batch_too_large"


def test_a_body_over_the_limit_is_413_and_stores_nothing(small_client: TestClient,
                                                         auth: Headers, demo: Services) -> None:
    before = demo.app.recorder.max_notification_id()
    room = enter(VISIT, label="x" * 10)
    room["data"]["label"] = "Room A"
    big = batch(room, tap(VISIT, "students_doing", "y" * 1900))
    response = small_client.post("/api/sync", headers=auth["coach1"], json=big)
    assert response.status_code == 413
    assert error_code(response) == "payload_too_large"

    def chunks() -> Iterator[bytes]:
        yield b'{"device_id": "t1", "events": ['
        for _ in range(10):
            yield b'{"padding": "' + b"z" * 400 + b'"},'
        yield b"{}]}"

    chunked = small_client.post("/api/sync", headers=auth["coach1"], content=chunks())
    assert chunked.status_code == 413
    assert demo.app.recorder.max_notification_id() == before


def test_per_event_problems_are_per_event_results(client: TestClient, auth: Headers) -> None:
    response = client.post("/api/sync", headers=auth["coach1"], json={
        "device_id": "tablet-1",
        "events": [enter(VISIT), 42, {"id": "x"},
                   {**tap(VISIT, "cfu", "yes"), "data": {"classroom_id": "c-room-a",
                                                         "item": "cfu", "value": "yes",
                                                         "teacher": "Ms Smith"}},
                   tap(VISIT, "cfu", "yes")]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "rejected",
                                              "accepted"]
    assert "teacher" in results[3]["error"]["message"]


def test_unknown_api_route_is_a_json_404(client: TestClient, auth: Headers) -> None:
    response = client.get("/api/nowhere", headers=auth["coach1"])
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_wrong_method_is_a_json_405(client: TestClient, auth: Headers) -> None:
    response = client.get("/api/sync", headers=auth["coach1"])
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"


def test_pages_carry_security_headers(client: TestClient) -> None:
    response = client.get("/health")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_me_says_what_the_caller_may_do_from_the_access_rules(client: TestClient,
                                                              auth: Headers) -> None:
    can = {user: client.get("/api/me", headers=auth[user]).json()["can"]
           for user in ("coach3", "host1", "organizer1", "analyst1")}
    assert can["analyst1"] == ["see_district_trends", "read_log", "calibrate"]
    assert "see_own_school" in can["host1"]
    assert "keep_people" not in can["host1"]
    assert "compare_with_teammates" in can["coach3"]
    assert "read_log" not in can["coach3"]
    assert {"plan_visits", "keep_people", "publish_catalogs", "read_free_text",
            "see_every_visit"} <= set(can["organizer1"])
    spec = client.get("/openapi.json").json()
    listed = spec["components"]["schemas"]["Me"]["properties"]["can"]["items"]["enum"]
    assert set(listed) == set(get_args(Capability))  # a typed list in the description


def test_an_organizer_adds_a_teacher_leader_who_keeps_that_role(
        client: TestClient, auth: dict[str, dict[str, str]], demo: Services) -> None:
    """Every role survives the person form (a teacher-leader alone was once stored with
    no role, which the read models could not decode)."""
    added = client.post("/api/people", headers=auth["organizer1"], json={
        "name": "Quinn Harper", "roles": ["teacher_leader"], "school_id": "lincoln-middle"})
    assert added.status_code == 201, added.text
    user_id = added.json()["id"]
    assert demo.app.actor(user_id).roles == ("teacher_leader",)
    demo.projector.catch_up()  # the stored event reads back
    people = client.get("/api/people", headers=auth["organizer1"]).json()["people"]
    assert next(p for p in people if p["id"] == user_id)["roles"] == ["teacher_leader"]
