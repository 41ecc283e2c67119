"""Keeping read models warm in a process of their own (`walkthrough project`).

`walkthrough serve` starts one projector process beside its web workers (whose
threads are then off), so folding events into read models runs on another core
than the one taking sync requests, and several workers do not all project the
same events. Reads never catch up themselves: a read that asks for its caller's
writes waits for them, bounded (web.composition.catchup, web.http.freshness).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from eventsourcing.persistence import PersistenceError

from projections.rebuild import upgrade
from projections.versions import READ_MODEL_VERSION, ReadModelsRebuilding, stored_version
from web.composition.bootstrap import Services
from web.composition.runtime import tune_gc

log = logging.getLogger("walkthrough.projector")
THREAD_INTERVAL_SECONDS = 1.0
PROCESS_INTERVAL_SECONDS = 0.2
PROGRESS_LOG_SECONDS = 5.0


def keep_projecting(services: Services, stopping: threading.Event, interval: float,
                    parent_pid: int | None = None) -> None:
    """Bring read models of another version up to this one (a rebuild from the log),
    then catch up every `interval` seconds until `stopping` is set (or the parent that
    started this process is gone)."""
    upgraded = False
    while True:
        try:
            if not upgraded:
                upgrade_read_models(services)
                upgraded = True
            services.projector.catch_up()
        except ReadModelsRebuilding as exc:
            log.warning("not projecting: %s", exc)  # another version's server is at it
        except PersistenceError:
            log.warning("projector tick failed (store unavailable); retrying", exc_info=True)
        if stopping.wait(interval):
            return
        if parent_pid is not None and os.getppid() != parent_pid:
            return


def upgrade_read_models(services: Services) -> None:
    """Rebuild the read models from the log when they are of another version, logging
    its progress; meanwhile reads answer 503 with Retry-After and syncs are stored."""
    app, store = services.app, services.read_models
    version = stored_version(store, app.name)
    if version == READ_MODEL_VERSION:
        return
    total = app.recorder.max_notification_id() or 0
    log.warning("the read models are of version %s, this server's are version %s: "
                "rebuilding them from the log (%s events); reads answer 503 until done",
                version, READ_MODEL_VERSION, total)
    started = last = time.monotonic()

    def progress(position: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_LOG_SECONDS:
            last = time.monotonic()
            log.warning("rebuilding the read models: %s of %s events", position, total)

    position = upgrade(app, store, progress=progress)
    log.warning("read models rebuilt to position %s in %.1f s", position,
                time.monotonic() - started)


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
