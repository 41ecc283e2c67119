"""`make bench`: ingest, replay, debrief and PostgreSQL benchmarks, as ratios in one run.

    python -m benchmarks [--quick] [--events N] [--duration S] [--connections C]
                         [--only ingest,postgres,replay,debrief] [--keep]

Environment: WALKTHROUGH_BENCH_QUICK=1, WALKTHROUGH_BENCH_EVENTS=N (log size for replay and
the large debrief; 1,000,000 by default, 100,000 with --quick).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from typing import Any

from benchmarks import debrief, ingest, postgres, replay, report
from benchmarks.common import WORK, commit_probe_ms, log, machine, ratio

SECTIONS = ("ingest", "postgres", "replay", "debrief")
SMALL_LOG = 10_000


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    quick = os.environ.get("WALKTHROUGH_BENCH_QUICK", "") not in ("", "0")
    parser.add_argument("--quick", action="store_true", default=quick,
                        help="smaller log (100k) and shorter ingest runs")
    parser.add_argument("--events", type=int, default=None,
                        help="log size for replay and the large debrief")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds of measured load per ingest server")
    parser.add_argument("--connections", type=int, default=4,
                        help="concurrent client connections (one process each)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated stores under benchmarks/out/work")
    args = parser.parse_args()
    env_events = os.environ.get("WALKTHROUGH_BENCH_EVENTS")
    args.events = args.events or (int(env_events) if env_events else
                                  100_000 if args.quick else 1_000_000)
    args.duration = args.duration or (6.0 if args.quick else 12.0)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {sorted(unknown)}")
    return args


def problems_of(results: dict[str, Any]) -> list[str]:
    found = []
    for name, row in (results.get("ingest") or {}).items():
        if isinstance(row, dict) and row.get("error"):
            found.append(f"ingest {name}: {row['error'].splitlines()[0][:300]}")
        elif isinstance(row, dict) and row.get("events_not_accepted"):
            found.append(f"ingest {name}: {row['events_not_accepted']} events not accepted")
    for section in ("replay", "replay_one", "debrief", "postgres"):
        error = (results.get(section) or {}).get("error")
        if error:
            found.append(f"{section}: {error.splitlines()[0][:300]}")
    return found


def main() -> int:
    args = parse()
    started = time.monotonic()
    command = "python -m benchmarks" + (" --quick" if args.quick else "")
    results: dict[str, Any] = {"machine": machine(), "command": command,
                               "settings": {"events": args.events, "duration_s": args.duration,
                                            "connections": args.connections,
                                            "sections": args.only}}
    results["commit_ms"] = {"start": commit_probe_ms()}
    log(f"machine: {results['machine']}; SQLite commit {results['commit_ms']['start']} ms")
    try:
        if "ingest" in args.only:
            results["ingest"] = ingest.run(args.duration, args.connections)
        if "postgres" in args.only:
            results["postgres"] = postgres.run(args.duration, args.connections)
        if "replay" in args.only or "debrief" in args.only:
            results.update(_logs(args))
    finally:
        results["commit_ms"]["end"] = commit_probe_ms()
        results["wall_s"] = round(time.monotonic() - started, 1)
        results["problems"] = problems_of(results)
        path = report.write(results)
        report.print_table(results)
        log(f"results: {path} and {report.RESULTS_MD}; wall time {results['wall_s']} s")
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    return 1 if results["problems"] else 0


def _logs(args: argparse.Namespace) -> dict[str, Any]:
    """Replay on two big logs (events spread over ~10,000 visits, and all in one visit);
    debrief on a 10k log and on the big spread one."""
    out: dict[str, Any] = {}
    small: dict[str, Any] = {}
    if "debrief" in args.only:
        log(f"log: generating {SMALL_LOG:,} events")
        small_dir, small_info = replay.generate_log("log-small", SMALL_LOG)
        small_replay = replay.measure(small_dir, "app")
        log("debrief: small log")
        small = {**debrief.run(small_dir, "small", 1000, 30), "log_events": small_info["events"]}
        log(f"  p50 {small['p50_ms']} ms, p99 {small['p99_ms']} ms")
        out["debrief"] = {"small": small, "small_replay": small_replay}
    shapes = ("visits", "one") if "replay" in args.only else ("visits",)
    big_dir = None
    for shape in shapes:
        log(f"log: generating {args.events:,} events, shape {shape!r}")
        data_dir, info = replay.generate_log(f"log-large-{shape}", args.events, shape)
        log(f"  {info['events']:,} events in {info['visits']:,} visits, {info['seconds']} s "
            f"({info['events_per_s']:,.0f} events/s), {info['db_mb']} MB")
        out["log" if shape == "visits" else f"log_{shape}"] = info
        if shape == "visits":
            big_dir = data_dir
        if "replay" in args.only:
            key = "replay" if shape == "visits" else f"replay_{shape}"
            try:
                out[key] = {**replay.run(data_dir), "visits": info["visits"]}
            except Exception as exc:  # noqa: BLE001 - keep the debrief figures
                log(f"  replay failed: {exc}")
                out[key] = {"error": str(exc)[-3000:]}
        if shape != "visits" and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    if "debrief" in args.only and big_dir is not None:
        if not out.get("replay", {}).get("app"):
            replay.measure(big_dir, "app")  # the debrief reads caught-up projections
        log("debrief: large log")
        large = {**debrief.run(big_dir, "large", 1000, 60), "log_events": out["log"]["events"]}
        log(f"  p50 {large['p50_ms']} ms, p99 {large['p99_ms']} ms")
        out["debrief"]["large"] = large
        out["debrief"]["p99_large_vs_small"] = ratio(large["p99_ms"], small["p99_ms"])
    return out


if __name__ == "__main__":
    sys.exit(main())
