"""GET /api/events: the published log over HTTP, paged by position, streamed as NDJSON."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from starlette.testclient import TestClient

from projections.event_log import last_position, read_log
from projections.export import export_ndjson
from tests.builders import batch, event
from walkthrough.events import SchoolUpdateRecorded
from web.composition.bootstrap import Services
from web.demo.district import JEFFERSON_VISIT

Headers = dict[str, dict[str, str]]


def lines(response: Any) -> list[dict[str, Any]]:
    return [msgspec.json.decode(line) for line in response.content.splitlines()]


def next_link(response: Any) -> str | None:
    found = re.fullmatch(r'<(.+)>; rel="next"', response.headers.get("link", ""))
    return found.group(1) if found else None


def test_needs_a_token(client: TestClient) -> None:
    response = client.get("/api/events")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("user", ["coach1", "host1"])
def test_is_for_analysts_and_organizers(client: TestClient, auth: Headers, user: str) -> None:
    response = client.get("/api/events", headers=auth[user])
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("user", ["analyst1", "organizer1"])
def test_pages_cover_the_log_once_in_order(client: TestClient, demo: Services, auth: Headers,
                                           user: str) -> None:
    total = last_position(demo.app)
    url: str | None = "/api/events?limit=25"
    positions: list[int] = []
    while url is not None:
        response = client.get(url, headers=auth[user])
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-log-head"] == str(total)
        page = lines(response)
        assert len(page) <= 25
        positions += [line["position"] for line in page]
        url = next_link(response)
    assert positions == list(range(1, total + 1))
    tail = client.get(f"/api/events?after={total - 3}", headers=auth[user])
    assert [line["position"] for line in lines(tail)] == [total - 2, total - 1, total]
    assert "link" not in tail.headers
    assert client.get(f"/api/events?after={total}", headers=auth[user]).content == b""


def test_the_stream_is_the_export(client: TestClient, demo: Services, auth: Headers,
                                  tmp_path: Path) -> None:
    response = client.get("/api/events?limit=10000", headers=auth["analyst1"])
    export_ndjson(demo.app, demo.pseudonyms, tmp_path / "log.ndjson", after=0,
                  until=last_position(demo.app), include_text=False)
    assert response.content == (tmp_path / "log.ndjson").read_bytes()


def test_free_text_for_organizers_who_ask_only(client: TestClient, demo: Services,
                                               auth: Headers) -> None:
    update = next(e.event.payload.text for e in read_log(demo.app)
                  if isinstance(e.event.payload, SchoolUpdateRecorded))
    plain = client.get("/api/events?limit=10000", headers=auth["organizer1"])
    assert update.encode() not in plain.content
    text = client.get("/api/events?limit=10000&include_text=true", headers=auth["organizer1"])
    assert update.encode() in text.content
    refused = client.get("/api/events?include_text=true", headers=auth["analyst1"])
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "text_not_allowed"
    paged = client.get("/api/events?limit=5&include_text=true", headers=auth["organizer1"])
    assert next_link(paged) == "/api/events?after=5&limit=5&include_text=true"


def test_note_look_fors_are_free_text(client: TestClient, demo: Services,
                                      auth: Headers) -> None:
    room = f"c-{JEFFERSON_VISIT.hex[:8]}-0"
    note = "Pairs compared two fraction strategies on whiteboards."
    sent = client.post("/api/sync", headers=auth["coach3"], json=batch(
        event(JEFFERSON_VISIT, "LookForObserved",
              {"classroom_id": room, "item": "students_doing", "value": note})))
    assert sent.json()["results"][0]["status"] == "accepted", sent.text
    head = last_position(demo.app)
    (line,) = lines(client.get(f"/api/events?after={head - 1}", headers=auth["analyst1"]))
    assert line["data"]["item"] == "students_doing"
    assert "value" not in line["data"]
    assert note.encode() not in msgspec.json.encode(line)
    (line,) = lines(client.get(f"/api/events?after={head - 1}&include_text=1",
                               headers=auth["organizer1"]))
    assert line["data"]["value"] == note


@pytest.mark.parametrize("query", ["after=-1", "after=x", "limit=0", "limit=10001",
                                   "limit=%C2%B2", "include_text=maybe"])
def test_bad_parameters_are_422(client: TestClient, auth: Headers, query: str) -> None:
    response = client.get(f"/api/events?{query}", headers=auth["organizer1"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_query"


def test_described_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/events"]["get"]
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {
        "after", "limit", "include_text"}
    # every signed-in read may ask for its caller's writes by log position (web.http.freshness)
    assert {p["name"] for p in operation["parameters"] if p["in"] == "header"} == {
        "X-Walkthrough-After"}
    assert "application/x-ndjson" in operation["responses"]["200"]["content"]
    summary = spec["paths"]["/api/visits/{visit_id}/summary"]["get"]
    assert "as_of" in {p["name"] for p in summary["parameters"]}
