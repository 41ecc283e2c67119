"""Reads never wait on the projector unless the caller asks for its own writes.

A write answers the log position it reached (X-Walkthrough-Position); a read answers
what is projected at once, or, asked for a position (X-Walkthrough-After, or the
caller's own last write through this server), waits for it at most the bound and
says how far the read models got (X-Walkthrough-Projected). The projector is held
behind with the catch-up thread's seam (`Services.catchup.hold`).
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
import pytest
from starlette.testclient import TestClient

from tests.builders import batch, enter, tap
from web.composition.bootstrap import Services
from web.http.freshness import AFTER_HEADER, POSITION_HEADER, PROJECTED_HEADER

pytestmark = pytest.mark.backends("sqlite", "postgres")
Headers = dict[str, dict[str, str]]
NEVER_WAITED = 10.0  # seconds: far below a read that waited for the held projector
LONG_BOUND = 60.0


def observed(client: TestClient, visit: str, headers: dict[str, str]) -> tuple[int, Any]:
    """Rooms where cfu was observed, as the host's summary has it, and the response."""
    response = client.get(f"/api/visits/{visit}/summary", headers=headers)
    assert response.status_code == 200, response.text
    (cfu,) = [i for i in response.json()["items"] if i["key"] == "cfu"]
    return int(cfu["rooms_observed"]), response


def write_a_room(client: TestClient, auth: Headers, visit: str) -> int:
    sent = client.post("/api/sync", headers=auth["coach1"],
                       json=batch(enter(visit, room="c-a"), tap(visit, "cfu", "yes",
                                                                room="c-a")))
    assert [r["status"] for r in sent.json()["results"]] == ["accepted"] * 2, sent.text
    return int(sent.headers[POSITION_HEADER])


def test_a_read_answers_what_is_projected_while_the_projector_is_held(
        client: TestClient, auth: Headers, demo: Services, started_visit: str) -> None:
    demo.settings = msgspec.structs.replace(demo.settings, read_wait_seconds=LONG_BOUND)
    with demo.catchup.hold():
        position = write_a_room(client, auth, started_visit)
        assert position == demo.app.recorder.max_notification_id()
        started = time.monotonic()
        rooms, response = observed(client, started_visit, auth["host1"])
        assert time.monotonic() - started < NEVER_WAITED  # nobody's backlog is waited for
        assert rooms == 0  # what is projected: not the coach's room yet
        assert PROJECTED_HEADER not in response.headers  # nothing was asked for
    rooms, response = observed(client, started_visit,
                               {**auth["host1"], AFTER_HEADER: str(position)})
    assert rooms == 1
    assert int(response.headers[PROJECTED_HEADER]) >= position


def test_a_read_asked_for_a_position_waits_at_most_the_bound_and_says_so(
        client: TestClient, auth: Headers, demo: Services, started_visit: str) -> None:
    demo.settings = msgspec.structs.replace(demo.settings, read_wait_seconds=0.3)
    with demo.catchup.hold():
        position = write_a_room(client, auth, started_visit)
        for headers in ({**auth["host1"], AFTER_HEADER: str(position)},  # asked by header
                        auth["coach1"]):  # the coach's own last write, remembered
            rooms, response = observed(client, started_visit, headers)
            assert rooms == 0  # past the bound: what is there, never an error
            assert int(response.headers[PROJECTED_HEADER]) < position
    rooms, response = observed(client, started_visit, auth["coach1"])
    assert rooms == 1  # the coach reads their own sync without asking
    assert int(response.headers[PROJECTED_HEADER]) >= position


def test_a_position_that_is_not_one_is_refused(client: TestClient, auth: Headers) -> None:
    for bad in ("-1", "soon", "1e3", "\u00b2", str(2**63)):  # "²" is a digit to isdigit
        raw = {name.encode(): value.encode() for name, value in auth["host1"].items()}
        raw[AFTER_HEADER.encode()] = bad.encode("latin-1")
        response = client.get("/api/me", headers=raw)
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "bad_position"
    beyond = client.get("/api/me", headers={**auth["host1"], AFTER_HEADER: str(2**62)})
    assert beyond.status_code == 200  # beyond the log's top: waits for the top only
