"""What the team writes in a debrief before the plan is agreed can be withdrawn by a
later event: a proposed step (NextStepWithdrawn), a root cause (RootCauseWithdrawn),
an evidence note (ObservationRetracted, while observations may still be mended)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from tests.unit.rules import COACH, HOST, ORGANIZER, OTHER_COACH, PLANNED, record, refused
from walkthrough.events import (
    ActionPlanAgreed,
    ClassroomEntered,
    DebriefStarted,
    EvidenceNoted,
    NextStepProposed,
    ObservationRetracted,
    RootCauseNoted,
    RootCauseWithdrawn,
    TeachersNotified,
    VisitStarted,
)
from walkthrough.visit import Visit


def debriefing() -> tuple[Visit, UUID]:
    note_id = uuid4()
    visit = record(None, ORGANIZER, PLANNED)
    visit = record(visit, HOST, TeachersNotified())
    visit = record(visit, HOST, VisitStarted())
    visit = record(visit, COACH, ClassroomEntered(classroom_id="c1", label="Room A",
                                                  grade_band="6-8", subject="math"))
    visit = record(visit, COACH, EvidenceNoted(classroom_id="c1", text="4 of 20 explained"),
                   event_id=note_id)
    return record(visit, HOST, DebriefStarted()), note_id


def test_a_root_cause_is_withdrawn_by_a_later_event_once() -> None:
    visit, _ = debriefing()
    cause = uuid4()
    visit = record(visit, COACH, RootCauseNoted(text="Lessons plan no check before moving on"),
                   event_id=cause)
    assert refused(visit, COACH, RootCauseWithdrawn(event_id=uuid4())) == "unknown_root_cause"
    assert refused(visit, OTHER_COACH, RootCauseWithdrawn(event_id=cause)) == "forbidden"
    visit = record(visit, HOST, RootCauseWithdrawn(event_id=cause, reason="merged"))
    assert visit.root_causes[str(cause)] is True
    assert refused(visit, COACH, RootCauseWithdrawn(event_id=cause)) == "already_withdrawn"


def test_after_the_plan_is_agreed_the_debrief_no_longer_changes() -> None:
    visit, note_id = debriefing()
    cause = uuid4()
    visit = record(visit, COACH, RootCauseNoted(text="No shared routine for checks"),
                   event_id=cause)
    visit = record(visit, COACH, NextStepProposed(
        step_id="s1", text="Exit tickets in every math lesson", owner="Math team",
        due=date(2026, 12, 20), success="Seen in 4 of 5 rooms"))
    # evidence can still be withdrawn in the debrief, by the coach who wrote it
    assert refused(visit, HOST, ObservationRetracted(event_id=note_id, reason="x")) \
        == "not_on_team"
    visit = record(visit, HOST, ActionPlanAgreed(step_ids=("s1",)))
    assert refused(visit, COACH, RootCauseWithdrawn(event_id=cause)) == "invalid_phase"
    assert refused(visit, COACH, ObservationRetracted(event_id=note_id, reason="x")) \
        == "observation_over"
