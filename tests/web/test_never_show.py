"""Each claim of "what this system can never show" against the running system: every
claim the page makes has a test here that tries what it says cannot happen, and a
claim without a test fails `test_every_claim_is_tried`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pyarrow.parquet as pq
import pytest
from starlette.testclient import TestClient

from projections.event_log import last_position
from projections.export import PSEUDONYMISED, export_parquet
from tests.builders import batch, enter, event
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_VISIT, PEOPLE

Headers = dict[str, dict[str, str]]
Fresh = Callable[[dict[str, str]], dict[str, str]]  # tests/conftest.py after_writes
NAMES = [person.name for person in PEOPLE]
USER_IDS = {person.user_id for person in PEOPLE}
TRIED: dict[str, Callable[..., None]] = {}


def tries(claim: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(test: Callable[..., None]) -> Callable[..., None]:
        TRIED[claim] = test
        return test

    return register


def page(client: TestClient, auth: Headers, user: str = "coach3") -> dict[str, Any]:
    response = client.get("/api/never-show", headers=auth[user])
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def claim(client: TestClient, auth: Headers, claim_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in page(client, auth)["claims"]
                                   if c["id"] == claim_id]
    assert len(found) == 1
    assert found[0]["holds"] is True, found
    return found[0]


def sync(client: TestClient, auth: Headers, user: str, *events: dict[str, Any]) -> list[Any]:
    response = client.post("/api/sync", headers=auth[user], json=batch(*events))
    assert response.status_code == 200, response.text
    results: list[Any] = response.json()["results"]
    return results


def stored_bytes(services: Services) -> bytes:
    """Everything the SQLite store holds on disk (the database and its write-ahead log)."""
    path = services.settings.sqlite_path
    found = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert found
    return found


def test_every_claim_is_tried(client: TestClient, auth: Headers) -> None:
    assert {c["id"] for c in page(client, auth)["claims"]} == set(TRIED)


def test_anyone_signed_in_opens_it_and_nobody_else(client: TestClient, auth: Headers) -> None:
    for user in ("coach1", "host2", "organizer1", "analyst1"):
        assert client.get("/api/never-show", headers=auth[user]).status_code == 200
    assert client.get("/api/never-show").status_code == 401


@tries("no_teacher_field")
def test_no_teacher_field(client: TestClient, auth: Headers, demo: Services) -> None:
    claim(client, auth, "no_teacher_field")
    fields = {f for e in page(client, auth)["events"] for f in e["fields"]}
    assert not [f for f in fields if "teacher" in f]
    before = last_position(demo.app)
    room = enter(CURRENT_VISIT, room=f"c-{uuid4().hex[:6]}")
    room["data"]["teacher"] = "Avery Quill"
    (result,) = sync(client, auth, "coach1", room)
    assert result["status"] == "rejected"
    assert last_position(demo.app) == before


@tries("names_refused")
def test_names_refused(client: TestClient, auth: Headers, demo: Services) -> None:
    claim(client, auth, "names_refused")
    room = f"c-{uuid4().hex[:6]}"
    sync(client, auth, "coach1", enter(CURRENT_VISIT, room=room))
    before = last_position(demo.app)
    (result,) = sync(client, auth, "coach1", event(CURRENT_VISIT, "EvidenceNoted", {
        "classroom_id": room, "text": "Ms. Quill asked six students to explain"}))
    assert result["error"]["code"] == "names_a_person"
    assert last_position(demo.app) == before


@tries("roster_write_only")
def test_roster_write_only(client: TestClient, auth: Headers, demo: Services) -> None:
    claim(client, auth, "roster_write_only")
    route = "/api/schools/lincoln-middle/staff-names"
    put = client.put(route, headers=auth["organizer1"], json={"names": ["Zebulon Quarrington"]})
    assert put.status_code < 300, put.text
    for user in ("organizer1", "host1", "analyst1"):
        assert client.get(route, headers=auth[user]).status_code in (403, 405)
    assert b"quarrington" not in stored_bytes(demo).lower()
    # and the roster does its work: the name is refused in a note
    room = f"c-{uuid4().hex[:6]}"
    sync(client, auth, "coach1", enter(CURRENT_VISIT, room=room))
    (result,) = sync(client, auth, "coach1", event(CURRENT_VISIT, "EvidenceNoted", {
        "classroom_id": room, "text": "Quarrington's class worked in pairs"}))
    assert result["error"]["code"] == "names_a_person"


@tries("min_rooms")
def test_min_rooms(client: TestClient, auth: Headers, started_visit: str,
                   after_writes: Fresh) -> None:
    found = claim(client, auth, "min_rooms")
    minimum = page(client, auth)["min_rooms"]
    assert f"fewer than {minimum} rooms" in found["statement"]
    rooms = [f"c-{n}" for n in range(minimum - 1)]
    sync(client, auth, "coach1", *[e for room in rooms for e in (
        enter(started_visit, room=room),
        event(started_visit, "LookForObserved",
              {"classroom_id": room, "item": "cfu", "value": "yes"}))])
    summary = client.get(f"/api/visits/{started_visit}/summary",
                         headers=after_writes(auth["organizer1"]))
    (cfu,) = [i for i in summary.json()["items"] if i["key"] == "cfu"]
    assert (cfu["suppressed"], cfu["rate"], cfu["counts"]) == (True, None, {})


@tries("analysts_no_names")
def test_analysts_no_names(client: TestClient, auth: Headers) -> None:
    claim(client, auth, "analysts_no_names")
    analyst = auth["analyst1"]
    assert client.get("/api/people", headers=analyst).status_code == 403
    assert client.get("/api/events?limit=1000&include_text=true",
                      headers=analyst).status_code == 403
    assert client.get(f"/api/visits/{CURRENT_VISIT}", headers=analyst).status_code == 404
    log = client.get("/api/events?limit=1000", headers=analyst)
    assert log.status_code == 200
    for name in NAMES:
        assert name not in log.text
    assert not [user for user in USER_IDS if f'"{user}"' in log.text]


@tries("export_pseudonymised")
def test_export_pseudonymised(client: TestClient, auth: Headers, demo: Services,
                              tmp_path: Path) -> None:
    found = page(client, auth)
    claim(client, auth, "export_pseudonymised")
    export_parquet(demo.app, demo.pseudonyms, tmp_path, after=0,
                   until=last_position(demo.app), include_text=False)
    listed = {t["name"]: t for t in found["exports"]}
    assert {p.name for p in tmp_path.glob("*.parquet")} == set(listed)
    for file in tmp_path.glob("*.parquet"):
        table = pq.read_table(file)
        assert table.schema.names == listed[file.name]["columns"]
        assert not [c for c in table.schema.names if "teacher" in c]
        for column in PSEUDONYMISED.get(file.stem, ()):
            values = {v for v in table.column(column).to_pylist() if v is not None}
            assert all(v[:2] in ("p_", "d_", "c_", "g_", "t_") for v in values), column
        cells = {v for column in table.columns for v in column.to_pylist()
                 if isinstance(v, str)}
        assert not cells & (set(NAMES) | USER_IDS), file.name


@tries("pairs_private")
def test_pairs_private(client: TestClient, auth: Headers) -> None:
    claim(client, auth, "pairs_private")
    route = "/api/calibration/pairs/coach1/coach2"
    assert client.get(route, headers=auth["coach1"]).status_code == 200
    assert client.get("/api/calibration/pairs/coach2/coach1",
                      headers=auth["coach2"]).status_code == 200
    for user in ("organizer1", "coach3", "host1", "analyst1"):
        assert client.get(route, headers=auth[user]).status_code == 404, user
    own = client.get("/api/calibration/pairs", headers=auth["coach3"]).json()
    assert {c["id"] for pair in own["pairs"] for c in pair["coaches"]} <= {"coach3", "coach4"}


@tries("refusals_counted_not_kept")
def test_refusals_counted_not_kept(client: TestClient, auth: Headers, demo: Services) -> None:
    claim(client, auth, "refusals_counted_not_kept")

    def counted() -> dict[str, int]:
        return {c["code"]: c["this_term"] for c in page(client, auth)["refusals"]["counts"]}

    before = counted()
    room = f"c-{uuid4().hex[:6]}"
    sync(client, auth, "coach1", enter(CURRENT_VISIT, room=room))
    secret = "Mr. Wobblesworth explained the target"
    for _ in range(2):
        (result,) = sync(client, auth, "coach1", event(CURRENT_VISIT, "EvidenceNoted", {
            "classroom_id": room, "text": secret}))
        assert result["error"]["code"] == "names_a_person"
    assert client.get(f"/api/visits/{uuid4()}", headers=auth["coach1"]).status_code == 404
    after = counted()
    assert after.get("names_a_person", 0) == before.get("names_a_person", 0) + 2
    assert after.get("visit_not_found", 0) == before.get("visit_not_found", 0) + 1
    # an accepted note is on disk as written: the search below would find a refused one
    (kept,) = sync(client, auth, "coach1", event(CURRENT_VISIT, "EvidenceNoted", {
        "classroom_id": room, "text": "Six of twenty used wobbleboards to explain"}))
    assert kept["status"] == "accepted"
    on_disk = stored_bytes(demo).lower()
    assert b"wobbleboards" in on_disk
    assert b"wobblesworth" not in on_disk
    assert "Wobblesworth" not in str(page(client, auth))


@pytest.mark.parametrize("rule", ["may_see_pair", "may_see_team", "may_read_free_text"])
def test_who_reads_what_comes_from_the_access_module(client: TestClient, auth: Headers,
                                                     rule: str) -> None:
    rules = {r["rule"]: r["says"] for r in page(client, auth)["read_rules"]}
    assert rules[rule]
    routes = {(r["method"], r["path"]): r["who"] for r in page(client, auth)["routes"]}
    assert routes[("GET", "/api/calibration/district")] == "organizer or analyst"
    assert routes[("GET", "/api/never-show")] == "anyone signed in"
