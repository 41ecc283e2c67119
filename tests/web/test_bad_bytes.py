"""No byte string makes the server fail: whatever the sync body and the headers hold
(not JSON, not UTF-8, half a document, a header no client would send), the answer
is a 2xx or a 4xx with a JSON error - never a 5xx. Requests go straight to the ASGI
app, so the bytes reach it exactly as generated."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from tests.builders import batch, enter, tap
from tests.conftest import FakeClock
from web.app import create_app
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, load_demo

Header = tuple[bytes, bytes]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Starlette, bytes]]:
    clock = FakeClock()
    services = bootstrap(Settings(data_dir=Path(tmp_path_factory.mktemp("bytes")),
                                  sync_rate_per_minute=0), clock=clock)
    load_demo(services.app, today=clock().date())
    token = services.tokens.issue("coach1", clock())
    yield create_app(services=services), f"Bearer {token}".encode()
    services.close()


def call(app: Starlette, method: str, path: str, headers: list[Header],
         body: bytes) -> tuple[int, bytes]:
    """One request through the ASGI app; its status and body."""
    sent: list[dict[str, Any]] = []
    chunks = [body[i:i + 4096] for i in range(0, len(body), 4096)] or [b""]

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    # A loop of its own in another thread: a Playwright test earlier in the session
    # leaves the main thread's event loop running.
    with ThreadPoolExecutor(max_workers=1) as own_loop:
        own_loop.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent
                                     if m["type"] == "http.response.body")


def refused_clearly(status: int, body: bytes) -> None:
    assert status < 500, (status, body[:300])
    if status >= 400:
        error = msgspec.json.decode(body)["error"]
        assert error["code"], body
        assert error["message"], body


VALID = msgspec.json.encode(batch(enter(CURRENT_VISIT, room="c-bytes"),
                                  tap(CURRENT_VISIT, "cfu", "yes", room="c-bytes")))
bodies = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=50).map(lambda junk: VALID[:len(VALID) // 2] + junk),
    st.integers(0, len(VALID)).map(lambda cut: VALID[:cut] + b"\xff\xfe" + VALID[cut:]),
    st.sampled_from([b'{"device_id": "\xff", "events": []}',
                     b'{"device_id": "t", "events": [{"id": "\xc3"}]}',
                     b'{"device_id": "t", "events": [' + b'{}' * 3 + b']}', b"\x00" * 64]),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies)
def test_no_sync_body_makes_a_5xx(served: tuple[Starlette, bytes], body: bytes) -> None:
    app, token = served
    status, answer = call(app, "POST", "/api/sync", [
        (b"authorization", token), (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode())], body)
    refused_clearly(status, answer)


header_values = st.binary(max_size=80).filter(lambda v: b"\r" not in v and b"\n" not in v)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(authorization=st.one_of(header_values, header_values.map(lambda v: b"Bearer " + v)),
       length=st.one_of(header_values, st.integers(-5, 10**12).map(lambda n: str(n).encode())),
       content_type=header_values,
       path=st.sampled_from(["/api/sync", "/api/me", "/api/signin/link",
                             "/api/visits/x/summary", "/api/nowhere"]))
def test_no_header_makes_a_5xx(served: tuple[Starlette, bytes], authorization: bytes,
                               length: bytes, content_type: bytes, path: str) -> None:
    app, _ = served
    method = "POST" if path in ("/api/sync", "/api/signin/link") else "GET"
    status, answer = call(app, method, path, [
        (b"authorization", authorization), (b"content-length", length),
        (b"content-type", content_type), (b"origin", authorization[:20])], VALID)
    refused_clearly(status, answer)
