"""The visit document: what a summary, a debrief, trends and action plans need about
one visit, kept small whatever the visit's size.

Rooms and taps are not in it: they live in their own documents
(projections.rooms), and what they add up to is kept here as tallies, per grade
band and look-for, updated by each event's difference (exact fractions, so any
order of the same events gives the same document).
"""

from __future__ import annotations

from datetime import date, datetime, time
from fractions import Fraction
from math import gcd
from typing import assert_never

import msgspec

from walkthrough.consensus import Outcome
from walkthrough.events import (
    DEFAULT_VISIT_MINUTES,
    ActionPlanAgreed,
    AnyPayload,
    CheckInRecorded,
    CyclePayload,
    DebriefStarted,
    NextStepProposed,
    NextStepWithdrawn,
    RootCauseNoted,
    RootCauseWithdrawn,
    SchoolUpdateRecorded,
    TeachersNotified,
    VisitCancelled,
    VisitClosed,
    VisitPlanned,
    VisitRescheduled,
    VisitStarted,
    Withdrawal,
)

Day = date  # VisitView has a field named `date`


class Projected(msgspec.Struct, frozen=True, kw_only=True):
    """A stored event as the projector reads it: only the fields read models use, ids
    as text (no UUID to build and format again for every event)."""

    originator_id: str
    timestamp: datetime
    event_id: str
    actor: str
    occurred_at: datetime
    withdrawn: bool = False
    withdraws: Withdrawal | None = None
    payload: AnyPayload


projected_decoder = msgspec.json.Decoder(Projected)


ZERO: tuple[int, int] = (0, 1)
"""The empty sum. A sum back at zero is this very tuple: msgspec leaves out a default
tuple only when it is the default object itself, and a tally's document must not
show whether a sum was ever other than zero (a rebuild counts each room once)."""


class Tally(msgspec.Struct, omit_defaults=True):
    """What the rooms of a visit (in one grade band) add up to for one look-for."""

    judged: int = 0  # rooms where it was observed (not only "not observed"/"unsure")
    differed: int = 0  # rooms where the team's observations differ
    counts: dict[str, int] = {}  # agreed values (numbers rounded), per value
    methods: dict[str, int] = {}
    total: tuple[int, int] = ZERO  # sum of the agreed numbers, as a fraction
    numbered: int = 0
    shares: tuple[int, int] = ZERO  # sum of the rooms' shares of students, a fraction
    shared: int = 0

    def apply(self, outcome: Outcome, sign: int) -> None:
        """Add (sign 1) or take away (sign -1) one room's outcome."""
        self.judged += sign * outcome.judged
        self.differed += sign * outcome.differed
        if outcome.value is not None:
            self.counts = _bump(self.counts, outcome.value, sign)
        for method in outcome.methods:
            self.methods = _bump(self.methods, method, sign)
        if outcome.number is not None:
            self.total = _plus(self.total, sign, outcome.number)
            self.numbered += sign
        if outcome.share is not None:
            self.shares = _plus(self.shares, sign, outcome.share)
            self.shared += sign

    def add(self, other: Tally) -> None:
        self.judged += other.judged
        self.differed += other.differed
        for value, count in other.counts.items():
            self.counts = _bump(self.counts, value, count)
        for method, count in other.methods.items():
            self.methods = _bump(self.methods, method, count)
        self.total = _fraction(Fraction(*self.total) + Fraction(*other.total))
        self.numbered += other.numbered
        self.shares = _fraction(Fraction(*self.shares) + Fraction(*other.shares))
        self.shared += other.shared

    def mean(self) -> Fraction | None:
        return Fraction(*self.total) / self.numbered if self.numbered else None

    def share(self) -> Fraction | None:
        return Fraction(*self.shares) / self.shared if self.shared else None

    def is_empty(self) -> bool:
        return not (self.judged or self.differed or self.counts or self.methods
                    or self.numbered or self.shared or self.total[0] or self.shares[0])


def _bump(counts: dict[str, int], key: str, by: int) -> dict[str, int]:
    updated = dict(counts)
    updated[key] = updated.get(key, 0) + by
    if updated[key] == 0:
        del updated[key]
    return updated


def _plus(total: tuple[int, int], sign: int, number: Fraction) -> tuple[int, int]:
    """`total` + `sign` * `number` in lowest terms, as `Fraction` would give it, in
    integers (a Fraction built per tally change was a tenth of a replay's fold)."""
    numerator, denominator = total
    numerator = numerator * number.denominator + sign * number.numerator * denominator
    denominator *= number.denominator
    if numerator == 0:
        return ZERO
    common = gcd(numerator, denominator)
    return numerator // common, denominator // common


def _fraction(value: Fraction) -> tuple[int, int]:
    return (value.numerator, value.denominator) if value else ZERO


class RootCause(msgspec.Struct):
    event_id: str
    text: str
    item: str | None
    by: str
    occurred_at: datetime
    withdrawn: bool = False


class Step(msgspec.Struct):
    step_id: str
    text: str
    owner: str
    due: date
    success: str
    proposed_by: str
    proposed_at: datetime
    withdrawn: bool = False
    agreed: bool = False


class CheckIn(msgspec.Struct):
    event_id: str
    step_id: str
    status: str
    progress: float | str | None
    note: str | None
    by: str
    occurred_at: datetime


class VisitView(msgspec.Struct):
    id: str
    school_id: str
    host: str
    team: list[str]
    focus: str
    date: date
    catalog_version: int
    phase: str = "preparation"
    starts_at: time | None = None  # the school's local time
    minutes: int = DEFAULT_VISIT_MINUTES
    reschedules: int = 0  # the invitation's SEQUENCE
    teachers_notified: bool = False
    school_update: str | None = None
    rooms: int = 0  # rooms observed (one room counted once, whoever entered it)
    thanked: int = 0  # rooms where a thank-you note was left
    quotes: int = 0  # evidence quotes on record
    tallies: dict[str, dict[str, Tally]] = {}  # grade band -> look-for -> tally
    last_recorded_at: datetime | None = None
    root_causes: list[RootCause] = []
    steps: dict[str, Step] = {}
    agreed_on: Day | None = None
    check_ins: list[CheckIn] = []

    def tally(self, band: str, item: str) -> Tally:
        """The tally to change in place (created when missing)."""
        per_band = self.tallies.setdefault(band, {})
        found = per_band.get(item)
        if found is None:
            found = per_band[item] = Tally()
        return found

    def prune(self) -> None:
        """Drop empty tallies, so equal visits have equal documents."""
        for band in list(self.tallies):
            per_band = self.tallies[band]
            for item in [key for key, tally in per_band.items() if tally.is_empty()]:
                del per_band[item]
            if not per_band:
                del self.tallies[band]

    def pooled(self) -> dict[str, Tally]:
        """Tallies per look-for across grade bands."""
        pooled: dict[str, Tally] = {}
        for per_band in self.tallies.values():
            for item, tally in per_band.items():
                pooled.setdefault(item, Tally()).add(tally)
        return pooled


def plan(event: Projected) -> VisitView:
    payload = event.payload
    assert isinstance(payload, VisitPlanned)
    return VisitView(
        id=event.originator_id, school_id=payload.school_id, host=payload.host,
        team=list(payload.team), focus=payload.focus, date=payload.date,
        catalog_version=payload.catalog_version, last_recorded_at=event.timestamp,
        starts_at=payload.starts_at, minutes=payload.minutes or DEFAULT_VISIT_MINUTES,
    )


def apply(view: VisitView, event: Projected, payload: CyclePayload) -> None:
    """Fold one lifecycle, debrief or support event into the view, in place (room
    events go to projections.rooms)."""
    event_id = event.event_id
    view.last_recorded_at = event.timestamp
    match payload:
        case VisitRescheduled():
            view.date = payload.date
            view.starts_at = payload.starts_at
            view.minutes = payload.minutes or DEFAULT_VISIT_MINUTES
            view.reschedules += 1
        case VisitCancelled():
            view.phase = "cancelled"
        case TeachersNotified():
            view.teachers_notified = True
        case VisitStarted():
            view.phase = "observation"
        case VisitClosed():
            view.phase = "closed"
        case SchoolUpdateRecorded():
            view.school_update = payload.text
        case DebriefStarted():
            view.phase = "analysis"
        case RootCauseNoted():
            view.root_causes.append(RootCause(event_id=event_id, text=payload.text,
                                              item=payload.item, by=event.actor,
                                              occurred_at=event.occurred_at))
        case NextStepProposed():
            view.steps[payload.step_id] = Step(
                step_id=payload.step_id, text=payload.text, owner=payload.owner,
                due=payload.due, success=payload.success, proposed_by=event.actor,
                proposed_at=event.occurred_at)
        case NextStepWithdrawn():
            view.steps[payload.step_id].withdrawn = True
        case RootCauseWithdrawn():
            withdrawn = str(payload.event_id)
            for cause in view.root_causes:
                if cause.event_id == withdrawn:
                    cause.withdrawn = True
        case ActionPlanAgreed():
            view.phase = "support"
            view.agreed_on = event.occurred_at.date()
            for step_id in payload.step_ids:
                view.steps[step_id].agreed = True
        case CheckInRecorded():
            view.check_ins.append(CheckIn(
                event_id=event_id, step_id=payload.step_id, status=payload.status,
                progress=payload.progress, note=payload.note, by=event.actor,
                occurred_at=event.occurred_at))
        case _:
            assert_never(payload)


def latest_check_ins(view: VisitView) -> dict[str, CheckIn]:
    """The check-in that counts per step: latest occurred_at, ties by event id."""
    latest: dict[str, CheckIn] = {}
    for check_in in view.check_ins:
        best = latest.get(check_in.step_id)
        if best is None or (check_in.occurred_at, check_in.event_id) > (
                best.occurred_at, best.event_id):
            latest[check_in.step_id] = check_in
    return latest


def active_steps(view: VisitView) -> list[Step]:
    """Proposed steps not withdrawn (agreed ones only once the plan is agreed)."""
    agreed = any(step.agreed for step in view.steps.values())
    steps = [step for step in view.steps.values()
             if not step.withdrawn and (step.agreed or not agreed)]
    return sorted(steps, key=lambda step: (step.proposed_at, step.step_id))
