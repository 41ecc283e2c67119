"""A small district, its people and a planned visit, with helpers to decide and apply
events on it: what the rule tests share (no storage)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from walkthrough.access import Actor
from walkthrough.district import DISTRICT_ID, District
from walkthrough.errors import DomainError
from walkthrough.events import (
    ClassroomEntered,
    Event,
    PersonRegistered,
    SchoolRegistered,
    VisitPayload,
    VisitPlanned,
)
from walkthrough.visit import Visit, decide, evolve, facts

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VISIT_ID = uuid4()
COACH = Actor("coach1", ("coach",), "roosevelt-middle")
TEAMMATE = Actor("coach2", ("coach",), "adams-middle")
OTHER_COACH = Actor("coach3", ("coach",), "madison-elementary")
HOST = Actor("host1", ("host",), "lincoln-middle")
ORGANIZER = Actor("organizer1", ("organizer",))
DISTRICT = District(
    id=DISTRICT_ID, version=1,
    schools={s: SchoolRegistered(school_id=s, name=s, level="middle")
             for s in ("lincoln-middle", "roosevelt-middle", "adams-middle")},
    people={p.user_id: p for p in (
        PersonRegistered(user_id="coach1", name="A", roles=("coach",),
                         school_id="roosevelt-middle"),
        PersonRegistered(user_id="coach2", name="B", roles=("coach",), school_id="adams-middle"),
        PersonRegistered(user_id="coach5", name="C", roles=("coach",),
                         school_id="lincoln-middle"),
        PersonRegistered(user_id="host1", name="D", roles=("host",), school_id="lincoln-middle"),
    )},
)
PLANNED = VisitPlanned(school_id="lincoln-middle", host="host1", team=("coach1", "coach2"),
                       focus="Checking for understanding", catalog_version=1,
                       date=date(2026, 11, 23))


def record(visit: Visit | None, actor: Actor, payload: VisitPayload,
           event_id: UUID | None = None) -> Visit:
    """Decide and apply one event, as the application does (with the server's facts)."""
    decide(visit, actor, payload, DISTRICT)
    text = str(event_id or uuid4())
    known = facts(visit, actor, text, payload)
    event = Event(originator_id=VISIT_ID, originator_version=(visit.version if visit else 0) + 1,
                  timestamp=T0, event_id=text, actor=actor.user_id,
                  device_id="t", occurred_at=T0, withdrawn=known.withdrawn,
                  withdraws=known.withdraws, payload=payload)
    return evolve(visit, event)


def room(classroom_id: str = "c1", students_present: int | None = 20,
         label: str = "Room B") -> ClassroomEntered:
    return ClassroomEntered(classroom_id=classroom_id, label=label, grade_band="6-8",
                            subject="math", students_present=students_present)


def refused(visit: Visit | None, actor: Actor, payload: VisitPayload) -> str:
    with pytest.raises(DomainError) as error:
        decide(visit, actor, payload, DISTRICT)
    return error.value.code
