"""Faults against real `walkthrough serve` processes over real HTTP: the same batch
on two connections at once, and the server SIGKILLed in the middle of a large batch.
Each ends in "nothing lost, nothing doubled"."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.exactly_once import assert_exactly_once
from tests.faults.server import Server, classroom_batch, demo_with_token, stored_counts
from web.demo.district import CURRENT_VISIT


def ids(body: dict[str, Any]) -> set[str]:
    return {str(e["id"]) for e in body["events"]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A data directory with the demo district, and coach1's headers."""
    data_dir = tmp_path_factory.mktemp("served") / "data"
    token = demo_with_token(data_dir, "coach1")
    return data_dir, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def servers(store: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[list[Server]]:
    """Two server processes on the one store."""
    started = [Server(store[0], tmp_path / f"server-{n}.log") for n in (1, 2)]
    try:
        for server in started:
            server.start()
        yield started
    finally:
        for server in started:
            server.stop()


def test_the_same_batch_from_two_connections_at_once(
    store: tuple[Path, dict[str, str]], servers: list[Server]
) -> None:
    data_dir, headers = store
    one, two = servers
    sent: set[str] = set()
    # Two connections to one process, then one connection to each of two processes.
    for round_, targets in enumerate([(one, one), (one, two), (two, one)]):
        body = classroom_batch(f"concurrent-{round_}", 40, device="tablet-dup")
        sent |= ids(body)
        barrier = threading.Barrier(2)
        results: list[list[str]] = []

        def post(server: Server, body: dict[str, Any] = body,
                 barrier: threading.Barrier = barrier,
                 results: list[list[str]] = results) -> None:
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
                barrier.wait()
                response = http.post("/api/sync", json=body)
            assert response.status_code == 200, response.text
            results.append([r["status"] for r in response.json()["results"]])

        threads = [threading.Thread(target=post, args=(server,)) for server in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [["accepted"] * 40, ["duplicate"] * 40], round_
    for server in servers:
        server.stop()
    assert_exactly_once(stored_counts(data_dir), sent)


def test_sigkill_in_the_middle_of_a_large_batch_then_the_resend_completes_it(
    store: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    data_dir, headers = store
    server = Server(data_dir, tmp_path / "server.log")
    server.start()
    outbox = [classroom_batch(f"crash-{n}", 500, device="tablet-crash") for n in range(4)]
    sent = set().union(*(ids(body) for body in outbox))
    answered: list[float] = []  # seconds each answered batch took

    def drain() -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
            for body in outbox:
                started = time.monotonic()
                try:
                    response = http.post("/api/sync", json=body)
                except httpx.TransportError:
                    return  # the server died under us; the batch stays in the outbox
                assert response.status_code == 200, response.text
                assert {r["status"] for r in response.json()["results"]} == {"accepted"}
                answered.append(time.monotonic() - started)

    tablet = threading.Thread(target=drain)
    try:
        tablet.start()
        while not answered and tablet.is_alive():
            time.sleep(0.001)
        # The next batch is on its way: kill about half-way through its processing.
        time.sleep(answered[0] / 2)
        server.kill()
        tablet.join(timeout=60)
        assert 1 <= len(answered) < len(outbox), "the kill should cut the outbox short"

        server.start()
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
            for body in outbox[len(answered):]:
                response = http.post("/api/sync", json=body)
                assert response.status_code == 200, response.text
                statuses = {r["status"] for r in response.json()["results"]}
                # A batch is one transaction: all of it was committed or none of it.
                assert statuses in ({"accepted"}, {"duplicate"}), statuses
            visit = http.get(f"/api/visits/{CURRENT_VISIT}", headers=headers).json()
        rooms = {room["id"] for room in visit["classrooms"]}
        assert {f"c-crash-{n}" for n in range(len(outbox))} <= rooms
    finally:
        server.stop()
    assert_exactly_once(stored_counts(data_dir), sent)
