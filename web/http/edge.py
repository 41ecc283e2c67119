"""The edge, before any route: input no request could ever succeed with, and clients
too slow to wait for.

A path or a query that holds a character neither store can keep (PostgreSQL refuses
NUL in text, and text that is not UTF-8) is a 400 on every backend - never a 503 that
tells the client to retry it. A request body that stops arriving is a 408 after
BODY_READ_TIMEOUT_SECONDS without a byte, so a slow client cannot hold a worker's
request open for ever (idle keep-alive connections are closed by the server itself:
KEEP_ALIVE_SECONDS, given to uvicorn by `walkthrough serve`)."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.http.errors import RequestError
from web.http.responses import error_response

BODY_READ_TIMEOUT_SECONDS = 30.0
KEEP_ALIVE_SECONDS = 5


def storable(raw: bytes) -> bool:
    """Percent-decoded, these bytes are UTF-8 text without NUL."""
    decoded = unquote_to_bytes(raw)
    if b"\x00" in decoded:
        return False
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class RefuseUnstorable:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
            query = scope.get("query_string", b"").replace(b"+", b" ")
            if not (storable(raw_path) and storable(query)) or "\x00" in scope["path"]:
                response = error_response(
                    400, "bad_request", "the address holds a character no id or value can "
                    "have (a NUL, or bytes that are not UTF-8)")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyTimeout:
    """Each wait for the next piece of a request body is bounded; once the body is in,
    `receive` is the server's own again (a streamed answer waits on it for the
    client to go away, for as long as it takes)."""

    def __init__(self, app: ASGIApp, seconds: float | None = None) -> None:
        self.app = app
        self.seconds = seconds

    def _timeout(self) -> float:
        return self.seconds if self.seconds is not None else BODY_READ_TIMEOUT_SECONDS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False
        seconds = self._timeout()

        async def bounded() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), seconds)
            except TimeoutError:
                raise RequestError(408, "request_timeout",
                                   f"no part of the body arrived for {seconds:g} s; "
                                   "send the request again") from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, bounded, send)
