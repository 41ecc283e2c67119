"""The demo's growth story: Morgan Blake (host1, principal of Lincoln Middle) over the
semester of the Lincoln-Roosevelt Leadership Learning Partnership with Dana Reyes
(coach1).

- Two goals chosen with Dana from host1's growth areas, each linked to a step of the
  action plan agreed at the previous Lincoln visit; one step adjusted mid-way.
- Two leadership practice observations of host1 leading a grade 7 math PLC: the
  first by Dana alone, the second by Dana and Sam Okafor (coach2, of host1's
  Critical Friends Group), who saw one look-for differently.
- Four weekly coaching meetings with the exit-ticket figure they looked at, and the
  in-between moments: a call, a text, a spontaneous debrief after the second PLC.
- A support request, two sessions the district offered in response, one attended.
- Pulses: host1 at the start, middle and end; four peers at the start and middle,
  so organizers see the start and middle aggregated (5 people) and the end
  suppressed (1 person).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from uuid import UUID

from walkthrough.district import PreparationPayload, growth_id
from walkthrough.events import (
    DataPoint,
    GoalSet,
    GoalStep,
    LearningSessionAttended,
    LearningSessionOffered,
    PlanStepLink,
    PracticeNoted,
    PracticeObservationStarted,
    PracticeObserved,
    PulseAnswered,
    PulseMoment,
    PulseScores,
    StepAmended,
    SupportKind,
    SupportLogged,
    SupportRequested,
    SyncPayload,
)

LLP = "llp-lincoln-roosevelt"
CFG = "cfg-talk"
HOST1 = growth_id("host1")


class Teller(Protocol):
    def send(self, user_id: str, visit_id: UUID, at: datetime,
             payload: SyncPayload) -> None: ...

    def prepare(self, user_id: str, at: datetime, payload: PreparationPayload) -> None: ...


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def growth_story(story: Teller, today: date, past_visit: UUID) -> None:
    _goals(story, today, past_visit)
    _practice(story, today)
    _support(story, today)
    _sessions(story, today)
    _pulses(story, today)


def _goals(story: Teller, today: date, past_visit: UUID) -> None:
    chosen = today - timedelta(days=60)
    story.send("coach1", HOST1, _at(chosen, 15), GoalSet(
        goal_id="act-on-cfu", area="cfu", partnership_id=LLP,
        text="Lead my math teams to act on what their checks for understanding show.",
        steps=(GoalStep(step_id="plc-protocol", owner="Morgan Blake",
                        text="Run a data protocol on exit tickets in every grade 6-8 math "
                             "PLC.", due=today - timedelta(days=35),
                        success="Each PLC names one reteach move from its exit tickets."),),
        plan_steps=(PlanStepLink(visit_id=past_visit, step_id="exit-tickets"),)))
    story.send("host1", HOST1, _at(chosen, 15, 20), GoalSet(
        goal_id="student-talk", area="student_talk", partnership_id=LLP,
        text="Model the talk I want in classrooms in the meetings I lead.",
        steps=(GoalStep(step_id="talk-modelling", owner="Morgan Blake",
                        text="Open each staff meeting with a two-minute turn-and-talk.",
                        due=today + timedelta(days=20),
                        success="Teachers say the protocol is one they can use with "
                                "students."),),
        plan_steps=(PlanStepLink(visit_id=past_visit, step_id="talk-protocol"),)))
    story.send("host1", HOST1, _at(today - timedelta(days=38), 17), StepAmended(
        goal_id="act-on-cfu", step_id="plc-protocol", due=today - timedelta(days=10),
        text="Run a data protocol on exit tickets in the grade 7 and 8 math PLCs first.",
        reason="Grade 6 PLC meets every other week during testing; start where it meets "
               "weekly."))


def _taps(story: Teller, user: str, observation_id: str, start: datetime,
          taps: dict[str, str], first_minute: int = 2) -> None:
    """One observer's taps, a minute apart, in the order they saw them."""
    for minute, (item, value) in enumerate(taps.items(), start=first_minute):
        story.send(user, HOST1, start + timedelta(minutes=minute),
                   PracticeObserved(observation_id=observation_id, item=item, value=value))


def _practice(story: Teller, today: date) -> None:
    first = _at(today - timedelta(days=45), 15)
    story.send("coach1", HOST1, first, PracticeObservationStarted(
        observation_id="plc-1", setting="plc_meeting", catalog_version=1,
        label="Grade 7 math PLC"))
    _taps(story, "coach1", "plc-1", first, {
        "purpose_and_data": "yes", "teachers_talk": "no", "student_work": "yes",
        "protocol": "no", "questions_not_answers": "no", "next_step_owner": "yes"})
    story.send("coach1", HOST1, first + timedelta(minutes=30), PracticeNoted(
        observation_id="plc-1", item="teachers_talk",
        text="The leader spoke for about 12 of 20 minutes; teachers sorted exit tickets "
             "into three piles."))
    second = _at(today - timedelta(days=14), 15)
    story.send("coach1", HOST1, second, PracticeObservationStarted(
        observation_id="plc-2", setting="plc_meeting", catalog_version=1,
        label="Grade 7 math PLC"))
    _taps(story, "coach1", "plc-2", second, {
        "purpose_and_data": "yes", "teachers_talk": "yes", "student_work": "yes",
        "protocol": "yes", "questions_not_answers": "yes", "next_step_owner": "yes"})
    # Sam walked in with Dana and saw the questions differently: a calibration question.
    _taps(story, "coach2", "plc-2", second, {
        "purpose_and_data": "yes", "teachers_talk": "yes", "questions_not_answers": "no"},
        first_minute=3)
    story.send("coach2", HOST1, second + timedelta(minutes=25), PracticeNoted(
        observation_id="plc-2", item="protocol",
        text="Teachers used the notice-wonder protocol; each named one reteach move."))


def _support(story: Teller, today: date) -> None:
    exit_tickets = (0.48, 0.55, 0.61, 0.66)
    for week, value in enumerate(exit_tickets):
        day = today - timedelta(days=42 - 7 * week)
        story.send("coach1", HOST1, _at(day, 16), SupportLogged(
            entry_id=f"meeting-{week + 1}", date=day, kind="coaching_meeting",
            line=f"Weekly meeting {week + 1}: exit tickets from grade 7, what the PLC "
                 "does next.",
            data_point=DataPoint(measure="Grade 7 exit tickets at mastery", value=value)))
    moments: list[tuple[int, SupportKind, str, str]] = [
        (38, "call", "coach1", "Quick call: how to open the PLC with the data, not a recap."),
        (24, "text", "host1", "Texted my coach: the grade 8 team asked to try the protocol."),
        (14, "spontaneous_debrief", "coach1",
         "Ten minutes in the hallway after the PLC: teachers did most of the talking."),
    ]
    for days, kind, by, line in moments:
        day = today - timedelta(days=days)
        story.send(by, HOST1, _at(day, 17, 30), SupportLogged(
            entry_id=f"{kind}-{days}", date=day, kind=kind, line=line))
    story.send("host1", HOST1, _at(today - timedelta(days=40), 18), SupportRequested(
        request_id="facilitation", area="cfu",
        text="Training in facilitating data protocols with PLC leads."))


def _sessions(story: Teller, today: date) -> None:
    offered = _at(today - timedelta(days=33), 10)
    story.prepare("organizer1", offered, LearningSessionOffered(
        session_id="data-conversations", title="Leading data conversations in PLCs",
        date=today - timedelta(days=20), areas=("cfu",)))
    story.prepare("organizer1", offered + timedelta(minutes=5), LearningSessionOffered(
        session_id="talk-structures", title="Structures for student-to-student talk",
        date=today + timedelta(days=7), areas=("student_talk",)))
    story.send("host1", HOST1, _at(today - timedelta(days=20), 18), LearningSessionAttended(
        session_id="data-conversations"))


def _scores(base: int, lift: int) -> PulseScores:
    def clamp(value: int) -> int:
        return max(1, min(5, value))
    return PulseScores(self_efficacy=clamp(base + lift), isolation=clamp(4 - lift),
                       partnership_value=clamp(base + 1), focus_confidence=clamp(base + lift),
                       protected_time=clamp(base - 1 + lift))


def _pulses(story: Teller, today: date) -> None:
    answered: list[tuple[str, str, PulseMoment, int, int, int]] = [
        # who, partnership, moment, days ago, base, lift
        ("host1", LLP, "start", 68, 2, 0), ("host1", LLP, "middle", 30, 3, 1),
        ("host1", LLP, "end", 1, 3, 2),
        ("coach1", LLP, "start", 68, 3, 0), ("coach1", LLP, "middle", 30, 3, 1),
        ("coach2", CFG, "start", 58, 3, 0), ("coach2", CFG, "middle", 29, 3, 0),
        ("coach3", CFG, "start", 58, 2, 0), ("coach3", CFG, "middle", 29, 3, 1),
        ("host2", CFG, "start", 58, 2, 1), ("host2", CFG, "middle", 29, 3, 1),
    ]
    for who, partnership, moment, days, base, lift in answered:
        story.send(who, growth_id(who), _at(today - timedelta(days=days), 19), PulseAnswered(
            partnership_id=partnership, moment=moment, scores=_scores(base, lift)))
