"""Upgrades keep the log: read models of the previous version are rebuilt from it on
start, with the same answers; meanwhile reads are 503 with Retry-After and syncs are
stored; the log is never rewritten."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from eventsourcing.persistence import Tracking
from psycopg.sql import SQL
from starlette.testclient import TestClient

from projections.store import PostgresReadModelStore, SQLiteReadModelStore
from projections.versions import (
    READ_MODEL_VERSION,
    RECHECK_SECONDS,
    ReadModelsRebuilding,
    VersionCheck,
)
from tests.builders import batch, enter
from tests.conftest import FakeClock
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.projector_process import upgrade_read_models
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, PAST_VISIT

Headers = dict[str, dict[str, str]]
READS = [
    ("coach1", "/api/me"),
    ("organizer1", "/api/me"),
    ("host1", f"/api/visits/{CURRENT_VISIT}"),
    ("host1", f"/api/visits/{CURRENT_VISIT}/summary"),
    ("host1", f"/api/visits/{CURRENT_VISIT}/debrief"),
    ("host1", f"/api/visits/{PAST_VISIT}/debrief"),
    ("host1", "/api/schools/lincoln-middle/trends"),
    ("organizer1", "/api/trends"),
    ("host1", "/api/action-plans"),
]
REBUILD_DEADLINE_SECONDS = 60.0


def answers(client: TestClient, auth: Headers) -> dict[str, Any]:
    found = {}
    for user, path in READS:
        response = client.get(path, headers=auth[user])
        assert response.status_code == 200, (path, response.text)
        found[f"{user} {path}"] = response.json()
    return found


def the_log(services: Services) -> list[tuple[int, bytes]]:
    return list(services.app.receipts.select_states(0, 10**9, None))


def written_by_the_previous_version(services: Services) -> None:
    """What the version before this one left: read models marked with its version,
    whose documents this version does not read (here: every document changed)."""
    store, name = services.read_models, services.app.name
    position = store.max_tracking_id(name) or 0
    old_shape = msgspec.json.encode({"written_by": "read-model version 0"})
    docs: dict[tuple[str, str], bytes | None] = {
        (row[0], row[1]): old_shape for row in store.dump() if row[0] != "member"}
    assert docs
    store.write(docs, [], Tracking(name, position), previous=position)
    store.set_schema_version(READ_MODEL_VERSION - 1)


def written_before_read_models_had_a_version(services: Services) -> None:
    """What every release before versioned read models left: no version table at all
    (this version creates it empty on start), documents it does not read."""
    written_by_the_previous_version(services)
    store = services.read_models
    if isinstance(store, PostgresReadModelStore):
        statement = SQL("DROP TABLE {}").format(store.version)
        with store.datastore.transaction(commit=True) as pg:
            pg.execute(statement)
    else:
        assert isinstance(store, SQLiteReadModelStore)
        with store.datastore.transaction(commit=True) as lite:
            lite.execute("DROP TABLE rm_schema_version")


def newer_server(settings: Settings, clock: FakeClock, projecting: bool) -> Services:
    """The next version starting on the same store (its projector thread on or off)."""
    return bootstrap(msgspec.structs.replace(settings, background_projector=projecting),
                     clock=clock)


@pytest.mark.parametrize("previous", [written_by_the_previous_version,
                                      written_before_read_models_had_a_version])
def test_read_models_of_the_previous_version_come_up_with_the_same_answers(
    demo: Services, settings: Settings, clock: FakeClock, auth: Headers,
    previous: Callable[[Services], None]
) -> None:
    with TestClient(create_app(services=demo)) as client:
        before = answers(client, auth)
    log_before = the_log(demo)
    previous(demo)

    upgraded = newer_server(settings, clock, projecting=True)
    try:
        # The projector thread rebuilds first thing; reads wait with 503 until it is done.
        with TestClient(create_app(services=upgraded)) as client:
            deadline = time.monotonic() + REBUILD_DEADLINE_SECONDS
            while client.get("/api/me", headers=auth["coach1"]).status_code == 503:
                assert time.monotonic() < deadline, "the read models were never rebuilt"
                time.sleep(0.05)
            after = answers(client, auth)
        assert upgraded.read_models.schema_version() == READ_MODEL_VERSION
        assert the_log(upgraded) == log_before  # the log is read, never rewritten
    finally:
        upgraded.close()
    assert after == before


def test_while_rebuilding_reads_are_503_with_retry_after_and_syncs_are_stored(
    demo: Services, settings: Settings, clock: FakeClock, auth: Headers
) -> None:
    written_by_the_previous_version(demo)
    upgraded = newer_server(settings, clock, projecting=False)
    try:
        with TestClient(create_app(services=upgraded)) as client:
            response = client.get(f"/api/visits/{CURRENT_VISIT}/summary", headers=auth["host1"])
            assert response.status_code == 503
            assert int(response.headers["Retry-After"]) > 0
            assert response.json()["error"]["code"] == "read_models_rebuilding"
            events_before = len(the_log(upgraded))

            entered = enter(CURRENT_VISIT, "c-room-upgrade", label="Room during upgrade")
            synced = client.post("/api/sync", headers=auth["coach1"], json=batch(entered))
            assert synced.status_code == 200
            assert [r["status"] for r in synced.json()["results"]] == ["accepted"]
            assert len(the_log(upgraded)) == events_before + 1

            upgrade_read_models(upgraded)  # what the projector does on start
            view = client.get(f"/api/visits/{CURRENT_VISIT}", headers=auth["host1"])
            assert view.status_code == 200
            summary = client.get(f"/api/visits/{CURRENT_VISIT}/summary", headers=auth["host1"])
            assert summary.status_code == 200
    finally:
        upgraded.close()
    assert "Room during upgrade" in view.text


def test_a_store_never_projected_is_current_without_a_rebuild(services: Services) -> None:
    assert services.read_models.schema_version() is None
    services.projector.catch_up()
    assert services.read_models.schema_version() == READ_MODEL_VERSION


def test_a_process_of_the_old_version_stops_reading_once_a_newer_one_took_over(
    demo: Services
) -> None:
    now = [1000.0]
    demo.projector.version = VersionCheck(demo.read_models, demo.app.name, lambda: now[0])
    demo.projector.catch_up()
    demo.read_models.set_schema_version(READ_MODEL_VERSION + 1)  # the next version's mark
    demo.projector.catch_up()  # its last look is trusted for a moment...
    now[0] += RECHECK_SECONDS
    with pytest.raises(ReadModelsRebuilding):  # ...then it neither reads nor feeds them
        demo.projector.catch_up()
