"""`PUT /api/schools/{school_id}/staff-names`: the school's staff roster, write-only.

The host of the school or an organizer sends the staff's names; from then on a
free text that contains one of their given names or surnames is refused with
`names_a_person` (see walkthrough.names). The names are turned into keyed
hashes here and never kept, logged or answered: the response gives counts
only, and no route reads a roster back. Each PUT replaces the whole list (an
empty list clears it).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from walkthrough.errors import Forbidden, NotFound
from walkthrough.visit import Actor
from web.auth import authenticate
from web.bodies import read_body
from web.bootstrap import Services
from web.errors import RequestError
from web.responses import JSON

MAX_NAMES = 500
StaffName = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class StaffNamesForm(msgspec.Struct, forbid_unknown_fields=True):
    """The school's whole staff roster: given names and surnames, any order."""

    names: Annotated[tuple[StaffName, ...], msgspec.Meta(max_length=MAX_NAMES)]


class StaffNamesStored(msgspec.Struct):
    """What was stored, as counts: never the names, never their hashes."""

    school_id: str
    names: int
    tokens: int  # distinct name tokens the school's free texts are now screened for


_form_decoder = msgspec.json.Decoder(StaffNamesForm)


def _may_set_roster(actor: Actor, school_id: str) -> bool:
    return actor.has("organizer") or (actor.has("host") and actor.school_id == school_id)


async def replace_staff_names(request: Request) -> Response:
    services: Services = request.app.state.services
    actor = await run_in_threadpool(authenticate, request)
    school_id = request.path_params["school_id"]
    if not _may_set_roster(actor, school_id):
        raise Forbidden("a school's staff roster is set by its host or an organizer")
    district = await run_in_threadpool(services.app.district)
    if school_id not in district.schools:
        raise NotFound(f"school {school_id!r} is not registered", code="unknown_school")
    body = await read_body(request, services.settings.max_body_bytes)
    try:
        form = _form_decoder.decode(body)
    except msgspec.ValidationError as exc:  # says where, never echoes a name
        raise RequestError(422, "invalid_request", str(exc)) from None
    except msgspec.DecodeError:
        raise RequestError(400, "bad_request", "the body is not JSON") from None
    roster = await run_in_threadpool(services.roster.replace_names, school_id, form.names)
    return JSON(StaffNamesStored(school_id=school_id, names=len(form.names),
                                 tokens=len(roster)))


routes = [
    Route("/api/schools/{school_id}/staff-names", replace_staff_names, methods=["PUT"]),
]
