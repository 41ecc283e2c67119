"""The store going away: 503 with Retry-After on every path, never a 500, and the
server serving again by itself when PostgreSQL is back."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from starlette.testclient import TestClient

from projections.store import PostgresReadModelStore
from tests.builders import batch, enter, tap
from tests.postgres.proxy import Proxy
from walkthrough.adapters.recorders import PostgresReceiptRecorder
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, load_demo

RECOVERY_SECONDS = 30


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    running = Proxy()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def served(proxy: Proxy, postgres_url: str, postgres_schema: str,
           tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A server whose every connection to PostgreSQL goes through the proxy."""
    with serving(proxy, postgres_schema, tmp_path, connect_timeout=1) as (client, headers, _):
        yield client, headers


@contextlib.contextmanager
def serving(proxy: Proxy, schema: str, data_dir: Path, connect_timeout: int,
            ) -> Iterator[tuple[TestClient, dict[str, str], Services]]:
    url = (f"postgresql://postgres@127.0.0.1:{proxy.port}/test"
           f"?schema={schema}&connect_timeout={connect_timeout}")
    services = bootstrap(Settings(data_dir=data_dir, database_url=url))
    try:
        load_demo(services.app)
        services.projector.catch_up()
        token = services.tokens.issue("coach1", services.clock())
        with TestClient(create_app(services=services)) as client:
            yield client, {"Authorization": f"Bearer {token}"}, services
    finally:
        services.close()


def terminate_backends(proxy: Proxy, postgres_url: str) -> int:
    """Terminate the server's connections (those through the proxy): how many."""
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        row = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE client_port = ANY(%s)", [proxy.upstream_ports()]).fetchone()
    assert row is not None
    return int(row[0])


def now_minus(minutes: int) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["error"]["code"] == "store_unavailable"


def test_sync_and_reads_answer_503_while_the_store_is_away_then_recover(
    served: tuple[TestClient, dict[str, str]], proxy: Proxy
) -> None:
    client, headers = served
    room = {**enter(CURRENT_VISIT), "occurred_at": now_minus(5).isoformat()}
    assert client.post("/api/sync", json=batch(room), headers=headers).status_code == 200
    summary = f"/api/visits/{CURRENT_VISIT}/summary"

    proxy.stop()
    observation = tap(CURRENT_VISIT, "cfu", "yes", at=now_minus(4))
    assert_unavailable(client.post("/api/sync", json=batch(observation), headers=headers))
    assert_unavailable(client.get("/api/me", headers=headers))
    assert_unavailable(client.get(summary, headers=headers))

    proxy.start()
    response = retry_until_served(lambda: client.post("/api/sync", json=batch(observation),
                                                      headers=headers))
    assert [r["status"] for r in response.json()["results"]] == ["accepted"]
    assert client.get(summary, headers=headers).status_code == 200


def test_terminated_connections_are_replaced_by_the_pool(
    served: tuple[TestClient, dict[str, str]], proxy: Proxy, postgres_url: str
) -> None:
    client, headers = served
    assert client.get("/api/me", headers=headers).status_code == 200
    ports = proxy.upstream_ports()
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        cursor = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE client_port = ANY(%s)", [ports])
        row = cursor.fetchone()
    assert row is not None
    assert row[0] > 0
    room = {**enter(CURRENT_VISIT), "occurred_at": now_minus(5).isoformat()}
    # Checked as they leave the pool, dead connections are replaced; on a busy
    # machine a reconnect may outlast the 1 s wait: a 503, never a 500.
    response = retry_until_served(
        lambda: client.post("/api/sync", json=batch(room), headers=headers))
    assert [r["status"] for r in response.json()["results"]] == ["accepted"]
    assert client.get("/api/me", headers=headers).status_code == 200


@pytest.mark.parametrize("checked", [True, False], ids=["checked", "unchecked"])
def test_the_next_sync_after_terminated_backends_succeeds_at_once(
    proxy: Proxy, postgres_url: str, postgres_schema: str, tmp_path: Path, checked: bool,
) -> None:
    """No ping per checkout: a connection the server dropped is found as it leaves the
    pool (checked) or, if it dies after that, by the error, and the statement is sent
    again on another (unchecked: the pool hands out dead ones)."""
    with serving(proxy, postgres_schema, tmp_path, connect_timeout=10) as (
            client, headers, services):
        recorder = services.app.recorder
        assert isinstance(recorder, PostgresReceiptRecorder)
        pool = recorder.datastore.pool
        if not checked:
            pool._check = None  # what the recorder set: psycopg_pool has no setter
        summary = f"/api/visits/{CURRENT_VISIT}/summary"
        assert client.get(summary, headers=headers).status_code == 200
        room = {**enter(CURRENT_VISIT), "occurred_at": now_minus(6).isoformat()}
        for events in [(room,), (tap(CURRENT_VISIT, "cfu", "yes", at=now_minus(5)),)]:
            assert terminate_backends(proxy, postgres_url) > 0
            time.sleep(0.2)  # the terminated backends' last words reach the client
            response = client.post("/api/sync", json=batch(*events), headers=headers)
            assert response.status_code == 200, response.text
            assert [r["status"] for r in response.json()["results"]] == ["accepted"]
        if checked:  # reads too: every store of the process shares the pool and its check
            assert terminate_backends(proxy, postgres_url) > 0
            time.sleep(0.2)
            assert client.get(summary, headers=headers).status_code == 200


def test_with_the_store_away_a_read_tries_to_connect_once_not_ten_times(
    proxy: Proxy, postgres_schema: str, tmp_path: Path,
) -> None:
    """eventsourcing retries its reads ten times, 0.2 s apart, each waiting up to the
    connect timeout: a request learnt the store was away after ten timeouts (52 s by
    default). The recorders send a statement again only when a connection was lost."""
    with serving(proxy, postgres_schema, tmp_path, connect_timeout=1) as (_, _, services):
        recorder = services.app.recorder
        assert isinstance(recorder, PostgresReceiptRecorder)
        store = services.read_models
        assert isinstance(store, PostgresReadModelStore)
        proxy.stop()  # cuts the pooled connections: the first read finds them lost
        with pytest.raises(OperationalError):
            recorder.max_notification_id()
        reads: list[tuple[Any, Callable[[], object]]] = [
            (recorder.datastore, recorder.max_notification_id),
            (recorder.datastore, lambda: recorder.select_notifications(1, 10)),
            (store.datastore, lambda: store.max_tracking_id("Walkthrough"))]
        for datastore, read in reads:
            attempts = count_connections(datastore)
            with pytest.raises(OperationalError):
                read()
            assert attempts == [1]
        proxy.start()
        assert retry_until_served_call(recorder.max_notification_id) is not None


def count_connections(datastore: Any) -> list[int]:
    """How often this thread asks `datastore` for a connection from now on (the
    server's catch-up thread asks too)."""
    asked = [0]
    get_connection = datastore.get_connection
    caller = threading.get_ident()

    def counted(*args: Any, **kwargs: Any) -> Any:
        asked[0] += threading.get_ident() == caller
        return get_connection(*args, **kwargs)

    datastore.get_connection = counted
    return asked


def retry_until_served_call(read: Any) -> Any:
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        try:
            return read()
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def retry_until_served(send: Any) -> Any:
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        response = send()
        if response.status_code != 503 or time.monotonic() > deadline:
            assert response.status_code == 200, response.text
            return response
        time.sleep(0.5)


def test_health_is_503_while_the_store_is_away_and_ok_when_it_is_back(
    served: tuple[TestClient, dict[str, str]], proxy: Proxy
) -> None:
    client, _ = served
    assert client.get("/health").json()["status"] == "ok"
    proxy.stop()
    assert_unavailable(client.get("/health"))
    proxy.start()
    health = retry_until_served(lambda: client.get("/health"))
    assert health.json()["lag"] == 0
