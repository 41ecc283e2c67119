"""The analysts' routes: the published event log, and read models as of a past point.

`GET /api/events?after=<position>&limit=<n>[&include_text=true]` streams NDJSON,
one published line per event in log order (see projections.event_log). A page
covers the positions after `after` up to `after + limit`; while the log goes on
beyond it, a `Link: <...>; rel="next"` header names the next page. A client can
equally resume from the last `position` it received, even after a cut stream.
Analysts and organizers may read it; only organizers may ask for free text.

`?as_of=<position|ISO date or time>` on a visit's summary and debrief (and on the
trends) answers from the read models as they were then, rebuilt from the log
(organizers only).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from projections.event_log import (
    PAGE_SIZE,
    LogPublisher,
    last_position,
    line_encoder,
    parse_point,
    position_at,
    read_log,
)
from projections.pseudonyms import Pseudonymiser, deployment_secret
from projections.queries import Reader
from projections.time_travel import store_as_of
from walkthrough.application import Walkthrough
from walkthrough.visit import Actor
from web.auth import authenticate
from web.bootstrap import Services
from web.errors import RequestError
from web.responses import JSON, NO_STORE

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
NDJSON = "application/x-ndjson"
AS_OF_HEADER = "X-As-Of-Position"

_AS_OF = {"name": "as_of", "in": "query", "required": False,
          "description": "organizers: the answer as it was at this log position or ISO 8601 "
                         "date/time (a date means the end of that day)",
          "schema": {"type": "string"}}
QUERY_PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "/api/events": [
        {"name": "after", "in": "query", "required": False,
         "description": "the last position already read (0: from the start)",
         "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "limit", "in": "query", "required": False,
         "description": "the page covers positions after+1 .. after+limit",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT}},
        {"name": "include_text", "in": "query", "required": False,
         "description": "include free text (organizers only)",
         "schema": {"type": "boolean", "default": False}},
    ],
    "/api/visits/{visit_id}/summary": [_AS_OF],
    "/api/visits/{visit_id}/debrief": [_AS_OF],
    "/api/schools/{school_id}/trends": [_AS_OF],
    "/api/trends": [_AS_OF],
}


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def deployment_pseudonymiser(services: Services) -> Pseudonymiser:
    """Pseudonyms under this deployment's secret (see projections.pseudonyms)."""
    datastore = services.app.factory.datastore  # type: ignore[attr-defined]
    return Pseudonymiser(deployment_secret(datastore, os.environ))


def _pseudonymiser(request: Request) -> Pseudonymiser:
    """The deployment's pseudonymiser, made once per running app."""
    found: Pseudonymiser | None = getattr(request.app.state, "pseudonymiser", None)
    if found is None:
        found = deployment_pseudonymiser(_services(request))
        request.app.state.pseudonymiser = found
    return found


async def events(request: Request) -> Response:
    services = _services(request)
    actor = await run_in_threadpool(authenticate, request)
    if not (actor.has("analyst") or actor.has("organizer")):
        raise RequestError(403, "forbidden", "the event log is for analysts and organizers")
    after = _int_param(request, "after", 0, minimum=0, maximum=2**62)
    limit = _int_param(request, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    include_text = _bool_param(request, "include_text")
    if include_text and not actor.has("organizer"):
        raise RequestError(403, "text_not_allowed",
                           "free text is published to organizers only; leave out include_text")
    pseudonyms = await run_in_threadpool(_pseudonymiser, request)
    head = await run_in_threadpool(last_position, services.app)
    stop = min(after + limit, head)
    headers = {**NO_STORE, "X-Log-Head": str(head)}
    if stop < head:
        query = {"after": stop, "limit": limit, **({"include_text": "true"} if include_text
                                                   else {})}
        headers["Link"] = f'</api/events?{urlencode(query)}>; rel="next"'
    publisher = LogPublisher(services.app, pseudonyms, include_text=include_text)
    return StreamingResponse(_lines(services.app, publisher, after, stop),
                             media_type=NDJSON, headers=headers)


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


ReadQuery = Callable[[Actor, Reader, date], Any]
"""A read-model question: who asks, the read models, and the day it is asked on."""


async def read_as_of(request: Request, actor: Actor, query: str, visit_id: str,
                     as_of: str) -> Response:
    """A visit's summary or debrief as it was at `as_of`."""
    if query == "summary":
        return await answer_as_of(request, actor, as_of,
                                  lambda who, reader, _: reader.summary(who, visit_id))
    return await answer_as_of(request, actor, as_of,
                              lambda who, reader, day: reader.debrief(who, visit_id, day))


async def as_of_response(request: Request, query: ReadQuery) -> Response | None:
    """The answer as it was when the request asks `?as_of=`; None when it does not."""
    as_of = request.query_params.get("as_of")
    if as_of is None:
        return None
    actor = await run_in_threadpool(authenticate, request)
    return await answer_as_of(request, actor, as_of, query)


async def answer_as_of(request: Request, actor: Actor, as_of: str,
                       query: ReadQuery) -> Response:
    """Answer `query` from read models rebuilt from the log up to `as_of`, on the day
    it was then (organizers only). The position used is in X-As-Of-Position."""
    if not actor.has("organizer"):
        raise RequestError(403, "forbidden", "as_of is for organizers")
    services = _services(request)
    app = services.app
    point = parse_point(as_of, end_of_day=True, today=services.clock().date())

    def answer() -> tuple[int, Any]:
        position = position_at(app, point)
        if isinstance(point, datetime):
            day = point.astimezone(UTC).date()
        else:
            day = _recorded_on(app, position) or services.clock().date()
        with store_as_of(app, position) as store:
            return position, query(actor, Reader(store, services.settings.min_rooms), day)

    position, body = await run_in_threadpool(answer)
    return JSON(body, headers={AS_OF_HEADER: str(position)})


def _recorded_on(app: Walkthrough, position: int) -> date | None:
    entry = next(read_log(app, after=position - 1, stop=position), None) if position else None
    return entry.event.timestamp.astimezone(UTC).date() if entry else None


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
