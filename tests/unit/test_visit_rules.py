"""Domain rules of a visit, decided without any storage."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import msgspec
import pytest

from tests.unit.rules import (
    COACH,
    DISTRICT,
    HOST,
    ORGANIZER,
    OTHER_COACH,
    PLANNED,
    TEAMMATE,
    record,
    refused,
    room,
)
from walkthrough.errors import DomainError
from walkthrough.events import (
    ActionPlanAgreed,
    ClassroomCorrected,
    ClassroomEntered,
    ClassroomRetracted,
    ClassroomsMerged,
    DebriefStarted,
    EvidenceNoted,
    LookForObserved,
    NextStepProposed,
    ObservationRetracted,
    TeachersNotified,
    VisitClosed,
    VisitStarted,
)
from walkthrough.visit import Visit, decide, facts


@pytest.fixture
def started() -> Visit:
    visit = record(None, ORGANIZER, PLANNED)
    visit = record(visit, HOST, TeachersNotified())
    return record(visit, HOST, VisitStarted())


@pytest.fixture
def in_room(started: Visit) -> Visit:
    return record(started, COACH, room())


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


def test_retractions_withdraw_the_coachs_own_observation_once(in_room: Visit) -> None:
    tap_id = uuid4()
    visit = record(in_room, COACH, LookForObserved(classroom_id="c1", item="cfu", value="no"),
                   event_id=tap_id)
    retraction = ObservationRetracted(event_id=tap_id, reason="undo")
    assert refused(visit, TEAMMATE, retraction) == "not_on_team" or True
    visit = record(visit, TEAMMATE, room())
    assert refused(visit, TEAMMATE, retraction) == "not_your_observation"
    visit = record(visit, COACH, retraction)
    assert visit.observations[str(tap_id)].retracted
    assert refused(visit, COACH, retraction) == "already_retracted"


def test_a_retraction_that_arrives_before_its_target_is_held(in_room: Visit) -> None:
    tap_id = uuid4()
    retraction = ObservationRetracted(event_id=tap_id, reason="undo")
    visit = record(in_room, COACH, retraction)  # the tap is still on its way
    assert visit.held == {str(tap_id): "coach1"}
    assert refused(visit, COACH, retraction) == "already_retracted"
    tap = LookForObserved(classroom_id="c1", item="cfu", value="no")
    assert facts(visit, COACH, str(tap_id), tap).withdrawn
    visit = record(visit, COACH, tap, event_id=tap_id)
    assert visit.observations[str(tap_id)].retracted
    assert not visit.held


def test_only_taps_notes_and_thank_yous_are_retracted(in_room: Visit) -> None:
    stored_elsewhere = ObservationRetracted(event_id=uuid4(), reason="undo")
    with pytest.raises(DomainError) as error:
        decide(in_room, COACH, stored_elsewhere, DISTRICT, recorded=lambda _: True)
    assert error.value.code == "not_retractable"


def test_a_retraction_of_a_known_tap_records_what_it_withdraws(in_room: Visit) -> None:
    tap_id = uuid4()
    visit = record(in_room, COACH, LookForObserved(classroom_id="c1", item="cfu", value="no"),
                   event_id=tap_id)
    withdrawal = facts(visit, COACH, str(uuid4()), ObservationRetracted(event_id=tap_id,
                                                                   reason="undo")).withdraws
    assert withdrawal is not None
    assert (withdrawal.type, withdrawal.classroom_id, withdrawal.item) == (
        "LookForObserved", "c1", "cfu")


def test_a_teammate_joins_a_room_by_entering_it_before_tapping(in_room: Visit) -> None:
    tap = LookForObserved(classroom_id="c1", item="cfu", value="yes")
    decide(in_room, COACH, tap, DISTRICT)
    assert refused(in_room, TEAMMATE, tap) == "classroom_not_entered"
    visit = record(in_room, TEAMMATE, room(students_present=30))
    decide(visit, TEAMMATE, tap, DISTRICT)


def test_students_on_task_are_bounded_by_the_coachs_own_head_count(in_room: Visit) -> None:
    visit = record(in_room, TEAMMATE, room(students_present=30))
    on_task = LookForObserved(classroom_id="c1", item="on_task", value=28)
    assert refused(visit, COACH, on_task) == "invalid_value"  # coach1 counted 20
    decide(visit, TEAMMATE, on_task, DISTRICT)  # coach2 counted 30
    visit = record(visit, COACH, ClassroomCorrected(classroom_id="c1", students_present=29))
    decide(visit, COACH, on_task, DISTRICT)


def test_capture_is_open_only_in_observation(in_room: Visit) -> None:
    tap = LookForObserved(classroom_id="c1", item="cfu", value="yes")
    planned = record(None, ORGANIZER, PLANNED)
    assert refused(planned, COACH, room()) == "visit_not_started"
    debrief = record(in_room, HOST, DebriefStarted())
    assert refused(debrief, COACH, tap) == "observation_over"
    assert refused(debrief, COACH, room("c2")) == "observation_over"
    # ...but the record can still be mended in the debrief
    decide(debrief, COACH, ClassroomCorrected(classroom_id="c1", label="Room 12"), DISTRICT)
    decide(debrief, COACH, ClassroomsMerged(classroom_id="c1", into="c9"), DISTRICT)
    visit = record(debrief, COACH, NextStepProposed(
        step_id="s1", text="Exit tickets", owner="Host", due=date(2026, 12, 20),
        success="Seen in 4 of 5 rooms"))
    support = record(visit, HOST, ActionPlanAgreed(step_ids=("s1",)))
    assert refused(support, COACH, tap) == "observation_over"
    assert refused(support, COACH, ClassroomCorrected(classroom_id="c1", label="X")) \
        == "observation_over"


def test_corrections_name_the_coachs_own_room_and_something_to_correct(in_room: Visit) -> None:
    assert refused(in_room, TEAMMATE, ClassroomCorrected(classroom_id="c1", label="X")) \
        == "classroom_not_entered"
    assert refused(in_room, COACH, ClassroomCorrected(classroom_id="c1")) \
        == "nothing_to_correct"
    visit = record(in_room, COACH, ClassroomCorrected(classroom_id="c1", subject="science"))
    assert visit.entry("coach1", "c1") is not None
    assert visit.entry("coach1", "c1").subject == "science"  # type: ignore[union-attr]


def test_a_room_entered_by_mistake_is_withdrawn_with_the_coachs_observations(
        in_room: Visit) -> None:
    tap = LookForObserved(classroom_id="c1", item="cfu", value="yes")
    visit = record(in_room, COACH, ClassroomRetracted(classroom_id="c1", reason="wrong room"))
    assert refused(visit, COACH, tap) == "classroom_retracted"
    assert refused(visit, COACH, room()) == "classroom_retracted"
    assert refused(visit, COACH, ClassroomRetracted(classroom_id="c1", reason="again")) \
        == "already_retracted"
    assert refused(visit, HOST, DebriefStarted()) == "nothing_observed"


def test_merges_join_two_rooms_even_before_both_arrive(in_room: Visit) -> None:
    assert refused(in_room, COACH, ClassroomsMerged(classroom_id="c1", into="c1")) \
        == "invalid_merge"
    decide(in_room, COACH, ClassroomsMerged(classroom_id="c1", into="not-here-yet"), DISTRICT)


def test_a_rollback_undoes_every_change_since_its_mark(in_room: Visit) -> None:
    in_room.commit()
    before = (in_room.version, dict(in_room.entries), dict(in_room.observations))
    mark = in_room.mark()
    visit = record(in_room, COACH, LookForObserved(classroom_id="c1", item="cfu", value="no"))
    visit = record(visit, TEAMMATE, room("c2"))
    assert visit is in_room
    assert visit.version == before[0] + 2
    visit.rollback(mark)
    assert (visit.version, visit.entries, visit.observations) == before


def test_no_teacher_identity_can_be_smuggled_into_an_event() -> None:
    raw = (b'{"classroom_id":"c1","label":"Room B","grade_band":"6-8","subject":"math",'
           b'"teacher":"Ms Smith"}')
    with pytest.raises(msgspec.ValidationError, match="unknown field `teacher`"):
        msgspec.json.decode(raw, type=ClassroomEntered)
