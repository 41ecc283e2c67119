"""The store refuses: read-only, disk full, or not there at all. Every route answers
503 with Retry-After (never a 500), no part of a refused batch is visible, and the
tablet's resend once the store is back stores the batch exactly once.

The faults are real SQLite conditions on the connections the app gets from its
pool: `query_only` (a read-only file system), `max_page_count` at the current size
(a full disk), and a database file that cannot be opened.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from eventsourcing.persistence import InterfaceError
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteDatastore
from starlette.testclient import TestClient

from tests.builders import batch, enter, tap
from tests.faults.exactly_once import assert_exactly_once, log_counts
from web.app import create_app
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_ROOMS, CURRENT_VISIT

Headers = dict[str, dict[str, str]]
Fault = Literal["read_only", "disk_full", "unopenable"]
VISIT = str(CURRENT_VISIT)
SQLITE_MAX_PAGES = 4294967294


pytestmark = pytest.mark.backends("sqlite")  # the faults are SQLite's own


class BrokenStore:
    """Switches every connection the pool hands out to the current fault."""

    def __init__(self, pool: SQLiteConnectionPool) -> None:
        self.pool = pool
        self.fault: Fault | None = None
        self._get_connection = pool.get_connection

    def get_connection(self, timeout: float | None = None, *,
                       is_writer: bool | None = None) -> SQLiteConnection:
        if self.fault == "unopenable":
            # What the pool raises when sqlite3.connect fails.
            raise InterfaceError("unable to open database file")
        connection = self._get_connection(timeout, is_writer=is_writer)
        raw = connection._sqlite_conn
        raw.execute(f"PRAGMA query_only = {int(self.fault == 'read_only')}")
        pages = SQLITE_MAX_PAGES
        if self.fault == "disk_full":
            pages = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.execute(f"PRAGMA max_page_count = {pages}")
        return connection


@pytest.fixture
def store(demo: Services, monkeypatch: pytest.MonkeyPatch) -> BrokenStore:
    datastore = demo.app.factory.datastore  # type: ignore[attr-defined]
    assert isinstance(datastore, SQLiteDatastore)
    broken = BrokenStore(datastore.pool)
    monkeypatch.setattr(datastore.pool, "get_connection", broken.get_connection)
    return broken


@pytest.fixture
def quiet_client(demo: Services) -> TestClient:
    """No lifespan: no background projector racing the fault in and out."""
    return TestClient(create_app(services=demo))


def a_classroom(room: str) -> list[dict[str, Any]]:
    return [enter(CURRENT_VISIT, room=room)] + [
        tap(CURRENT_VISIT, "open_questions", n, room=room) for n in range(40)]


def assert_retry_later(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "store_unavailable"
    assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize("fault", ["read_only", "disk_full", "unopenable"])
def test_a_refusing_store_is_503_and_the_resend_stores_the_batch_once(
    quiet_client: TestClient, auth: Headers, demo: Services, store: BrokenStore,
    fault: Fault
) -> None:
    outbox = a_classroom(f"c-{fault}")
    before = log_counts(demo.app)
    store.fault = fault
    assert_retry_later(quiet_client.post("/api/sync", headers=auth["coach1"],
                                         json=batch(*outbox)))
    store.fault = None
    assert log_counts(demo.app) == before  # no part of the batch is visible
    summary = quiet_client.get(f"/api/visits/{VISIT}/summary", headers=auth["coach1"])
    assert summary.json()["rooms"] == len(CURRENT_ROOMS)

    response = quiet_client.post("/api/sync", headers=auth["coach1"], json=batch(*outbox))
    assert [r["status"] for r in response.json()["results"]] == ["accepted"] * len(outbox)
    again = quiet_client.post("/api/sync", headers=auth["coach1"], json=batch(*outbox))
    assert {r["status"] for r in again.json()["results"]} == {"duplicate"}
    assert_exactly_once(log_counts(demo.app), {str(e["id"]) for e in outbox})
    summary = quiet_client.get(f"/api/visits/{VISIT}/summary", headers=auth["coach1"])
    assert summary.json()["rooms"] == len(CURRENT_ROOMS) + 1


@pytest.mark.parametrize("path", ["/api/me", f"/api/visits/{VISIT}",
                                  f"/api/visits/{VISIT}/summary",
                                  f"/api/visits/{VISIT}/debrief", "/health"])
def test_reads_and_sign_in_on_an_unopenable_store_are_503(
    quiet_client: TestClient, auth: Headers, store: BrokenStore, path: str
) -> None:
    store.fault = "unopenable"
    assert_retry_later(quiet_client.get(path, headers=auth["coach1"]))
    store.fault = None
    assert quiet_client.get(path, headers=auth["coach1"]).status_code == 200


def test_reads_go_on_while_the_disk_is_full(
    quiet_client: TestClient, auth: Headers, store: BrokenStore
) -> None:
    store.fault = "disk_full"
    assert quiet_client.get(f"/api/visits/{VISIT}", headers=auth["coach1"]
                            ).status_code == 200
