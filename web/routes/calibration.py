"""Observer calibration in the API: how alike a team's coaches see (projections.calibration).

Routes say who may call at all; walkthrough.access decides about the one team,
partnership or coach pair asked for (a pair: its two coaches only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response

from projections.calibration import Calibration, Calibrations, PairCalibration, Pairs, Teams
from projections.queries import Reader
from walkthrough.access import Actor
from web.http.context import read
from web.http.responses import JSON
from web.http.routing import Endpoint

T = TypeVar("T")


def _ask(question: Callable[[Calibrations, Actor], T]) -> Callable[[Actor, Reader, date], T]:
    def answer(actor: Actor, reader: Reader, _: date) -> T:
        return question(Calibrations(reader.store, reader.min_rooms, reader.catalog), actor)

    return answer


async def teams(request: Request) -> Response:
    return JSON(await read(request, _ask(lambda c, actor: c.teams(actor))))


async def team(request: Request) -> Response:
    wanted = request.path_params["team_id"]
    return JSON(await read(request, _ask(lambda c, actor: c.team(actor, wanted))))


async def partnership(request: Request) -> Response:
    wanted = request.path_params["partnership_id"]
    return JSON(await read(request, _ask(lambda c, actor: c.partnership(actor, wanted))))


async def district(request: Request) -> Response:
    return JSON(await read(request, _ask(lambda c, actor: c.district(actor))))


async def pairs(request: Request) -> Response:
    return JSON(await read(request, _ask(lambda c, actor: c.pairs(actor))))


async def pair(request: Request) -> Response:
    first, second = request.path_params["first"], request.path_params["second"]
    return JSON(await read(request, _ask(lambda c, actor: c.pair(actor, first, second))))


ENDPOINTS = [
    Endpoint("get", "/api/calibration/teams", teams,
             "Visit teams whose calibration the caller may read (their own; organizers: all)",
             answer=Teams),
    Endpoint("get", "/api/calibration/teams/{team_id}", team,
             "A team's agreement per look-for, over terms and around its debriefs, with "
             "exercises for the look-fors it sees differently most (its coaches, organizers)",
             answer=Calibration),
    Endpoint("get", "/api/calibration/partnerships/{partnership_id}", partnership,
             "Calibration over a partnership's visit exchanges (its members, organizers)",
             answer=Calibration),
    Endpoint("get", "/api/calibration/district", district,
             "Calibration across the district's visit teams (organizers, analysts)",
             roles=("organizer", "analyst"), answer=Calibration),
    Endpoint("get", "/api/calibration/pairs", pairs,
             "The caller's own agreement with each coach they observed rooms with",
             answer=Pairs),
    Endpoint("get", "/api/calibration/pairs/{first}/{second}", pair,
             "Two coaches' agreement, for those two coaches only (anyone else: 404)",
             answer=PairCalibration),
]
