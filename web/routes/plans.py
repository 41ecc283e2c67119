"""`GET /api/visits/{visit_id}/plan`: one visit's action plan, for everyone who supports
it - its host, organizers and the visit's own coaches (who check in on it too).

`/api/action-plans` lists open steps school by school for hosts and organizers; this
is the plan of one visit with each step's latest check-in, the next check-in due
(weekly) and the check-ins so far, newest first.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from projections.action_plans import PlanStep, plan_steps
from projections.queries import Reader
from walkthrough.access import Actor
from web.http.context import read
from web.http.responses import JSON
from web.http.routing import Endpoint


class CheckInRecord(msgspec.Struct):
    step_id: str
    status: str
    progress: float | str | None
    note: str | None
    date: date
    by: str
    occurred_at: datetime


class VisitPlan(msgspec.Struct):
    visit_id: str
    school_id: str
    phase: str
    agreed_on: date | None
    today: date
    steps: list[PlanStep]
    check_ins: list[CheckInRecord]


async def visit_plan(request: Request) -> Response:
    visit_id = request.path_params["visit_id"]

    def answer(actor: Actor, reader: Reader, today: date) -> VisitPlan:
        view = reader.visible_visit(actor, visit_id)
        history = sorted(view.check_ins, key=lambda c: (c.occurred_at, c.event_id),
                         reverse=True)
        return VisitPlan(
            visit_id=view.id, school_id=view.school_id, phase=view.phase,
            agreed_on=view.agreed_on, today=today,
            steps=plan_steps(view, today, reader.calendar()),
            check_ins=[CheckInRecord(step_id=c.step_id, status=c.status,
                                     progress=c.progress, note=c.note,
                                     date=c.occurred_at.date(), by=c.by,
                                     occurred_at=c.occurred_at) for c in history])

    return JSON(await read(request, answer))


ENDPOINTS = [
    Endpoint("get", "/api/visits/{visit_id}/plan", visit_plan, "A visit's action plan: each "
             "step's latest check-in, the next one due and the check-ins so far (the visit's "
             "team, host, organizers)", answer=VisitPlan),
]
