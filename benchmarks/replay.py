"""Replay: rebuild every projection from a log of N events, against the ceiling of
reading the same rows and msgspec-decoding them. Each side runs in its own process,
so its peak RSS (ru_maxrss) is its own.

    python -m benchmarks.replay app        (WALKTHROUGH_DATA_DIR names the store)
    python -m benchmarks.replay ceiling
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import time
from pathlib import Path
from typing import Any

from benchmarks.common import child_env, fresh_dir, log, ratio, run_module

FETCH = 10_000
TIMEOUT = 1800.0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_rss_mb() -> float:
    """High-water RSS of this process (VmHWM; ru_maxrss as a fallback)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def replay_app() -> dict[str, Any]:
    """The application's own projector, from an empty read model to the end of the log."""
    from web.composition.bootstrap import bootstrap
    from web.composition.runtime import tune_gc
    from web.composition.settings import Settings

    tune_gc()  # as the projector process (`walkthrough project`) runs
    services = bootstrap(Settings.from_env())
    try:
        rss_before = _rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        position = services.projector.catch_up()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        last = services.app.recorder.max_notification_id()
    finally:
        services.close()
    return {"events": position, "complete": position == last, "seconds": round(seconds, 2),
            "cpu_s": round(cpu, 2), "events_per_s": round(position / seconds, 1),
            "rss_before_mb": round(rss_before, 1), "peak_rss_mb": round(_peak_rss_mb(), 1)}


def replay_ceiling() -> dict[str, Any]:
    """Read the same rows in log order and decode each into the typed Event (msgspec)."""
    from walkthrough.events import event_decoder
    from web.composition.settings import Settings

    path = Settings.from_env().sqlite_path
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rss_before = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    events = 0
    cursor = connection.execute("SELECT rowid, originator_id, originator_version, topic, state "
                                "FROM stored_events ORDER BY rowid")
    for _ in range(1_000_000_000 // FETCH):
        rows = cursor.fetchmany(FETCH)
        if not rows:
            break
        for row in rows:
            event_decoder.decode(row[4])
        events += len(rows)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    connection.close()
    return {"events": events, "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
            "events_per_s": round(events / seconds, 1), "rss_before_mb": round(rss_before, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1)}


# --- driven from the parent ---------------------------------------------------------


def generate_log(name: str, events: int, shape: str = "visits") -> tuple[Path, dict[str, Any]]:
    data_dir = fresh_dir(name)
    env = child_env({"WALKTHROUGH_DATA_DIR": str(data_dir)})
    out = run_module(["benchmarks.loggen", "--events", str(events), "--shape", shape], env,
                     TIMEOUT)
    info: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    info["events_per_s"] = round(info["events"] / info["seconds"], 1)
    db = data_dir / "walkthrough.sqlite3"
    info["db_mb"] = round(db.stat().st_size / 2**20, 1) if db.exists() else None
    return data_dir, info


def measure(data_dir: Path, kind: str) -> dict[str, Any]:
    env = child_env({"WALKTHROUGH_DATA_DIR": str(data_dir)})
    out = run_module(["benchmarks.replay", kind], env, TIMEOUT)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def run(data_dir: Path) -> dict[str, Any]:
    """Ceiling first (it leaves the read model empty), then the application's replay."""
    log("replay: ceiling (read + msgspec decode)")
    ceiling = measure(data_dir, "ceiling")
    log(f"  {ceiling['events_per_s']} events/s, peak RSS {ceiling['peak_rss_mb']} MB")
    log("replay: application projector (catch_up from nothing)")
    app = measure(data_dir, "app")
    log(f"  {app['events_per_s']} events/s, peak RSS {app['peak_rss_mb']} MB, "
        f"{app['seconds']} s")
    # Per CPU-second as well: on a shared machine the wall clock waits for a core.
    per_cpu = ratio(app["events"] / app["cpu_s"], ceiling["events"] / ceiling["cpu_s"])
    log(f"  ratio {ratio(app['events_per_s'], ceiling['events_per_s']) or 0:.2f}, "
        f"per CPU-second {per_cpu or 0:.2f}")
    return {"app": app, "ceiling": ceiling,
            "app_vs_ceiling": ratio(app["events_per_s"], ceiling["events_per_s"]),
            "app_vs_ceiling_per_cpu_s": per_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["app", "ceiling"])
    args = parser.parse_args()
    result = replay_app() if args.kind == "app" else replay_ceiling()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
