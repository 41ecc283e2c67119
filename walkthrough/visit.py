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

from walkthrough.catalog import catalog
from walkthrough.district import District
from walkthrough.errors import DomainError
from walkthrough.events import (
    CLASSROOM_TYPES,
    OBSERVATION_TYPES,
    ClassroomEntered,
    ClassroomExited,
    Event,
    EvidenceNoted,
    LookForObserved,
    ObservationRetracted,
    Payload,
    SchoolUpdateRecorded,
    TeachersNotified,
    ThankYouNoteLeft,
    VisitClosed,
    VisitPlanned,
    VisitStarted,
)

Phase = Literal["preparation", "observation", "analysis", "support", "closed"]


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
        _decide_capture(visit, actor, payload)
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
    elif isinstance(payload, (SchoolUpdateRecorded, VisitClosed)):
        _require(visit, actor, ("host", "organizer"))
        _require_open(visit)
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
    catalog(payload.catalog_version)
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


def _decide_capture(visit: Visit, actor: Actor, payload: Payload) -> None:
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
    look_fors = catalog(visit.catalog_version)
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
