"""What every route handler needs from its request: the services, the caller's
questions to the read models (as projected - after the caller's own writes when asked
for by position, web.http.freshness - or as they were at `?as_of=`), and a typed JSON body."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from projections.event_log import parse_point, position_at, read_log
from projections.queries import Reader
from projections.time_travel import store_as_of
from walkthrough.access import Actor, may_look_back
from walkthrough.application import Walkthrough
from web.composition.bootstrap import Services
from web.http.auth import caller
from web.http.bodies import read_body
from web.http.errors import RequestError

T = TypeVar("T")
ReadQuery = Callable[[Actor, Reader, date], T]
"""A read-model question: who asks, the read models, and the day it is asked on."""
AS_OF_HEADER = "X-As-Of-Position"
AS_OF = {"name": "as_of", "in": "query", "required": False,
         "description": "organizers: the answer as it was at this log position, ISO 8601 "
                        "date/time (a date means the end of that day) or days ago (30d)",
         "schema": {"type": "string"}}


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


async def read(request: Request, query: ReadQuery[T], *, as_of: bool = False,
               headers: dict[str, str] | None = None) -> T:
    """Answer `query` for the caller from the read models as projected, never catching
    up here (a caller who asked for a log position waited for it first, bounded:
    web.http.routing, web.http.freshness). With `as_of` allowed and asked for, from the read
    models as they were then; the position used goes in `headers`."""
    found = services(request)
    actor = caller(request)
    point = request.query_params.get("as_of") if as_of else None
    if point is not None:
        position, answer = await _as_of(found, actor, point, query)
        if headers is not None:
            headers[AS_OF_HEADER] = str(position)
        return answer
    today = found.app.local_date(found.clock())

    def run() -> T:
        if found.projector.version is not None:
            found.projector.version.require_current()  # another version's: 503, rebuilding
        return query(actor, Reader(found.read_models, found.settings.min_rooms), today)

    return await run_in_threadpool(run)


async def _as_of(found: Services, actor: Actor, text: str,
                 query: ReadQuery[T]) -> tuple[int, T]:
    """From read models rebuilt from the log up to the point, on the day it was then."""
    if not may_look_back(actor):
        raise RequestError(403, "forbidden", "as_of is for organizers")
    app = found.app
    point = parse_point(text, end_of_day=True, today=found.clock().date())

    def answer() -> tuple[int, T]:
        position = position_at(app, point)
        if isinstance(point, datetime):
            day = point.astimezone(UTC).date()
        else:
            day = _recorded_on(app, position) or found.clock().date()
        with store_as_of(app, position) as store:
            return position, query(actor, Reader(store, found.settings.min_rooms), day)

    return await run_in_threadpool(answer)


def _recorded_on(app: Walkthrough, position: int) -> date | None:
    entry = next(read_log(app, after=position - 1, stop=position), None) if position else None
    return entry.event.timestamp.astimezone(UTC).date() if entry else None


async def body(request: Request, form: type[T], limit: int | None = None) -> T:
    """The request's JSON body as `form`: 413 over the size limit, 400 when it is not
    JSON (or not UTF-8), 422 when it breaks the form's schema."""
    raw = await read_body(request, limit or services(request).settings.max_body_bytes)
    try:
        return msgspec.json.decode(raw, type=form)
    except msgspec.ValidationError as exc:
        raise RequestError(422, "invalid_request", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise RequestError(400, "bad_request", f"the body is not JSON: {exc}") from None
