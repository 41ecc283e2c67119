"""The administrator's growth: their record (goals, leadership practice observations,
support log, plan adjustments, pulse, sessions), the district's view of what its
administrators name and ask for, the learning sessions offered in response, and the
leadership practice catalogs. A record's events are written through POST /api/sync,
with the record's id (`record_id` here) in `visit_id`."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from projections.answers import Catalogs
from projections.growth_view import (
    DistrictGrowth,
    GrowthRecord,
    district_growth,
    growth_record,
)
from projections.queries import Reader
from walkthrough.access import Actor
from walkthrough.catalog import Catalog
from walkthrough.errors import DomainError, NotFound
from walkthrough.events import ItemKeys, LearningSessionOffered, ShortText, Slug
from walkthrough.growth import relation_to
from web.http.auth import caller
from web.http.context import body, read, services
from web.http.errors import RequestError
from web.http.idempotency import ONCE, Recorded, idempotency, record_preparation
from web.http.responses import JSON
from web.http.routing import Endpoint


class SessionForm(msgspec.Struct, forbid_unknown_fields=True):
    title: ShortText
    date: date
    areas: ItemKeys = ()
    session_id: Slug | None = None


async def record(request: Request) -> Response:
    found = services(request)
    actor = caller(request)
    user_id = request.path_params["user_id"]

    def run(_: Actor, reader: Reader, today: date) -> GrowthRecord:
        district = found.app.district()
        relation = relation_to(actor, user_id, district) \
            if district.keeps_growth_record(user_id) else None
        if relation is None:
            raise NotFound(f"no growth record of {user_id!r} that you may see",
                           code="not_found")
        school_id = district.people[user_id].school_id
        assert school_id is not None  # kept by administrators of a campus only
        hosted = reader.hosted_plan_steps(user_id, school_id, today, seen_by=actor)
        return growth_record(found.app.growth(user_id), user_id, relation, district, hosted)

    return JSON(await read(request, run))


async def district_view(request: Request) -> Response:
    found = services(request)

    def run() -> DistrictGrowth:
        district = found.app.district()
        owners = sorted(district.growth_owners.values())
        records = found.app.growth_records(owners)
        return district_growth((r for r in records.values() if r is not None), district)

    return JSON(await run_in_threadpool(run))


async def offer_session(request: Request) -> Response:
    form = await body(request, SessionForm)
    once = idempotency(request, form)  # a resent form names the same session
    session_id = form.session_id or f"s-{(once.key if once else uuid.uuid4()).hex[:12]}"
    return await record_preparation(request, lambda _, __: LearningSessionOffered(
        session_id=session_id, title=form.title, date=form.date, areas=form.areas), form)


async def leadership_catalogs(request: Request) -> Response:
    return JSON(await read(request, lambda _, reader, __: reader.leadership_catalogs()))


async def leadership_catalog(request: Request) -> Response:
    version = request.path_params["version"]
    try:
        return JSON(await read(request, lambda _, reader, __: reader.leadership_catalog(
            version)))
    except DomainError as exc:
        raise RequestError(404, exc.code, exc.message) from None


ENDPOINTS = [
    Endpoint("get", "/api/people/{user_id}/growth", record,
             "An administrator's growth record: goals with their steps and adjustments, "
             "leadership practice observations, support log, support requests, pulse (their "
             "own eyes only), learning sessions (the administrator, their partnership peers, "
             "organizers)", roles=("coach", "host", "organizer"), answer=GrowthRecord),
    Endpoint("get", "/api/growth", district_view,
             "Across the district: the growth areas and support requests most often named, "
             "the pulse aggregated over at least 5 people, sessions offered and attended "
             "(organizers)", roles=("organizer",), answer=DistrictGrowth),
    Endpoint("post", "/api/learning-sessions", offer_session,
             "Offer a professional-learning session in response to named growth areas "
             "(organizers)", roles=("organizer",), body=SessionForm, answer=Recorded,
             status=201, query=(ONCE,), errors=(409,)),
    Endpoint("get", "/api/catalogs/leadership", leadership_catalogs,
             "Leadership practice catalog versions: built in and published", answer=Catalogs),
    Endpoint("get", "/api/catalogs/leadership/{version:int}", leadership_catalog,
             "A leadership practice catalog version", answer=Catalog),
]
