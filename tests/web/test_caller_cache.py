"""Tokens resolved a moment ago are not looked up again (web.http.caller_cache), yet a
revoked token and a deactivated person are refused within the stated bound: at once
when this server did it, within CALLER_CACHE_SECONDS when another process did."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.builders import batch
from tests.conftest import FakeClock
from walkthrough.events import PersonDeactivated
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.http.caller_cache import CALLER_CACHE_SECONDS

Headers = dict[str, dict[str, str]]
JUST_UNDER = timedelta(seconds=CALLER_CACHE_SECONDS - 0.1)
PAST_BOUND = timedelta(seconds=0.2)


@pytest.fixture
def elsewhere(settings: Settings, clock: FakeClock, demo: Services) -> Iterator[Services]:
    """Another server process on the same store."""
    other = bootstrap(settings, clock=clock)
    yield other
    other.close()


def sync_status(client: TestClient, headers: dict[str, str]) -> int:
    return client.post("/api/sync", headers=headers, json=batch()).status_code


def test_a_token_revoked_elsewhere_is_refused_within_the_bound(
        client: TestClient, auth: Headers, clock: FakeClock, elsewhere: Services) -> None:
    assert sync_status(client, auth["coach1"]) == 200  # resolved, and now cached
    elsewhere.tokens.revoke_all("coach1", clock())
    clock.advance(JUST_UNDER)
    assert sync_status(client, auth["coach1"]) == 200  # the cache holds it, no look-up
    clock.advance(PAST_BOUND)
    response = client.post("/api/sync", headers=auth["coach1"], json=batch())
    assert response.status_code == 401
    assert sync_status(client, auth["coach2"]) == 200  # nobody else is signed out


def test_a_person_deactivated_elsewhere_is_refused_within_the_bound(
        client: TestClient, auth: Headers, clock: FakeClock, elsewhere: Services) -> None:
    assert sync_status(client, auth["coach1"]) == 200
    # Deactivated by another process, tokens not (yet) revoked: the person is refused.
    elsewhere.app.administer([PersonDeactivated(user_id="coach1")])
    clock.advance(JUST_UNDER)
    assert sync_status(client, auth["coach1"]) == 200
    clock.advance(PAST_BOUND)
    response = client.post("/api/sync", headers=auth["coach1"], json=batch())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "deactivated"


def test_a_deactivation_through_this_server_refuses_the_person_at_once(
        client: TestClient, auth: Headers) -> None:
    assert sync_status(client, auth["coach1"]) == 200
    answer = client.post("/api/people/coach1/deactivate", headers=auth["organizer1"],
                         json={"reason": "left the district"})
    assert answer.status_code == 201, answer.text
    assert sync_status(client, auth["coach1"]) == 401


def test_a_token_is_never_used_past_its_expiry(
        client: TestClient, demo: Services, clock: FakeClock) -> None:
    headers = {"Authorization": "Bearer " + demo.tokens.issue(
        "coach1", clock(), ttl=timedelta(seconds=1))}
    assert sync_status(client, headers) == 200
    clock.advance(timedelta(seconds=1))  # within the cache's bound, at the expiry
    response = client.post("/api/sync", headers=headers, json=batch())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
