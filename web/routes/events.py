"""The analysts' route: the published event log.

`GET /api/events?after=<position>&limit=<n>[&include_text=true]` streams NDJSON,
one published line per event in log order (see projections.event_log). A page
covers the positions after `after` up to `after + limit`; while the log goes on
beyond it, a `Link: <...>; rel="next"` header names the next page. A client can
equally resume from the last `position` it received, even after a cut stream.
Analysts and organizers may read it; only organizers may ask for free text.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from projections.event_log import (
    PAGE_SIZE,
    LogLine,
    LogPublisher,
    last_position,
    line_encoder,
    read_log,
)
from walkthrough.access import may_read_free_text
from walkthrough.application import Walkthrough
from web.http.auth import caller
from web.http.context import services
from web.http.errors import RequestError
from web.http.responses import NO_STORE
from web.http.routing import NDJSON_MEDIA, Endpoint

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


async def events(request: Request) -> Response:
    found = services(request)
    actor = caller(request)
    after = _int_param(request, "after", 0, minimum=0, maximum=2**62)
    limit = _int_param(request, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    include_text = _bool_param(request, "include_text")
    if include_text and not may_read_free_text(actor):
        raise RequestError(403, "text_not_allowed",
                           "free text is published to organizers only; leave out include_text")
    head = await run_in_threadpool(last_position, found.app)
    stop = min(after + limit, head)
    headers = {**NO_STORE, "X-Log-Head": str(head)}
    if stop < head:
        query = {"after": stop, "limit": limit, **({"include_text": "true"} if include_text
                                                   else {})}
        headers["Link"] = f'</api/events?{urlencode(query)}>; rel="next"'
    publisher = LogPublisher(found.app, found.pseudonyms, include_text=include_text)
    return StreamingResponse(_lines(found.app, publisher, after, stop),
                             media_type=NDJSON_MEDIA, headers=headers)


def _lines(app: Walkthrough, publisher: LogPublisher, after: int, stop: int) -> Iterator[bytes]:
    """The page's lines, a few hundred at a time: memory does not grow with the page."""
    if stop <= after:
        return
    buffer = bytearray()
    for count, entry in enumerate(read_log(app, after=after, stop=stop), start=1):
        line_encoder.encode_into(publisher.line(entry), buffer, len(buffer))
        buffer.extend(b"\n")
        if count % PAGE_SIZE == 0:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def _int_param(request: Request, name: str, default: int, *, minimum: int,
               maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
        raise RequestError(422, "invalid_query",
                           f"{name} must be a whole number from {minimum} to {maximum}")
    return int(raw)


def _bool_param(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise RequestError(422, "invalid_query", f"{name} must be true or false")
    return raw in ("true", "1")


ENDPOINTS = [
    Endpoint("get", "/api/events", events, "The event log in log order, pseudonymised, as "
             "NDJSON (analysts, organizers); Link rel=next names the next page",
             roles=("analyst", "organizer"), answer=LogLine, media=NDJSON_MEDIA, query=(
                 {"name": "after", "in": "query", "required": False,
                  "description": "the last position already read (0: from the start)",
                  "schema": {"type": "integer", "minimum": 0, "default": 0}},
                 {"name": "limit", "in": "query", "required": False,
                  "description": "the page covers positions after+1 .. after+limit",
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                             "default": DEFAULT_LIMIT}},
                 {"name": "include_text", "in": "query", "required": False,
                  "description": "include free text (organizers only)",
                  "schema": {"type": "boolean", "default": False}})),
]
