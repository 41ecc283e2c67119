"""The visit read model: everything a summary or debrief needs about one visit,
folded from the log. Order independent where the contract says so: the
effective tap for a look-for in a room is chosen at read time by occurred_at.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from walkthrough.events import (
    ActionPlanAgreed,
    AnyPayload,
    CheckInRecorded,
    ClassroomEntered,
    ClassroomExited,
    DebriefStarted,
    EvidenceNoted,
    LookForObserved,
    NextStepProposed,
    NextStepWithdrawn,
    ObservationRetracted,
    RootCauseNoted,
    SchoolUpdateRecorded,
    TeachersNotified,
    ThankYouNoteLeft,
    VisitClosed,
    VisitPlanned,
    VisitStarted,
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
    payload: AnyPayload


projected_decoder = msgspec.json.Decoder(Projected)


class Room(msgspec.Struct):
    id: str
    label: str
    grade_band: str
    subject: str
    students_present: int | None = None


class Tap(msgspec.Struct):
    event_id: str
    classroom_id: str
    item: str
    value: str | int
    method: str | None
    occurred_at: datetime


class Note(msgspec.Struct):
    event_id: str
    classroom_id: str
    item: str | None
    text: str
    occurred_at: datetime


class RootCause(msgspec.Struct):
    event_id: str
    text: str
    item: str | None
    by: str
    occurred_at: datetime


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
    teachers_notified: bool = False
    school_update: str | None = None
    rooms: dict[str, Room] = {}
    taps: dict[str, Tap] = {}
    evidence: dict[str, Note] = {}
    retracted: list[str] = []
    thank_you_notes: int = 0
    last_recorded_at: datetime | None = None
    root_causes: list[RootCause] = []
    steps: dict[str, Step] = {}
    agreed_on: Day | None = None
    check_ins: list[CheckIn] = []


def plan(event: Projected) -> VisitView:
    payload = event.payload
    assert isinstance(payload, VisitPlanned)
    return VisitView(
        id=event.originator_id, school_id=payload.school_id, host=payload.host,
        team=list(payload.team), focus=payload.focus, date=payload.date,
        catalog_version=payload.catalog_version, last_recorded_at=event.timestamp,
    )


def apply(view: VisitView, event: Projected) -> None:
    """Fold one visit event (not VisitPlanned) into the view, in place."""
    payload = event.payload
    event_id = event.event_id
    view.last_recorded_at = event.timestamp
    if isinstance(payload, LookForObserved):  # most events: first
        view.taps[event_id] = Tap(event_id=event_id, classroom_id=payload.classroom_id,
                                  item=payload.item, value=payload.value,
                                  method=payload.method, occurred_at=event.occurred_at)
    elif isinstance(payload, TeachersNotified):
        view.teachers_notified = True
    elif isinstance(payload, VisitStarted):
        view.phase = "observation"
    elif isinstance(payload, VisitClosed):
        view.phase = "closed"
    elif isinstance(payload, SchoolUpdateRecorded):
        view.school_update = payload.text
    elif isinstance(payload, ClassroomEntered):
        view.rooms.setdefault(payload.classroom_id, Room(
            id=payload.classroom_id, label=payload.label, grade_band=payload.grade_band,
            subject=payload.subject, students_present=payload.students_present))
    elif isinstance(payload, EvidenceNoted):
        view.evidence[event_id] = Note(event_id=event_id, classroom_id=payload.classroom_id,
                                       item=payload.item, text=payload.text,
                                       occurred_at=event.occurred_at)
    elif isinstance(payload, ObservationRetracted):
        view.retracted.append(str(payload.event_id))
    elif isinstance(payload, ThankYouNoteLeft):
        view.thank_you_notes += 1
    elif isinstance(payload, ClassroomExited):
        pass  # exits carry no trend; the log keeps them for analysts
    elif isinstance(payload, DebriefStarted):
        view.phase = "analysis"
    elif isinstance(payload, RootCauseNoted):
        view.root_causes.append(RootCause(event_id=event_id, text=payload.text,
                                          item=payload.item, by=event.actor,
                                          occurred_at=event.occurred_at))
    elif isinstance(payload, NextStepProposed):
        view.steps[payload.step_id] = Step(
            step_id=payload.step_id, text=payload.text, owner=payload.owner, due=payload.due,
            success=payload.success, proposed_by=event.actor, proposed_at=event.occurred_at)
    elif isinstance(payload, NextStepWithdrawn):
        view.steps[payload.step_id].withdrawn = True
    elif isinstance(payload, ActionPlanAgreed):
        view.phase = "support"
        view.agreed_on = event.occurred_at.date()
        for step_id in payload.step_ids:
            view.steps[step_id].agreed = True
    elif isinstance(payload, CheckInRecorded):
        view.check_ins.append(CheckIn(
            event_id=event_id, step_id=payload.step_id, status=payload.status,
            progress=payload.progress, note=payload.note, by=event.actor,
            occurred_at=event.occurred_at))


def effective_taps(view: VisitView) -> dict[tuple[str, str], Tap]:
    """The tap that counts per (room, item): latest occurred_at, ties by event id."""
    retracted = set(view.retracted)
    chosen: dict[tuple[str, str], Tap] = {}
    for tap in view.taps.values():
        if tap.event_id in retracted:
            continue
        key = (tap.classroom_id, tap.item)
        best = chosen.get(key)
        if best is None or (tap.occurred_at, tap.event_id) > (best.occurred_at, best.event_id):
            chosen[key] = tap
    return chosen


def live_evidence(view: VisitView) -> list[Note]:
    retracted = set(view.retracted)
    notes = [note for note in view.evidence.values() if note.event_id not in retracted]
    return sorted(notes, key=lambda note: (note.occurred_at, note.event_id))


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
