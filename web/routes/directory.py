"""The district's schools and people, kept by its organizers: a OneRoster import
(preview, then apply) and the same changes by hand - add, edit, deactivate and
reactivate a person, add or rename a school.

Every write is one `Walkthrough.administer` (all or nothing) and takes an
`Idempotency-Key` as the other organizers' forms do (web.routes.cycle). Deactivating a
person, by hand or by an import, also revokes their tablets' tokens and their unused
sign-in links: their next request is 401, and their tablet keeps its outbox.

A roster's teachers' names go into each school's staff roster (keyed hashes) and
nowhere else: no answer, log line or error message carries them
(walkthrough.roster_import).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, get_args

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from walkthrough.access import Actor
from walkthrough.application import SYSTEM, Idempotency
from walkthrough.district import District, unique_user_id
from walkthrough.errors import DomainError
from walkthrough.events import (
    DirectoryPayload,
    Email,
    Event,
    Label,
    PersonChanged,
    PersonDeactivated,
    PersonReactivated,
    PersonRegistered,
    Roles,
    SchoolChanged,
    SchoolLevel,
    SchoolRegistered,
    ShortText,
    Slug,
)
from walkthrough.roles import Role
from walkthrough.roster_import import (
    RosterPlan,
    RosterReport,
    files_in_zip,
    plan_import,
    school_slug,
)
from web.composition.bootstrap import Services
from web.http.auth import caller
from web.http.context import body, services
from web.http.idempotency import ONCE, idempotency
from web.http.responses import JSON
from web.http.routing import Endpoint

ROSTER_MAX_BYTES = 48 * 1024 * 1024  # a district's zip, as base64 in JSON
ORGANIZERS: tuple[Role, ...] = ("organizer",)


def apply_plan(found: Services, plan: RosterPlan, actor: Actor = SYSTEM,
               once: Idempotency | None = None) -> list[Event]:
    """Apply an import: its changes in one transaction, then each school's staff roster,
    then the deactivated people's tokens and links revoked. The events recorded."""
    plan.check_applicable()
    recorded = found.app.administer(plan.payloads, actor, once)
    for school_id, names in plan.staff.items():
        found.roster.replace_names(school_id, names)
    revoke_deactivated(found, recorded)
    return recorded


def revoke_deactivated(found: Services, recorded: Sequence[Event]) -> None:
    now = found.clock()
    for event in recorded:
        if isinstance(event.payload, PersonDeactivated):
            found.tokens.revoke_all(event.payload.user_id, now)
            found.signin_links.revoke_all(event.payload.user_id, now)


# --- a roster import --------------------------------------------------------------------


class RosterForm(msgspec.Struct, forbid_unknown_fields=True):
    """A OneRoster export as a zip (base64), and the levels the organizer set for
    schools whose grades are not in the files (school sourcedId -> level)."""

    archive: bytes
    levels: dict[str, SchoolLevel] = {}


class RosterApplied(msgspec.Struct):
    recorded: int  # events appended (0: the district already matched the files)
    report: RosterReport


def _plan(found: Services, form: RosterForm) -> RosterPlan:
    """The plan, its report saying which staff rosters it would change (compared as
    keyed hashes: the stored names are never read back, there are none)."""
    plan = plan_import(files_in_zip(form.archive), found.app.district(), form.levels)
    staff = tuple(msgspec.structs.replace(line, changed=found.roster.from_names(
        plan.staff[line.school_id]).hashes != found.roster.hashes(line.school_id))
        for line in plan.report.staff)
    return msgspec.structs.replace(plan, report=msgspec.structs.replace(plan.report,
                                                                        staff=staff))


async def preview_roster(request: Request) -> Response:
    form = await body(request, RosterForm, ROSTER_MAX_BYTES)
    found = services(request)
    plan = await run_in_threadpool(_plan, found, form)
    return JSON(plan.report)


async def apply_roster(request: Request) -> Response:
    form = await body(request, RosterForm, ROSTER_MAX_BYTES)
    found = services(request)
    actor = caller(request)
    once = idempotency(request, form)

    def run() -> RosterApplied:
        plan = _plan(found, form)
        recorded = apply_plan(found, plan, actor, once)
        return RosterApplied(recorded=len(recorded), report=plan.report)

    return JSON(await run_in_threadpool(run), status_code=201)


# --- people and schools by hand ------------------------------------------------------


TypedEmail = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]  # any case


def _email(typed: str | None) -> str | None:
    """An address as people sign in with it: lower case, or a 422 that says so."""
    if typed is None:
        return None
    try:
        return msgspec.convert(typed.strip().lower(), Email)
    except msgspec.ValidationError:
        raise DomainError("not an email address (name@example.org)",
                          code="invalid_email") from None


class NewPerson(msgspec.Struct, forbid_unknown_fields=True):
    name: Label
    roles: Roles
    email: TypedEmail | None = None
    school_id: Slug | None = None


class PersonEdit(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The fields to change; a field left out stays as it is (null clears email and
    school)."""

    name: Label | msgspec.UnsetType = msgspec.UNSET
    email: TypedEmail | msgspec.UnsetType | None = msgspec.UNSET
    school_id: Slug | msgspec.UnsetType | None = msgspec.UNSET
    roles: Roles | msgspec.UnsetType = msgspec.UNSET


class Deactivation(msgspec.Struct, forbid_unknown_fields=True):
    reason: ShortText | None = None


class NewSchool(msgspec.Struct, forbid_unknown_fields=True):
    name: Label
    level: SchoolLevel
    identifier: ShortText | None = None


class SchoolEdit(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Label | msgspec.UnsetType = msgspec.UNSET
    level: SchoolLevel | msgspec.UnsetType = msgspec.UNSET


class DirectoryChanged(msgspec.Struct):
    """What a form changed: the person's or school's id, and the events recorded (0: a
    resent form already recorded)."""

    id: str
    recorded: int


async def _administer(request: Request, form: msgspec.Struct, subject: str,
                      build: Callable[[District], DirectoryPayload]) -> Response:
    found = services(request)
    actor = caller(request)
    once = idempotency(request, form)

    def run() -> DirectoryChanged:
        payload = build(found.app.district())
        recorded = found.app.administer([payload], actor, once)
        revoke_deactivated(found, recorded)
        return DirectoryChanged(id=subject or _id_of(payload), recorded=len(recorded))

    return JSON(await run_in_threadpool(run), status_code=201)


def _id_of(payload: DirectoryPayload) -> str:
    if isinstance(payload, SchoolRegistered | SchoolChanged):
        return payload.school_id
    return getattr(payload, "user_id", "")


async def add_person(request: Request) -> Response:
    form = await body(request, NewPerson)
    email = _email(form.email)

    def build(district: District) -> DirectoryPayload:
        if email is not None and (known := district.person_by_email(email)) is not None:
            raise DomainError(f"{known.name} already signs in with this email",
                              code="email_taken")
        user_id = unique_user_id(district, email or form.name.replace(" ", "."))
        return PersonRegistered(user_id=user_id, name=form.name, roles=_ordered(form.roles),
                                school_id=form.school_id, email=email)

    return await _administer(request, form, "", build)


# Hosts and coaches first, then every other role in the order `Role` names them: a role
# left out here would be dropped from the person (a teacher-leader was, and stored with
# no role at all).
_FIRST: tuple[Role, ...] = ("host", "coach")
ROLE_ORDER: tuple[Role, ...] = (*_FIRST, *(role for role in get_args(Role) if role not in _FIRST))


def _ordered(roles: Sequence[Role]) -> tuple[Role, ...]:
    return tuple(role for role in ROLE_ORDER if role in roles)


async def edit_person(request: Request) -> Response:
    form = await body(request, PersonEdit)
    user_id = request.path_params["user_id"]
    roles = form.roles if isinstance(form.roles, msgspec.UnsetType) else _ordered(form.roles)
    email = form.email if isinstance(form.email, msgspec.UnsetType) else _email(form.email)
    return await _administer(request, form, user_id, lambda _: PersonChanged(
        user_id=user_id, name=form.name, email=email, school_id=form.school_id,
        roles=roles))


async def deactivate_person(request: Request) -> Response:
    form = await body(request, Deactivation)
    user_id = request.path_params["user_id"]
    return await _administer(request, form, user_id, lambda _: PersonDeactivated(
        user_id=user_id, reason=form.reason))


async def reactivate_person(request: Request) -> Response:
    form = await body(request, Deactivation)
    user_id = request.path_params["user_id"]
    return await _administer(request, form, user_id,
                             lambda _: PersonReactivated(user_id=user_id))


async def add_school(request: Request) -> Response:
    form = await body(request, NewSchool)
    return await _administer(request, form, "", lambda district: SchoolRegistered(
        school_id=school_slug(form.name, set(district.schools)), name=form.name, level=form.level,
        identifier=form.identifier))


async def edit_school(request: Request) -> Response:
    form = await body(request, SchoolEdit)
    school_id = request.path_params["school_id"]
    return await _administer(request, form, school_id, lambda _: SchoolChanged(
        school_id=school_id, name=form.name, level=form.level))


class SchoolListed(msgspec.Struct):
    id: str
    name: str
    level: str
    identifier: str | None = None
    source_id: str | None = None  # the roster's sourcedId: a re-import keeps it in step


class Schools(msgspec.Struct):
    schools: list[SchoolListed]


async def schools(request: Request) -> Response:
    district = await run_in_threadpool(services(request).app.district)
    listed = [SchoolListed(id=s.school_id, name=s.name, level=s.level,
                           identifier=s.identifier, source_id=s.source_id)
              for s in district.schools.values()]
    listed.sort(key=lambda school: (school.name.casefold(), school.id))
    return JSON(Schools(schools=listed))


WRITE = {"roles": ORGANIZERS, "status": 201, "query": (ONCE,), "errors": (409,)}
ENDPOINTS = [
    Endpoint("post", "/api/roster/preview", preview_roster,
             "What importing a OneRoster export (1.1 or 1.2 CSV, zipped, base64) would change: "
             "schools and people to add, change and deactivate, rows skipped and why, levels "
             "to set; nothing is recorded (organizers)", roles=ORGANIZERS, body=RosterForm,
             answer=RosterReport),
    Endpoint("post", "/api/roster/apply", apply_roster,
             "Import a OneRoster export: all of it in one transaction or nothing; teachers' "
             "names go only into the schools' staff rosters (organizers)", body=RosterForm,
             answer=RosterApplied, **WRITE),  # type: ignore[arg-type]
    Endpoint("post", "/api/people", add_person, "Add a person: name, roles, email, school "
             "(organizers)", body=NewPerson, answer=DirectoryChanged,
             **WRITE),  # type: ignore[arg-type]
    Endpoint("patch", "/api/people/{user_id}", edit_person, "Change a person's name, email, "
             "school or roles (organizers)", body=PersonEdit, answer=DirectoryChanged,
             **WRITE),  # type: ignore[arg-type]
    Endpoint("post", "/api/people/{user_id}/deactivate", deactivate_person,
             "Deactivate a person: their tablets are signed out and their unused sign-in "
             "links revoked; their history stays (organizers)", body=Deactivation,
             answer=DirectoryChanged, **WRITE),  # type: ignore[arg-type]
    Endpoint("post", "/api/people/{user_id}/reactivate", reactivate_person,
             "Reactivate a person (organizers)", body=Deactivation, answer=DirectoryChanged,
             **WRITE),  # type: ignore[arg-type]
    Endpoint("get", "/api/schools", schools, "The district's schools (organizers)",
             roles=ORGANIZERS, answer=Schools),
    Endpoint("post", "/api/schools", add_school, "Add a school (organizers)", body=NewSchool,
             answer=DirectoryChanged, **WRITE),  # type: ignore[arg-type]
    Endpoint("patch", "/api/schools/{school_id}", edit_school, "Rename a school or change "
             "its level (organizers)", body=SchoolEdit, answer=DirectoryChanged,
             **WRITE),  # type: ignore[arg-type]
]
