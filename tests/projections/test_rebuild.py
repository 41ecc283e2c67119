"""Read models are a function of the log: a rebuild equals the live models, however
they were fed (small pages, concurrent projectors, a projector killed mid-run),
and `verify` notices a row that is not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import msgspec
import pytest
from eventsourcing.persistence import Tracking
from typer.testing import CliRunner

from projections.projector import Projector
from projections.queries import Reader
from projections.rebuild import compare, rebuild, verify
from projections.rooms import ENTRIES, ROOMS, load_index
from tests.builders import enter, record, tap
from web.cli import cli
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT


def observe(services: Services, rooms: int, taps_per_room: int = 4) -> None:
    """Two coaches' observations: `rooms` rooms, a few taps in each."""
    events: list[dict[str, Any]] = []
    for number in range(rooms):
        room = f"c-{number:03d}"
        events.append(enter(CURRENT_VISIT, room=room))
        events += [tap(CURRENT_VISIT, "cfu", "yes" if i % 3 else "no", room=room)
                   for i in range(taps_per_room)]
    for start in range(0, len(events), 400):
        user = "coach1" if start % 800 == 0 else "coach2"
        outcomes = record(services, user, *events[start : start + 400],
                          device=f"tablet-{user}")
        assert {o.status for o in outcomes} == {"accepted"}


def rebuilt_rows(services: Services) -> list[tuple[str, ...]]:
    with services.storage.scratch_read_models() as scratch:
        rebuild(services.app, scratch)
        return scratch.dump()


def cli_env(settings: Settings) -> dict[str, str]:
    env = {"WALKTHROUGH_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["WALKTHROUGH_DATABASE_URL"] = settings.database_url
    return env


def test_live_models_fed_in_small_pages_equal_a_rebuild(demo: Services) -> None:
    observe(demo, rooms=6)
    Projector(demo.app, demo.read_models, page_size=3).catch_up()
    position, differences = _verify(demo)
    assert position == demo.app.recorder.max_notification_id()
    assert differences == []
    assert demo.read_models.dump() == rebuilt_rows(demo)


def _verify(services: Services) -> tuple[int, list[Any]]:
    with services.storage.scratch_read_models() as scratch:
        return verify(services.app, services.read_models, scratch)


def test_concurrent_projectors_in_two_processes_apply_each_event_once(
    demo: Services, settings: Settings
) -> None:
    observe(demo, rooms=10)
    other = bootstrap(settings, clock=demo.clock)
    try:
        projectors = [Projector(demo.app, demo.read_models, page_size=4),
                      Projector(other.app, other.read_models, page_size=7)]
        threads = [threading.Thread(target=p.catch_up) for p in projectors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.close()
    assert demo.read_models.dump() == rebuilt_rows(demo)


def test_verify_finds_a_corrupted_row_and_replay_repairs_it(
    demo: Services, settings: Settings
) -> None:
    healthy = demo.read_models.dump()
    position = demo.projector.position()
    demo.read_models.write({("visit", str(CURRENT_VISIT)): b'{"tampered":true}'}, [],
                           Tracking(demo.app.name, position + 1), previous=position)
    runner = CliRunner()
    result = runner.invoke(cli, ["verify"], env=cli_env(settings))
    assert result.exit_code == 1, result.output
    assert f"visit/{CURRENT_VISIT}" in result.output
    assert "tampered" in result.output
    result = runner.invoke(cli, ["replay"], env=cli_env(settings))
    assert result.exit_code == 0, result.output
    assert "events/s" in result.output
    assert demo.read_models.dump() == healthy
    result = runner.invoke(cli, ["verify"], env=cli_env(settings))
    assert result.exit_code == 0, result.output


def test_compare_names_every_differing_key() -> None:
    live = [("visit", "a", "1"), ("visit", "b", "2"), ("member", "u", "v", "team")]
    rebuilt = [("visit", "a", "1"), ("visit", "b", "3"), ("visit", "c", "4")]
    assert [(d.key, d.live, d.rebuilt) for d in compare(live, rebuilt)] == [
        (("member", "u", "v"), "team", None),
        (("visit", "b"), "2", "3"),
        (("visit", "c"), None, "4"),
    ]


CATCH_UP_SLOWLY = """
import sys, time
from projections.projector import Projector
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings

services = bootstrap(Settings.from_env())
print("started", flush=True)
Projector(services.app, services.read_models, page_size=5).catch_up(
    progress=lambda position: time.sleep(0.004))
print("finished", flush=True)
"""


def test_a_projector_killed_mid_run_resumes_and_ends_equal_to_a_clean_rebuild(
    demo: Services, settings: Settings
) -> None:
    observe(demo, rooms=80)  # about 400 events: 80 pages of 5
    demo.read_models.reset(demo.app.name)
    end = demo.app.recorder.max_notification_id() or 0
    env = {**os.environ, **cli_env(settings)}
    process = subprocess.Popen([sys.executable, "-c", CATCH_UP_SLOWLY], env=env,
                               stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while demo.projector.position() < end // 3:
            assert process.poll() is None, "the projector finished before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    stopped_at = demo.projector.position()
    assert 0 < stopped_at < end
    assert demo.projector.catch_up() == end
    assert demo.read_models.dump() == rebuilt_rows(demo)


@pytest.mark.parametrize("command", ["replay", "verify"])
def test_an_unreachable_store_is_a_clear_error(command: str, tmp_path: Any) -> None:
    env = {"WALKTHROUGH_DATA_DIR": str(tmp_path),
           "WALKTHROUGH_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/test?connect_timeout=1"}
    result = CliRunner().invoke(cli, [command], env=env)
    assert result.exit_code == 3
    assert "unavailable" in result.output


def test_a_record_of_rooms_written_whole_is_read_and_split_up(demo: Services) -> None:
    """Read models written before each classroom id had its statements' own document
    (all of them inside the visit's `visit_rooms` document) still read the same, and
    the next change to the visit writes them split up, as a rebuild does."""
    observe(demo, rooms=3)
    demo.projector.catch_up()
    visit_id = str(CURRENT_VISIT)
    reader = Reader(demo.read_models)
    rooms = reader.rooms(visit_id)
    older: dict[tuple[str, str], bytes | None] = {
        (ROOMS, visit_id): msgspec.json.encode(load_index(demo.read_models, visit_id))}
    older.update({(ENTRIES, doc_id): None for doc_id, _ in
                  demo.read_models.first(ENTRIES, f"{visit_id}/", 1000)})
    position = demo.projector.position()
    demo.read_models.write(older, [], Tracking(demo.app.name, position), previous=position)
    assert reader.rooms(visit_id) == rooms
    observe(demo, rooms=1)
    Projector(demo.app, demo.read_models).catch_up()
    assert demo.read_models.dump() == rebuilt_rows(demo)
