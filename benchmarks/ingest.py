"""Sync ingest: the real server against a ceiling and a naive baseline, same run,
same load generator, same batches."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

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
    ratio,
    run_module,
    start_server,
)
from benchmarks.loadgen import LoadSpec, run_load
from benchmarks.workload import (
    BATCH_EVENTS,
    batch_templates,
    setup_batches,
    utc_now,
    visit_ids,
)

USERS = ("coach1", "coach2", "organizer1", "host1")
VISITS = 200


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
    from walkthrough.demo import CURRENT_VISIT  # the project's own demo ids

    return str(CURRENT_VISIT)


def _setup_visits(port: int, tokens: dict[str, str], visits: list[str]) -> None:
    """Plan, announce and start every visit but the demo's current one (untimed)."""
    now = utc_now()
    bodies = setup_batches(visits[1:], now, now.date())
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


@dataclass
class Target:
    """A running server that takes sync batches, and who may send them."""

    label: str
    server: Server
    tokens: tuple[str, ...]
    visits: list[str]


def start_app(label: str, extra_env: dict[str, str], workers: int | None = None) -> Target:
    """The real server (`python -m web.cli serve`) on a fresh store, demo loaded, tokens
    issued, 199 more visits planned and started (untimed)."""
    data_dir = fresh_dir(f"ingest-{label}")
    env = child_env({"WALKTHROUGH_DATA_DIR": str(data_dir), **extra_env})
    tokens = prepare_app(env)
    port = free_port()
    args = ["web.cli", "serve", "--host", HOST, "--port", str(port)]
    if workers is not None:
        args += ["--workers", str(workers)]
    server = start_server(f"ingest-{label}", args, env, port)
    try:
        visits = visit_ids(secrets.token_hex(4), VISITS, current_visit())
        _setup_visits(port, tokens, visits)
    except BaseException:
        server.stop()
        raise
    return Target(label, server, (tokens["coach1"], tokens["coach2"]), visits)


def start_reference(kind: str) -> Target:
    data_dir = fresh_dir(f"ingest-{kind}")
    port = free_port()
    server = start_server(f"ingest-{kind}", ["benchmarks.servers", kind, "--port", str(port),
                                              "--db", str(data_dir / "ref.sqlite3")],
                          child_env(), port)
    return Target(kind, server, ("reference",),
                  visit_ids(secrets.token_hex(4), VISITS, current_visit()))


def _load(target: Target, duration: float, connections: int) -> dict[str, Any]:
    spec = LoadSpec(port=target.server.port, path="/api/sync", tokens=target.tokens,
                    visits=tuple(target.visits), templates=tuple(batch_templates(utc_now())),
                    connections=connections, duration=duration, nonce=secrets.randbits(32))
    before, children_before = target.server.cpu_seconds(), target.server.children_cpu_seconds()
    machine_before = machine_cpu()
    result = run_load(spec)
    result["machine_busy"] = busy_share(machine_before, machine_cpu())
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
        "events_per_server_cpu_s": round(accepted / server_cpu, 1) if server_cpu > 0 else None,
        "client_cpu_s": round(sum(leg["client_cpu_s"] for leg in legs), 2),
        "connections": legs[0]["connections"] if legs else None,
        "batch_events": BATCH_EVENTS,
        "errors": [e for leg in legs for e in leg["errors"]],
        "sample_response": samples[0] if samples else None,
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


def run(duration: float, connections: int, rounds: int = 3) -> dict[str, Any]:
    results: dict[str, Any] = {}
    targets: list[Target] = []
    try:
        for label in ("app", "ceiling", "naive"):
            log(f"ingest: starting {label}")
            try:
                targets.append(start_app("app", {}) if label == "app"
                               else start_reference(label))
            except Exception as exc:  # noqa: BLE001 - a failed leg must not lose the others
                log(f"  failed: {exc}")
                results[label] = {"error": str(exc)[-3000:]}
        log(f"ingest: {duration:.0f} s per server in {rounds} interleaved rounds, "
            f"{connections} connections")
        for label, row in measure(targets, duration, connections, rounds).items():
            results[label] = row
            show(label, row)
    finally:
        for target in targets:
            target.server.stop()
    app, ceiling, naive = (results.get(k, {}).get("events_per_s")
                           for k in ("app", "ceiling", "naive"))
    results["app_vs_ceiling"] = ratio(app, ceiling)
    results["app_vs_naive"] = ratio(app, naive)
    results["ceiling_vs_naive"] = ratio(ceiling, naive)
    return results
