"""The JSON API: translate HTTP to application calls and read-model queries."""

from __future__ import annotations

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from projections.queries import Reader
from walkthrough.errors import DomainError
from walkthrough.sync import decode_client_event, decode_typed_batch
from walkthrough.visit import Actor
from web import cycle, people, plans, roster, signin
from web.auth import authenticate
from web.bodies import read_body
from web.bootstrap import Services
from web.errors import RequestError
from web.events_api import events, read_as_of
from web.ratelimit import check_sync_rate
from web.responses import JSON
from web.schemas import SyncResponse, sync_request_decoder


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _caller(request: Request) -> Actor:
    return await run_in_threadpool(authenticate, request)


async def sync(request: Request) -> Response:
    services = _services(request)
    actor = await _caller(request)
    check_sync_rate(request)
    body = await read_body(request, services.settings.max_body_bytes)
    now = services.clock()
    typed = decode_typed_batch(body, now)  # one call for a batch of well-formed events
    if typed is not None:
        device_id, items = typed
        _check_batch_size(len(items), services.settings.max_batch_events)
    else:
        try:
            envelope = sync_request_decoder.decode(body)
        except msgspec.ValidationError as exc:
            raise RequestError(422, "invalid_request", str(exc)) from None
        except msgspec.DecodeError as exc:
            raise RequestError(400, "bad_request", f"the body is not JSON: {exc}") from None
        device_id = envelope.device_id
        _check_batch_size(len(envelope.events), services.settings.max_batch_events)
        items = [decode_client_event(raw, now) for raw in envelope.events]
    outcomes = await run_in_threadpool(services.app.record, actor, device_id, items)
    return JSON(SyncResponse(results=outcomes))


def _check_batch_size(count: int, limit: int) -> None:
    if count > limit:
        raise RequestError(422, "batch_too_large",
                           f"{count} events; send at most {limit} per request")


async def _read(request: Request, query: str) -> Response:
    """Run a read-model query for the caller, after the projector caught up."""
    services = _services(request)
    actor = await _caller(request)
    reader = Reader(services.read_models, services.settings.min_rooms)
    visit_id = request.path_params.get("visit_id", "")
    as_of = request.query_params.get("as_of")
    if as_of is not None and query in ("summary", "debrief"):
        return await read_as_of(request, actor, query, visit_id, as_of)

    def answer() -> object:
        services.projector.catch_up()
        if query == "me":
            return reader.me(actor)
        if query == "visit":
            return reader.visit(actor, visit_id)
        if query == "summary":
            return reader.summary(actor, visit_id)
        return reader.debrief(actor, visit_id, services.clock().date())

    return JSON(await run_in_threadpool(answer))


async def me(request: Request) -> Response:
    return await _read(request, "me")


async def visit(request: Request) -> Response:
    return await _read(request, "visit")


async def summary(request: Request) -> Response:
    return await _read(request, "summary")


async def debrief(request: Request) -> Response:
    return await _read(request, "debrief")


async def catalog_version(request: Request) -> Response:
    """A catalog version, built in or published (published ones come from the log)."""
    services = _services(request)
    await _caller(request)
    version = request.path_params["version"]

    def find() -> object:
        services.projector.catch_up()
        return msgspec.to_builtins(Reader(services.read_models).catalog(version))

    try:
        return JSON(await run_in_threadpool(find))
    except DomainError as exc:
        raise RequestError(404, exc.code, exc.message) from None


async def api_not_found(request: Request) -> Response:
    """Unknown /api/ paths: 405 when the path exists with another method, else 404."""
    await _caller(request)
    for route in routes:
        match, _ = route.matches(request.scope)
        if match == Match.PARTIAL:
            allowed = ", ".join(sorted(route.methods or ()))
            raise RequestError(405, "method_not_allowed",
                               f"{request.method} is not allowed here; use {allowed}")
    raise RequestError(404, "not_found", f"no route {request.url.path}")


routes = [
    Route("/api/sync", sync, methods=["POST"]),
    Route("/api/me", me, methods=["GET"]),
    Route("/api/visits/{visit_id}", visit, methods=["GET"]),
    Route("/api/visits/{visit_id}/summary", summary, methods=["GET"]),
    Route("/api/visits/{visit_id}/debrief", debrief, methods=["GET"]),
    Route("/api/catalogs/{version:int}", catalog_version, methods=["GET"]),
    Route("/api/events", events, methods=["GET"]),
    *cycle.routes,
    *plans.routes,
    *roster.routes,
    *people.routes,
    *signin.routes,
    Route("/api/{rest:path}", api_not_found),
]
