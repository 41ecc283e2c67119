"""A client that stops sending its body in the middle gets a 408 once no byte has come
for the body timeout, instead of holding the request open; a streamed answer is not
cut by it; and `walkthrough serve` closes idle keep-alive connections."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import msgspec
import pytest
import uvicorn
from starlette.applications import Starlette

from tests.builders import batch, enter
from web.cli import server
from web.demo.district import CURRENT_VISIT
from web.http import edge

T = TypeVar("T")

Headers = dict[str, dict[str, str]]


async def call(app: Starlette, path: str, headers: dict[str, str], chunks: list[bytes],
               stall: bool, method: str = "POST") -> tuple[int, bytes]:
    """One request through the ASGI app: `chunks` sent, then (stall) nothing more ever."""
    sent: list[dict[str, Any]] = []
    pending = list(chunks)

    async def receive() -> dict[str, Any]:
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk,
                    "more_body": bool(pending) or stall}
        if stall:
            await asyncio.Event().wait()  # the client went quiet, connection still open
        await asyncio.sleep(3600)  # waiting for a disconnect that never comes
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "server": ("testserver", 80),
             "client": ("192.0.2.1", 1234),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body


def in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a loop of its own, in a thread of its own (the browser tests'
    driver keeps a loop running on this one)."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_a_body_that_stops_arriving_is_a_408(
    client: Any, auth: Headers, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(edge, "BODY_READ_TIMEOUT_SECONDS", 0.2)
    body = msgspec.json.encode(batch(enter(CURRENT_VISIT, room="c-slow")))
    headers = {**auth["coach1"], "Content-Type": "application/json"}
    status, answer = in_own_loop(call(client.app, "/api/sync", headers,
                                      [body[:20]], stall=True))
    assert status == 408
    assert msgspec.json.decode(answer)["error"]["code"] == "request_timeout"
    # The whole body in time is served as ever.
    status, answer = in_own_loop(call(client.app, "/api/sync", headers,
                                      [body[:20], body[20:]], stall=False))
    assert status == 200, answer
    assert msgspec.json.decode(answer)["results"][0]["status"] == "accepted"


def test_a_streamed_answer_outlasts_the_body_timeout(
    client: Any, auth: Headers, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(edge, "BODY_READ_TIMEOUT_SECONDS", 0.05)
    status, answer = in_own_loop(call(client.app, "/api/events?limit=2000",
                                      auth["organizer1"], [b""], stall=False, method="GET"))
    assert status == 200
    assert len(answer.splitlines()) > 100


def test_serve_closes_idle_keep_alive_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: dict[str, Any] = {}

    monkeypatch.setattr(server, "opened", lambda settings: contextlib.nullcontext())
    monkeypatch.setattr(server, "start_process", lambda: None)
    monkeypatch.setattr(server, "stop_process", lambda process: None)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: ran.update(kwargs))
    server.serve(host="127.0.0.1", port=8000, workers=1)
    assert ran["timeout_keep_alive"] == edge.KEEP_ALIVE_SECONDS
    assert 0 < edge.KEEP_ALIVE_SECONDS <= 15
