"""Two server processes on one PostgreSQL schema, the same batches posted to both
at once in random order: every event stored exactly once, and the summaries
equal a single process's."""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from projections.queries import Reader
from tests.builders import enter, record, tap
from tests.servers import free_port, wait_until_up
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, load_demo
from web.http.freshness import AFTER_HEADER

RETRIES = 20

TAPS: list[tuple[str, str | int]] = [("cfu", "yes"), ("cfu", "no"), ("engagement", 4),
                                     ("engagement", 2)]


@pytest.fixture
def shared(settings: Settings) -> Iterator[Services]:
    """The demo district in the shared schema, with today's real clock (the servers')."""
    services = bootstrap(settings)
    load_demo(services.app)
    yield services
    services.close()


@pytest.fixture
def servers(shared: Services, settings: Settings, tmp_path: Path) -> Iterator[list[str]]:
    assert settings.database_url
    env = {**os.environ, "WALKTHROUGH_DATABASE_URL": settings.database_url,
           "WALKTHROUGH_DATA_DIR": str(tmp_path / "unused")}
    ports = [free_port(), free_port()]
    logs = contextlib.ExitStack()
    processes = [subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL,
        stderr=logs.enter_context((tmp_path / f"server-{port}.log").open("wb")))
        for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process, port in zip(urls, processes, ports, strict=True):
            wait_until_up(url, process, tmp_path / f"server-{port}.log")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        logs.close()



def observation_batches() -> list[tuple[str, dict[str, Any]]]:
    """Self-contained batches (each room entered in its own batch) from two coaches."""
    rng = random.Random(6)
    start = datetime.now(UTC) - timedelta(hours=1)
    batches = []
    for number in range(12):
        user = ("coach1", "coach2")[number % 2]
        room = f"c-mp-{number}"
        moment = start + timedelta(minutes=number * 3)
        events = [{**enter(CURRENT_VISIT, room=room), "occurred_at": moment.isoformat()}]
        events += [tap(CURRENT_VISIT, item, value, room=room,
                       at=moment + timedelta(seconds=10 * i))
                   for i, (item, value) in enumerate(rng.choice(TAPS) for _ in range(6))]
        batches.append((user, {"device_id": f"tablet-{user}", "events": events}))
    return batches


def test_two_servers_store_every_event_once_and_agree_with_one_process(
    shared: Services, servers: list[str], tmp_path: Path
) -> None:
    batches = observation_batches()
    tokens = {user: shared.tokens.issue(user, shared.clock())
              for user in ("coach1", "coach2", "organizer1")}
    before = shared.app.recorder.max_notification_id() or 0
    deliveries = [(user, body, url) for user, body in batches for url in servers]
    random.Random(7).shuffle(deliveries)

    def post(delivery: tuple[str, dict[str, Any], str]) -> list[dict[str, Any]]:
        user, body, url = delivery
        for _ in range(RETRIES):  # as a tablet's outbox does: 503 means retry later
            response = httpx.post(f"{url}/api/sync", json=body, timeout=60,
                                  headers={"Authorization": f"Bearer {tokens[user]}"})
            if response.status_code != 503:
                break
            time.sleep(0.2)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, deliveries))
    outcomes: dict[str, list[str]] = defaultdict(list)
    for results in responses:
        for result in results:
            outcomes[result["id"]].append(result["status"])
    all_ids = [e["id"] for _, body in batches for e in body["events"]]
    assert set(outcomes) == set(all_ids)
    assert all(sorted(s) == ["accepted", "duplicate"] for s in outcomes.values()), outcomes
    stored = shared.app.recorder.select_notifications(start=before + 1, limit=10_000)
    assert len(stored) == len(all_ids)

    # the organizer reads the coaches' writes: asked for by position (the log's top)
    after = str(shared.app.recorder.max_notification_id())
    summaries = [httpx.get(f"{url}/api/visits/{CURRENT_VISIT}/summary", timeout=30,
                           headers={"Authorization": f"Bearer {tokens['organizer1']}",
                                    AFTER_HEADER: after}).json()
                 for url in servers]
    assert summaries[0] == summaries[1] == single_process_summary(batches, tmp_path)


def single_process_summary(batches: list[tuple[str, dict[str, Any]]],
                           tmp_path: Path) -> dict[str, Any]:
    services = bootstrap(Settings(data_dir=tmp_path / "single"))
    try:
        load_demo(services.app)
        for user, body in batches:
            record(services, user, *body["events"], device=body["device_id"])
        services.projector.catch_up()
        summary = Reader(services.read_models).summary(services.app.actor("organizer1"),
                                                       str(CURRENT_VISIT))
        result: dict[str, Any] = msgspec.to_builtins(summary)
        return result
    finally:
        services.close()
