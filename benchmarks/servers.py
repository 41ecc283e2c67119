"""The two reference servers of the ingest benchmark, on the same HTTP stack as the
application (Starlette under uvicorn, started like `walkthrough serve`: one worker,
uvicorn's defaults, access log at info) and SQLite configured like eventsourcing's
datastore (WAL, default synchronous=FULL, explicit BEGIN ... COMMIT).

- ceiling: typed msgspec decode of the envelope and its events, one `executemany`
  transaction per batch on a single writer thread, no domain, msgspec-encoded results.
- naive: stdlib json, one INSERT + COMMIT per event (in Starlette's thread pool, under a
  lock, as the application runs its store calls), json.dumps results.

Both accept `POST /api/sync` with any bearer token and answer `/health`.

    python -m benchmarks.servers {ceiling|naive} --port 8123 --db path.sqlite3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SCHEMA = ("CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, visit_id TEXT NOT NULL, "
          "type TEXT NOT NULL, occurred_at TEXT NOT NULL, device_id TEXT NOT NULL, "
          "data BLOB NOT NULL)")
INSERT = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)"


class CeilingEvent(msgspec.Struct, forbid_unknown_fields=True):
    id: UUID
    visit_id: UUID
    type: str
    occurred_at: datetime
    data: msgspec.Raw


class CeilingBatch(msgspec.Struct, forbid_unknown_fields=True):
    device_id: str
    events: list[CeilingEvent]


class Result(msgspec.Struct):
    id: str
    status: Literal["accepted"]


class Results(msgspec.Struct):
    results: list[Result]


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(SCHEMA)
    return connection


def _json(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


async def health(request: Request) -> Response:
    return _json(b'{"status":"ok"}')


def ceiling_app(path: str) -> Starlette:
    db = _connect(path)
    decoder = msgspec.json.Decoder(CeilingBatch)
    encoder = msgspec.json.Encoder()
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")

    def store(rows: list[tuple[str, str, str, str, str, bytes]]) -> None:
        """One transaction per batch, on the single writer thread (the commit's fsync
        releases the GIL, so HTTP work on other requests goes on meanwhile)."""
        db.execute("BEGIN")
        try:
            db.executemany(INSERT, rows)
        except sqlite3.Error:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    async def sync(request: Request) -> Response:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return _json(b'{"error":{"code":"unauthorized","message":"no token"}}', 401)
        try:
            batch = decoder.decode(await request.body())
        except msgspec.DecodeError:
            return _json(b'{"error":{"code":"invalid_request","message":"bad body"}}', 422)
        rows = [(str(e.id), str(e.visit_id), e.type, e.occurred_at.isoformat(),
                 batch.device_id, bytes(e.data)) for e in batch.events]
        await asyncio.get_running_loop().run_in_executor(writer, store, rows)
        return _json(encoder.encode(Results([Result(id=row[0], status="accepted")
                                             for row in rows])))

    return Starlette(routes=[Route("/health", health, methods=["GET"]),
                             Route("/api/sync", sync, methods=["POST"])])


def naive_app(path: str) -> Starlette:
    db = _connect(path)
    lock = threading.Lock()

    def store(batch: dict[str, Any]) -> list[dict[str, str]]:
        """One INSERT + COMMIT per event, in the thread pool (like the application)."""
        results = []
        with lock:
            for event in batch["events"]:
                db.execute("BEGIN")
                db.execute(INSERT, (event["id"], event["visit_id"], event["type"],
                                    event["occurred_at"], batch["device_id"],
                                    json.dumps(event["data"]).encode()))
                db.execute("COMMIT")
                results.append({"id": event["id"], "status": "accepted"})
        return results

    async def sync(request: Request) -> Response:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return _json(b'{"error":{"code":"unauthorized","message":"no token"}}', 401)
        try:
            batch: dict[str, Any] = json.loads(await request.body())
        except ValueError:
            return _json(b'{"error":{"code":"bad_request","message":"bad body"}}', 400)
        results = await run_in_threadpool(store, batch)
        return _json(json.dumps({"results": results}).encode())

    return Starlette(routes=[Route("/health", health, methods=["GET"]),
                             Route("/api/sync", sync, methods=["POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["ceiling", "naive"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    app = ceiling_app(args.db) if args.kind == "ceiling" else naive_app(args.db)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info",
                proxy_headers=False, server_header=False)


if __name__ == "__main__":
    main()
