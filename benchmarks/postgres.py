"""Ingest on PostgreSQL with 1 and 2 server workers (127.0.0.1:5432, user postgres,
db test, a scratch schema per run, dropped afterwards).

Runs only when the backend exists: `Settings.database_url` (WALKTHROUGH_DATABASE_URL)
and `walkthrough serve --workers N`. Otherwise the section is skipped with the reason.
The hook is `available()`; the URL format is `postgresql://user@host:port/db?schema=s`.
"""

from __future__ import annotations

import secrets
import subprocess
from typing import Any

from benchmarks.common import PYTHON, ROOT, child_env, log, ratio
from benchmarks.ingest import Target, measure, show, start_app

DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
URL = "postgresql://postgres@127.0.0.1:5432/test?schema={schema}"
SKIPPED = "skipped: PostgreSQL backend not available"


def available() -> str | None:
    """None when the PostgreSQL backend can be benchmarked, else why not."""
    try:
        from web.settings import Settings
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
            targets.append(start_app(f"workers_{workers}",
                                     {"WALKTHROUGH_DATABASE_URL": URL.format(schema=schema)},
                                     workers=workers))
        log(f"ingest: PostgreSQL, {duration:.0f} s per server in {rounds} interleaved rounds")
        for label, row in measure(targets, duration, connections, rounds).items():
            results[label] = row
            show(label, row)
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
    return results
