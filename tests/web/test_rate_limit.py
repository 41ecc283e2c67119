"""Per-token rate limit on sync: 429 with Retry-After and the JSON error body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.builders import batch, enter
from web.app import create_app
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_VISIT
from web.http.buckets import TokenBuckets

Headers = dict[str, dict[str, str]]


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_the_burst_then_the_rate() -> None:
    clock = FakeMonotonic()
    buckets = TokenBuckets(per_minute=60, burst=3, monotonic=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)
    assert buckets.take("b") == 0.0  # another token has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    clock.now += 3600
    assert [buckets.take("a") for _ in range(4)][-1] > 0  # refills up to the burst only


@pytest.fixture
def limited_client(demo: Services) -> Iterator[TestClient]:
    demo.sync_limit = TokenBuckets(per_minute=6, burst=2)
    with TestClient(create_app(services=demo)) as test_client:
        yield test_client


def test_sync_over_the_rate_is_429_with_retry_after_and_stores_nothing(
    limited_client: TestClient, auth: Headers, demo: Services
) -> None:
    empty = batch()
    for _ in range(2):
        assert limited_client.post("/api/sync", headers=auth["coach1"], json=empty
                                   ).status_code == 200
    before = demo.app.recorder.max_notification_id()
    response = limited_client.post("/api/sync", headers=auth["coach1"],
                                   json=batch(enter(CURRENT_VISIT)))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert response.json()["error"]["message"]
    assert 1 <= int(response.headers["retry-after"]) <= 10
    assert response.headers["cache-control"] == "no-store"
    assert demo.app.recorder.max_notification_id() == before
    # The limit is per token: another coach's tablet syncs on.
    assert limited_client.post("/api/sync", headers=auth["coach2"], json=empty
                               ).status_code == 200


def test_bad_tokens_are_401_not_rate_limited(limited_client: TestClient) -> None:
    for _ in range(4):
        response = limited_client.post("/api/sync", json=batch(),
                                       headers={"Authorization": "Bearer wt_forged"})
        assert response.status_code == 401


def test_the_default_limit_is_generous(client: TestClient, auth: Headers,
                                       demo: Services) -> None:
    assert demo.settings.sync_rate_per_minute >= 600
    assert demo.settings.sync_burst >= 60
    for _ in range(60):
        assert client.post("/api/sync", headers=auth["coach1"], json=batch()
                           ).status_code == 200
