"""Shared fixtures: a fresh store per test, a controllable clock, the demo district.

The storage backend is decided here, once: tests in the directories listed in
`BACKENDS_BY_DIRECTORY` run on each of their backends (PostgreSQL tests each in a
schema of their own, dropped afterwards); others on SQLite. A module can narrow
it with `pytestmark = pytest.mark.backends("sqlite")`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.sql import SQL, Identifier
from starlette.testclient import TestClient
from xdist.scheduler import LoadGroupScheduling

from tests.mailserver import MailServer
from tests.oidc_provider import Provider, running_provider
from walkthrough.events import TeachersNotified, VisitPlanned, VisitStarted
from walkthrough.sync import Submission, content_digest
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo
from web.http.freshness import AFTER_HEADER

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get("WALKTHROUGH_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
SQLITE = "sqlite"
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
BACKENDS_BY_DIRECTORY: dict[str, list[Any]] = {
    "application": [SQLITE, POSTGRES], "projections": [SQLITE, POSTGRES],
    "analytics": [SQLITE, POSTGRES], "adapters": [SQLITE, POSTGRES],
    "faults": [SQLITE, POSTGRES], "postgres": [POSTGRES],
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses a store gets its `backend` here."""
    if "backend" not in metafunc.fixturenames:
        return
    narrowed = metafunc.definition.get_closest_marker("backends")
    if narrowed is not None:
        backends: list[Any] = [POSTGRES if name == "postgres" else name
                               for name in narrowed.args]
    else:
        directory = metafunc.definition.path.parent.name
        backends = BACKENDS_BY_DIRECTORY.get(directory, [SQLITE])
    metafunc.parametrize("backend", backends)


class BrowserTestsTogether(LoadGroupScheduling):  # type: ignore[misc] # xdist is untyped
    """`--dist loadgroup` with every test in tests/browser/ in one group, run on one
    worker in their usual order: they share one demo server and one Chromium
    (tests/browser/conftest.py), started once, and write docs/images/ and
    tests/browser/artifacts/ from that one process. (pytest-xdist's own
    `xdist_group` mark renames node ids, which pytest 9.2 no longer lets it do.)"""

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith("tests/browser/"):
            return "tests/browser/"
        return str(super()._split_scope(nodeid))


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist (`-p no:xdist` still runs)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test` runs `pytest -n 2 --dist loadgroup`."""
    if config.getvalue("dist") == "loadgroup":
        return BrowserTestsTogether(config, log)
    return None


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


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server; fail (WALKTHROUGH_REQUIRE_POSTGRES=1) or skip when it is missing."""
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}"
        if os.environ.get("WALKTHROUGH_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_URL


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema for one test, dropped with everything in it afterwards."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    yield schema
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


@pytest.fixture
def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Settings:
    if backend == "postgres":
        schema = request.getfixturevalue("postgres_schema")
        url = f"{request.getfixturevalue('postgres_url')}?schema={schema}"
        return Settings(data_dir=tmp_path / "data", database_url=url)
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


Headers = dict[str, str]


@pytest.fixture
def after_writes(demo: Services) -> Callable[[Headers], Headers]:
    """`headers` plus X-Walkthrough-After at the log's top now: a read that must see what
    was written so far by others (or outside HTTP) asks for it, as a tablet asks for its
    own writes; reads answer what is projected otherwise."""

    def headers(base: Headers) -> Headers:
        return {**base, AFTER_HEADER: str(demo.app.recorder.max_notification_id() or 0)}

    return headers


@pytest.fixture
def started_visit(demo: Services, clock: FakeClock) -> str:
    """A visit of its own at Lincoln Middle (coach1 and coach2, host1), started today
    with no room yet: for tests that count from nothing (the demo's current visit
    already has the team's first rooms)."""
    visit_id = uuid.uuid4()
    plan = VisitPlanned(school_id="lincoln-middle", host="host1", team=("coach1", "coach2"),
                        focus="Checking for understanding in grades 6-8 math",
                        catalog_version=1, date=clock().date())
    for user, payload in (("organizer1", plan), ("host1", TeachersNotified()),
                          ("host1", VisitStarted())):
        at = clock() - timedelta(hours=2)
        submission = Submission(event_id=str(uuid.uuid4()), visit_id=str(visit_id),
                                occurred_at=at, payload=payload,
                                digest=content_digest(str(visit_id), at, payload))
        (outcome,) = demo.app.record(demo.app.actor(user), "test", [submission])
        assert outcome.status == "accepted", outcome
    demo.projector.catch_up()
    return str(visit_id)


@pytest.fixture
def auth(demo: Services, clock: FakeClock) -> dict[str, dict[str, str]]:
    """Authorization headers for every demo user, by user id."""
    users = ("coach1", "coach2", "coach3", "coach4", "host1", "host2", "organizer1",
             "analyst1")
    return {user: {"Authorization": f"Bearer {demo.tokens.issue(user, clock())}"}
            for user in users}


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on loopback (aiosmtpd), keeping what it receives."""
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def oidc_provider_process() -> Iterator[Provider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def oidc_provider(oidc_provider_process: Provider) -> Iterator[Provider]:
    """A real OpenID provider on loopback (oidc-provider-mock), its issuer at `.url`;
    one process for the session, answering each test as it comes (a test's rewrites
    end with it)."""
    oidc_provider_process.proxy.rewrites.clear()
    yield oidc_provider_process
    oidc_provider_process.proxy.rewrites.clear()
