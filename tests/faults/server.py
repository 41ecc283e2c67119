"""A real `walkthrough serve` process on a free port, to be killed and restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.builders import batch, enter, tap
from tests.faults.exactly_once import log_counts
from tests.servers import free_port, wait_until_up
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT


def cli_env(data_dir: Path) -> dict[str, str]:
    """The environment for the CLI: SQLite under `data_dir`, whatever the caller's."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("WALKTHROUGH_")}
    env["WALKTHROUGH_DATA_DIR"] = str(data_dir)
    return env


def run_cli(data_dir: Path, *args: str) -> str:
    """Run `python -m web.cli ...` to the end; its stdout."""
    done = subprocess.run([sys.executable, "-m", "web.cli", *args], env=cli_env(data_dir),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"walkthrough {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


def demo_with_token(data_dir: Path, user: str) -> str:
    """Load the demo district into `data_dir`; a bearer token for `user`."""
    run_cli(data_dir, "demo")
    return run_cli(data_dir, "token", user).strip().splitlines()[-1]


class Server:
    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir = data_dir
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web.cli", "serve", "--port", str(self.port)],
                env=cli_env(self.data_dir), stdout=log, stderr=subprocess.STDOUT)
        wait_until_up(self.url, self.process, self.log)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, whatever it was doing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def stored_counts(data_dir: Path) -> Counter[str]:
    """How many times each event id is in the log, opened afresh as after a restart."""
    services = bootstrap(Settings(data_dir=data_dir))
    try:
        return log_counts(services.app)
    finally:
        services.close()


VALUES: list[tuple[str, str | int]] = [
    ("cfu", "yes"), ("cfu", "no"), ("engagement", 3), ("on_task", 20), ("target_posted", "yes"),
    ("student_talk", "no")]


def now_z() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def classroom_batch(label: str, size: int, device: str) -> dict[str, Any]:
    """A room entered, then taps in it: `size` events a tablet made just now."""
    room = f"c-{label}"
    events = [enter(CURRENT_VISIT, room=room)]
    events += [tap(CURRENT_VISIT, *VALUES[i % len(VALUES)], room=room)
               for i in range(size - 1)]
    for client_event in events:
        client_event["occurred_at"] = now_z()
    return batch(*events, device=device)
