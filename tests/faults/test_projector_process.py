"""`walkthrough serve` folds events into read models in a projector process of its
own, beside the web workers, and that process ends with the server, however the
server ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.faults.server import Server, classroom_batch, demo_with_token
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings

DEADLINE_SECONDS = 20.0


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def command_line(pid: int) -> str:
    return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"not within {DEADLINE_SECONDS:.0f} s: {what}"
        time.sleep(0.05)


def projected_to_the_end(data_dir: Path) -> bool:
    services = bootstrap(Settings(data_dir=data_dir, background_projector=False))
    try:
        return (services.read_models.max_tracking_id(services.app.name)
                == services.app.recorder.max_notification_id())
    finally:
        services.close()


def start_with_projector(tmp_path: Path) -> tuple[Server, int, dict[str, str]]:
    data_dir = tmp_path / "data"
    token = demo_with_token(data_dir, "coach1")
    server = Server(data_dir, tmp_path / "server.log")
    server.start()
    assert server.process is not None
    projectors = [pid for pid in children(server.process.pid)
                  if " web.cli project " in command_line(pid) + " "]
    assert len(projectors) == 1, [command_line(pid) for pid in children(server.process.pid)]
    return server, projectors[0], {"Authorization": f"Bearer {token}"}


def test_synced_events_reach_the_read_models_without_any_read(tmp_path: Path) -> None:
    server, projector, headers = start_with_projector(tmp_path)
    try:
        answer = httpx.post(f"{server.url}/api/sync", headers=headers, timeout=30,
                            json=classroom_batch("projected", 12, "tablet-p"))
        assert answer.status_code == 200
        assert {r["status"] for r in answer.json()["results"]} == {"accepted"}
        # No GET was made, so the web worker never caught up itself: the projector did.
        eventually(lambda: projected_to_the_end(server.data_dir),
                   "the read models caught up with the log")
    finally:
        server.stop()
    eventually(lambda: not alive(projector), "the projector stopped with the server")


def test_the_projector_ends_when_its_server_is_killed(tmp_path: Path) -> None:
    server, projector, _ = start_with_projector(tmp_path)
    server.kill()
    eventually(lambda: not alive(projector), "the projector noticed its server is gone")
