"""The visit API: sync (tablets' events, exactly once) and the visit's reads."""

from __future__ import annotations

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from projections.answers import GrowthRecordRef, Me, VisitDetail
from projections.queries import Debrief
from projections.summary import Summary
from walkthrough.access import Actor, capabilities
from walkthrough.catalog import Catalog
from walkthrough.district import District, growth_id
from walkthrough.errors import DomainError
from walkthrough.sync import TooDeep, decode_client_event, decode_typed_batch, defuse_nesting
from web.http.auth import caller
from web.http.bodies import read_body
from web.http.context import AS_OF, read, services
from web.http.errors import RequestError
from web.http.feed_addresses import feed_url
from web.http.origin import request_origin
from web.http.ratelimit import check_sync_rate
from web.http.refusals import count_refusals
from web.http.responses import JSON
from web.http.routing import Endpoint
from web.http.schemas import SyncRequestDoc, SyncResponse, sync_request_decoder
from web.http.writes import committed


async def sync(request: Request) -> Response:
    found = services(request)
    actor = caller(request)
    check_sync_rate(request)
    body = await read_body(request, found.settings.max_body_bytes)
    _check_utf8(body)
    now = found.clock()
    typed = decode_typed_batch(body, now)  # one call for a batch of well-formed events
    if typed is not None:
        device_id, items = typed
        _check_batch_size(len(items), found.settings.max_batch_events)
    else:
        try:
            envelope = sync_request_decoder.decode(defuse_nesting(body))
        except TooDeep as exc:
            raise RequestError(422, "too_deep", str(exc)) from None
        except msgspec.ValidationError as exc:
            raise RequestError(422, "invalid_request", str(exc)) from None
        except msgspec.DecodeError as exc:
            raise RequestError(400, "bad_request", f"the body is not JSON: {exc}") from None
        device_id = envelope.device_id
        _check_batch_size(len(envelope.events), found.settings.max_batch_events)
        items = [decode_client_event(raw, now) for raw in envelope.events]
    outcomes = await committed(found.app.writer, found.app.recording(actor, device_id, items))
    await count_refusals(request, [o.error.code for o in outcomes
                                   if o.status == "rejected" and o.error is not None])
    return JSON(SyncResponse(results=outcomes))


def _check_utf8(body: bytes) -> None:
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(400, "bad_request", f"the body is not UTF-8: {exc}") from None


def _check_batch_size(count: int, limit: int) -> None:
    if count > limit:
        raise RequestError(422, "batch_too_large",
                           f"{count} events; send at most {limit} per request")


async def me(request: Request) -> Response:
    answer = await read(request, lambda actor, reader, _: reader.me(actor))
    found = services(request)
    district = await run_in_threadpool(found.app.district)
    actor = caller(request)
    return JSON(msgspec.structs.replace(
        answer, growth_records=growth_records(actor, district),
        calendar_url=feed_url(found, district, actor.user_id, request_origin(request)),
        time_zone=found.settings.time_zone,
        reminders=actor.user_id not in district.reminders_off, can=capabilities(actor)))


def growth_records(actor: Actor, district: District) -> list[GrowthRecordRef]:
    """The caller's own growth record (administrators of a campus) and their peers'."""
    people = [actor.user_id, *sorted(district.partners_of(actor.user_id))]
    return [GrowthRecordRef(user_id=user_id, name=district.people[user_id].name,
                            record_id=str(growth_id(user_id)),
                            relation="self" if user_id == actor.user_id else "peer")
            for user_id in people if district.keeps_growth_record(user_id)]


async def visit(request: Request) -> Response:
    visit_id = request.path_params["visit_id"]
    return JSON(await read(request, lambda actor, reader, _: reader.visit(actor, visit_id)))


async def summary(request: Request) -> Response:
    visit_id = request.path_params["visit_id"]
    headers: dict[str, str] = {}
    answer = await read(request, lambda actor, reader, _: reader.summary(actor, visit_id),
                        as_of=True, headers=headers)
    return JSON(answer, headers=headers)


async def debrief(request: Request) -> Response:
    visit_id = request.path_params["visit_id"]
    headers: dict[str, str] = {}
    answer = await read(request, lambda actor, reader, today: reader.debrief(
        actor, visit_id, today), as_of=True, headers=headers)
    return JSON(answer, headers=headers)


async def catalog_version(request: Request) -> Response:
    """A catalog version, built in or published (published ones come from the log)."""
    version = request.path_params["version"]
    try:
        return JSON(await read(request, lambda _, reader, __: reader.catalog(version)))
    except DomainError as exc:
        raise RequestError(404, exc.code, exc.message) from None


ENDPOINTS = [
    Endpoint("post", "/api/sync", sync,
             "Sync a batch of tablet events (exactly once, per-event results)",
             body=SyncRequestDoc, answer=SyncResponse, errors=(429,)),
    Endpoint("get", "/api/me", me, "The caller, roles, what they may do (`can`) and "
             "assigned visits", answer=Me),
    Endpoint("get", "/api/visits/{visit_id}", visit,
             "A visit: phase, team, catalog, the team's rooms (team, host, organizers)",
             answer=VisitDetail),
    Endpoint("get", "/api/visits/{visit_id}/summary", summary,
             "Per look-for trends across the visit's rooms (team, host, organizers)",
             answer=Summary, query=(AS_OF,)),
    Endpoint("get", "/api/visits/{visit_id}/debrief", debrief,
             "Debrief agenda: seven sections, progress first (team, host, organizers)",
             answer=Debrief, query=(AS_OF,)),
    Endpoint("get", "/api/catalogs/{version:int}", catalog_version,
             "A look-for catalog version", answer=Catalog),
]
