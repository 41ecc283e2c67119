"""Input no request could ever succeed with, refused before any route: a path or a
query that holds a character neither store can keep (PostgreSQL refuses NUL in text,
and text that is not UTF-8), so that a lookup by such an id is a 400 on every
backend - never a 503 that tells the client to retry it."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from web.responses import error_response


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
