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

from projections.answers import CatalogListing, Catalogs
from projections.district_view import LEADERSHIP_CATALOG, published_catalog
from projections.growth_view import (
    DistrictGrowth,
    GrowthRecord,
    district_growth,
    growth_record,
)
from projections.queries import Reader
from walkthrough.access import Actor
from walkthrough.catalog import BUILT_IN_LEADERSHIP, Catalog
from walkthrough.errors import NotFound
from walkthrough.events import ItemKeys, LearningSessionOffered, ShortText, Slug
from walkthrough.growth import relation_to
from web.auth import caller
from web.context import body, read, services
from web.cycle import ONCE, Recorded, idempotency
from web.errors import RequestError
from web.responses import JSON
from web.routing import Endpoint


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
        hosted = reader.hosted_plan_steps(user_id, school_id, today)
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
    found = services(request)
    actor = caller(request)
    once = idempotency(request, form)
    session_id = form.session_id or (f"s-{once.key.hex[:12]}" if once
                                     else f"s-{uuid.uuid4().hex[:12]}")
    payload = LearningSessionOffered(session_id=session_id, title=form.title,
                                     date=form.date, areas=form.areas)

    def run() -> Recorded:
        event = found.app.prepare(actor, payload, once)
        return Recorded(event_id=str(event.event_id), type=event.type,
                        data=msgspec.to_builtins(event.payload))

    return JSON(await run_in_threadpool(run), status_code=201)


def _leadership_catalogs(request: Request) -> dict[int, Catalog]:
    found = services(request)
    found.projector.catch_up()
    published = [published_catalog(doc)
                 for doc in found.read_models.all_of(LEADERSHIP_CATALOG).values()]
    return {**BUILT_IN_LEADERSHIP, **{c.version: c for c in published}}


async def leadership_catalogs(request: Request) -> Response:
    known = await run_in_threadpool(_leadership_catalogs, request)
    return JSON(Catalogs(catalogs=[CatalogListing(version=v, items=len(c.items))
                                   for v, c in sorted(known.items())]))


async def leadership_catalog(request: Request) -> Response:
    version = request.path_params["version"]
    known = await run_in_threadpool(_leadership_catalogs, request)
    if version not in known:
        raise RequestError(404, "unknown_catalog",
                           f"leadership catalog version {version} does not exist")
    return JSON(known[version])


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
