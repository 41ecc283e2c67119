"""`PUT /api/schools/{school_id}/staff-names`: the school's staff roster, write-only.

The host of the school or an organizer sends the staff's names; from then on a
free text that names one of them (a name that is not an ordinary word anywhere; one
that is, such as "Will" or "Grant", only where it is used as a name; a full name) is
refused with `names_a_person`, without saying which word (see walkthrough.names).
The names are turned into keyed hashes here and never kept, logged or answered:
the response gives counts only, and no route reads a roster back. Each PUT replaces
the whole list (an empty list clears it).

`GET /api/roster-refusals`: organizers see who drew how many roster refusals today and
whether they reached the bound (past it their texts are held: `roster_limit_reached`);
counts only, never the words.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from walkthrough.access import may_see_school
from walkthrough.errors import Forbidden, NotFound
from walkthrough.names import roster_tokens
from web.http.auth import caller
from web.http.context import body, services
from web.http.responses import JSON
from web.http.routing import Endpoint

MAX_NAMES = 500
StaffName = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class StaffNamesForm(msgspec.Struct, forbid_unknown_fields=True):
    """The school's whole staff roster: given names and surnames, any order."""

    names: Annotated[tuple[StaffName, ...], msgspec.Meta(max_length=MAX_NAMES)]


class PersonRefusals(msgspec.Struct):
    user_id: str
    refusals: int  # texts refused today for holding a name on a school's staff list
    reached: bool  # the bound is reached: their texts about rostered schools are held


class RosterRefusals(msgspec.Struct):
    """Today's roster refusals per person (UTC day), never the words refused."""

    day: str
    bound: int  # roster refusals a person may draw per day
    people: list[PersonRefusals]


class StaffNamesStored(msgspec.Struct):
    """What was stored, as counts: never the names, never their hashes."""

    school_id: str
    names: int
    tokens: int  # distinct name tokens the school's free texts are now screened for


async def replace_staff_names(request: Request) -> Response:
    found = services(request)
    school_id = request.path_params["school_id"]
    if not may_see_school(caller(request), school_id):
        raise Forbidden("a school's staff roster is set by its host or an organizer")
    district = await run_in_threadpool(found.app.district)
    if school_id not in district.schools:
        raise NotFound(f"school {school_id!r} is not registered", code="unknown_school")
    form = await body(request, StaffNamesForm)  # an error says where, never echoes a name
    roster = await run_in_threadpool(found.roster.replace_names, school_id, form.names)
    tokens = {token for name in form.names for token in roster_tokens(name)}
    return JSON(StaffNamesStored(school_id=school_id, names=len(form.names),
                                 tokens=len(tokens) if roster.hashes else 0))


async def roster_refusals(request: Request) -> Response:
    found = services(request)
    day = found.clock().date().isoformat()
    counts = await run_in_threadpool(found.roster.refusal_counts, day)
    bound = found.roster.refusals_per_day
    return JSON(RosterRefusals(day=day, bound=bound, people=[
        PersonRefusals(user_id=user_id, refusals=count, reached=count >= bound)
        for user_id, count in counts.items()]))


ENDPOINTS = [
    Endpoint("put", "/api/schools/{school_id}/staff-names", replace_staff_names,
             "Replace the school's staff roster: free text naming one of these people is "
             "refused (names_a_person, never saying which word). Write-only: the names are "
             "kept as keyed hashes and never answered back (host of the school, organizers)",
             roles=("host", "organizer"), body=StaffNamesForm, answer=StaffNamesStored),
    Endpoint("get", "/api/roster-refusals", roster_refusals,
             "Who drew roster refusals today and whether they reached the daily bound "
             "(past it their texts about schools with a staff roster are held until the "
             "next day); counts only, never the words (organizers)",
             roles=("organizer",), answer=RosterRefusals),
]
