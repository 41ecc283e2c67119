"""Figures next to the issue's targets: printed, written as JSON, and as the table at the
top of benchmarks/RESULTS.md (between markers; the profile notes below are kept)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, ROOT

RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
Row = tuple[str, str, str, str, str, str]


def _num(value: Any, digits: int = 0, unit: str = "") -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, float) and value != value:  # NaN
        return "-"
    return f"{value:,.{digits}f}{unit}"


def _met(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "**no**")


def _get(tree: dict[str, Any], *path: str) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def targets(results: dict[str, Any]) -> list[Row]:
    """(what, figure, reference, ratio, target, met) rows."""
    rows: list[Row] = []
    ingest = results.get("ingest", {})
    app, ceiling, naive = (ingest.get(k, {}) for k in ("app", "ceiling", "naive"))

    def lat(row: dict[str, Any]) -> str:
        return f"p50 {_num(row.get('p50_ms'), 1)} / p99 {_num(row.get('p99_ms'), 1)} ms"

    if ingest:
        one, large = ingest.get("one_empty", {}), ingest.get("one_100k", {})
        share = ingest.get("app_vs_ceiling")
        rows.append(("sync ingest spread over 200 visits (SQLite, 1 worker)",
                     f"{_num(app.get('events_per_s'))} ev/s, {lat(app)}",
                     f"ceiling {_num(ceiling.get('events_per_s'))} ev/s, {lat(ceiling)}",
                     _num(share, 2), ">= 0.50 of ceiling",
                     _met(None if share is None else share >= 0.5)))
        share = ingest.get("one_vs_ceiling")
        rows.append(("sync ingest all on one visit (one token, rate limit off)",
                     f"{_num(one.get('events_per_s'))} ev/s, {lat(one)}",
                     f"ceiling {_num(ceiling.get('events_per_s'))} ev/s",
                     _num(share, 2), ">= 0.50 of ceiling",
                     _met(None if share is None else share >= 0.5)))
        flat = ingest.get("one_100k_vs_empty")
        rows.append(("ingest into a visit holding 100k taps vs a new visit",
                     f"{_num(large.get('events_per_s'))} ev/s, {lat(large)} "
                     f"({_num(ingest.get('one_100k_vs_ceiling'), 2)} of ceiling)",
                     f"new visit {_num(one.get('events_per_s'))} ev/s",
                     _num(flat, 2), ">= 0.90 (within 10 %)",
                     _met(None if flat is None else flat >= 0.9)))
        pair = ingest.get("debrief_visits") or {}
        if pair.get("large") and pair.get("small"):
            growth = pair.get("p99_large_vs_small")
            rows.append((f"debrief p99, visit of {_num(pair['large'].get('taps'))} taps vs "
                         f"{_num(pair['small'].get('taps'))} taps",
                         f"p50 {_num(pair['large'].get('p50_ms'), 1)} / p99 "
                         f"{_num(pair['large'].get('p99_ms'), 1)} ms",
                         f"p50 {_num(pair['small'].get('p50_ms'), 1)} / p99 "
                         f"{_num(pair['small'].get('p99_ms'), 1)} ms",
                         _num(growth, 2), "<= 1.5x",
                         _met(None if growth is None else growth <= 1.5)))
        rows.append(("sync ingest vs naive baseline",
                     f"{_num(app.get('events_per_s'))} ev/s",
                     f"naive {_num(naive.get('events_per_s'))} ev/s, {lat(naive)}",
                     _num(ingest.get("app_vs_naive"), 2),
                     f"(context; ceiling/naive here: "
                     f"{_num(ingest.get('ceiling_vs_naive'), 1)}x)", "-"))
        rows.append(("ingest per server CPU second",
                     f"spread {_num(app.get('events_per_server_cpu_s'))}, one visit "
                     f"{_num(one.get('events_per_server_cpu_s'))} ev/CPU-s",
                     f"ceiling {_num(ceiling.get('events_per_server_cpu_s'))}, naive "
                     f"{_num(naive.get('events_per_server_cpu_s'))} ev/CPU-s",
                     _num(_div(app.get("events_per_server_cpu_s"),
                               ceiling.get("events_per_server_cpu_s")), 2),
                     "(noise-resistant view)", "-"))
        rows.append(("machine CPU busy while loaded (2 cores = 100 %)",
                     f"spread {_pct(app.get('machine_busy'))}, one visit "
                     f"{_pct(one.get('machine_busy'))} (projector process "
                     f"{_num(_div(app.get('children_cpu_s'), app.get('server_cpu_s')), 2)} "
                     "of the server's CPU)",
                     f"ceiling {_pct(ceiling.get('machine_busy'))}, naive "
                     f"{_pct(naive.get('machine_busy'))}", "-", "(context)", "-"))
    for key, where in (("replay", "in ~10,000 visits"), ("replay_one", "in one visit")):
        replay = results.get(key, {})
        if not replay or replay.get("error"):
            continue
        rapp, rceil = replay.get("app", {}), replay.get("ceiling", {})
        share = replay.get("app_vs_ceiling")
        n = _num(rapp.get("events"))
        rows.append((f"replay {n} events {where} ({_num(replay.get('visits'))} visits)",
                     f"{_num(rapp.get('events_per_s'))} ev/s "
                     f"({_num(rapp.get('seconds'), 1)} s; "
                     f"{_num(_div(rapp.get('events'), rapp.get('cpu_s')))} ev/CPU-s, "
                     f"{_num(replay.get('app_vs_ceiling_per_cpu_s'), 2)} of the ceiling's)",
                     f"read+decode {_num(rceil.get('events_per_s'))} ev/s "
                     f"({_num(_div(rceil.get('events'), rceil.get('cpu_s')))} ev/CPU-s)",
                     _num(share, 2), ">= 0.50 of ceiling",
                     _met(None if share is None else share >= 0.5)))
        peak = rapp.get("peak_rss_mb")
        rows.append((f"replay peak RSS ({n} events {where})", _num(peak, 0, " MB"),
                     f"before replay {_num(rapp.get('rss_before_mb'), 0, ' MB')}; ceiling "
                     f"{_num(rceil.get('peak_rss_mb'), 0, ' MB')}", "-", "< 200 MB at 1M",
                     _met(None if peak is None else peak < 200)))
    debrief = results.get("debrief", {})
    if debrief.get("small") and debrief.get("large"):
        small, large = debrief["small"], debrief["large"]
        growth = debrief.get("p99_large_vs_small")
        rows.append((f"debrief p99 at {_num(large.get('log_events'))} vs "
                     f"{_num(small.get('log_events'))} events",
                     f"p50 {_num(large.get('p50_ms'), 1)} / p99 {_num(large.get('p99_ms'), 1)} ms",
                     f"p50 {_num(small.get('p50_ms'), 1)} / p99 {_num(small.get('p99_ms'), 1)} ms",
                     _num(growth, 2), "<= 1.5x",
                     _met(None if growth is None else growth <= 1.5)))
    postgres = results.get("postgres", {})
    if postgres.get("skipped"):
        rows.append(("PostgreSQL ingest per busy CPU-second, 2 vs 1 worker",
                     postgres["skipped"], "-", "-", ">= 0.9", "-"))
    elif postgres:
        one, two = postgres.get("workers_1", {}), postgres.get("workers_2", {})
        busy = postgres.get("busy_two_vs_one")
        rows.append(("PostgreSQL ingest per busy CPU-second (server + its backends), "
                     "2 vs 1 worker",
                     f"2 workers {_num(two.get('events_per_busy_cpu_s'))} ev/CPU-s",
                     f"1 worker {_num(one.get('events_per_busy_cpu_s'))} ev/CPU-s",
                     _num(busy, 2), ">= 0.90", _met(None if busy is None else busy >= 0.9)))
        rows.append(("PostgreSQL table lock (LOCK TABLE ... EXCLUSIVE) held per 50-event "
                     "request",
                     f"2 workers {_num(two.get('lock_held_ms_per_request'), 2)} ms "
                     f"(held {_pct(two.get('lock_held_share'))} of the time, "
                     f"{_num(two.get('lock_waiters_mean'), 2)} waiting on average)",
                     f"1 worker {_num(one.get('lock_held_ms_per_request'), 2)} ms "
                     f"(held {_pct(one.get('lock_held_share'))})", "-", "(reported)", "-"))
        growth = postgres.get("two_vs_one")
        rows.append(("PostgreSQL ingest wall clock, 2 vs 1 worker",
                     f"2 workers {_num(two.get('events_per_s'))} ev/s, {lat(two)}",
                     f"1 worker {_num(one.get('events_per_s'))} ev/s, {lat(one)}",
                     _num(growth, 2), "(cannot show on 2 cores)", "-"))
        rows.append(("machine CPU busy, PostgreSQL legs (2 cores = 100 %)",
                     f"2 workers {_pct(two.get('machine_busy'))}",
                     f"1 worker {_pct(one.get('machine_busy'))}", "-", "(context)", "-"))
    return rows


def _pct(share: Any) -> str:
    return f"{share * 100:.0f} %" if isinstance(share, (int, float)) else "-"


def _div(a: Any, b: Any) -> float | None:
    return a / b if a and b else None


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    commit = results.get("commit_ms") or {}
    lines = [
        f"Run {m['date']} on {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}; "
        f"`{results['command']}`, wall time {_num(results.get('wall_s'), 0)} s; "
        f"one-row SQLite commit (fsync) {_num(commit.get('start'), 2)} ms at the start, "
        f"{_num(commit.get('end'), 2)} ms at the end. Raw figures: "
        "`benchmarks/out/results.json`.",
        "",
        "| what | figure | reference | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in targets(results)]
    problems = results.get("problems") or []
    if problems:
        lines += ["", "Problems in this run:", *[f"- {p}" for p in problems]]
    return "\n".join(lines)


def print_table(results: dict[str, Any]) -> None:
    rows = targets(results)
    widths = [max(len(row[i]) for row in [("what", "figure", "reference", "ratio", "target",
                                             "met"), *rows]) for i in range(6)]
    header: Row = ("what", "figure", "reference", "ratio", "target", "met")
    print()
    for row in [header, *rows]:
        print("  ".join(cell.replace("**", "").ljust(width) for cell, width in zip(row, widths,
                                                                                      strict=True)))
    for problem in results.get("problems") or []:
        print(f"problem: {problem}")
    print()


def write(results: dict[str, Any]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "results.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    block = f"{START}\n{table(results)}\n{END}"
    if RESULTS_MD.exists():
        text = RESULTS_MD.read_text()
        if START in text and END in text:
            head, rest = text.split(START, 1)
            text = head + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
    else:
        text = f"# Benchmark results\n\nFigures from `make bench`.\n\n{block}\n"
    RESULTS_MD.write_text(text)
    return path
