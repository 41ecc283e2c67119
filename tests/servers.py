"""Real `walkthrough serve` processes for tests: a free port, and waiting until /health answers."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from web.composition.settings import Settings

STARTUP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path | None = None,
                  seconds: float = STARTUP_SECONDS) -> None:
    """Return once GET {url}/health answers 200; fail with the server's log otherwise."""

    def output() -> str:
        return log.read_text(errors="replace") if log is not None and log.exists() else ""

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}):\n{output()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer /health within {seconds:.0f} s:\n{output()}")


def cli_env(settings: Settings) -> dict[str, str | None]:
    """The environment that points the command at the test's store."""
    return {"WALKTHROUGH_DATA_DIR": str(settings.data_dir),
            "WALKTHROUGH_DATABASE_URL": settings.database_url}
