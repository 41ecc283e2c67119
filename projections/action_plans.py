"""Action plans: the agreed steps of each visit with their latest check-in, the next
check-in due (weekly after the last one) and what is overdue, as of a given day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import msgspec

from projections.visit_view import CheckIn, VisitView, latest_check_ins
from walkthrough.school_calendar import NO_CLOSURES, SchoolCalendar


class CheckInView(msgspec.Struct):
    status: str
    progress: float | str | None
    note: str | None
    date: date
    by: str


class PlanStep(msgspec.Struct):
    visit_id: str
    school_id: str
    visit_date: date
    step_id: str
    text: str
    owner: str
    due: date
    success: str
    status: str  # not_started | on_track | at_risk | done
    open: bool
    overdue: bool
    check_ins: int
    latest_check_in: CheckInView | None
    next_check_in: date | None
    check_in_overdue: bool


def plan_steps(view: VisitView, today: date,
               calendar: SchoolCalendar = NO_CLOSURES) -> list[PlanStep]:
    """The visit's agreed steps, in the order they were proposed; the next check-in is
    due a week after the last (or the plan), on a school day."""
    latest = latest_check_ins(view)
    counts: dict[str, int] = {}
    for check_in in view.check_ins:
        counts[check_in.step_id] = counts.get(check_in.step_id, 0) + 1
    steps = sorted((s for s in view.steps.values() if s.agreed),
                   key=lambda s: (s.proposed_at, s.step_id))
    rows = []
    for step in steps:
        check = latest.get(step.step_id)
        status = check.status if check else "not_started"
        is_open = status != "done" and view.phase != "closed"
        last = check.occurred_at.date() if check else (view.agreed_on or view.date)
        next_check_in = calendar.next_check_in(last) if is_open else None
        rows.append(PlanStep(
            visit_id=view.id, school_id=view.school_id, visit_date=view.date,
            step_id=step.step_id, text=step.text, owner=step.owner, due=step.due,
            success=step.success, status=status, open=is_open,
            overdue=is_open and step.due < today, check_ins=counts.get(step.step_id, 0),
            latest_check_in=_check_in(check) if check else None,
            next_check_in=next_check_in,
            check_in_overdue=next_check_in is not None and next_check_in < today))
    return rows


def _check_in(check: CheckIn) -> CheckInView:
    return CheckInView(status=check.status, progress=check.progress, note=check.note,
                       date=check.occurred_at.date(), by=check.by)


def previous_steps(view: VisitView, school_visits: Iterable[VisitView], today: date,
                   calendar: SchoolCalendar = NO_CLOSURES) -> list[PlanStep]:
    """Steps agreed at this school's earlier visits, the most recent visit first."""
    earlier = [v for v in school_visits
               if v.id != view.id and v.school_id == view.school_id
               and (v.date, v.id) < (view.date, view.id)]
    earlier.sort(key=lambda v: (v.date, v.id), reverse=True)
    return [step for v in earlier for step in plan_steps(v, today, calendar)]


def open_steps(visits: Iterable[VisitView], today: date,
               calendar: SchoolCalendar = NO_CLOSURES) -> list[PlanStep]:
    """Every open step, soonest due first."""
    steps = [step for v in visits for step in plan_steps(v, today, calendar) if step.open]
    return sorted(steps, key=lambda s: (s.due, s.visit_id, s.step_id))
