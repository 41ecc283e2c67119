"""Organizers' forms sent again by a tablet's outbox: with `Idempotency-Key`, a retry of
the same request answers what the first one recorded and records nothing twice; the
same key with another request is a 409. Without the header nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from starlette.testclient import TestClient

from walkthrough.district import DISTRICT_ID
from web.composition.bootstrap import Services

Headers = dict[str, dict[str, str]]

FORMS: list[tuple[str, Callable[[], dict[str, Any]], Callable[[], dict[str, Any]]]] = [
    ("/api/schools/adams-middle/needs-assessment",
     lambda: {"focus_areas": ["cfu"], "notes": "Math lessons move on without checking."},
     lambda: {"focus_areas": ["student_talk"]}),
    ("/api/people/coach2/skill-inventory",
     lambda: {"role": "principal", "strengths": ["grouping"], "growth_areas": ["cfu"]},
     lambda: {"role": "principal", "strengths": ["cfu"]}),
    ("/api/partnerships",
     lambda: {"partnership_id": "llp-idem", "kind": "leadership_learning",
              "members": ["coach2", "host2"], "starts": "2026-12-01",
              "focus": "Exit tickets"},
     lambda: {"partnership_id": "llp-idem-2", "kind": "leadership_learning",
              "members": ["coach2", "host2"], "starts": "2026-12-01"}),
    ("/api/partnerships/llp-lincoln-roosevelt/meetings",
     lambda: {"meeting_id": "m-idem", "date": "2027-01-15", "next_steps": [
         {"step_id": "s1", "text": "Share exit tickets", "owner": "Morgan Blake",
          "due": "2027-01-29", "success": "Both schools bring ten"}]},
     lambda: {"meeting_id": "m-idem-2", "date": "2027-01-15", "next_steps": [
         {"step_id": "s1", "text": "Share", "owner": "Morgan Blake",
          "due": "2027-01-29", "success": "Ten"}]}),
    ("/api/catalogs",
     lambda: {"items": [{"key": "exit_ticket", "prompt": "Exit ticket used",
                         "kind": "yes_no"}], "notes": "Exit tickets"},
     lambda: {"items": [{"key": "exit_ticket", "prompt": "Exit ticket", "kind": "note"}]}),
]


def district_events(services: Services) -> int:
    return len(list(services.app.events.get(DISTRICT_ID)))


@pytest.mark.parametrize(("path", "body", "other"), FORMS, ids=[f[0] for f in FORMS])
def test_a_retry_with_the_same_key_answers_the_same_and_records_once(
        client: TestClient, auth: Headers, demo: Services, path: str,
        body: Callable[[], dict[str, Any]], other: Callable[[], dict[str, Any]]) -> None:
    key = str(uuid4())
    headers = {**auth["organizer1"], "Idempotency-Key": key}
    before = district_events(demo)
    first = client.post(path, headers=headers, json=body())
    assert first.status_code == 201, first.text
    assert first.json()["event_id"] == key  # the key is the event's id
    # The same request again, its JSON keys in another order: the same answer.
    reordered = dict(reversed(list(body().items())))
    again = client.post(path, headers=headers, json=reordered)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert district_events(demo) == before + 1

    refused = client.post(path, headers=headers, json=other())
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "idempotency_conflict"
    assert district_events(demo) == before + 1


def test_a_published_catalog_retried_keeps_its_version(client: TestClient, auth: Headers,
                                                       demo: Services) -> None:
    headers = {**auth["organizer1"], "Idempotency-Key": str(uuid4())}
    body = {"items": [{"key": "exit_ticket", "prompt": "Exit ticket used", "kind": "yes_no"}]}
    first = client.post("/api/catalogs", headers=headers, json=body)
    again = client.post("/api/catalogs", headers=headers, json=body)
    assert first.json()["data"]["version"] == again.json()["data"]["version"] == 2
    versions = [c["version"] for c in client.get("/api/catalogs",
                                                 headers=auth["organizer1"]).json()["catalogs"]]
    assert versions == [1, 2]


def test_the_key_is_scoped_to_the_request_path(client: TestClient, auth: Headers) -> None:
    headers = {**auth["organizer1"], "Idempotency-Key": str(uuid4())}
    body = {"focus_areas": ["cfu"]}
    assert client.post("/api/schools/adams-middle/needs-assessment", headers=headers,
                       json=body).status_code == 201
    refused = client.post("/api/schools/lincoln-middle/needs-assessment", headers=headers,
                          json=body)
    assert refused.status_code == 409


def test_a_refused_request_keeps_no_key(client: TestClient, auth: Headers) -> None:
    """A form the domain refuses is not recorded, so its key is free for a mended one."""
    key = str(uuid4())
    bad = client.post("/api/schools/nowhere/needs-assessment",
                      headers={**auth["organizer1"], "Idempotency-Key": key},
                      json={"focus_areas": ["cfu"]})
    assert bad.status_code == 422
    good = client.post("/api/schools/adams-middle/needs-assessment",
                       headers={**auth["organizer1"], "Idempotency-Key": key},
                       json={"focus_areas": ["cfu"]})
    assert good.status_code == 201


def test_without_a_key_each_request_is_recorded(client: TestClient, auth: Headers,
                                                demo: Services) -> None:
    before = district_events(demo)
    for _ in range(2):
        assert client.post("/api/schools/adams-middle/needs-assessment",
                           headers=auth["organizer1"],
                           json={"focus_areas": ["cfu"]}).status_code == 201
    assert district_events(demo) == before + 2


def test_a_key_that_is_not_a_uuid_is_refused(client: TestClient, auth: Headers) -> None:
    response = client.post("/api/schools/adams-middle/needs-assessment",
                           headers={**auth["organizer1"], "Idempotency-Key": "again"},
                           json={"focus_areas": ["cfu"]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_idempotency_key"


def test_a_sync_event_id_is_not_an_idempotency_key_twice(client: TestClient,
                                                         auth: Headers) -> None:
    """Keys and sync event ids share one namespace: a key already used by a tablet's
    event is another request."""
    key = str(uuid4())
    assert client.post("/api/schools/adams-middle/needs-assessment",
                       headers={**auth["organizer1"], "Idempotency-Key": key},
                       json={"focus_areas": ["cfu"]}).status_code == 201
    response = client.post("/api/sync", headers=auth["organizer1"], json={
        "device_id": "tablet-1", "events": [{
            "id": key, "visit_id": str(uuid4()), "type": "VisitStarted",
            "occurred_at": "2026-11-23T09:00:00Z", "data": {}}]})
    assert response.json()["results"][0]["status"] == "conflict"
