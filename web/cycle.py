"""Routes of the visit cycle around the capture: preparation (needs, inventories,
matching, partnerships, catalogs), action plans and trends, with their SVG charts.

Writes here are organizers' forms recorded on the district (`POST`); everything
that happens on a visit (debrief, next steps, the agreed plan, check-ins) is a
visit event sent through `POST /api/sync` like the tablet's taps.

A tablet's outbox sends these forms too, and may send one again when an answer was
lost: with `Idempotency-Key: <uuid>` a retry of the same request (same path, same
decoded body) answers what the first one recorded, and records nothing twice; the
same key with another request is `409 idempotency_conflict`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from projections.queries import Reader
from projections.summary import Summary
from projections.trends import DistrictTrends, SchoolTrends
from walkthrough.application import Idempotency
from walkthrough.catalog import LookFor
from walkthrough.events import (
    AdministratorRole,
    ItemKey,
    ItemKeys,
    LongText,
    MeetingStep,
    NeedsAssessmentRecorded,
    PartnershipFormed,
    PartnershipMeetingHeld,
    ShortText,
    SkillInventoryRecorded,
    Slug,
    UserId,
)
from walkthrough.visit import Actor
from web.auth import authenticate
from web.bodies import read_body
from web.bootstrap import Services
from web.charts import Line, Point, bars, rates_over_time
from web.errors import RequestError
from web.events_api import as_of_response
from web.responses import JSON

T = TypeVar("T")
IDEMPOTENCY_KEY = "Idempotency-Key"
SVG_HEADERS = {"Cache-Control": "no-store"}


class NeedsAssessmentForm(msgspec.Struct, forbid_unknown_fields=True):
    focus_areas: Annotated[tuple[ItemKey, ...], msgspec.Meta(min_length=1, max_length=20)]
    notes: LongText | None = None
    catalog_version: int | None = None


class SkillInventoryForm(msgspec.Struct, forbid_unknown_fields=True):
    role: AdministratorRole
    strengths: ItemKeys = ()
    growth_areas: ItemKeys = ()
    notes: LongText | None = None
    catalog_version: int | None = None


class CatalogForm(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[tuple[LookFor, ...], msgspec.Meta(min_length=1, max_length=60)]
    notes: ShortText | None = None


class MeetingForm(msgspec.Struct, forbid_unknown_fields=True):
    """A partnership meeting as held; the partnership comes from the path. More than two
    steps pass the schema so that the domain can refuse them with its own code."""

    meeting_id: Slug
    date: date
    next_steps: Annotated[tuple[MeetingStep, ...], msgspec.Meta(max_length=6)]
    facilitator: UserId | None = None
    notes: LongText | None = None


class Recorded(msgspec.Struct):
    """What a preparation form recorded: the stored event's id and its data."""

    event_id: str
    type: str
    data: dict[str, Any]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _form(request: Request, form_type: type[T]) -> T:
    # The token first: no body is read or judged for a caller without one.
    await run_in_threadpool(authenticate, request)
    body = await read_body(request, _services(request).settings.max_body_bytes)
    try:
        return msgspec.json.decode(body, type=form_type)
    except msgspec.ValidationError as exc:
        raise RequestError(422, "invalid_request", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise RequestError(400, "bad_request", f"the body is not JSON: {exc}") from None


async def _answer(request: Request, query: Callable[[Actor, Reader, date], Any]) -> Any:
    """Authenticate, let the projector catch up, and run a read-model query."""
    services = _services(request)
    actor = await run_in_threadpool(authenticate, request)
    today = services.clock().date()

    def run() -> Any:
        services.projector.catch_up()
        return query(actor, Reader(services.read_models, services.settings.min_rooms), today)

    return await run_in_threadpool(run)


def idempotency(request: Request, form: msgspec.Struct) -> Idempotency | None:
    """The request's `Idempotency-Key` with the digest of what is asked: the method, the
    path and the decoded form (so key order and spacing in the JSON do not matter)."""
    header = request.headers.get(IDEMPOTENCY_KEY)
    if header is None:
        return None
    try:
        key = UUID(header.strip())
    except ValueError:
        raise RequestError(422, "invalid_idempotency_key",
                           f"{IDEMPOTENCY_KEY} is a UUID") from None
    request_line = f"{request.method} {request.url.path}\0".encode()
    return Idempotency(key, hashlib.sha256(request_line + msgspec.json.encode(form)).digest())


async def _record(request: Request, build: Callable[[Actor, int], Any],
                  form: msgspec.Struct) -> Response:
    """Record one preparation event built from the caller and the latest catalog."""
    services = _services(request)
    actor = await run_in_threadpool(authenticate, request)
    app = services.app
    once = idempotency(request, form)

    def run() -> Recorded:
        payload = build(actor, app.district().latest_catalog_version())
        event = app.prepare(actor, payload, once)
        return Recorded(event_id=str(event.event_id), type=event.type,
                        data=msgspec.to_builtins(event.payload))

    return JSON(await run_in_threadpool(run), status_code=201)


# --- preparation ----------------------------------------------------------------------


async def preparation(request: Request) -> Response:
    return JSON(await _answer(request, lambda actor, reader, _: reader.preparation(actor)))


async def record_needs(request: Request) -> Response:
    form = await _form(request, NeedsAssessmentForm)
    school_id = request.path_params["school_id"]
    return await _record(request, lambda _, latest: NeedsAssessmentRecorded(
        school_id=school_id, catalog_version=form.catalog_version or latest,
        focus_areas=form.focus_areas, notes=form.notes), form)


async def record_skills(request: Request) -> Response:
    form = await _form(request, SkillInventoryForm)
    user_id = request.path_params["user_id"]
    return await _record(request, lambda _, latest: SkillInventoryRecorded(
        user_id=user_id, role=form.role, catalog_version=form.catalog_version or latest,
        strengths=form.strengths, growth_areas=form.growth_areas, notes=form.notes), form)


async def matches(request: Request) -> Response:
    school_id = request.path_params["school_id"]
    role = request.query_params.get("role")
    return JSON(await _answer(request, lambda actor, reader, _: reader.matches(
        actor, school_id, role)))


async def form_partnership(request: Request) -> Response:
    form = await _form(request, PartnershipFormed)
    return await _record(request, lambda _, __: form, form)


async def partnerships(request: Request) -> Response:
    return JSON({"partnerships": await _answer(
        request, lambda actor, reader, today: reader.partnerships(actor, today))})


async def record_meeting(request: Request) -> Response:
    form = await _form(request, MeetingForm)
    partnership_id = request.path_params["partnership_id"]
    return await _record(request, lambda _, __: PartnershipMeetingHeld(
        partnership_id=partnership_id, meeting_id=form.meeting_id, date=form.date,
        next_steps=form.next_steps, facilitator=form.facilitator, notes=form.notes), form)


async def partnership_agenda(request: Request) -> Response:
    partnership_id = request.path_params["partnership_id"]
    return JSON(await _answer(request, lambda actor, reader, today: reader.partnership_agenda(
        actor, partnership_id, today)))


async def catalogs(request: Request) -> Response:
    return JSON({"catalogs": await _answer(request, lambda _, reader, __: reader.catalogs())})


async def publish_catalog(request: Request) -> Response:
    form = await _form(request, CatalogForm)
    services = _services(request)
    actor = await run_in_threadpool(authenticate, request)
    once = idempotency(request, form)

    def run() -> Recorded:
        event = services.app.publish_catalog(actor, form.items, form.notes, once)
        return Recorded(event_id=str(event.event_id), type=event.type,
                        data=msgspec.to_builtins(event.payload))

    return JSON(await run_in_threadpool(run), status_code=201)


# --- support and trends ---------------------------------------------------------------


async def action_plans(request: Request) -> Response:
    school_id = request.query_params.get("school_id")
    return JSON(await _answer(request, lambda actor, reader, today: reader.action_plans(
        actor, today, school_id)))


async def school_trends(request: Request) -> Response:
    school_id = request.path_params["school_id"]

    def query(actor: Actor, reader: Reader, _: date) -> SchoolTrends:
        return reader.school_trends(actor, school_id)

    return await as_of_response(request, query) or JSON(await _answer(request, query))


async def district_trends(request: Request) -> Response:
    min_cell = _services(request).settings.min_cell

    def query(actor: Actor, reader: Reader, _: date) -> DistrictTrends:
        return reader.district_trends(actor, min_cell)

    return await as_of_response(request, query) or JSON(await _answer(request, query))


# --- charts ---------------------------------------------------------------------------


def _svg(svg: str) -> Response:
    return Response(svg, media_type="image/svg+xml", headers=SVG_HEADERS)


def _short(day: date) -> str:
    return day.strftime("%b %d %Y")


def school_chart(trends: SchoolTrends) -> str:
    lines = [Line(title=series.prompt, points=[
        Point(label=_short(p.date), rate=p.rate,
              note=f"{p.rooms_observed} room{'s' * (p.rooms_observed != 1)}")
        for p in series.points]) for series in trends.series]
    return rates_over_time(f"{trends.school_name}: look-for rates, visit by visit", lines)


def district_chart(trends: DistrictTrends, kind: str) -> str:
    if kind == "lines":
        lines = [Line(title=item.prompt, points=[
            Point(label=cell.period, rate=cell.rate, suppressed=cell.suppressed,
                  note=f"{cell.classrooms} rooms" if cell.classrooms else "")
            for cell in item.district]) for item in trends.look_fors]
        return rates_over_time("District look-for rates by quarter", lines)
    latest = trends.periods[-1] if trends.periods else ""
    points = []
    for item in trends.look_fors:
        cell = next((c for c in item.district if c.period == latest), None)
        if cell is not None:
            points.append(Point(label=item.prompt, rate=cell.rate, suppressed=cell.suppressed,
                                note=f"{cell.classrooms} rooms" if cell.classrooms else ""))
    return bars(f"District look-for rates, {latest or 'no visits yet'}", points)


def visit_chart(summary: Summary) -> str:
    points = [Point(label=item.prompt, rate=item.rate,
                    note=f"{item.rooms_observed} room{'s' * (item.rooms_observed != 1)}")
              for item in summary.items if item.rate is not None]
    return bars("Look-fors across the visit's rooms", points)


async def school_trends_chart(request: Request) -> Response:
    school_id = request.path_params["school_id"]

    def draw(actor: Actor, reader: Reader, _: date) -> str:
        return school_chart(reader.school_trends(actor, school_id))

    return _svg(await _answer(request, draw))


async def district_trends_chart(request: Request) -> Response:
    kind = request.query_params.get("chart", "bars")
    if kind not in ("bars", "lines"):
        raise RequestError(422, "invalid_request", "chart is bars or lines")
    min_cell = _services(request).settings.min_cell
    return _svg(await _answer(request, lambda actor, reader, _: district_chart(
        reader.district_trends(actor, min_cell), kind)))


async def debrief_chart(request: Request) -> Response:
    visit_id = request.path_params["visit_id"]
    return _svg(await _answer(request, lambda actor, reader, _: visit_chart(
        reader.summary(actor, visit_id))))


routes = [
    Route("/api/preparation", preparation, methods=["GET"]),
    Route("/api/schools/{school_id}/needs-assessment", record_needs, methods=["POST"]),
    Route("/api/people/{user_id}/skill-inventory", record_skills, methods=["POST"]),
    Route("/api/schools/{school_id}/matches", matches, methods=["GET"]),
    Route("/api/partnerships", partnerships, methods=["GET"]),
    Route("/api/partnerships", form_partnership, methods=["POST"]),
    Route("/api/partnerships/{partnership_id}/meetings", record_meeting, methods=["POST"]),
    Route("/api/partnerships/{partnership_id}/agenda", partnership_agenda, methods=["GET"]),
    Route("/api/catalogs", catalogs, methods=["GET"]),
    Route("/api/catalogs", publish_catalog, methods=["POST"]),
    Route("/api/action-plans", action_plans, methods=["GET"]),
    Route("/api/schools/{school_id}/trends", school_trends, methods=["GET"]),
    Route("/api/schools/{school_id}/trends/chart.svg", school_trends_chart, methods=["GET"]),
    Route("/api/trends", district_trends, methods=["GET"]),
    Route("/api/trends/chart.svg", district_trends_chart, methods=["GET"]),
    Route("/api/visits/{visit_id}/debrief/chart.svg", debrief_chart, methods=["GET"]),
]
