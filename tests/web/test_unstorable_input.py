"""Input that can never succeed is a 4xx on both backends, never a 503 that says
"retry": a NUL byte (or bytes that are not UTF-8) in a path or a query is refused at
the edge, before any store sees it."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

pytestmark = pytest.mark.backends("sqlite", "postgres")

Headers = dict[str, dict[str, str]]
NEVER = [
    "/api/schools/%00/trends", "/api/partnerships/%00/agenda",
    "/api/action-plans?school_id=%00", "/api/schools/a%00b/trends",
    "/api/action-plans?school_id=a%00", "/api/visits/%00/summary",
    "/api/people/%00/growth", "/api/schools/%ff%fe/trends", "/api/action-plans?school_id=%C3",
]


def test_a_nul_or_non_utf8_in_a_path_or_query_is_a_400(
    client: TestClient, auth: Headers,
) -> None:
    for user in ("organizer1", "host1", "analyst1"):
        for path in NEVER:
            response = client.get(path, headers=auth[user])
            assert response.status_code == 400, (path, response.text)
            assert response.json()["error"]["code"] == "bad_request"
            assert "retry-after" not in response.headers


def test_ordinary_text_in_a_path_still_reaches_the_route(
    client: TestClient, auth: Headers,
) -> None:
    unknown = client.get("/api/schools/caf%C3%A9/trends", headers=auth["organizer1"])
    assert unknown.status_code == 404
    known = client.get("/api/schools/lincoln-middle/trends", headers=auth["organizer1"])
    assert known.status_code == 200
