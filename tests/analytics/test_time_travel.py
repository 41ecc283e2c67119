"""Time travel: replaying to a point equals rebuilding from the log cut at that point."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent
from starlette.testclient import TestClient
from typer.testing import CliRunner

from projections.event_log import last_position, read_log
from projections.projector import Projector
from projections.queries import Reader
from projections.rebuild import rebuild
from projections.time_travel import STORE_FILE, open_store, store_as_of
from tests.builders import record_payload
from tests.conftest import NOW, FakeClock
from tests.servers import cli_env
from walkthrough.application import SYSTEM
from walkthrough.events import ClassroomEntered, LookForObserved, VisitPlanned
from web.app import create_app
from web.cli import cli
from web.cli.analyst import replay_past
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, JEFFERSON_VISIT, PAST_VISIT

Headers = dict[str, dict[str, str]]


def rebuilt_from_truncated_log(services: Services, until: int, tmp_path: Path) -> list[
        tuple[str, ...]]:
    """Copy the log up to `until` into a fresh store and rebuild its read models."""
    copy = bootstrap(Settings(data_dir=tmp_path / f"truncated-{until}"))
    try:
        notifications = services.app.recorder.select_notifications(start=1, limit=10**6,
                                                                    stop=until)
        if notifications:
            copy.app.recorder.insert_events([
                StoredEvent(originator_id=n.originator_id,
                            originator_version=n.originator_version, topic=n.topic,
                            state=n.state) for n in notifications])
        Projector(copy.app, copy.read_models).catch_up()
        return copy.read_models.dump()
    finally:
        copy.close()


def first_position(services: Services, kind: type, visit: object) -> int:
    return next(entry.position for entry in read_log(services.app)
                if entry.event.originator_id == visit and isinstance(entry.event.payload, kind))


def test_rebuilding_until_a_position_equals_a_rebuild_from_the_log_cut_there(
        demo: Services, tmp_path: Path) -> None:
    end = last_position(demo.app)
    points = {0, 1, first_position(demo, ClassroomEntered, PAST_VISIT),
              first_position(demo, LookForObserved, JEFFERSON_VISIT) + 3, end // 2, end}
    for until in sorted(points):
        store = open_store(str(tmp_path / f"replayed-{until}.sqlite3"))
        try:
            assert rebuild(demo.app, store, until=until) == until
            assert store.dump() == rebuilt_from_truncated_log(demo, until, tmp_path), until
        finally:
            store.datastore.close()
    with store_as_of(demo.app, end) as everything:
        assert everything.dump() == demo.read_models.dump()  # the present is the live state


def test_the_replay_command_writes_the_past_read_models_and_debriefs(
        demo: Services, tmp_path: Path) -> None:
    until = first_position(demo, LookForObserved, PAST_VISIT) + 4
    outputs = []
    for name in ("one", "two"):
        assert replay_past(demo, str(until), tmp_path / name) == until
        outputs.append({path.name: path.read_bytes()
                        for path in sorted((tmp_path / name / "visits").iterdir())})
    assert outputs[0] == outputs[1]  # deterministic
    past = msgspec.json.decode(outputs[0][f"{PAST_VISIT}.json"])
    assert past["summary"]["rooms"] == 1
    assert past["debrief"]["sections"][0]["kind"] == "progress"
    assert f"{JEFFERSON_VISIT}.json" not in outputs[0]  # planned later in the log
    store = open_store(str(tmp_path / "one" / STORE_FILE))
    try:
        assert store.dump() == rebuilt_from_truncated_log(demo, until, tmp_path)
    finally:
        store.datastore.close()


@pytest.fixture
def app_client(demo: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=demo)) as test_client:
        yield test_client


def test_as_of_shows_a_visit_as_it_was(app_client: TestClient, demo: Services,
                                       auth: Headers, clock: FakeClock) -> None:
    url = f"/api/visits/{PAST_VISIT}/summary"
    before_rooms = first_position(demo, ClassroomEntered, PAST_VISIT) - 1
    then = app_client.get(url, params={"as_of": str(before_rooms)},
                          headers=auth["organizer1"])
    assert then.status_code == 200, then.text
    assert then.headers["x-as-of-position"] == str(before_rooms)
    assert then.json()["rooms"] == 0
    now = app_client.get(url, headers=auth["organizer1"]).json()
    assert now["rooms"] == 3
    head = str(last_position(demo.app))
    assert app_client.get(url, params={"as_of": head}, headers=auth["organizer1"]).json() == now
    debrief = app_client.get(f"/api/visits/{PAST_VISIT}/debrief",
                             params={"as_of": str(before_rooms)}, headers=auth["organizer1"])
    assert debrief.status_code == 200
    assert debrief.json()["sections"][3]["kind"] == "trends"
    with store_as_of(demo.app, before_rooms) as store:
        assert debrief.json() == msgspec.json.decode(msgspec.json.encode(
            Reader(store).debrief(SYSTEM, str(PAST_VISIT))))


def test_as_of_a_moment_is_the_log_as_it_stood_then(
        app_client: TestClient, demo: Services, auth: Headers, clock: FakeClock,
        after_writes: Callable[[dict[str, str]], dict[str, str]]) -> None:
    url = f"/api/visits/{JEFFERSON_VISIT}/summary"
    before = app_client.get(url, headers=auth["organizer1"]).json()
    clock.advance(timedelta(days=1))
    room = f"c-{JEFFERSON_VISIT.hex[:8]}-0"
    record_payload(demo, "coach3", JEFFERSON_VISIT, clock(), LookForObserved(
        classroom_id=room, item="small_group_instruction", value="yes"))
    after = app_client.get(url, headers=after_writes(auth["organizer1"])).json()
    assert after != before
    for as_of in (NOW.isoformat(), NOW.date().isoformat()):
        then = app_client.get(url, params={"as_of": as_of}, headers=auth["organizer1"])
        assert then.json() == before, as_of
        assert then.headers["x-as-of-position"] == str(last_position(demo.app) - 1)


@pytest.mark.parametrize("user", ["coach3", "host2", "analyst1"])
def test_as_of_is_for_organizers(app_client: TestClient, auth: Headers, user: str) -> None:
    response = app_client.get(f"/api/visits/{JEFFERSON_VISIT}/debrief",
                              params={"as_of": "1"}, headers=auth[user])
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_as_of_errors(app_client: TestClient, demo: Services, auth: Headers) -> None:
    url = f"/api/visits/{JEFFERSON_VISIT}/summary"
    bad = app_client.get(url, params={"as_of": "last tuesday"}, headers=auth["organizer1"])
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_point"
    planned = first_position(demo, VisitPlanned, JEFFERSON_VISIT)
    too_early = app_client.get(url, params={"as_of": str(planned - 1)},
                               headers=auth["organizer1"])
    assert too_early.status_code == 404
    assert app_client.get(url, params={"as_of": "2000-01-01"},
                          headers=auth["organizer1"]).status_code == 404


def test_the_replay_command_builds_the_past_beside_the_live_read_models(
        demo: Services, settings: Settings, tmp_path: Path) -> None:
    live = demo.read_models.dump()
    result = CliRunner().invoke(cli, ["replay", "--until", "30", "--out", str(tmp_path / "past")],
                                env=cli_env(settings))
    assert result.exit_code == 0, result.output
    assert "as of log position 30" in result.output
    assert (tmp_path / "past" / STORE_FILE).exists()
    assert demo.read_models.dump() == live
    bad = CliRunner().invoke(cli, ["replay", "--until", "soon"], env=cli_env(settings))
    assert bad.exit_code == 2


@pytest.mark.parametrize("url", ["/api/trends", "/api/schools/lincoln-middle/trends"])
def test_trends_as_of(app_client: TestClient, demo: Services, auth: Headers, url: str) -> None:
    now = app_client.get(url, headers=auth["organizer1"])
    assert now.status_code == 200, now.text
    head = str(last_position(demo.app))
    same = app_client.get(url, params={"as_of": head}, headers=auth["organizer1"])
    assert same.json() == now.json()
    assert same.headers["x-as-of-position"] == head
    before = first_position(demo, ClassroomEntered, PAST_VISIT)
    then = app_client.get(url, params={"as_of": str(before)}, headers=auth["organizer1"])
    assert then.status_code == 200
    assert then.json() != now.json()
    with store_as_of(demo.app, before) as store:
        reader = Reader(store)
        expected = (reader.district_trends(SYSTEM, demo.settings.min_cell) if url == "/api/trends"
                    else reader.school_trends(SYSTEM, "lincoln-middle"))
        assert then.json() == msgspec.json.decode(msgspec.json.encode(expected))
    refused = app_client.get(url, params={"as_of": head}, headers=auth["analyst1"])
    assert refused.status_code == 403


def test_the_demo_is_recorded_in_time_so_days_ago_show_its_past(
        app_client: TestClient, auth: Headers) -> None:
    """The examples of docs/analysts.md: the demo's events carry their own server times."""
    organizer = auth["organizer1"]

    def debrief(visit: object, as_of: str) -> dict[str, Any]:
        response = app_client.get(f"/api/visits/{visit}/debrief", params={"as_of": as_of},
                                  headers=organizer)
        assert response.status_code == 200, (as_of, response.text)
        found: dict[str, Any] = response.json()
        return found

    assert app_client.get(f"/api/visits/{PAST_VISIT}/debrief", params={"as_of": "80d"},
                          headers=organizer).status_code == 404  # not planned yet
    assert debrief(PAST_VISIT, "64d")["phase"] == "preparation"  # planned, not visited
    that_day = debrief(PAST_VISIT, "63d")  # the end of the visit's day
    steps = {s["kind"]: s for s in that_day["sections"]}["next_steps"]
    assert (that_day["phase"], steps["agreed"], len(steps["steps"])) == ("support", True, 2)
    assert debrief(CURRENT_VISIT, "10d")["phase"] == "preparation"
    assert debrief(CURRENT_VISIT, "0d")["phase"] == "observation"
