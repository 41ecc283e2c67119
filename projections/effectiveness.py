"""What analysts need to tell whether the program works, as export tables.

- `steps`: every event that proposes, withdraws, agrees, checks in on or amends a
  step - of a visit's action plan, of a partnership meeting, of a growth goal - one
  row per step, keyed by visit, goal or partnership and pseudonymised owners.
- `partnerships`: who is in which partnership (pseudonyms), one row per member.
- `pulse`: pulse answers, only ever as aggregates: per moment (start, middle, end)
  and group of people (everyone; those whose hosted visits had a completed
  action-plan step, and those whose had none), the number of people and the mean
  answer to each question. A cell of fewer than MIN_PULSE_PEOPLE people is
  suppressed (no count, no means); when one of the two groups of a moment is
  suppressed so is the other, since "everyone" minus one group gives the other.

A step is *completed* once a check-in recorded it `done`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, Literal, NamedTuple
from uuid import UUID

import msgspec
import pyarrow as pa

from projections.event_log import PAGE_SIZE, LogEntry, LogPublisher
from walkthrough.application import Walkthrough
from walkthrough.events import (
    ActionPlanAgreed,
    CheckInRecorded,
    Event,
    GoalSet,
    NextStepProposed,
    NextStepWithdrawn,
    PartnershipFormed,
    PartnershipMeetingHeld,
    PulseAnswered,
    PulseMoment,
    StepAmended,
    VisitPlanned,
)
from walkthrough.growth import PULSE_MOMENTS, PULSE_QUESTIONS, person_means, pulse_means
from walkthrough.persistence import decode_state

_TIME = pa.timestamp("us", tz="UTC")
STEPS_SCHEMA = pa.schema([
    pa.field("position", pa.int64(), nullable=False),
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("type", pa.string(), nullable=False),
    pa.field("plan", pa.string(), nullable=False),  # visit, meeting or goal
    pa.field("visit_id", pa.string()),
    pa.field("partnership", pa.string()),
    pa.field("goal_id", pa.string()),
    pa.field("step_id", pa.string(), nullable=False),
    pa.field("school", pa.string()),
    pa.field("visit_date", pa.date32()),
    pa.field("administrator", pa.string()),
    pa.field("owner", pa.string()),
    pa.field("due", pa.date32()),
    pa.field("status", pa.string()),
    pa.field("progress", pa.float64()),
    pa.field("area", pa.string()),
    pa.field("text", pa.string()),
    pa.field("actor", pa.string(), nullable=False),
    pa.field("occurred_at", _TIME, nullable=False),
    pa.field("recorded_at", _TIME, nullable=False),
])
PARTNERSHIPS_SCHEMA = pa.schema([
    pa.field("position", pa.int64(), nullable=False),
    pa.field("partnership", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("member", pa.string(), nullable=False),
    pa.field("member_school", pa.string()),
    pa.field("starts", pa.date32(), nullable=False),
    pa.field("recorded_at", _TIME, nullable=False),
])
PULSE_SCHEMA = pa.schema([
    pa.field("moment", pa.string(), nullable=False),
    pa.field("completed_steps", pa.string(), nullable=False),  # all, none or some
    pa.field("people", pa.int32()),
    pa.field("suppressed", pa.bool_(), nullable=False),
    *(pa.field(question, pa.float64()) for question in PULSE_QUESTIONS),
])
Group = Literal["all", "none", "some"]
GROUPS: tuple[Group, ...] = ("all", "none", "some")
PULSE_TOPICS = ["VisitPlanned", "CheckInRecorded", "PulseAnswered"]
VISIT_STEPS = (NextStepProposed, NextStepWithdrawn, ActionPlanAgreed, CheckInRecorded)
STEP_PAYLOADS = (*VISIT_STEPS, PartnershipMeetingHeld, GoalSet, StepAmended)


class StepRows:
    """The rows of steps.parquet for one published log entry (none for most events)."""

    def __init__(self, publisher: LogPublisher) -> None:
        self.publisher = publisher

    def rows(self, entry: LogEntry) -> list[list[Any]]:
        event = entry.event
        payload = event.payload
        pseudonyms = self.publisher.pseudonyms
        visits = self.publisher.visits
        text = self.publisher.include_text

        def row(plan: str, step_id: str, *, visit: VisitPlanned | None = None,
                visit_id: str | None = None, partnership: str | None = None,
                goal_id: str | None = None, school: str | None = None,
                administrator: str | None = None, owner: str | None = None,
                due: date | None = None, status: str | None = None,
                progress: float | None = None, area: str | None = None,
                words: str | None = None) -> list[Any]:
            scope = str(event.originator_id)  # the visit, record or district it is on
            return [
                entry.position, str(event.event_id), event.type, plan, visit_id,
                pseudonyms.partnership(partnership) if partnership else None,
                pseudonyms.slug("goal", scope, goal_id) if goal_id else None,
                pseudonyms.slug("step", scope, step_id), visit.school_id if visit else school,
                visit.date if visit else None,
                pseudonyms.person(visit.host) if visit else (
                    pseudonyms.person(administrator) if administrator else None),
                pseudonyms.person(owner) if owner else None, due, status, progress, area,
                words if text else None, pseudonyms.person(event.actor), event.occurred_at,
                event.timestamp,
            ]

        if not isinstance(payload, STEP_PAYLOADS):
            return []
        visit_id = str(event.originator_id)
        plan = visits.plan(event.originator_id) if isinstance(payload, VISIT_STEPS) else None
        match payload:
            case NextStepProposed():
                return [row("visit", payload.step_id, visit=plan, visit_id=visit_id,
                            owner=payload.owner, due=payload.due, words=payload.text)]
            case NextStepWithdrawn():
                return [row("visit", payload.step_id, visit=plan, visit_id=visit_id)]
            case ActionPlanAgreed():
                return [row("visit", step_id, visit=plan, visit_id=visit_id)
                        for step_id in payload.step_ids]
            case CheckInRecorded():
                progress = payload.progress
                return [row("visit", payload.step_id, visit=plan, visit_id=visit_id,
                            status=payload.status,
                            progress=float(progress) if isinstance(progress, int | float)
                            else None, words=payload.note)]
            case PartnershipMeetingHeld():
                return [row("meeting", step.step_id, partnership=payload.partnership_id,
                            owner=step.owner, due=step.due, words=step.text)
                        for step in payload.next_steps]
            case StepAmended():
                who = visits.administrator(event.originator_id)
                return [row("goal", payload.step_id, goal_id=payload.goal_id,
                            administrator=who.user_id if who else None,
                            school=who.school_id if who else None, owner=payload.owner,
                            due=payload.due, words=payload.text)]
            case GoalSet():
                who = visits.administrator(event.originator_id)
                return [row("goal", step.step_id, goal_id=payload.goal_id,
                            administrator=who.user_id if who else None,
                            school=who.school_id if who else None,
                            partnership=payload.partnership_id, owner=step.owner,
                            due=step.due, area=payload.area, words=step.text)
                        for step in payload.steps]
            case _:
                return []


def partnership_rows(publisher: LogPublisher, entry: LogEntry) -> list[list[Any]]:
    """The rows of partnerships.parquet for one log entry: one per member."""
    payload = entry.event.payload
    if not isinstance(payload, PartnershipFormed):
        return []
    pseudonyms = publisher.pseudonyms
    people = publisher.visits.app.district().people
    return [[entry.position, pseudonyms.partnership(payload.partnership_id), payload.kind,
             pseudonyms.person(member),
             people[member].school_id if member in people else None, payload.starts,
             entry.event.timestamp]
            for member in payload.members]


# --- the pulse, aggregated -----------------------------------------------------------


class PulseAnswer(NamedTuple):
    """One person's answers at one moment (of one partnership)."""

    person: str
    moment: PulseMoment
    scores: dict[str, int]


class PulseCell(msgspec.Struct, frozen=True, kw_only=True):
    moment: PulseMoment
    completed_steps: Group
    people: int | None
    suppressed: bool
    means: dict[str, float | None]


def pulse_cells(answers: Iterable[PulseAnswer], completed: frozenset[str],
                ) -> list[PulseCell]:
    """Every (moment, group) cell, in PULSE_MOMENTS x GROUPS order.

    A person counts once per moment (walkthrough.growth.person_means). `completed`
    holds the people whose hosted visits had a completed action-plan step. When
    either of `none` and `some` is under the minimum both are hidden: `all` minus
    the one shown would give the other away."""
    by_moment = person_means((a.person, a.moment, a.scores) for a in answers)
    cells: list[PulseCell] = []
    for moment in PULSE_MOMENTS:
        people = by_moment.get(moment, {})
        members: dict[Group, list[dict[str, float]]] = {
            "all": list(people.values()),
            "none": [s for person, s in people.items() if person not in completed],
            "some": [s for person, s in people.items() if person in completed],
        }
        means = {group: pulse_means(members[group]) for group in GROUPS}
        split_hidden = means["none"] is None or means["some"] is None
        for group in GROUPS:
            shown = means[group] if group == "all" or not split_hidden else None
            cells.append(PulseCell(
                moment=moment, completed_steps=group,
                people=None if shown is None else len(members[group]),
                suppressed=shown is None,
                means={q: None if shown is None else shown[q] for q in PULSE_QUESTIONS}))
    return cells


def pulse_rows(app: Walkthrough, after: int, until: int) -> list[list[Any]]:
    """pulse.parquet: the pulses answered in (after, until], grouped by whether the
    person's hosted visits had a completed step by `until`."""
    answers: list[PulseAnswer] = []
    hosts: dict[UUID, str] = {}
    completed: set[str] = set()
    owners = app.district().growth_owners
    for position, event in _topic_events(app, until, PULSE_TOPICS):
        payload = event.payload
        if isinstance(payload, VisitPlanned):
            hosts[event.originator_id] = payload.host
        elif isinstance(payload, CheckInRecorded):
            host = hosts.get(event.originator_id)
            if payload.status == "done" and host is not None:
                completed.add(host)
        elif isinstance(payload, PulseAnswered) and position > after:
            owner = owners.get(event.originator_id)
            if owner is not None:
                answers.append(PulseAnswer(owner, payload.moment,
                                           msgspec.structs.asdict(payload.scores)))
    return [[cell.moment, cell.completed_steps, cell.people, cell.suppressed,
             *(cell.means[question] for question in PULSE_QUESTIONS)]
            for cell in pulse_cells(answers, frozenset(completed))]


def _topic_events(app: Walkthrough, until: int,
                  topics: list[str]) -> Iterator[tuple[int, Event]]:
    start = 1
    while start <= until:
        page = app.recorder.select_notifications(start=start, limit=PAGE_SIZE, stop=until,
                                                 topics=topics)
        if not page:
            return
        for notification in page:
            yield notification.id, decode_state(notification.state, app.mapper)
        start = page[-1].id + 1
