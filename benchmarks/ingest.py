"""Sync ingest: the real server against a ceiling and a naive baseline, same run,
same load generator, same batches."""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from benchmarks.common import (
    HOST,
    HttpConnection,
    Server,
    busy_share,
    child_env,
    free_port,
    fresh_dir,
    log,
    machine_cpu,
    percentile,
    projected_position,
    ratio,
    run_module,
    start_server,
)
from benchmarks.loadgen import LoadSpec, run_load
from benchmarks.workload import (
    BATCH_EVENTS,
    ROOMS_PER_BATCH,
    batch_templates,
    setup_batches,
    utc_now,
    visit_ids,
)

USERS = ("coach1", "coach2", "organizer1", "host1")
VISITS = 200
PREFILL_TAPS = 100_000  # the large visit of the one-visit shape holds this many taps
SMALL_VISIT_BATCHES = 2  # the small visit of the debrief pair: 90 taps in 10 rooms


def issue_tokens(env: dict[str, str], users: tuple[str, ...] = USERS) -> dict[str, str]:
    """Load the demo (once; a no-op when loaded) and issue tokens, in one process:
    `walkthrough demo --tokens` prints `  <user> <token>` per demo user; any user it
    does not list gets `walkthrough token <user>` (the token alone on the last line)."""
    out = run_module(["web.cli", "demo", "--tokens"], env, 300)
    tokens = {}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("  ") and len(parts) == 2 and parts[0] in users:
            tokens[parts[0]] = parts[1]
    for user in users:
        if user not in tokens:
            tokens[user] = run_module(["web.cli", "token", user], env, 120).strip().splitlines()[-1]
    return tokens


def prepare_app(env: dict[str, str]) -> dict[str, str]:
    return issue_tokens(env)


def current_visit() -> str:
    from web.demo.district import CURRENT_VISIT  # the project's own demo ids

    return str(CURRENT_VISIT)


def setup_visits(port: int, tokens: dict[str, str], visits: list[str]) -> None:
    """Plan, announce and start these visits (untimed)."""
    now = utc_now()
    bodies = setup_batches(visits, now, now.date())
    connection = HttpConnection(port, timeout=120)
    try:
        for user in ("organizer1", "host1"):
            for body in bodies[user]:
                head = (f"POST /api/sync HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                        f"Authorization: Bearer {tokens[user]}\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {len(body)}"
                        "\r\n\r\n").encode()
                status, answer = connection.exchange(head + body)
                if status != 200 or b'"rejected"' in answer or b'"conflict"' in answer:
                    raise RuntimeError(f"visit setup refused ({status}): {answer[:400]!r}")
    finally:
        connection.close()


class Probe(Protocol):
    """Something watched during one leg (started just before the load, stopped after)."""

    def start(self) -> None: ...

    def stop(self) -> dict[str, Any]: ...


@dataclass
class Target:
    """A running server that takes sync batches, and who may send them. `prepare` runs
    before each leg, untimed (e.g. a fresh visit); `probe` watches each leg."""

    label: str
    server: Server
    tokens: tuple[str, ...]
    visits: list[str]
    prepare: Callable[[Target], None] | None = None
    probe: Callable[[], Probe] | None = None
    all_tokens: dict[str, str] = field(default_factory=dict)
    filled: int = 0  # events sent to its visit so far (setup and legs), when one visit
    data_dir: Path | None = None  # its SQLite store, when it has one


def start_app(label: str, extra_env: dict[str, str], workers: int | None = None,
              spread: int = VISITS) -> Target:
    """The real server (`python -m web.cli serve`) on a fresh store, demo loaded, tokens
    issued, `spread - 1` more visits planned and started (untimed)."""
    data_dir = fresh_dir(f"ingest-{label}")
    env = child_env({"WALKTHROUGH_DATA_DIR": str(data_dir), **extra_env})
    tokens = prepare_app(env)
    port = free_port()
    args = ["web.cli", "serve", "--host", HOST, "--port", str(port)]
    if workers is not None:
        args += ["--workers", str(workers)]
    server = start_server(f"ingest-{label}", args, env, port)
    try:
        visits = visit_ids(secrets.token_hex(4), spread, current_visit())
        setup_visits(port, tokens, visits[1:])
    except BaseException:
        server.stop()
        raise
    return Target(label, server, (tokens["coach1"], tokens["coach2"]), visits,
                  all_tokens=tokens, data_dir=data_dir)


def log_top(data_dir: Path) -> int:
    """The last notification id stored in a SQLite data directory's log."""
    connection = sqlite3.connect(f"file:{data_dir / 'walkthrough.sqlite3'}?mode=ro", uri=True)
    try:
        top: int = connection.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]
    finally:
        connection.close()
    return top or 0


def wait_projected(target: Target, limit: float = 900.0) -> float:
    """Wait until the server's projector has caught up with its (SQLite) log; return
    the seconds waited. Bounded by `limit`."""
    assert target.data_dir is not None, "a SQLite server"
    started = time.monotonic()
    top = log_top(target.data_dir)
    while time.monotonic() - started < limit:
        if projected_position(target.server.port) >= top:
            return round(time.monotonic() - started, 1)
        time.sleep(0.1)
    raise TimeoutError(f"the projector did not catch up in {limit:.0f} s")


def fill_visit(target: Target, visit: str, batches: int, connections: int) -> int:
    """Send `batches` sync batches to `visit` as the target's token (untimed setup);
    return the number of events accepted."""
    per_worker = -(-batches // connections)
    spec = LoadSpec(port=target.server.port, path="/api/sync", tokens=target.tokens,
                    visits=(visit,), templates=tuple(batch_templates(utc_now())),
                    connections=connections, duration=3600.0, warmup=0,
                    max_requests=per_worker, nonce=secrets.randbits(32))
    result = run_load(spec)
    if result["errors"] or result["events_not_accepted"]:
        raise RuntimeError(f"filling visit {visit} failed: {result['errors']} "
                           f"{result['sample_response']}")
    accepted: int = result["events_accepted"]
    return accepted


def start_one_visit(connections: int) -> tuple[Target, Target]:
    """One server (sync rate limit off, one token) for the one-visit shape: `one_empty`
    loads a visit planned just before each leg, `one_100k` a visit filled with
    PREFILL_TAPS taps just before each leg (through sync, untimed). A leg adds as many
    taps again (~100k in 4 s): one visit kept for every leg held 300k+ taps by the
    third, and then outweighed, with the day's other visits, the writer's aggregate
    cache (walkthrough.writer.CACHE_WEIGHT) - the leg measured a read-back of the
    whole visit, not ingest into a visit of 100k taps."""
    app = start_app("one", {"WALKTHROUGH_SYNC_RATE_PER_MINUTE": "0"}, spread=1)
    tokens = app.all_tokens
    one_token = (tokens["coach1"],)
    run = secrets.token_hex(4)
    empty = Target("one_empty", app.server, one_token, [], all_tokens=tokens,
                   data_dir=app.data_dir)
    large = Target("one_100k", app.server, one_token, [], all_tokens=tokens,
                   data_dir=app.data_dir)
    counter = iter(range(1_000_000))

    def fresh_visit(target: Target) -> None:
        visit = visit_ids(f"{run}-fresh-{next(counter)}", 2, current_visit())[1]
        setup_visits(target.server.port, tokens, [visit])
        target.visits = [visit]
        wait_projected(target)

    def filled_visit(target: Target) -> None:
        fresh_visit(target)
        batches = -(-PREFILL_TAPS // (BATCH_EVENTS - ROOMS_PER_BATCH))
        log(f"  filling visit {target.visits[0]} with {batches} batches")
        started = time.monotonic()
        target.filled = fill_visit(target, target.visits[0], batches, connections)
        log(f"  {target.filled:,} events in {time.monotonic() - started:.1f} s; "
            f"caught up after {wait_projected(target)} s more")

    # Each leg starts with the projector caught up: the two share a server, and one
    # leg's backlog must not slow the other's.
    empty.prepare = fresh_visit
    large.prepare = filled_visit
    return empty, large


def start_reference(kind: str) -> Target:
    data_dir = fresh_dir(f"ingest-{kind}")
    port = free_port()
    server = start_server(f"ingest-{kind}", ["benchmarks.servers", kind, "--port", str(port),
                                              "--db", str(data_dir / "ref.sqlite3")],
                          child_env(), port)
    return Target(kind, server, ("reference",),
                  visit_ids(secrets.token_hex(4), VISITS, current_visit()))


def _load(target: Target, duration: float, connections: int) -> dict[str, Any]:
    if target.prepare is not None:
        target.prepare(target)
    probe = target.probe() if target.probe is not None else None
    spec = LoadSpec(port=target.server.port, path="/api/sync", tokens=target.tokens,
                    visits=tuple(target.visits), templates=tuple(batch_templates(utc_now())),
                    connections=connections, duration=duration, nonce=secrets.randbits(32))
    before, children_before = target.server.cpu_seconds(), target.server.children_cpu_seconds()
    machine_before = machine_cpu()
    if probe is not None:
        probe.start()
    try:
        result = run_load(spec)
    finally:
        watched = probe.stop() if probe is not None else {}
    machine_after = machine_cpu()
    result["machine_busy"] = busy_share(machine_before, machine_after)
    result["machine_busy_cpu_s"] = machine_after[0] - machine_before[0]
    result.update(watched)
    target.filled += result["events_accepted"]
    result["server_cpu_s"] = target.server.cpu_seconds() - before
    result["children_cpu_s"] = target.server.children_cpu_seconds() - children_before
    return result


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None


def _combine(legs: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = [x for leg in legs for x in leg["_latencies"]]
    window = sum(leg["window_s"] for leg in legs)
    accepted = sum(leg["events_accepted"] for leg in legs)
    server_cpu = sum(leg["server_cpu_s"] for leg in legs)
    samples = [leg["sample_response"] for leg in legs if leg["sample_response"]]
    return {
        "events_per_s": round(accepted / window, 1) if window > 0 and accepted else None,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "events_accepted": accepted,
        "events_not_accepted": sum(leg["events_not_accepted"] for leg in legs),
        "non_200": sum(leg["non_200"] for leg in legs),
        "requests": len(latencies),
        "window_s": round(window, 2),
        "rounds_events_per_s": [leg["events_per_s"] for leg in legs],
        "server_cpu_s": round(server_cpu, 2),
        "children_cpu_s": round(sum(leg["children_cpu_s"] for leg in legs), 2),
        "machine_busy": _mean([leg["machine_busy"] for leg in legs]),
        "machine_busy_cpu_s": round(sum(leg["machine_busy_cpu_s"] for leg in legs), 2),
        "events_per_server_cpu_s": round(accepted / server_cpu, 1) if server_cpu > 0 else None,
        "client_cpu_s": round(sum(leg["client_cpu_s"] for leg in legs), 2),
        "connections": legs[0]["connections"] if legs else None,
        "batch_events": BATCH_EVENTS,
        "errors": [e for leg in legs for e in leg["errors"]],
        "sample_response": samples[0] if samples else None,
        **{key: sum(leg[key] for leg in legs) for key in legs[0] if key.startswith("sum_")},
    }


def measure(targets: list[Target], duration: float, connections: int,
            rounds: int) -> dict[str, dict[str, Any]]:
    """Load each target for `duration` seconds in all, in `rounds` interleaved legs (the
    order rotating each round), so drifts in disk and CPU contention hit all alike."""
    legs: dict[str, list[dict[str, Any]]] = {t.label: [] for t in targets}
    for r in range(rounds):
        order = targets[r % len(targets):] + targets[:r % len(targets)]
        for target in order:
            leg = _load(target, duration / rounds, connections)
            legs[target.label].append(leg)
            log(f"  round {r + 1}/{rounds} {target.label}: {leg['events_per_s']} events/s")
            if leg["errors"]:
                log(f"    load errors: {leg['errors']}")
            if leg["events_not_accepted"]:
                log(f"    {leg['events_not_accepted']} events not accepted, e.g. "
                    f"{leg['sample_response']}")
    return {label: _combine(rows) for label, rows in legs.items()}


def show(label: str, row: dict[str, Any]) -> None:
    log(f"  {label}: {row['events_per_s']} events/s, p50 {row['p50_ms']} ms, "
        f"p99 {row['p99_ms']} ms, server CPU {row['server_cpu_s']} s, "
        f"client CPU {row['client_cpu_s']} s")


def debrief_pair(large: Target, connections: int) -> dict[str, Any]:
    """Debrief p50/p99 of the large visit (PREFILL_TAPS taps and more) against a visit of
    ~100 taps, on the same caught-up server, requests interleaved."""
    from benchmarks.debrief import compare_visits

    small = visit_ids(f"{secrets.token_hex(4)}-small", 2, current_visit())[1]
    setup_visits(large.server.port, large.all_tokens, [small])
    fill_visit(large, small, SMALL_VISIT_BATCHES, min(connections, SMALL_VISIT_BATCHES))
    wait_projected(large)
    found: dict[str, Any] = compare_visits(large.server.port, large.tokens[0],
                           {"large": large.visits[0], "small": small}, 1000, 90)
    large_taps = found["large"]["taps"] = _taps_of(large)
    found["small"]["taps"] = SMALL_VISIT_BATCHES * (BATCH_EVENTS - ROOMS_PER_BATCH)
    log(f"  debrief of the visit with {large_taps:,} taps: p50 {found['large']['p50_ms']}"
        f" / p99 {found['large']['p99_ms']} ms; with {found['small']['taps']} taps: p50 "
        f"{found['small']['p50_ms']} / p99 {found['small']['p99_ms']} ms")
    found["p99_large_vs_small"] = ratio(found["large"]["p99_ms"], found["small"]["p99_ms"])
    return found


def _taps_of(target: Target) -> int:
    """Taps in the target's visit: what setup and the legs sent (every event accepted)."""
    return target.filled * (BATCH_EVENTS - ROOMS_PER_BATCH) // BATCH_EVENTS


def run(duration: float, connections: int, rounds: int = 3) -> dict[str, Any]:
    """Spread (`app`, 200 visits), one visit (`one_empty`, `one_100k`), the ceiling and
    the naive baseline, loaded in interleaved rounds; then the debrief of the large
    visit against a small one on the same server."""
    results: dict[str, Any] = {}
    targets: list[Target] = []
    try:
        for label in ("app", "one", "ceiling", "naive"):
            log(f"ingest: starting {label}")
            try:
                if label == "app":
                    targets.append(start_app("app", {}))
                elif label == "one":
                    targets.extend(start_one_visit(connections))
                else:
                    targets.append(start_reference(label))
            except Exception as exc:  # noqa: BLE001 - a failed leg must not lose the others
                log(f"  failed: {exc}")
                results[label] = {"error": str(exc)[-3000:]}
        log(f"ingest: {duration:.0f} s per server in {rounds} interleaved rounds, "
            f"{connections} connections")
        for label, row in measure(targets, duration, connections, rounds).items():
            results[label] = row
            show(label, row)
        large = next((t for t in targets if t.label == "one_100k"), None)
        if large is not None:
            log("debrief: the large visit against a small one")
            try:
                results["debrief_visits"] = debrief_pair(large, connections)
            except Exception as exc:  # noqa: BLE001 - keep the ingest figures
                log(f"  failed: {exc}")
                results["debrief_visits"] = {"error": str(exc)[-3000:]}
    finally:
        for target in targets:
            target.server.stop()
    figure = {k: results.get(k, {}).get("events_per_s")
              for k in ("app", "one_empty", "one_100k", "ceiling", "naive")}
    results["app_vs_ceiling"] = ratio(figure["app"], figure["ceiling"])
    results["one_vs_ceiling"] = ratio(figure["one_empty"], figure["ceiling"])
    results["one_100k_vs_ceiling"] = ratio(figure["one_100k"], figure["ceiling"])
    results["one_100k_vs_empty"] = ratio(figure["one_100k"], figure["one_empty"])
    results["app_vs_naive"] = ratio(figure["app"], figure["naive"])
    results["ceiling_vs_naive"] = ratio(figure["ceiling"], figure["naive"])
    return results
