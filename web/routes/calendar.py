"""The school calendar and people's calendar feeds.

- `GET /api/calendar`: the district's time zone and days without school (anyone signed
  in: the tablet warns before a visit is planned on one, offline too).
- `PUT /api/calendar` (organizers): the whole list of closures, as a form the outbox
  sends; `POST /api/calendar/parse`: closures read from an iCalendar or CSV file for
  the organizer to review before saving (nothing is stored).
- `GET /api/calendar/feed/{user_id}/{token}.ics`: a person's private iCalendar feed,
  read by calendar programs without a bearer token: the token in the address is an
  HMAC of the person and how many times they reset it, so a reset
  (`POST /api/me/calendar-feed/reset`) makes every older address stop working.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from projections.calendar_feed import calendar_document
from projections.queries import Reader
from walkthrough.access import Actor
from walkthrough.errors import NotFound
from walkthrough.events import CalendarFeedReset, RemindersChosen, SchoolCalendarSet
from walkthrough.school_calendar import MAX_CLOSURES, Closure
from walkthrough.school_days_import import closures_from_csv, closures_from_icalendar
from web.http.auth import caller
from web.http.context import body, read, services
from web.http.feed_addresses import feed_token, feed_url
from web.http.freshness import wait_for_writes
from web.http.idempotency import Recorded, record_preparation
from web.http.origin import request_origin
from web.http.responses import JSON
from web.http.routing import Endpoint

FEED_MEDIA = "text/calendar; charset=utf-8"
CALENDAR_FILE_LIMIT = 512 * 1024


class SchoolCalendarAnswer(msgspec.Struct):
    time_zone: str
    weekend: list[str]
    closures: list[Closure]


class CalendarForm(msgspec.Struct, forbid_unknown_fields=True):
    """The district's days without school, whole (it replaces the list before)."""

    closures: Annotated[list[Closure], msgspec.Meta(max_length=MAX_CLOSURES)]
    source: Literal["entered", "icalendar", "csv"] = "entered"


class CalendarFile(msgspec.Struct, forbid_unknown_fields=True):
    """A district's calendar file, as text: an iCalendar export or a CSV of dates."""

    kind: Literal["icalendar", "csv"]
    text: Annotated[str, msgspec.Meta(max_length=CALENDAR_FILE_LIMIT)]


class ParsedClosures(msgspec.Struct):
    closures: list[Closure]


class RemindersForm(msgspec.Struct, forbid_unknown_fields=True):
    on: bool


class RemindersAnswer(msgspec.Struct):
    reminders: bool


class FeedAddress(msgspec.Struct):
    calendar_url: str


async def school_calendar(request: Request) -> Response:
    found = services(request)
    closures = await read(request, lambda _, reader, __: reader.calendar().closures)
    return JSON(SchoolCalendarAnswer(time_zone=found.settings.time_zone,
                                     weekend=["saturday", "sunday"],
                                     closures=list(closures)))


async def set_school_calendar(request: Request) -> Response:
    form = await body(request, CalendarForm)
    return await record_preparation(request, lambda _, __: SchoolCalendarSet(
        closures=tuple(sorted(form.closures, key=lambda c: (c.start, c.end, c.label))),
        source=form.source), form)


async def parse_calendar_file(request: Request) -> Response:
    file = await body(request, CalendarFile, limit=CALENDAR_FILE_LIMIT + 1024)
    data = file.text.encode()
    closures = closures_from_icalendar(data) if file.kind == "icalendar" \
        else closures_from_csv(data)
    return JSON(ParsedClosures(closures=closures))


async def calendar_feed(request: Request) -> Response:
    found = services(request)
    user_id = request.path_params["user_id"]
    token = request.path_params["token"]
    await wait_for_writes(request, None, found)  # as projected, or after X-Walkthrough-After

    def run() -> bytes:
        district = found.app.district()
        person = district.people.get(user_id)
        expected = feed_token(found.feed_key, user_id, district.feed_resets.get(user_id, 0))
        if person is None or not district.is_active(user_id) \
                or not hmac.compare_digest(token, expected):
            raise NotFound("no such calendar feed; copy the address again from the app",
                           code="unknown_feed")
        actor = Actor(user_id=person.user_id, roles=person.roles, school_id=person.school_id)
        if found.projector.version is not None:
            found.projector.version.require_current()
        now = found.clock()
        reader = Reader(found.read_models, found.settings.min_rooms)
        return calendar_document(reader.feed(
            actor, found.app.local_date(now), found.settings.zone, request_origin(request),
            now))

    return Response(await run_in_threadpool(run), media_type=FEED_MEDIA,
                    headers={"cache-control": "private, max-age=300"})


async def reset_feed(request: Request) -> Response:
    found = services(request)
    actor = caller(request)
    origin = request_origin(request)

    def run() -> FeedAddress:
        found.app.prepare(actor, CalendarFeedReset(user_id=actor.user_id))
        return FeedAddress(calendar_url=feed_url(found, found.app.district(), actor.user_id,
                                                 origin))

    return JSON(await run_in_threadpool(run), status_code=201)


async def choose_reminders(request: Request) -> Response:
    found = services(request)
    actor = caller(request)
    form = await body(request, RemindersForm)

    def run() -> RemindersAnswer:
        found.app.prepare(actor, RemindersChosen(user_id=actor.user_id, on=form.on))
        return RemindersAnswer(
            reminders=actor.user_id not in found.app.district().reminders_off)

    return JSON(await run_in_threadpool(run))


ENDPOINTS = [
    Endpoint("get", "/api/calendar", school_calendar, "The district's time zone and days "
             "without school (weekends, breaks, holidays)", answer=SchoolCalendarAnswer),
    Endpoint("put", "/api/calendar", set_school_calendar, "Set the district's days without "
             "school, the whole list (organizers; Idempotency-Key)", roles=("organizer",),
             body=CalendarForm, answer=Recorded, status=201, errors=(409,)),
    Endpoint("post", "/api/calendar/parse", parse_calendar_file, "Read days without school "
             "from an iCalendar (.ics) or CSV (date[,end],label) file, to review before "
             "saving; nothing is stored (organizers)", roles=("organizer",),
             body=CalendarFile, answer=ParsedClosures),
    Endpoint("get", "/api/calendar/feed/{user_id}/{token}.ics", calendar_feed, "A person's "
             "private iCalendar feed: their visits, partnership meetings and check-ins due "
             "(the secret is in the address; no bearer token)", public=True,
             media="text/calendar"),
    Endpoint("put", "/api/me/reminders", choose_reminders, "Turn the caller's email "
             "reminders of check-ins due on or off", body=RemindersForm,
             answer=RemindersAnswer),
    Endpoint("post", "/api/me/calendar-feed/reset", reset_feed, "Give the caller's calendar "
             "feed a new address; the old one stops working", answer=FeedAddress, status=201),
]
