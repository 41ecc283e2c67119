"""Shared fixtures: a fresh store per test, a controllable clock, the demo district."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from walkthrough.demo import load_demo
from web.app import create_app
from web.bootstrap import Services, bootstrap
from web.settings import Settings

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def services(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    built = bootstrap(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def demo(services: Services, clock: FakeClock) -> Services:
    load_demo(services.app, today=clock().date())
    services.projector.catch_up()
    return services


@pytest.fixture
def client(demo: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=demo)) as test_client:
        yield test_client


@pytest.fixture
def auth(demo: Services, clock: FakeClock) -> dict[str, dict[str, str]]:
    """Authorization headers for every demo user, by user id."""
    users = ("coach1", "coach2", "coach3", "coach4", "host1", "host2", "organizer1",
             "analyst1")
    return {user: {"Authorization": f"Bearer {demo.tokens.issue(user, clock())}"}
            for user in users}
