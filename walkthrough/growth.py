"""An administrator's growth record: goals with their steps and every adjustment,
peers' observations of the administrator's leadership practice, the support log,
support requests, pulse answers and the learning sessions attended.

The administrator and their peers (people who share a partnership with them) write
it, through the same offline sync as a visit; organizers read it and record
attendance. It is nonevaluative like a visit: taps are about the practice, free text
is screened for names, and nothing in it rates the administrator as a person.

The record is small (tens of events a month) and immutable: each event gives a new
`Growth`, sharing what did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import assert_never
from uuid import UUID

import msgspec

from walkthrough.access import Actor, GrowthRelation, growth_relation
from walkthrough.district import District, Rosters, no_rosters, screened_texts
from walkthrough.errors import Conflict, DomainError, Forbidden, NotFound
from walkthrough.events import (
    Event,
    GoalSet,
    GoalStep,
    GrowthPayload,
    LearningSessionAttended,
    PracticeNoted,
    PracticeObservationRetracted,
    PracticeObservationStarted,
    PracticeObserved,
    PulseAnswered,
    PulseMoment,
    StepAmended,
    SupportLogged,
    SupportRequested,
)
from walkthrough.kinds import is_free_text
from walkthrough.names import screen

# Pulse answers are shown to anyone but the administrator only as aggregates over at
# least this many people (organizers' overview, analysts' export).
MIN_PULSE_PEOPLE = 5
PULSE_MOMENTS: tuple[PulseMoment, ...] = ("start", "middle", "end")
PULSE_QUESTIONS: dict[str, str] = {
    "self_efficacy": "I am confident I can lead improvement at my school",
    "isolation": "I feel isolated in my role",
    "partnership_value": "The partnership is worth the time it takes",
    "focus_confidence": "I am confident leading our focus area",
    "protected_time": "I have time protected for the focus area",
}
AMENDABLE = ("text", "owner", "due", "success")
PlanSteps = Callable[[UUID], tuple[str, tuple[str, ...]] | None]
"""A visit's host and its agreed action-plan step ids, or None when there is no visit."""


def no_plan_steps(visit_id: UUID) -> tuple[str, tuple[str, ...]] | None:
    return None


class Recorded(msgspec.Struct, frozen=True):
    """Who recorded an event of the record, and when it happened on their device."""

    by: str
    at: datetime


class Amendment(msgspec.Struct, frozen=True):
    amended: StepAmended
    by: str
    at: datetime


class Goal(msgspec.Struct, frozen=True):
    goal: GoalSet
    set_by: Recorded
    amendments: tuple[Amendment, ...] = ()

    def step(self, step_id: str) -> GoalStep | None:
        """The step as it stands now, every amendment applied."""
        found = next((s for s in self.goal.steps if s.step_id == step_id), None)
        if found is None:
            return None
        for amendment in self.amendments:
            if amendment.amended.step_id == step_id:
                found = amended(found, amendment.amended)
        return found


class PracticeObservation(msgspec.Struct, frozen=True):
    started: PracticeObservationStarted
    recorded: Recorded
    taps: dict[str, dict[str, str | int]] = {}  # observer -> look-for -> latest value
    notes: tuple[tuple[PracticeNoted, Recorded], ...] = ()
    retracted: bool = False


class Growth(msgspec.Struct, frozen=True):
    id: UUID
    version: int
    owner: str
    goals: dict[str, Goal] = {}
    observations: dict[str, PracticeObservation] = {}
    support: dict[str, tuple[SupportLogged, Recorded]] = {}
    requests: dict[str, tuple[SupportRequested, Recorded]] = {}
    pulses: dict[tuple[str, PulseMoment], tuple[PulseAnswered, Recorded]] = {}
    attended: dict[str, Recorded] = {}

    @property
    def weight(self) -> int:
        return 1 + len(self.support) + sum(len(o.taps) for o in self.observations.values())


PulseAnswerRow = tuple[str, PulseMoment, Mapping[str, int]]
"""Who answered, at which moment, with which scores (by question)."""


def person_means(answers: Iterable[PulseAnswerRow],
                 ) -> dict[PulseMoment, dict[str, dict[str, float]]]:
    """Each person's answers per moment, averaged over their partnerships: in any
    aggregate a person counts once per moment."""
    found: dict[tuple[PulseMoment, str], list[Mapping[str, int]]] = {}
    for person, moment, scores in answers:
        found.setdefault((moment, person), []).append(scores)
    means: dict[PulseMoment, dict[str, dict[str, float]]] = {}
    for (moment, person), answered in sorted(found.items()):
        means.setdefault(moment, {})[person] = {
            q: sum(scores[q] for scores in answered) / len(answered) for q in PULSE_QUESTIONS}
    return means


def pulse_means(people: Sequence[Mapping[str, float]]) -> dict[str, float] | None:
    """The mean answer per question over people, or None from fewer than
    MIN_PULSE_PEOPLE: no aggregate (nor its count) is shown under the minimum."""
    if len(people) < MIN_PULSE_PEOPLE:
        return None
    return {q: sum(person[q] for person in people) / len(people) for q in PULSE_QUESTIONS}


def relation_to(actor: Actor, owner: str, district: District) -> GrowthRelation | None:
    """How the actor relates to `owner`'s record (walkthrough.access.growth_relation)."""
    return growth_relation(actor, owner, district.partners_of(owner))


def amended(step: GoalStep, amendment: StepAmended) -> GoalStep:
    changes = {field: getattr(amendment, field) for field in AMENDABLE
               if getattr(amendment, field) is not None}
    return msgspec.structs.replace(step, **changes)


def decide_growth(growth: Growth | None, owner: str, actor: Actor, payload: GrowthPayload,
                  district: District, plan_steps: PlanSteps = no_plan_steps,
                  rosters: Rosters = no_rosters) -> None:
    """Raise DomainError unless `actor` may record `payload` on `owner`'s record now.
    Free texts are screened against the owner's school's staff roster."""
    current = growth or Growth(id=UUID(int=0), version=0, owner=owner)
    relation = relation_to(actor, owner, district)
    if relation is None:
        raise Forbidden("only the administrator, their peers and organizers see this "
                        "growth record", code="not_your_record")
    _decide_rules(current, relation, payload, district, plan_steps)
    if isinstance(payload, PracticeObserved) and not _is_note(current, payload, district):
        return
    texts = screened_texts(district, payload)
    school_id = district.people[owner].school_id if owner in district.people else None
    if any(texts.values()):
        screen(texts, rosters(school_id) if school_id else None)


def _is_note(growth: Growth, payload: PracticeObserved, district: District) -> bool:
    observation = growth.observations[payload.observation_id]
    version = observation.started.catalog_version
    return is_free_text(district.leadership_catalog(version).item(payload.item).kind)


def _require(relation: GrowthRelation, allowed: tuple[GrowthRelation, ...], what: str) -> None:
    if relation not in allowed:
        raise Forbidden(what, code="not_allowed_here")


def _decide_rules(growth: Growth, relation: GrowthRelation, payload: GrowthPayload,
                  district: District, plan_steps: PlanSteps) -> None:
    match payload:
        case GoalSet():
            _require(relation, ("self", "peer"), "the administrator and their peers set goals")
            _decide_goal(growth, payload, district, plan_steps)
        case StepAmended():
            _require(relation, ("self", "peer"),
                     "the administrator and their peers adjust the plan")
            goal = growth.goals.get(payload.goal_id)
            step = goal.step(payload.step_id) if goal else None
            if goal is None or step is None:
                raise NotFound(f"no step {payload.step_id!r} in goal {payload.goal_id!r}",
                               code="unknown_step")
            if amended(step, payload) == step:
                raise DomainError("the amendment changes nothing", code="nothing_changed")
        case PracticeObservationStarted():
            _require(relation, ("peer",), "a peer observes the administrator's practice")
            if payload.observation_id in growth.observations:
                raise Conflict(f"observation {payload.observation_id!r} already started",
                               code="observation_exists")
            district.leadership_catalog(payload.catalog_version)
        case PracticeObserved():
            _require(relation, ("peer",), "a peer observes the administrator's practice")
            observation = _open_observation(growth, payload.observation_id)
            version = observation.started.catalog_version
            district.leadership_catalog(version).item(payload.item).validate(
                payload.value, None, None)
        case PracticeNoted():
            _require(relation, ("peer",), "a peer observes the administrator's practice")
            observation = _open_observation(growth, payload.observation_id)
            if payload.item is not None:
                district.leadership_catalog(observation.started.catalog_version).item(
                    payload.item)
        case PracticeObservationRetracted():
            _require(relation, ("peer",), "a peer withdraws a practice observation")
            _open_observation(growth, payload.observation_id)
        case SupportLogged():
            _require(relation, ("self", "peer"),
                     "the administrator and their peers keep the support log")
            if payload.entry_id in growth.support:
                raise Conflict(f"support entry {payload.entry_id!r} already logged",
                               code="entry_exists")
        case SupportRequested():
            _require(relation, ("self",), "administrators ask for support themselves")
            if payload.request_id in growth.requests:
                raise Conflict(f"request {payload.request_id!r} already made",
                               code="request_exists")
            if payload.area not in district.area_keys():
                raise DomainError(f"unknown area {payload.area!r}", code="unknown_item")
        case PulseAnswered():
            _decide_pulse(growth, relation, payload, district)
        case LearningSessionAttended():
            _require(relation, ("self", "organizer"),
                     "the administrator or an organizer records attendance")
            if payload.session_id not in district.sessions:
                raise NotFound(f"no learning session {payload.session_id!r}",
                               code="unknown_session")
            if payload.session_id in growth.attended:
                raise Conflict("attendance is already recorded", code="already_attended")
        case _:
            assert_never(payload)


def _decide_goal(growth: Growth, payload: GoalSet, district: District,
                 plan_steps: PlanSteps) -> None:
    if payload.goal_id in growth.goals:
        raise Conflict(f"goal {payload.goal_id!r} already set", code="goal_exists")
    step_ids = [step.step_id for step in payload.steps]
    if len(set(step_ids)) != len(step_ids):
        raise DomainError("each step of a goal needs its own step_id", code="duplicate_step")
    inventory = district.skills.get(growth.owner)
    if inventory is None or payload.area not in inventory.growth_areas:
        areas = ", ".join(inventory.growth_areas) if inventory else "none recorded yet"
        raise DomainError(f"a goal's area is one of the skill inventory's growth areas "
                          f"({areas})", code="not_a_growth_area")
    if payload.skills_version is not None:
        district.skills_of(payload.skills_version)
    if payload.partnership_id is not None:
        partnership = district.partnerships.get(payload.partnership_id)
        if partnership is None or growth.owner not in partnership.members:
            raise NotFound(f"{growth.owner!r} is not in partnership "
                           f"{payload.partnership_id!r}", code="unknown_partnership")
    for link in payload.plan_steps:
        found = plan_steps(link.visit_id)
        if found is None or found[0] != growth.owner or link.step_id not in found[1]:
            raise NotFound(f"step {link.step_id!r} is not in the agreed action plan of a "
                           f"visit {growth.owner!r} hosted", code="unknown_plan_step")


def _decide_pulse(growth: Growth, relation: GrowthRelation, payload: PulseAnswered,
                  district: District) -> None:
    _require(relation, ("self",), "only the administrator answers their own pulse")
    partnership = district.partnerships.get(payload.partnership_id)
    if partnership is None or growth.owner not in partnership.members:
        raise NotFound(f"{growth.owner!r} is not in partnership {payload.partnership_id!r}",
                       code="unknown_partnership")
    if (payload.partnership_id, payload.moment) in growth.pulses:
        raise Conflict(f"the {payload.moment} pulse of this partnership is already answered",
                       code="pulse_answered")


def _open_observation(growth: Growth, observation_id: str) -> PracticeObservation:
    observation = growth.observations.get(observation_id)
    if observation is None:
        raise NotFound(f"no practice observation {observation_id!r}",
                       code="unknown_observation")
    if observation.retracted:
        raise Conflict(f"practice observation {observation_id!r} was withdrawn",
                       code="observation_withdrawn")
    return observation


def evolve_growth(growth: Growth | None, event: Event, owner: str) -> Growth:
    current = growth or Growth(id=event.originator_id, version=0, owner=owner)
    payload = event.payload
    recorded = Recorded(by=event.actor, at=event.occurred_at)
    replace = msgspec.structs.replace
    version = event.originator_version
    match payload:
        case GoalSet():
            return replace(current, version=version, goals={
                **current.goals, payload.goal_id: Goal(goal=payload, set_by=recorded)})
        case StepAmended():
            goal = current.goals[payload.goal_id]
            goal = replace(goal, amendments=(
                *goal.amendments, Amendment(amended=payload, by=event.actor,
                                            at=event.occurred_at)))
            return replace(current, version=version,
                           goals={**current.goals, payload.goal_id: goal})
        case PracticeObservationStarted():
            started = PracticeObservation(started=payload, recorded=recorded)
            return replace(current, version=version, observations={
                **current.observations, payload.observation_id: started})
        case PracticeObserved():
            observation = current.observations[payload.observation_id]
            mine = {**observation.taps.get(event.actor, {}), payload.item: payload.value}
            observation = replace(observation, taps={**observation.taps, event.actor: mine})
            return _with_observation(current, version, observation)
        case PracticeNoted():
            observation = current.observations[payload.observation_id]
            observation = replace(observation, notes=(*observation.notes, (payload, recorded)))
            return _with_observation(current, version, observation)
        case PracticeObservationRetracted():
            observation = replace(current.observations[payload.observation_id],
                                  retracted=True)
            return _with_observation(current, version, observation)
        case SupportLogged():
            return replace(current, version=version, support={
                **current.support, payload.entry_id: (payload, recorded)})
        case SupportRequested():
            return replace(current, version=version, requests={
                **current.requests, payload.request_id: (payload, recorded)})
        case PulseAnswered():
            return replace(current, version=version, pulses={
                **current.pulses, (payload.partnership_id, payload.moment): (payload, recorded)})
        case LearningSessionAttended():
            return replace(current, version=version,
                           attended={**current.attended, payload.session_id: recorded})
        case _:
            raise AssertionError(f"{event.type} is not a growth record event")


def _with_observation(growth: Growth, version: int, observation: PracticeObservation) -> Growth:
    key = observation.started.observation_id
    return msgspec.structs.replace(growth, version=version,
                                   observations={**growth.observations, key: observation})


def project_growth(owner: str) -> Callable[[Growth | None, Iterable[Event]], Growth | None]:
    def project(growth: Growth | None, events: Iterable[Event]) -> Growth | None:
        for event in events:
            growth = evolve_growth(growth, event, owner)
        return growth
    return project
