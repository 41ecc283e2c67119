"""Sync ingest in process, without HTTP: the CPU per event of deciding and storing.

The ingest benchmark's own 50-event batches (`benchmarks.workload`), decoded with
`decode_typed_batch` and recorded with `Walkthrough.record` as coach1, one caller, on
a fresh SQLite store with the demo loaded; CPU per event from `time.process_time`
(fsync waits are not CPU), after a warm-up. Two shapes: **spread** (round-robin over
200 visits planned and started untimed) and **one** (every batch into one new visit).

    python -m benchmarks.record_cpu [--batches N] [--shape spread,one]
                                    [--against /path/to/other/checkout] [--rounds R]

With `--against`, each round runs a child on that checkout's code (its `walkthrough`
and `web` packages, this file's harness) and one on this checkout's, alternating
which goes first, and prints both and their ratio: an A/B on the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
WARMUP = 20


def measure(shape: str, batches: int) -> dict[str, float]:
    """Run one shape in this process (imports from whatever `walkthrough` is on the path)."""
    from benchmarks.workload import batch_templates, fill, setup_batches, utc_now, visit_ids
    from walkthrough.sync import decode_typed_batch
    from web.composition.bootstrap import bootstrap
    from web.composition.settings import Settings
    from web.demo.district import CURRENT_VISIT, load_demo

    with tempfile.TemporaryDirectory(prefix="record-cpu-") as data_dir:
        settings = Settings.from_env({"WALKTHROUGH_DATA_DIR": data_dir,
                                      "WALKTHROUGH_BACKGROUND_PROJECTOR": "0"})
        services = bootstrap(settings)
        app = services.app
        try:
            load_demo(app)
            now = utc_now()
            count = 200 if shape == "spread" else 1
            visits = visit_ids(f"record-cpu-{shape}", count + 1, str(CURRENT_VISIT))[1:]
            for user, bodies in setup_batches(visits, now, now.date()).items():
                actor = app.actor(user)
                for body in bodies:
                    decoded = decode_typed_batch(body, app.clock())
                    assert decoded is not None
                    device, items = decoded
                    outcomes = app.record(actor, device, items)
                    assert all(o.status == "accepted" for o in outcomes), outcomes[:3]
            coach = app.actor("coach1")
            templates = batch_templates(now)
            bodies = [fill(templates[i % len(templates)], 0x5EED, 1, i,
                           visits[i % len(visits)].encode())
                      for i in range(batches + WARMUP)]
            decode_cpu = record_cpu = 0.0
            events = 0
            for index, body in enumerate(bodies):
                started = time.process_time()
                decoded = decode_typed_batch(body, app.clock())
                decoded_at = time.process_time()
                assert decoded is not None
                device, items = decoded
                outcomes = app.record(coach, device, items)
                ended = time.process_time()
                if not all(o.status == "accepted" for o in outcomes):
                    raise RuntimeError(f"not accepted: {outcomes[:3]}")
                if index >= WARMUP:
                    decode_cpu += decoded_at - started
                    record_cpu += ended - decoded_at
                    events += len(items)
        finally:
            services.close()
    return {"events": events, "decode_us": decode_cpu / events * 1e6,
            "record_us": record_cpu / events * 1e6,
            "total_us": (decode_cpu + record_cpu) / events * 1e6}


def _child(tree: Path, shape: str, batches: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{HERE}"}
    # The harness's own module comes from this checkout; the code under test from `tree`
    # (first on the path). `benchmarks.workload` is the same in both.
    code = (f"import json, sys; sys.path.insert(0, {str(tree)!r}); "
            f"import importlib.util as u; s = u.spec_from_file_location('rc', {__file__!r}); "
            "m = u.module_from_spec(s); s.loader.exec_module(m); "
            f"print(json.dumps(m.measure({shape!r}, {batches})))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, check=True,
                         capture_output=True, text=True, timeout=1800)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.record_cpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--shape", default="spread,one")
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout to compare with (A), this one is B")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    shapes = [s.strip() for s in args.shape.split(",") if s.strip()]
    if args.against is None:
        for shape in shapes:
            result = measure(shape, args.batches)
            print(f"{shape}: decode {result['decode_us']:.1f} + record "
                  f"{result['record_us']:.1f} = {result['total_us']:.1f} us CPU per event "
                  f"({int(result['events'])} events)")
        return
    trees = {"A": args.against.resolve(), "B": HERE}
    totals: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for round_ in range(args.rounds):
        for shape in shapes:
            order = ("A", "B") if round_ % 2 == 0 else ("B", "A")
            for side in order:
                result = _child(trees[side], shape, args.batches)
                totals.setdefault((shape, side), []).append(result)
                print(f"round {round_ + 1} {shape} {side}: decode {result['decode_us']:.1f} "
                      f"+ record {result['record_us']:.1f} = {result['total_us']:.1f} us/event",
                      flush=True)
    for shape in shapes:
        a = [r["total_us"] for r in totals[(shape, "A")]]
        b = [r["total_us"] for r in totals[(shape, "B")]]
        print(f"{shape}: A {min(a):.1f} (min of {len(a)}), B {min(b):.1f}; "
              f"B/A CPU per event {min(b) / min(a):.2f}")


if __name__ == "__main__":
    main()
