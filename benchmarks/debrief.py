"""Debrief read: p50/p99 of GET /api/visits/{id}/debrief on the real server, for the
demo's current visit (same 20 rooms of content whatever the size of the log), once the
projections are caught up. Sequential requests on one keep-alive connection, bounded in
count and in time (a server too slow to finish the warm-up still gets a figure)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    HOST,
    HttpConnection,
    child_env,
    free_port,
    percentile,
    request_bytes,
    start_server,
)
from benchmarks.ingest import current_visit, issue_tokens

WARMUP = 10


def compare_visits(port: int, token: str, visits: dict[str, str], requests: int,
                   max_seconds: float) -> dict[str, dict[str, Any]]:
    """p50/p99 of the debrief of each visit on a running server, requests interleaved
    visit by visit (so drift hits all alike), bounded in count and time."""
    connection = HttpConnection(port, timeout=120)
    raws = {label: request_bytes("GET", f"/api/visits/{visit}/debrief", port, token)
            for label, visit in visits.items()}
    latencies: dict[str, list[float]] = {label: [] for label in visits}
    sizes: dict[str, int] = {}
    deadline = time.monotonic() + max_seconds
    try:
        for index in range(WARMUP + requests):
            for label, raw in raws.items():
                started = time.perf_counter()
                status, body = connection.exchange(raw)
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200 or b'"sections"' not in body:
                    raise RuntimeError(f"debrief answered {status}: {body[:300]!r}")
                sizes[label] = len(body)
                if index >= WARMUP:
                    latencies[label].append(elapsed)
            if time.monotonic() > deadline and all(latencies.values()):
                break
    finally:
        connection.close()
    return {label: {"requests": len(found), "p50_ms": round(percentile(found, 50), 2),
                    "p99_ms": round(percentile(found, 99), 2),
                    "max_ms": round(max(found), 2) if found else None,
                    "body_bytes": sizes.get(label)}
            for label, found in latencies.items()}


def run(data_dir: Path, label: str, requests: int, max_seconds: float) -> dict[str, Any]:
    env = child_env({"WALKTHROUGH_DATA_DIR": str(data_dir)})
    token = issue_tokens(env, ("coach1",))["coach1"]
    port = free_port()
    server = start_server(f"debrief-{label}", ["web.cli", "serve", "--host", HOST,
                                                "--port", str(port)], env, port)
    latencies: list[float] = []
    size = 0
    try:
        connection = HttpConnection(port, timeout=120)
        raw = request_bytes("GET", f"/api/visits/{current_visit()}/debrief", port, token)
        deadline = time.monotonic() + max_seconds
        for index in range(WARMUP + requests):
            started = time.perf_counter()
            status, body = connection.exchange(raw)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200 or b'"sections"' not in body:
                raise RuntimeError(f"debrief answered {status}: {body[:300]!r}")
            size = len(body)
            # The first request of a slow server is kept when nothing else would be.
            if index >= WARMUP or time.monotonic() > deadline:
                latencies.append(elapsed)
            if time.monotonic() > deadline:
                break
        connection.close()
    finally:
        server.stop()
    return {"requests": len(latencies), "p50_ms": round(percentile(latencies, 50), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "max_ms": round(max(latencies), 2) if latencies else None, "body_bytes": size}


def under_sync_load(duration: float, connections: int = 2) -> dict[str, Any]:
    """p50/p99 of the host's debrief of the demo's current visit while coaches sync
    batches into 200 other visits (`connections` keep-alive writers, `duration`
    seconds): what a host waits for while the projector has a backlog of other
    people's taps. The reads ask for no position (the host wrote nothing)."""
    import secrets
    import threading

    from benchmarks.ingest import start_app
    from benchmarks.loadgen import LoadSpec, run_load
    from benchmarks.workload import batch_templates, utc_now

    target = start_app("debrief-under-load", {})
    port = target.server.port
    latencies: list[float] = []
    load: dict[str, Any] = {}
    try:
        spec = LoadSpec(port=port, path="/api/sync", tokens=target.tokens,
                        visits=tuple(target.visits[1:]),
                        templates=tuple(batch_templates(utc_now())),
                        connections=connections, duration=duration,
                        nonce=secrets.randbits(32))
        writers = threading.Thread(target=lambda: load.update(run_load(spec)))
        raw = request_bytes("GET", f"/api/visits/{current_visit()}/debrief", port,
                            target.all_tokens["host1"])
        connection = HttpConnection(port, timeout=120)
        writers.start()
        time.sleep(1.0)  # the writers' warm-up
        while writers.is_alive():
            started = time.perf_counter()
            status, body = connection.exchange(raw)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200 or b'"sections"' not in body:
                raise RuntimeError(f"debrief answered {status}: {body[:300]!r}")
            latencies.append(elapsed)
            time.sleep(0.02)  # a reader, not a flood
        writers.join()
        connection.close()
        lag = _lag(port)
    finally:
        target.server.stop()
    return {"requests": len(latencies), "p50_ms": round(percentile(latencies, 50), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "max_ms": round(max(latencies), 2) if latencies else None,
            "sync_events_per_s": load.get("events_per_s"),
            "sync_p99_ms": load.get("p99_ms"), "lag_at_end": lag}


def _lag(port: int) -> int:
    import json

    connection = HttpConnection(port, timeout=30)
    try:
        _, body = connection.exchange(request_bytes("GET", "/health", port))
    finally:
        connection.close()
    lag: int = json.loads(body)["lag"]
    return lag


def main() -> None:
    """`python -m benchmarks.debrief [seconds]`: the debrief idle on a 10k-event log
    and under sync load, printed as JSON."""
    import json
    import sys

    from benchmarks import replay
    from benchmarks.common import log

    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    small_dir, _ = replay.generate_log("log-small", 10_000)
    replay.measure(small_dir, "app")
    log("debrief: idle, 10k-event log")
    idle = run(small_dir, "small", 1000, 30)
    log(f"  {idle}")
    log(f"debrief: under sync load ({seconds:.0f} s)")
    loaded = under_sync_load(seconds)
    log(f"  {loaded}")
    print(json.dumps({"idle": idle, "under_sync_load": loaded}, indent=2))


if __name__ == "__main__":
    main()
