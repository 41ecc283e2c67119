"""The API's routes as one table: each `Endpoint` says its method and path, who may
call it, what it takes and what it answers. The Starlette routes and /openapi.json
are both built from the same table, so the description cannot drift from the code.

Every endpoint but the `public` ones needs a signed-in caller (web.http.auth resolved the
token before the route runs): anonymous callers get 401, callers without one of the
endpoint's `roles` get 403. Finer rules (this visit, this school) are the read
models' and the domain's, from walkthrough.access.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from walkthrough.errors import Forbidden
from walkthrough.roles import Role
from web.http.auth import caller
from web.http.errors import RequestError
from web.http.freshness import record_write, stamp, wait_for_writes

Handler = Callable[[Request], Awaitable[Response]]
JSON_MEDIA = "application/json"
NDJSON_MEDIA = "application/x-ndjson"
SVG_MEDIA = "image/svg+xml"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    roles: tuple[Role, ...] = ()  # any one of these; () = anyone signed in
    public: bool = False  # no bearer token needed
    body: Any = None  # the JSON request body's type
    answer: Any = None  # the JSON answer's type (or one NDJSON line's)
    status: int = 200
    media: str = JSON_MEDIA
    query: Sequence[dict[str, Any]] = field(default_factory=tuple)  # OpenAPI parameters
    errors: tuple[int, ...] = ()  # statuses beyond the usual (409, 410, 429...)


def guard(endpoint: Endpoint) -> Handler:
    """The endpoint's handler behind its access rule. A signed-in caller's read waits
    (bounded) for the log position it asked for, and says how far the read models got;
    a write answers the log position it reached (web.http.freshness)."""
    writes = endpoint.method.upper() != "GET"

    async def guarded(request: Request) -> Response:
        if endpoint.public:
            return stamp(request, await endpoint.handler(request))
        actor = caller(request)
        if endpoint.roles and not any(actor.has(role) for role in endpoint.roles):
            raise Forbidden(f"this is for {_people(endpoint.roles)}")
        if not writes and "as_of" not in request.query_params:  # the past waits for nothing
            await wait_for_writes(request, actor, request.app.state.services)
        response = await endpoint.handler(request)
        if writes and response.status_code < 400:
            return stamp(request, response, record_write(actor, request.app.state.services))
        return stamp(request, response)

    return guarded


def _people(roles: tuple[Role, ...]) -> str:
    return " and ".join(f"{role}s" for role in roles)


def routes(endpoints: Sequence[Endpoint]) -> list[Route]:
    """Starlette routes for the endpoints, then a catch-all that answers 404 or 405."""
    built = [Route(e.path, guard(e), methods=[e.method.upper()], name=e.path)
             for e in endpoints]

    async def not_found(request: Request) -> Response:
        caller(request)  # nothing about the API is told to anonymous callers
        for route in built:
            match, _ = route.matches(request.scope)
            if match == Match.PARTIAL:
                allowed = sorted({method for other in built if other.path == route.path
                                  for method in other.methods or ()} - {"HEAD"})
                raise RequestError(405, "method_not_allowed", f"{request.method} is not "
                                   f"allowed here; use {', '.join(allowed)}")
        raise RequestError(404, "not_found", f"no route {request.url.path}")

    return [*built, Route("/api/{rest:path}", not_found)]
