"""People, for organizers: who is registered, and a one-time sign-in link for one of
them, made for the address the organizer's own request came to and shown once, with
its QR code as SVG (the page inserts it; the link itself is never stored)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from projections.answers import SchoolRef
from walkthrough.district import District
from web.http.context import services
from web.http.origin import request_origin
from web.http.ratelimit import check_link_rate
from web.http.responses import JSON
from web.http.routing import Endpoint
from web.render import qr


class Person(msgspec.Struct):
    id: str
    name: str
    roles: list[str]
    school: SchoolRef | None
    email: str | None = None  # how they sign in (organizers see it: they keep people)
    active: bool = True  # False: deactivated, their history kept


class People(msgspec.Struct):
    people: list[Person]


class SignInLinkMade(msgspec.Struct):
    user_id: str
    url: str
    expires_at: datetime
    qr_svg: str


def _school(district: District, school_id: str | None) -> SchoolRef | None:
    school = district.schools.get(school_id) if school_id is not None else None
    return None if school is None else SchoolRef(id=school.school_id, name=school.name,
                                                 level=school.level)


async def people(request: Request) -> Response:
    district = await run_in_threadpool(services(request).app.district)
    listed = [Person(id=p.user_id, name=p.name, roles=list(p.roles),
                     school=_school(district, p.school_id), email=p.email,
                     active=district.is_active(p.user_id))
              for p in district.people.values()]
    listed.sort(key=lambda person: (person.name.casefold(), person.id))
    return JSON(People(people=listed))


async def make_signin_link(request: Request) -> Response:
    found = services(request)
    user_id = request.path_params["user_id"]
    origin = request_origin(request)
    check_link_rate(request)
    link = await run_in_threadpool(found.signin_links.make, user_id, origin, found.clock())
    return JSON(SignInLinkMade(user_id=link.user_id, url=link.url, expires_at=link.expires_at,
                               qr_svg=qr.as_svg(link.url, f"Sign-in link for {user_id}")),
                status_code=201)


ENDPOINTS = [
    Endpoint("get", "/api/people", people, "Registered people: id, name, roles, school "
             "(organizers)", roles=("organizer",), answer=People),
    Endpoint("post", "/api/people/{user_id}/signin-link", make_signin_link, "Make a one-time "
             "sign-in link for a person, for the caller's own origin, valid 15 minutes, with "
             "its QR code as SVG; shown once (organizers; 429 past a limit of links made)",
             roles=("organizer",), answer=SignInLinkMade, status=201, errors=(429,)),
]
