"""A lean multi-process load generator: one keep-alive raw-socket connection per
process, pre-encoded request heads, bodies filled from templates. Costs the server's
machine little CPU (measured and reported as `client_cpu_s`).

Each worker sends `warmup` requests, waits for the others at a barrier, then sends
until the shared deadline or its request cap, whichever comes first.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import resource
import time
from array import array
from dataclasses import dataclass
from typing import Any

from benchmarks.common import HttpConnection, percentile
from benchmarks.workload import BATCH_EVENTS, fill


@dataclass(frozen=True)
class LoadSpec:
    port: int
    path: str
    tokens: tuple[str, ...]        # worker w uses tokens[w % len(tokens)]
    visits: tuple[str, ...]        # request g of all workers goes to visits[g % len(visits)]
    templates: tuple[bytes, ...]
    connections: int
    duration: float
    warmup: int = 10
    max_requests: int = 200_000    # per worker
    nonce: int = 0


def _worker(spec: LoadSpec, worker: int, barrier: Any, results: Any) -> None:
    outcome: dict[str, Any] = {"worker": worker, "error": None}
    latencies = array("d")
    accepted = other_events = bad_status = 0
    sample: bytes | None = None
    start = end = time.monotonic()
    visits = [v.encode() for v in spec.visits]
    token = spec.tokens[worker % len(spec.tokens)]
    try:
        connection = HttpConnection(spec.port, timeout=60)
        heads = [  # ids are fixed width: each template's body length is fixed
            (f"POST {spec.path} HTTP/1.1\r\nHost: 127.0.0.1:{spec.port}\r\n"
             f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
             f"Content-Length: {len(fill(template, spec.nonce, worker, 0, visits[0]))}"
             "\r\n\r\n").encode()
            for template in spec.templates]
        deadline = float("inf")
        for index in range(spec.warmup + spec.max_requests):
            if index == spec.warmup:
                barrier.wait(timeout=120)
                start = time.monotonic()
                deadline = start + spec.duration
            which = index % len(spec.templates)
            visit = visits[(index * spec.connections + worker) % len(visits)]
            body = fill(spec.templates[which], spec.nonce, worker, index, visit)
            sent = time.perf_counter()
            status, answer = connection.exchange(heads[which] + body)
            elapsed = time.perf_counter() - sent
            if index < spec.warmup:
                continue
            latencies.append(elapsed * 1000)
            if status != 200:
                bad_status += 1
                other_events += BATCH_EVENTS
                sample = sample or answer[:500]
            else:
                ok = answer.count(b'"accepted"')
                accepted += ok
                if ok != BATCH_EVENTS:
                    other_events += BATCH_EVENTS - ok
                    sample = sample or answer[:500]
            end = time.monotonic()
            if end >= deadline:
                break
        connection.close()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
        outcome["error"] = f"{type(exc).__name__}: {exc}"
        barrier.abort()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    outcome.update(latencies=latencies.tobytes(), accepted=accepted, other_events=other_events,
                   bad_status=bad_status, sample=sample, start=start, end=end,
                   cpu=usage.ru_utime + usage.ru_stime)
    results.put(outcome)


def run_load(spec: LoadSpec) -> dict[str, Any]:
    """Run the workers; return events/s, latency percentiles and diagnostics."""
    context = mp.get_context("fork")
    barrier = context.Barrier(spec.connections)
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(spec, w, barrier, results), daemon=True)
               for w in range(spec.connections)]
    for process in workers:
        process.start()
    outcomes: list[dict[str, Any]] = []
    deadline = time.monotonic() + spec.duration + 180
    for _ in range(spec.connections):
        try:
            outcomes.append(results.get(timeout=max(1.0, deadline - time.monotonic())))
        except queue.Empty:
            break
    for process in workers:
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
    errors = [o["error"] for o in outcomes if o["error"]]
    if len(outcomes) < spec.connections:
        errors.append(f"only {len(outcomes)} of {spec.connections} workers reported")
    latencies: list[float] = []
    for o in outcomes:
        values = array("d")
        values.frombytes(o["latencies"])
        latencies.extend(values)
    window = (max((o["end"] for o in outcomes), default=0.0)
              - min((o["start"] for o in outcomes), default=0.0))
    accepted = sum(o["accepted"] for o in outcomes)
    samples = [o["sample"].decode("utf-8", "replace") for o in outcomes if o["sample"]]
    return {
        "requests": len(latencies),
        "events_accepted": accepted,
        "events_not_accepted": sum(o["other_events"] for o in outcomes),
        "non_200": sum(o["bad_status"] for o in outcomes),
        "window_s": round(window, 3),
        "events_per_s": round(accepted / window, 1) if window > 0 else None,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "client_cpu_s": round(sum(o["cpu"] for o in outcomes), 2),
        "connections": spec.connections,
        "errors": errors,
        "sample_response": samples[0] if samples else None,
        "_latencies": latencies,
    }
