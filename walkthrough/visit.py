"""The visit aggregate: decide whether an event may happen, and evolve the state.

Functional style: `Visit` is immutable; `decide` raises a DomainError with a code
when a rule refuses the event; `evolve` returns the next state.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal
from uuid import UUID

import msgspec

from walkthrough.district import District
from walkthrough.errors import DomainError
from walkthrough.events import (
    CLASSROOM_TYPES,
    OBSERVATION_TYPES,
    ActionPlanAgreed,
    CheckInRecorded,
    ClassroomEntered,
    ClassroomExited,
    DebriefStarted,
    Event,
    EvidenceNoted,
    LookForObserved,
    NextStepProposed,
    NextStepWithdrawn,
    ObservationRetracted,
    Payload,
    RootCauseNoted,
    SchoolUpdateRecorded,
    TeachersNotified,
    ThankYouNoteLeft,
    VisitClosed,
    VisitPlanned,
    VisitStarted,
)

Phase = Literal["preparation", "observation", "analysis", "support", "closed"]
MAX_STEPS = 2
DEBRIEF_TYPES = (RootCauseNoted, NextStepProposed, NextStepWithdrawn)


class Actor(msgspec.Struct, frozen=True):
    """Who is asking: a registered person with roles."""

    user_id: str
    roles: tuple[str, ...]
    school_id: str | None = None

    def has(self, role: str) -> bool:
        return role in self.roles


class Visit(msgspec.Struct, frozen=True):
    id: UUID
    version: int
    school_id: str
    host: str
    team: tuple[str, ...]
    focus: str
    catalog_version: int
    date: date
    phase: Phase = "preparation"
    teachers_notified: bool = False
    classrooms: dict[str, ClassroomEntered] = {}
    # id of every observation event -> whether it has been retracted
    observations: dict[UUID, bool] = {}
    # id of every proposed next step -> whether it has been withdrawn
    steps: dict[str, bool] = {}
    agreed: tuple[str, ...] = ()

    def active_steps(self) -> list[str]:
        return [step_id for step_id, withdrawn in self.steps.items() if not withdrawn]

    def relation(self, actor: Actor) -> str | None:
        """How the actor relates to this visit, or None when it may not see it."""
        if actor.user_id in self.team:
            return "team"
        if actor.user_id == self.host:
            return "host"
        if actor.has("organizer"):
            return "organizer"
        return None


def decide(visit: Visit | None, actor: Actor, payload: Payload, district: District) -> None:
    """Raise DomainError unless `actor` may record `payload` on `visit` now."""
    if isinstance(payload, VisitPlanned):
        _decide_planned(visit, actor, payload, district)
        return
    if visit is None:
        raise DomainError("no such visit", code="unknown_visit")
    if isinstance(payload, (*CLASSROOM_TYPES, ClassroomEntered, ObservationRetracted)):
        _decide_capture(visit, actor, payload, district)
    elif isinstance(payload, TeachersNotified):
        _require(visit, actor, ("host", "organizer"))
        if visit.phase != "preparation":
            raise DomainError("teachers are notified before the visit starts",
                              code="invalid_phase")
    elif isinstance(payload, VisitStarted):
        _require(visit, actor, ("host", "organizer", "team"))
        if visit.phase != "preparation":
            raise DomainError(f"the visit is already in phase {visit.phase}",
                              code="invalid_phase")
        if not visit.teachers_notified:
            raise DomainError("teachers must be told the visit is nonevaluative first",
                              code="teachers_not_notified")
    elif isinstance(payload, SchoolUpdateRecorded):
        _require(visit, actor, ("host", "organizer"))
        _require_open(visit)
    elif isinstance(payload, DebriefStarted):
        _require(visit, actor, ("team", "host", "organizer"))
        _require_phase(visit, "observation", "the debrief follows the observation")
        if not visit.classrooms:
            raise DomainError("no classroom was visited yet; observe before the debrief",
                              code="nothing_observed")
    elif isinstance(payload, DEBRIEF_TYPES):
        _require(visit, actor, ("team", "host", "organizer"))
        _require_phase(visit, "analysis", "root causes and next steps belong to the debrief")
        _decide_debrief(visit, payload, district)
    elif isinstance(payload, ActionPlanAgreed):
        _require(visit, actor, ("host", "organizer"))
        _require_phase(visit, "analysis", "the action plan is agreed in the debrief")
        active = visit.active_steps()
        if len(set(payload.step_ids)) != len(payload.step_ids):
            raise DomainError("each step is listed once", code="invalid_plan")
        for step_id in payload.step_ids:
            if step_id not in active:
                raise DomainError(f"no proposed step {step_id!r} on this visit",
                                  code="unknown_step")
    elif isinstance(payload, CheckInRecorded):
        _require(visit, actor, ("host", "organizer"))
        _require_open(visit)
        _require_phase(visit, "support", "check-ins follow an agreed action plan")
        if payload.step_id not in visit.agreed:
            raise DomainError(f"step {payload.step_id!r} is not in the agreed action plan",
                              code="unknown_step")
    elif isinstance(payload, VisitClosed):
        _require(visit, actor, ("host", "organizer"))
        _require_open(visit)
        _require_phase(visit, "support", "a visit closes after its action plan's support")
    else:
        raise DomainError(f"{type(payload).__name__} is not a visit event",
                          code="unknown_type")


def _decide_planned(
    visit: Visit | None, actor: Actor, payload: VisitPlanned, district: District
) -> None:
    if visit is not None:
        raise DomainError("this visit is already planned", code="visit_exists")
    if not actor.has("organizer"):
        raise DomainError("only organizers plan visits", code="forbidden")
    district.catalog(payload.catalog_version)
    district.school(payload.school_id)
    if district.person(payload.host).school_id != payload.school_id:
        raise DomainError("the host must be an administrator of the visited school",
                          code="host_not_at_school")
    if len(set(payload.team)) != len(payload.team) or payload.host in payload.team:
        raise DomainError("the team lists distinct peers, not the host", code="invalid_team")
    if not 2 <= len(payload.team) <= 4:
        raise DomainError("a visit team has 2 to 4 peers", code="invalid_team")
    for member in payload.team:
        if district.person(member).school_id == payload.school_id:
            raise DomainError(f"{member!r} works at the host school; peers come from "
                              "other campuses", code="team_from_host_school")


def _decide_debrief(visit: Visit, payload: Payload, district: District) -> None:
    if isinstance(payload, RootCauseNoted):
        if payload.item is not None:
            district.catalog(visit.catalog_version).item(payload.item)
    elif isinstance(payload, NextStepProposed):
        if payload.step_id in visit.steps:
            raise DomainError(f"step {payload.step_id!r} was already proposed",
                              code="step_exists")
        if len(visit.active_steps()) >= MAX_STEPS:
            raise DomainError(f"an action plan has at most {MAX_STEPS} steps; withdraw one "
                              "before proposing another", code="too_many_steps")
        if payload.due < visit.date:
            raise DomainError("a step is due after the visit", code="invalid_due")
    elif isinstance(payload, NextStepWithdrawn):
        withdrawn = visit.steps.get(payload.step_id)
        if withdrawn is None:
            raise DomainError(f"no proposed step {payload.step_id!r} on this visit",
                              code="unknown_step")
        if withdrawn:
            raise DomainError("that step is already withdrawn", code="already_withdrawn")


def _decide_capture(visit: Visit, actor: Actor, payload: Payload,
                    district: District) -> None:
    if actor.user_id not in visit.team:
        raise DomainError("only the visit team records observations", code="not_on_team")
    _require_open(visit)
    if visit.phase == "preparation":
        raise DomainError("the visit has not started", code="visit_not_started")
    if isinstance(payload, ClassroomEntered):
        known = visit.classrooms.get(payload.classroom_id)
        if known is not None and (known.label, known.grade_band, known.subject) != (
            payload.label, payload.grade_band, payload.subject
        ):
            raise DomainError("this classroom id was entered with other details",
                              code="classroom_conflict")
        return
    if isinstance(payload, ObservationRetracted):
        retracted = visit.observations.get(payload.event_id)
        if retracted is None:
            raise DomainError("no observation with that id on this visit",
                              code="unknown_observation")
        if retracted:
            raise DomainError("that observation is already retracted",
                              code="already_retracted")
        return
    assert isinstance(payload, (LookForObserved, EvidenceNoted, ThankYouNoteLeft, ClassroomExited))
    room = visit.classrooms.get(payload.classroom_id)
    if room is None:
        raise DomainError("enter the classroom before recording in it",
                          code="classroom_not_entered")
    look_fors = district.catalog(visit.catalog_version)
    if isinstance(payload, LookForObserved):
        look_fors.item(payload.item).validate(payload.value, payload.method,
                                              room.students_present)
    elif isinstance(payload, EvidenceNoted) and payload.item is not None:
        look_fors.item(payload.item)


def _require(visit: Visit, actor: Actor, relations: tuple[str, ...]) -> None:
    if visit.relation(actor) not in relations:
        raise DomainError(f"only the visit's {' or '.join(relations)} may do this",
                          code="forbidden")


def _require_open(visit: Visit) -> None:
    if visit.phase == "closed":
        raise DomainError("the visit is closed", code="visit_closed")


def _require_phase(visit: Visit, phase: Phase, why: str) -> None:
    if visit.phase == "closed":
        raise DomainError("the visit is closed", code="visit_closed")
    if visit.phase != phase:
        raise DomainError(f"{why}; the visit is in phase {visit.phase}",
                          code="invalid_phase")


def evolve(visit: Visit | None, event: Event) -> Visit:
    payload = event.payload
    version = event.originator_version
    if isinstance(payload, VisitPlanned):
        return Visit(id=event.originator_id, version=version, school_id=payload.school_id,
                     host=payload.host, team=payload.team, focus=payload.focus,
                     catalog_version=payload.catalog_version, date=payload.date)
    assert visit is not None, "a visit starts with VisitPlanned"
    replace = msgspec.structs.replace
    if isinstance(payload, TeachersNotified):
        return replace(visit, version=version, teachers_notified=True)
    if isinstance(payload, VisitStarted):
        return replace(visit, version=version, phase="observation")
    if isinstance(payload, DebriefStarted):
        return replace(visit, version=version, phase="analysis")
    if isinstance(payload, NextStepProposed):
        return replace(visit, version=version, steps={**visit.steps, payload.step_id: False})
    if isinstance(payload, NextStepWithdrawn):
        return replace(visit, version=version, steps={**visit.steps, payload.step_id: True})
    if isinstance(payload, ActionPlanAgreed):
        return replace(visit, version=version, phase="support", agreed=payload.step_ids)
    if isinstance(payload, VisitClosed):
        return replace(visit, version=version, phase="closed")
    if isinstance(payload, ClassroomEntered):
        return replace(visit, version=version,
                       classrooms={**visit.classrooms, payload.classroom_id: payload})
    if isinstance(payload, OBSERVATION_TYPES):
        return replace(visit, version=version,
                       observations={**visit.observations, event.event_id: False})
    if isinstance(payload, ObservationRetracted):
        return replace(visit, version=version,
                       observations={**visit.observations, payload.event_id: True})
    return replace(visit, version=version)


def project_visit(visit: Visit | None, events: Iterable[Event]) -> Visit | None:
    for event in events:
        visit = evolve(visit, event)
    return visit
