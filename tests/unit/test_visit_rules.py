"""Domain rules of a visit, decided without any storage."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import msgspec
import pytest

from walkthrough.district import DISTRICT_ID, District
from walkthrough.errors import DomainError
from walkthrough.events import (
    ActionPlanAgreed,
    ClassroomEntered,
    DebriefStarted,
    Event,
    EvidenceNoted,
    LookForObserved,
    NextStepProposed,
    ObservationRetracted,
    Payload,
    PersonRegistered,
    SchoolRegistered,
    TeachersNotified,
    VisitClosed,
    VisitPlanned,
    VisitStarted,
)
from walkthrough.visit import Actor, Visit, decide, evolve

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VISIT_ID = uuid4()
COACH = Actor("coach1", ("coach",), "roosevelt-middle")
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


def record(visit: Visit | None, actor: Actor, payload: Payload,
           event_id: UUID | None = None) -> Visit:
    decide(visit, actor, payload, DISTRICT)
    event = Event(originator_id=VISIT_ID, originator_version=(visit.version if visit else 0) + 1,
                  timestamp=T0, event_id=event_id or uuid4(), actor=actor.user_id,
                  device_id="t", occurred_at=T0, payload=payload)  # type: ignore[arg-type]
    return evolve(visit, event)


def refused(visit: Visit | None, actor: Actor, payload: Payload) -> str:
    with pytest.raises(DomainError) as error:
        decide(visit, actor, payload, DISTRICT)
    return error.value.code


@pytest.fixture
def started() -> Visit:
    visit = record(None, ORGANIZER, PLANNED)
    visit = record(visit, HOST, TeachersNotified())
    return record(visit, HOST, VisitStarted())


@pytest.fixture
def in_room(started: Visit) -> Visit:
    return record(started, COACH, ClassroomEntered(
        classroom_id="c1", label="Room B", grade_band="6-8", subject="math",
        students_present=20))


def test_only_organizers_plan_visits() -> None:
    assert refused(None, HOST, PLANNED) == "forbidden"


def test_team_never_comes_from_the_host_school() -> None:
    plan = msgspec.structs.replace(PLANNED, team=("coach1", "coach5"))
    assert refused(None, ORGANIZER, plan) == "team_from_host_school"


def test_team_has_two_to_four_distinct_peers_and_not_the_host() -> None:
    assert refused(None, ORGANIZER, msgspec.structs.replace(PLANNED, team=("coach1",))) \
        == "invalid_team"
    assert refused(None, ORGANIZER, msgspec.structs.replace(
        PLANNED, team=("coach1", "coach1"))) == "invalid_team"
    assert refused(None, ORGANIZER, msgspec.structs.replace(
        PLANNED, team=("coach1", "host1"))) == "invalid_team"


def test_a_visit_is_planned_once() -> None:
    visit = record(None, ORGANIZER, PLANNED)
    assert refused(visit, ORGANIZER, PLANNED) == "visit_exists"


def test_unknown_catalog_version_is_refused_when_planning() -> None:
    plan = msgspec.structs.replace(PLANNED, catalog_version=7)
    assert refused(None, ORGANIZER, plan) == "unknown_catalog"


def test_the_visit_cannot_start_before_teachers_are_notified() -> None:
    visit = record(None, ORGANIZER, PLANNED)
    assert refused(visit, HOST, VisitStarted()) == "teachers_not_notified"


def test_events_for_an_unknown_visit_are_refused() -> None:
    assert refused(None, COACH, VisitStarted()) == "unknown_visit"


def test_only_team_members_record_observations(in_room: Visit) -> None:
    tap = LookForObserved(classroom_id="c1", item="cfu", value="yes")
    assert refused(in_room, OTHER_COACH, tap) == "not_on_team"
    assert refused(in_room, HOST, tap) == "not_on_team"
    assert refused(in_room, ORGANIZER, tap) == "not_on_team"


def test_observations_wait_for_the_visit_to_start() -> None:
    visit = record(None, ORGANIZER, PLANNED)
    enter = ClassroomEntered(classroom_id="c1", label="Room B", grade_band="6-8",
                             subject="math")
    assert refused(visit, COACH, enter) == "visit_not_started"


def test_classroom_must_be_entered_before_observations(started: Visit) -> None:
    assert refused(started, COACH, LookForObserved(classroom_id="c9", item="cfu",
                                                   value="yes")) == "classroom_not_entered"
    assert refused(started, COACH, EvidenceNoted(classroom_id="c9", text="x")) \
        == "classroom_not_entered"


def test_item_and_value_must_match_the_visits_catalog(in_room: Visit) -> None:
    assert refused(in_room, COACH, LookForObserved(classroom_id="c1", item="charisma",
                                                   value="yes")) == "unknown_item"
    assert refused(in_room, COACH, LookForObserved(classroom_id="c1", item="engagement",
                                                   value=9)) == "invalid_value"
    assert refused(in_room, COACH, LookForObserved(classroom_id="c1", item="on_task",
                                                   value=21)) == "invalid_value"


def test_same_classroom_id_with_other_details_is_a_conflict(in_room: Visit) -> None:
    again = ClassroomEntered(classroom_id="c1", label="Room B", grade_band="6-8",
                             subject="math", students_present=20)
    decide(in_room, COACH, again, DISTRICT)  # re-entering the same room is fine
    other = msgspec.structs.replace(again, subject="science")
    assert refused(in_room, COACH, other) == "classroom_conflict"


def test_a_closed_visit_takes_no_more_observations(in_room: Visit) -> None:
    visit = record(in_room, HOST, DebriefStarted())
    visit = record(visit, COACH, NextStepProposed(
        step_id="s1", text="Exit tickets", owner="Host", due=date(2026, 12, 20),
        success="Seen in 4 of 5 rooms"))
    visit = record(visit, HOST, ActionPlanAgreed(step_ids=("s1",)))
    closed = record(visit, HOST, VisitClosed())
    tap = LookForObserved(classroom_id="c1", item="cfu", value="yes")
    assert refused(closed, COACH, tap) == "visit_closed"
    assert refused(closed, HOST, VisitClosed()) == "visit_closed"


def test_retractions_name_an_observation_and_happen_once(in_room: Visit) -> None:
    tap_id = uuid4()
    visit = record(in_room, COACH, LookForObserved(classroom_id="c1", item="cfu", value="no"),
                   event_id=tap_id)
    assert refused(visit, COACH, ObservationRetracted(event_id=uuid4(), reason="undo")) \
        == "unknown_observation"
    visit = record(visit, COACH, ObservationRetracted(event_id=tap_id, reason="undo"))
    assert refused(visit, COACH, ObservationRetracted(event_id=tap_id, reason="undo")) \
        == "already_retracted"


def test_no_teacher_identity_can_be_smuggled_into_an_event() -> None:
    raw = (b'{"classroom_id":"c1","label":"Room B","grade_band":"6-8","subject":"math",'
           b'"teacher":"Ms Smith"}')
    with pytest.raises(msgspec.ValidationError, match="unknown field `teacher`"):
        msgspec.json.decode(raw, type=ClassroomEntered)
