"""The calibration routes over HTTP: typed answers in /openapi.json, a pair to its two
coaches only, a partnership's report from its visit exchanges."""

from __future__ import annotations

from starlette.testclient import TestClient

from projections.calibration import team_id
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_VISIT

Headers = dict[str, dict[str, str]]


def test_the_routes_are_described_with_their_answers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, schema in [("/api/calibration/teams/{team_id}", "Calibration"),
                         ("/api/calibration/pairs/{first}/{second}", "PairCalibration"),
                         ("/api/calibration/pairs", "Pairs"),
                         ("/api/calibration/district", "Calibration"),
                         ("/api/never-show", "NeverShow")]:
        answer = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert answer["schema"]["$ref"].endswith(f"/{schema}"), (path, answer)


def test_a_pair_is_for_its_two_coaches_only(client: TestClient, auth: Headers) -> None:
    for user in ("coach1", "coach2"):
        answer = client.get("/api/calibration/pairs/coach1/coach2", headers=auth[user])
        assert answer.status_code == 200
        assert {c["id"] for c in answer.json()["coaches"]} == {"coach1", "coach2"}
    # coach1 asking about a pair they are not in, or about themselves twice
    for path in ("/api/calibration/pairs/coach2/coach3", "/api/calibration/pairs/coach1/coach1"):
        refused = client.get(path, headers=auth["coach1"])
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "pair_not_found"
    own = client.get("/api/calibration/pairs", headers=auth["coach1"]).json()
    assert [pair["coaches"][1]["id"] for pair in own["pairs"]] == ["coach2"]


def test_a_team_report_never_carries_pairs_or_rooms(client: TestClient, auth: Headers) -> None:
    report = client.get(f"/api/calibration/teams/{team_id(('coach2', 'coach1'))}",
                        headers=auth["organizer1"])
    assert report.status_code == 200
    assert "pairs" not in report.json()
    rooms = client.get(f"/api/visits/{CURRENT_VISIT}", headers=auth["organizer1"]).json()[
        "classrooms"]
    assert rooms
    for room in rooms:
        for said in (room["label"], *room["ids"]):
            assert f'"{said}"' not in report.text


def test_a_partnership_reads_its_visit_exchanges(client: TestClient, auth: Headers,
                                                 demo: Services) -> None:
    report = client.get("/api/calibration/partnerships/llp-lincoln-roosevelt",
                        headers=auth["host1"])
    assert report.status_code == 200
    answer = report.json()
    assert {m["id"] for m in answer["members"]} == {"host1", "coach1"}
    me = client.get("/api/me", headers=auth["organizer1"]).json()
    hosted = [v for v in me["visits"]
              if client.get(f"/api/visits/{v['id']}", headers=auth["organizer1"]).json()[
                  "host"]["id"] == "host1"
              and "coach1" in {m["id"] for m in client.get(
                  f"/api/visits/{v['id']}", headers=auth["organizer1"]).json()["team"]}]
    assert answer["visits"] == len(hosted) > 0
