"""An administrator's growth record through the application, as a tablet's sync writes
it: who may write what, one or two steps per goal, amendments that keep history,
practice observations per observer, pulse scales and the once-per-moment rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import event, record, statuses
from tests.conftest import FakeClock
from walkthrough.district import growth_id
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import PAST_VISIT, load_demo

HOST1 = growth_id("host1")
LLP = "llp-lincoln-roosevelt"


def outcome(demo: Services, user: str, type_: str, data: dict[str, Any],
            record_id: object = HOST1) -> tuple[str, str | None]:
    (result,) = record(demo, user, event(str(record_id), type_, data))
    return result.status, result.error.code if result.error else None


def step(step_id: str = "s1", **extra: Any) -> dict[str, Any]:
    return {"step_id": step_id, "text": "Open each PLC with the exit-ticket data.",
            "owner": "Morgan Blake", "due": "2026-12-20",
            "success": "Each PLC names one reteach move.", **extra}


def goal(goal_id: str = "g-new", **extra: Any) -> dict[str, Any]:
    return {"goal_id": goal_id, "area": "cfu", "text": "Act on checks for understanding.",
            "steps": [step()], **extra}


def test_a_goal_has_one_or_two_steps_from_a_growth_area(demo: Services) -> None:
    assert outcome(demo, "coach1", "GoalSet", goal(steps=[])) == ("rejected", "invalid_event")
    three = [step("a"), step("b"), step("c")]
    assert outcome(demo, "coach1", "GoalSet", goal(steps=three)) == \
        ("rejected", "invalid_event")
    assert outcome(demo, "coach1", "GoalSet", goal(steps=[step("a"), step("a")])) == \
        ("rejected", "duplicate_step")
    # routines is coach1's growth area, not host1's
    assert outcome(demo, "coach1", "GoalSet", goal(area="routines")) == \
        ("rejected", "not_a_growth_area")
    assert outcome(demo, "coach1", "GoalSet", goal(steps=[step("a"), step("b")])) == \
        ("accepted", None)
    assert outcome(demo, "host1", "GoalSet", goal()) == ("rejected", "goal_exists")
    record_now = demo.app.growth("host1")
    assert record_now is not None
    assert [s.step_id for s in record_now.goals["g-new"].goal.steps] == ["a", "b"]


def test_a_goal_links_only_steps_of_a_plan_the_administrator_agreed(demo: Services) -> None:
    linked = goal(plan_steps=[{"visit_id": str(PAST_VISIT), "step_id": "exit-tickets"}])
    assert outcome(demo, "host1", "GoalSet", linked) == ("accepted", None)
    unknown = goal("g-2", plan_steps=[{"visit_id": str(PAST_VISIT), "step_id": "nope"}])
    assert outcome(demo, "host1", "GoalSet", unknown) == ("rejected", "unknown_plan_step")
    # coach1's record cannot link host1's visit: coach1 did not host it
    coach1 = goal("g-3", area="routines",
                  plan_steps=[{"visit_id": str(PAST_VISIT), "step_id": "exit-tickets"}])
    assert outcome(demo, "host1", "GoalSet", coach1, growth_id("coach1")) == \
        ("rejected", "unknown_plan_step")


def test_an_amendment_keeps_the_original_and_must_change_something(demo: Services) -> None:
    before = demo.app.growth("host1")
    assert before is not None
    original = before.goals["act-on-cfu"].goal.steps[0]
    assert outcome(demo, "coach1", "StepAmended", {
        "goal_id": "act-on-cfu", "step_id": "plc-protocol", "reason": "Same again",
        "owner": before.goals["act-on-cfu"].step("plc-protocol").owner,  # type: ignore[union-attr]
    }) == ("rejected", "nothing_changed")
    assert outcome(demo, "coach1", "StepAmended", {
        "goal_id": "act-on-cfu", "step_id": "plc-protocol", "reason": "Team leads own it now",
        "owner": "Math team leads"}) == ("accepted", None)
    assert outcome(demo, "coach1", "StepAmended", {
        "goal_id": "act-on-cfu", "step_id": "other", "reason": "x", "owner": "y"}) == \
        ("rejected", "unknown_step")
    after = demo.app.growth("host1")
    assert after is not None
    kept = after.goals["act-on-cfu"]
    assert kept.goal.steps[0] == original  # the step as first agreed is still there
    assert kept.step("plc-protocol").owner == "Math team leads"  # type: ignore[union-attr]
    assert len(kept.amendments) == 2  # the demo's and this one, in order
    assert kept.amendments[-1].by == "coach1"


def test_only_peers_observe_practice_and_each_observer_keeps_their_own_tap(
        demo: Services) -> None:
    start = {"observation_id": "o-1", "setting": "feedback_conversation",
             "catalog_version": 1}
    assert outcome(demo, "host1", "PracticeObservationStarted", start) == \
        ("rejected", "not_allowed_here")
    assert outcome(demo, "coach4", "PracticeObservationStarted", start) == \
        ("rejected", "not_your_record")
    assert outcome(demo, "coach1", "PracticeObservationStarted",
                   {**start, "catalog_version": 9}) == ("rejected", "unknown_catalog")
    assert outcome(demo, "coach1", "PracticeObservationStarted", start) == ("accepted", None)
    tap = {"observation_id": "o-1", "item": "teachers_talk"}
    assert outcome(demo, "coach1", "PracticeObserved", {**tap, "value": "maybe"}) == \
        ("rejected", "invalid_value")
    assert outcome(demo, "coach1", "PracticeObserved", {**tap, "item": "cfu", "value": "yes"}) \
        == ("rejected", "unknown_item")
    for user, value in (("coach1", "no"), ("coach2", "yes"), ("coach1", "yes")):
        assert outcome(demo, user, "PracticeObserved", {**tap, "value": value}) == \
            ("accepted", None)
    found = demo.app.growth("host1")
    assert found is not None
    assert found.observations["o-1"].taps == {"coach1": {"teachers_talk": "yes"},
                                              "coach2": {"teachers_talk": "yes"}}
    assert outcome(demo, "coach2", "PracticeObservationRetracted",
                   {"observation_id": "o-1", "reason": "Started on the wrong record"}) == \
        ("accepted", None)
    assert outcome(demo, "coach1", "PracticeObserved", {**tap, "value": "no"}) == \
        ("rejected", "observation_withdrawn")


def test_free_text_on_a_record_is_screened_for_names(demo: Services) -> None:
    assert outcome(demo, "coach1", "SupportLogged", {
        "entry_id": "e-1", "date": "2026-11-20", "kind": "call",
        "line": "Talked about how Mrs. Alvarez runs her PLC."}) == \
        ("rejected", "names_a_person")
    assert outcome(demo, "coach1", "PracticeNoted", {
        "observation_id": "plc-1", "text": "Mr Brown spoke first."}) == \
        ("rejected", "names_a_person")


def test_the_pulse_is_the_administrators_own_once_per_moment(demo: Services) -> None:
    scores = {"self_efficacy": 4, "isolation": 2, "partnership_value": 5,
              "focus_confidence": 4, "protected_time": 3}
    end = {"partnership_id": "cfg-talk", "moment": "end", "scores": scores}
    assert outcome(demo, "coach1", "PulseAnswered", end) == ("rejected", "not_allowed_here")
    assert outcome(demo, "host1", "PulseAnswered", end) == ("accepted", None)
    assert outcome(demo, "host1", "PulseAnswered", end) == ("rejected", "pulse_answered")
    assert outcome(demo, "host1", "PulseAnswered", {**end, "partnership_id": "nowhere"}) == \
        ("rejected", "unknown_partnership")


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=-3, max_value=9))
def test_pulse_scores_are_one_to_five(demo_once: Services, score: int) -> None:
    scores = dict.fromkeys(("self_efficacy", "isolation", "partnership_value",
                            "focus_confidence", "protected_time"), 3)
    scores["isolation"] = score
    data = {"partnership_id": LLP, "moment": "middle", "scores": scores}
    status, code = outcome(demo_once, "coach1", "PulseAnswered", data, growth_id("coach1"))
    if 1 <= score <= 5:  # coach1's middle pulse exists in the demo: valid, yet refused
        assert (status, code) == ("rejected", "pulse_answered")
    else:
        assert (status, code) == ("rejected", "invalid_event")


def test_support_requests_and_attendance(demo: Services) -> None:
    request = {"request_id": "r-2", "area": "student_talk",
               "text": "A partner school that uses talk protocols well."}
    assert outcome(demo, "coach1", "SupportRequested", request) == \
        ("rejected", "not_allowed_here")
    assert outcome(demo, "host1", "SupportRequested", {**request, "area": "nope"}) == \
        ("rejected", "unknown_item")
    assert outcome(demo, "host1", "SupportRequested", request) == ("accepted", None)
    attend = {"session_id": "talk-structures"}
    assert outcome(demo, "coach1", "LearningSessionAttended", attend) == \
        ("rejected", "not_allowed_here")
    assert outcome(demo, "organizer1", "LearningSessionAttended", attend) == ("accepted", None)
    assert outcome(demo, "host1", "LearningSessionAttended", attend) == \
        ("rejected", "already_attended")
    assert outcome(demo, "host1", "LearningSessionAttended", {"session_id": "nope"}) == \
        ("rejected", "unknown_session")


def test_records_and_visits_do_not_mix(demo: Services) -> None:
    entry = {"entry_id": "e-9", "date": "2026-11-20", "kind": "text", "line": "Checked in."}
    assert outcome(demo, "coach1", "SupportLogged", entry, PAST_VISIT) == \
        ("rejected", "unknown_growth_record")
    # only administrators of a campus keep a record: not the organizer, even for themself
    assert outcome(demo, "organizer1", "LearningSessionAttended",
                   {"session_id": "talk-structures"}, growth_id("organizer1")) == \
        ("rejected", "unknown_growth_record")
    room = {"classroom_id": "c-x", "label": "Room X", "grade_band": "6-8", "subject": "math"}
    assert outcome(demo, "coach1", "ClassroomEntered", room) == ("rejected", "not_a_visit")
    # a retried event is a duplicate, as on a visit
    sent = event(str(HOST1), "SupportLogged", entry)
    assert statuses(record(demo, "coach1", sent)) == ["accepted"]
    assert statuses(record(demo, "coach1", sent)) == ["duplicate"]


@pytest.fixture(scope="module")
def demo_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One demo district for a hypothesis test's examples (none of them is stored)."""
    clock = FakeClock()
    built = bootstrap(Settings(data_dir=tmp_path_factory.mktemp("growth") / "data"),
                      clock=clock)
    load_demo(built.app, today=clock().date())
    yield built
    built.close()
