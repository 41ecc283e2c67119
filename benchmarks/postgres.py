"""Ingest on PostgreSQL with 1 and 2 server workers (127.0.0.1:5432, user postgres,
db test, a scratch schema per run, dropped afterwards).

Runs only when the backend exists: `Settings.database_url` (WALKTHROUGH_DATABASE_URL)
and `walkthrough serve --workers N`. Otherwise the section is skipped with the reason.
The hook is `available()`; the URL format is `postgresql://user@host:port/db?schema=s`.
"""

from __future__ import annotations

import secrets
import subprocess
import threading
from pathlib import Path
from typing import Any

from benchmarks.common import CLK_TCK, PYTHON, ROOT, child_env, log, ratio
from benchmarks.ingest import Target, measure, show, start_app

DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
URL = "postgresql://postgres@127.0.0.1:5432/test?schema={schema}"
SKIPPED = "skipped: PostgreSQL backend not available"
SAMPLE_S = 0.004  # pg_locks is sampled this often during a leg


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class LockProbe:
    """Watches one leg from PostgreSQL's side, on a connection of its own: samples
    `pg_locks` every SAMPLE_S seconds for the EXCLUSIVE lock eventsourcing takes on the
    events table before each insert (granted: held; not granted: a writer waits), and
    sums the CPU of the backends that ran this schema's statements (PostgreSQL's own
    share of the work, on this machine)."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.samples = self.held = self.waited = 0
        self.backends: set[int] = set()
        self.cpu_before: dict[int, float] = {}

    def start(self) -> None:
        import psycopg

        self._connection = psycopg.connect(DSN, autocommit=True)
        # The application's events table (eventsourcing names it after the application).
        found = self._connection.execute(
            "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname LIKE %s",
            [self.schema, "%\\_events"]).fetchone()
        if found is None:
            raise RuntimeError(f"no events table in schema {self.schema}")
        self._table = found[0]
        pids = self._connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = 'test'").fetchall()
        self.cpu_before = {pid: _cpu_s(pid) for (pid,) in pids}
        self._thread.start()

    def _sample(self) -> None:
        like = f"%{self.schema}%"
        for tick in range(10**9):
            if self._stop.wait(SAMPLE_S):
                return
            granted = self._connection.execute(
                "SELECT count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted) "
                "FROM pg_locks WHERE relation = %s AND mode = 'ExclusiveLock'",
                [self._table]).fetchone()
            self.samples += 1
            self.held += bool(granted and granted[0])
            self.waited += granted[1] if granted else 0
            if tick % 25 == 0:
                self.backends.update(pid for (pid,) in self._connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE query LIKE %s "
                    "AND pid <> pg_backend_pid()", [like]).fetchall())

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join(timeout=30)
        self._connection.close()
        cpu = sum(_cpu_s(pid) - self.cpu_before.get(pid, 0.0) for pid in self.backends)
        return {"sum_lock_samples": self.samples, "sum_lock_held": self.held,
                "sum_lock_waiters": self.waited, "sum_pg_cpu_s": round(cpu, 2),
                "sum_pg_backends": len(self.backends)}


def available() -> str | None:
    """None when the PostgreSQL backend can be benchmarked, else why not."""
    try:
        from web.composition.settings import Settings
    except ImportError as exc:
        return f"{SKIPPED} ({exc})"
    if "database_url" not in Settings.__struct_fields__:
        return f"{SKIPPED} (no Settings.database_url)"
    help_text = subprocess.run([PYTHON, "-m", "web.cli", "serve", "--help"], cwd=ROOT,
                               env=child_env(), capture_output=True, text=True, timeout=60,
                               check=False).stdout
    if "--workers" not in help_text:
        return f"{SKIPPED} (no `serve --workers`)"
    try:
        import psycopg

        with psycopg.connect(DSN) as connection:
            connection.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means: no server to measure
        return f"skipped: PostgreSQL not reachable at 127.0.0.1:5432 ({exc})"
    return None


def _schema(action: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(DSN, autocommit=True) as connection:
        statement = ("CREATE SCHEMA {}" if action == "create"
                     else "DROP SCHEMA IF EXISTS {} CASCADE")
        connection.execute(sql.SQL(statement).format(sql.Identifier(schema)))


def run(duration: float, connections: int, rounds: int = 3) -> dict[str, Any]:
    reason = available()
    if reason:
        log(reason)
        return {"skipped": reason}
    results: dict[str, Any] = {}
    schemas = [f"bench_{secrets.token_hex(4)}" for _ in (1, 2)]
    targets: list[Target] = []
    try:
        for workers, schema in zip((1, 2), schemas, strict=True):
            log(f"ingest: starting PostgreSQL server, {workers} worker(s), schema {schema}")
            _schema("create", schema)
            target = start_app(f"workers_{workers}",
                               {"WALKTHROUGH_DATABASE_URL": URL.format(schema=schema)},
                               workers=workers)
            target.probe = lambda schema=schema: LockProbe(schema)
            targets.append(target)
        log(f"ingest: PostgreSQL, {duration:.0f} s per server in {rounds} interleaved rounds")
        for label, row in measure(targets, duration, connections, rounds).items():
            results[label] = {**row, **_lock_figures(row)}
            show(label, row)
            log(f"    {results[label]}")
    except Exception as exc:  # noqa: BLE001 - report, keep the rest of the run
        log(f"  failed: {exc}")
        results["error"] = str(exc)[-3000:]
    finally:
        for target in targets:
            target.server.stop()
        for schema in schemas:
            _schema("drop", schema)
    results["two_vs_one"] = ratio(results.get("workers_2", {}).get("events_per_s"),
                                  results.get("workers_1", {}).get("events_per_s"))
    results["busy_two_vs_one"] = ratio(
        results.get("workers_2", {}).get("events_per_busy_cpu_s"),
        results.get("workers_1", {}).get("events_per_busy_cpu_s"))
    return results


def _lock_figures(row: dict[str, Any]) -> dict[str, Any]:
    """Per busy CPU-second (the server's processes and its PostgreSQL backends) and the
    table lock: the share of the time it was held, and so how long per request."""
    samples = row.get("sum_lock_samples") or 0
    busy = (row.get("server_cpu_s") or 0) + (row.get("sum_pg_cpu_s") or 0)
    held = row.get("sum_lock_held", 0) / samples if samples else None
    requests = row.get("requests") or 0
    return {
        "busy_cpu_s": round(busy, 2),
        "events_per_busy_cpu_s": round(row["events_accepted"] / busy, 1) if busy else None,
        "lock_held_share": round(held, 3) if held is not None else None,
        "lock_waiters_mean": round(row.get("sum_lock_waiters", 0) / samples, 3)
        if samples else None,
        "lock_held_ms_per_request": round(held * row["window_s"] / requests * 1000, 3)
        if held is not None and requests else None,
    }
