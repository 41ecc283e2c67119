"""The debrief agenda: describe -> root causes -> next steps, progress first.

Seven sections, always in this order, always present (empty when there is
nothing yet): progress, school_update, bright_spots, trends, root_causes,
next_steps, check_ins.
"""

from __future__ import annotations

from datetime import date

import msgspec

from projections.action_plans import PlanStep
from projections.rooms import Quote
from projections.summary import ItemTrend, Summary
from projections.visit_view import VisitView, active_steps
from walkthrough.school_calendar import NO_CLOSURES, SchoolCalendar
from walkthrough.visit import MAX_STEPS

BRIGHT_RATE = 0.75
WEAK_RATE = 0.5
MAX_PROMPTS = 3


class StatusCounts(msgspec.Struct):
    done: int = 0
    on_track: int = 0
    at_risk: int = 0
    not_started: int = 0
    overdue: int = 0


class Progress(msgspec.Struct, tag="progress", tag_field="kind"):
    """Progress on the school's earlier action plans: always first."""

    steps: list[PlanStep]
    counts: StatusCounts


class SchoolUpdate(msgspec.Struct, tag="school_update", tag_field="kind"):
    text: str | None


class BrightSpot(msgspec.Struct):
    key: str
    prompt: str
    summary: str


class BrightSpots(msgspec.Struct, tag="bright_spots", tag_field="kind"):
    items: list[BrightSpot]


class Calibration(msgspec.Struct):
    """Where the team saw a look-for differently: a question for the team."""

    key: str
    prompt: str
    differed: int
    rooms_observed: int
    question: str


class Trends(msgspec.Struct, tag="trends", tag_field="kind"):
    items: list[ItemTrend]
    evidence: list[Quote]
    evidence_count: int
    calibration: list[Calibration]


class RootCausePrompt(msgspec.Struct):
    key: str
    question: str


class NotedCause(msgspec.Struct):
    text: str
    item: str | None
    by: str


class RootCauses(msgspec.Struct, tag="root_causes", tag_field="kind"):
    prompts: list[RootCausePrompt]
    noted: list[NotedCause]


class ProposedStep(msgspec.Struct):
    step_id: str
    text: str
    owner: str
    due: date
    success: str
    agreed: bool


class NextSteps(msgspec.Struct, tag="next_steps", tag_field="kind"):
    agreed: bool
    max_steps: int
    steps: list[ProposedStep]


class CheckInDue(msgspec.Struct):
    week: int
    due: date


class CheckIns(msgspec.Struct, tag="check_ins", tag_field="kind"):
    cadence: str
    start: date = msgspec.field(name="from")
    schedule: list[CheckInDue] = []


Section = Progress | SchoolUpdate | BrightSpots | Trends | RootCauses | NextSteps | CheckIns


def agenda(view: VisitView, summary: Summary, progress: list[PlanStep],
           calendar: SchoolCalendar = NO_CLOSURES) -> list[Section]:
    steps = active_steps(view)
    agreed = any(step.agreed for step in steps)
    root_causes = sorted(view.root_causes, key=lambda r: (r.occurred_at, r.event_id))
    start = view.agreed_on or view.date
    return [
        Progress(steps=progress, counts=_status_counts(progress)),
        SchoolUpdate(text=view.school_update),
        BrightSpots(items=[BrightSpot(key=t.key, prompt=t.prompt, summary=t.seen_in)
                           for t in summary.items if _is_bright(t)]),
        Trends(items=summary.items, evidence=summary.evidence,
               evidence_count=summary.evidence_count,
               calibration=calibration_prompts(summary.items)),
        RootCauses(prompts=root_cause_prompts(summary.items, view.focus),
                   noted=[NotedCause(text=r.text, item=r.item, by=r.by)
                          for r in root_causes]),
        NextSteps(agreed=agreed, max_steps=MAX_STEPS, steps=[
            ProposedStep(step_id=s.step_id, text=s.text, owner=s.owner, due=s.due,
                         success=s.success, agreed=s.agreed) for s in steps]),
        CheckIns(cadence="weekly on school days", start=start, schedule=[
            CheckInDue(week=week, due=due)
            for week, due in enumerate(calendar.check_in_days(start), 1)]),
    ]


def _status_counts(steps: list[PlanStep]) -> StatusCounts:
    counts = StatusCounts()
    for step in steps:
        setattr(counts, step.status, getattr(counts, step.status) + 1)
        counts.overdue += step.overdue
    return counts


def _is_bright(trend: ItemTrend) -> bool:
    return trend.rate is not None and trend.rate >= BRIGHT_RATE and trend.rooms_observed >= 2


def calibration_prompts(items: list[ItemTrend]) -> list[Calibration]:
    """Where the team saw a look-for differently in a room: a question for the team.
    Differences are about the observers, not the teacher, so they are asked about even
    when the look-for has too few rooms for a rate."""
    return [
        Calibration(key=t.key, prompt=t.prompt, differed=t.differed,
                    rooms_observed=t.rooms_observed,
                    question=f"You saw '{t.prompt.lower()}' differently in {t.differed} of "
                             f"{t.rooms_observed} room{'s' * (t.rooms_observed != 1)} - what "
                             "did each of you see?")
        for t in items if t.differed
    ]


def root_cause_prompts(items: list[ItemTrend], focus: str) -> list[RootCausePrompt]:
    """Questions about the weakest look-fors, those named in the focus first."""
    weak = [t for t in items if t.rate is not None and t.rate < WEAK_RATE]
    focus_words = set(focus.lower().replace("-", " ").split())

    def in_focus(trend: ItemTrend) -> bool:
        words = set(trend.prompt.lower().split()) | {trend.key}
        return bool(words & focus_words - {"and", "the", "of", "in", "a", "to"})

    weak.sort(key=lambda t: (not in_focus(t), t.rate, t.key))
    return [
        RootCausePrompt(
            key=t.key,
            question=f"'{t.prompt}': {t.seen_in}. What in the school's systems (planning, "
                     "professional learning, expectations, materials, time) could explain "
                     "this pattern across rooms?")
        for t in weak[:MAX_PROMPTS]
    ]
