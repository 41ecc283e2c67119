"""Keeping read models warm: a thread in a lone web process, or its own process.

`walkthrough serve` starts one projector process beside its web workers (whose
threads are then off), so folding events into read models runs on another core
than the one taking sync requests, and several workers do not all project the
same events. Reads still catch up first, so a coach always sees their own sync.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from eventsourcing.persistence import PersistenceError

from web.bootstrap import Services
from web.runtime import tune_gc

log = logging.getLogger("walkthrough.projector")
THREAD_INTERVAL_SECONDS = 1.0
PROCESS_INTERVAL_SECONDS = 0.2


def keep_projecting(services: Services, stopping: threading.Event, interval: float,
                    parent_pid: int | None = None) -> None:
    """Catch up every `interval` seconds until `stopping` is set (or the parent that
    started this process is gone)."""
    while not stopping.wait(interval):
        if parent_pid is not None and os.getppid() != parent_pid:
            return
        try:
            services.projector.catch_up()
        except PersistenceError:
            log.warning("projector tick failed (store unavailable); retrying", exc_info=True)


def run_process(services: Services, parent_pid: int | None) -> None:
    """The projector process's main: until SIGTERM/SIGINT or its parent's end; closes
    `services` when done."""
    tune_gc()
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        keep_projecting(services, stopping, PROCESS_INTERVAL_SECONDS, parent_pid)
    finally:
        services.close()


def start_process() -> subprocess.Popen[bytes]:
    """Start `walkthrough project` as a child of this process (same environment)."""
    return subprocess.Popen([sys.executable, "-m", "web.cli", "project",
                             "--parent", str(os.getpid())])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
