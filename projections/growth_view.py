"""What `GET /api/people/{user_id}/growth` answers: an administrator's growth record as
its readers see it. A pure function of the record's aggregate and the district.

- `goals` with their one or two steps as they stand now, each step's original kept
  beside every amendment (what changed, when, why, by whom);
- `leadership_observations`: each practice observation consolidated over its
  observers (agreement counts once; where peers saw it differently the look-for is
  `differed`), and per look-for the points over time;
- `support_log` by date, `plan_adjustments` in the order they were made;
- `pulse`: the administrator's own answers over time, shown to them only; anyone
  else sees it only in aggregates over at least MIN_PULSE_PEOPLE people.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import msgspec

from projections.action_plans import PlanStep
from projections.answers import PersonRef, SchoolRef
from walkthrough.access import GrowthRelation
from walkthrough.catalog import Catalog
from walkthrough.district import District, growth_id
from walkthrough.events import DataPoint, GoalStep, PulseMoment, PulseScores
from walkthrough.growth import (
    AMENDABLE,
    MIN_PULSE_PEOPLE,
    PULSE_MOMENTS,
    PULSE_QUESTIONS,
    Goal,
    Growth,
    PracticeObservation,
    amended,
    person_means,
    pulse_means,
)
from walkthrough.skills import every_skill


class Change(msgspec.Struct):
    field: str
    before: str
    after: str


class Adjustment(msgspec.Struct):
    goal_id: str
    step_id: str
    at: datetime
    by: PersonRef
    reason: str
    changes: list[Change]


class StepNow(msgspec.Struct):
    step_id: str
    text: str
    owner: str
    due: date
    success: str
    original: GoalStep  # as first agreed; equal to the step when never amended
    adjustments: list[Adjustment]


class PlanStepRef(msgspec.Struct):
    """An action-plan step of a visit the administrator hosted, as it stands."""

    visit_id: str
    step_id: str
    visit_date: date | None = None
    text: str | None = None  # None: the step is not (or no longer) in the read models
    status: str | None = None  # not_started | on_track | at_risk | done


class GoalView(msgspec.Struct):
    goal_id: str
    area: str
    area_prompt: str
    text: str
    partnership_id: str | None
    set_by: PersonRef
    set_at: datetime
    steps: list[StepNow]
    plan_steps: list[PlanStepRef]


class LookForSeen(msgspec.Struct):
    item: str
    prompt: str
    value: str | int | None  # what the observers agreed on; None when they differed
    differed: bool
    observers: int


class Evidence(msgspec.Struct):
    text: str
    item: str | None
    at: datetime


class PracticeView(msgspec.Struct):
    observation_id: str
    setting: str
    label: str | None
    catalog_version: int
    at: datetime
    observers: list[PersonRef]
    look_fors: list[LookForSeen]
    evidence: list[Evidence]


class PracticePoint(msgspec.Struct):
    observation_id: str
    at: datetime
    setting: str
    value: str | int | None
    differed: bool


class PracticeTrend(msgspec.Struct):
    item: str
    prompt: str
    points: list[PracticePoint]
    yes: int  # observations where the peers agreed on "yes"
    of: int  # observations where the peers agreed it was seen (not "not_observed")
    differed: int  # observations where the peers saw it differently: not in `of`


class LeadershipObservations(msgspec.Struct):
    observations: list[PracticeView]
    by_look_for: list[PracticeTrend]


class SupportEntry(msgspec.Struct):
    entry_id: str
    date: date
    kind: str
    line: str
    data_point: DataPoint | None
    by: PersonRef


class SupportRequest(msgspec.Struct):
    request_id: str
    area: str
    area_prompt: str
    text: str
    at: datetime


class PulsePoint(msgspec.Struct):
    partnership_id: str
    moment: PulseMoment
    answered_at: datetime
    scores: PulseScores


class Pulse(msgspec.Struct):
    shown: bool
    why: str | None
    questions: dict[str, str]
    answers: list[PulsePoint]


class SessionView(msgspec.Struct):
    session_id: str
    title: str
    date: date
    areas: list[str]
    attended: bool


class PartnershipRef(msgspec.Struct):
    id: str
    kind: str
    members: list[PersonRef]


class Area(msgspec.Struct):
    key: str
    prompt: str


class GrowthRecord(msgspec.Struct):
    user: PersonRef
    school: SchoolRef | None
    record_id: str  # where the record's events are synced (`visit_id` in /api/sync)
    relation: GrowthRelation
    leadership_catalog_version: int
    growth_areas: list[Area]
    linkable_steps: list[PlanStepRef]  # agreed steps of visits they hosted: goals link these
    partnerships: list[PartnershipRef]
    goals: list[GoalView]
    leadership_observations: LeadershipObservations
    support_log: list[SupportEntry]
    plan_adjustments: list[Adjustment]
    support_requests: list[SupportRequest]
    pulse: Pulse
    learning_sessions: list[SessionView]
    skills_version: int = 1  # the leadership skill vocabulary its inventory used


def growth_record(growth: Growth | None, user_id: str, relation: GrowthRelation,
                  district: District, hosted: Iterable[PlanStep] = ()) -> GrowthRecord:
    person = district.person(user_id)
    record = growth or Growth(id=growth_id(user_id), version=0, owner=user_id)
    prompts = _prompts(district)
    inventory = district.skills.get(user_id)
    school = district.schools.get(person.school_id) if person.school_id else None
    linkable = {(s.visit_id, s.step_id): PlanStepRef(
        visit_id=s.visit_id, step_id=s.step_id, visit_date=s.visit_date, text=s.text,
        status=s.status) for s in hosted}
    goals = [_goal(goal, district, prompts, linkable) for goal in record.goals.values()]
    return GrowthRecord(
        user=PersonRef(id=user_id, name=person.name),
        school=SchoolRef(id=school.school_id, name=school.name, level=school.level)
        if school else None,
        record_id=str(growth_id(user_id)),
        relation=relation,
        leadership_catalog_version=district.latest_version_of("leadership"),
        growth_areas=[Area(key=key, prompt=prompts.get(key, key))
                      for key in (inventory.growth_areas if inventory else ())],
        skills_version=(inventory.skills_version or 1) if inventory else 1,
        linkable_steps=list(linkable.values()),
        partnerships=[PartnershipRef(id=p.partnership_id, kind=p.kind,
                                     members=[_person(district, m) for m in p.members])
                      for p in district.partnerships.values() if user_id in p.members],
        goals=goals,
        leadership_observations=_leadership(record, district),
        support_log=sorted((SupportEntry(entry_id=entry.entry_id, date=entry.date,
                                         kind=entry.kind, line=entry.line,
                                         data_point=entry.data_point,
                                         by=_person(district, recorded.by))
                            for entry, recorded in record.support.values()),
                           key=lambda entry: (entry.date, entry.entry_id)),
        plan_adjustments=[adjustment for goal in goals for step in goal.steps
                          for adjustment in step.adjustments],
        support_requests=[SupportRequest(request_id=r.request_id, area=r.area,
                                         area_prompt=prompts.get(r.area, r.area),
                                         text=r.text, at=recorded.at)
                          for r, recorded in record.requests.values()],
        pulse=_pulse(record, relation),
        learning_sessions=[SessionView(session_id=s.session_id, title=s.title, date=s.date,
                                       areas=list(s.areas),
                                       attended=s.session_id in record.attended)
                           for s in sorted(district.sessions.values(),
                                           key=lambda s: (s.date, s.session_id))],
    )


def _person(district: District, user_id: str) -> PersonRef:
    found = district.people.get(user_id)
    return PersonRef(id=user_id, name=found.name if found else user_id)


def _prompts(district: District) -> dict[str, str]:
    """Every look-for's prompt and leadership skill's name by key, the latest version's
    wording winning."""
    prompts = {key: found.name for key, found in every_skill(district.skill_versions).items()}
    for version in range(1, district.latest_catalog_version() + 1):
        prompts.update({item.key: item.prompt for item in district.catalog(version).items})
    return prompts


def _goal(goal: Goal, district: District, prompts: dict[str, str],
          linkable: dict[tuple[str, str], PlanStepRef]) -> GoalView:
    steps = []
    for original in goal.goal.steps:
        adjustments = []
        before = original
        for amendment in goal.amendments:
            if amendment.amended.step_id != original.step_id:
                continue
            after = amended(before, amendment.amended)
            adjustments.append(Adjustment(
                goal_id=goal.goal.goal_id, step_id=original.step_id, at=amendment.at,
                by=_person(district, amendment.by), reason=amendment.amended.reason,
                changes=[Change(field=field, before=str(getattr(before, field)),
                                after=str(getattr(after, field)))
                         for field in AMENDABLE
                         if getattr(before, field) != getattr(after, field)]))
            before = after
        steps.append(StepNow(step_id=before.step_id, text=before.text, owner=before.owner,
                             due=before.due, success=before.success, original=original,
                             adjustments=adjustments))
    return GoalView(goal_id=goal.goal.goal_id, area=goal.goal.area,
                    area_prompt=prompts.get(goal.goal.area, goal.goal.area),
                    text=goal.goal.text, partnership_id=goal.goal.partnership_id,
                    set_by=_person(district, goal.set_by.by), set_at=goal.set_by.at,
                    steps=steps,
                    plan_steps=[linkable.get((str(link.visit_id), link.step_id)) or PlanStepRef(
                        visit_id=str(link.visit_id), step_id=link.step_id)
                        for link in goal.goal.plan_steps])


def _leadership(growth: Growth, district: District) -> LeadershipObservations:
    live = sorted((o for o in growth.observations.values() if not o.retracted),
                  key=lambda o: (o.recorded.at, o.started.observation_id))
    views = [_practice(o, district.leadership_catalog(o.started.catalog_version), district)
             for o in live]
    trends: dict[str, PracticeTrend] = {}
    for view in views:
        for seen in view.look_fors:
            trend = trends.setdefault(seen.item, PracticeTrend(
                item=seen.item, prompt=seen.prompt, points=[], yes=0, of=0, differed=0))
            trend.points.append(PracticePoint(observation_id=view.observation_id,
                                              at=view.at, setting=view.setting,
                                              value=seen.value, differed=seen.differed))
            if seen.differed:
                trend.differed += 1
            elif seen.value != "not_observed":
                trend.of += 1
                trend.yes += seen.value == "yes"
    return LeadershipObservations(observations=views, by_look_for=list(trends.values()))


def _practice(observation: PracticeObservation, look_fors: Catalog,
              district: District) -> PracticeView:
    seen = []
    for item in look_fors.items:
        values = [taps[item.key] for taps in observation.taps.values() if item.key in taps]
        if not values:
            continue
        agreed = values[0] if all(value == values[0] for value in values) else None
        seen.append(LookForSeen(item=item.key, prompt=item.prompt, value=agreed,
                                differed=agreed is None, observers=len(values)))
    started = observation.started
    return PracticeView(
        observation_id=started.observation_id, setting=started.setting, label=started.label,
        catalog_version=started.catalog_version, at=observation.recorded.at,
        observers=[_person(district, who) for who in
                   sorted({observation.recorded.by, *observation.taps})],
        look_fors=seen,
        evidence=[Evidence(text=note.text, item=note.item, at=recorded.at)
                  for note, recorded in observation.notes])


def _pulse(growth: Growth, relation: GrowthRelation) -> Pulse:
    if relation != "self":
        return Pulse(shown=False, questions=PULSE_QUESTIONS, answers=[],
                     why=f"pulse answers are the administrator's own; others see them "
                         f"only aggregated over at least {MIN_PULSE_PEOPLE} people")
    answers = sorted((PulsePoint(partnership_id=p.partnership_id, moment=p.moment,
                                 answered_at=recorded.at, scores=p.scores)
                      for p, recorded in growth.pulses.values()),
                     key=lambda p: (p.answered_at, PULSE_MOMENTS.index(p.moment)))
    return Pulse(shown=True, why=None, questions=PULSE_QUESTIONS, answers=answers)


# --- the district's view (organizers) -------------------------------------------------


class AreaCount(msgspec.Struct):
    area: str
    prompt: str
    people: int  # administrators naming it (inventory growth area, goal or request)
    goals: int
    requests: int


class PulseCell(msgspec.Struct):
    moment: str
    suppressed: bool
    people: int | None  # None when suppressed: no count under the minimum is shown
    means: dict[str, float] | None


class SessionAttendance(msgspec.Struct):
    session_id: str
    title: str
    date: date
    areas: list[str]
    attended: int


class DistrictGrowth(msgspec.Struct):
    records: int  # administrators with anything on their growth record
    areas: list[AreaCount]  # most often named first: what the district could offer
    pulse: list[PulseCell]
    min_pulse_people: int
    sessions: list[SessionAttendance]


def district_growth(records: Iterable[Growth], district: District) -> DistrictGrowth:
    kept = [record for record in records if record.version > 0]
    prompts = _prompts(district)
    named: dict[str, set[str]] = {}
    goals: dict[str, int] = {}
    requests: dict[str, int] = {}
    for inventory in district.skills.values():
        for area in inventory.growth_areas:
            named.setdefault(area, set()).add(inventory.user_id)
    for record in kept:
        for goal in record.goals.values():
            named.setdefault(goal.goal.area, set()).add(record.owner)
            goals[goal.goal.area] = goals.get(goal.goal.area, 0) + 1
        for request, _ in record.requests.values():
            named.setdefault(request.area, set()).add(record.owner)
            requests[request.area] = requests.get(request.area, 0) + 1
    areas = [AreaCount(area=area, prompt=prompts.get(area, area), people=len(people),
                       goals=goals.get(area, 0), requests=requests.get(area, 0))
             for area, people in named.items()]
    areas.sort(key=lambda a: (-(a.requests + a.goals + a.people), a.area))
    return DistrictGrowth(
        records=len(kept), areas=areas, pulse=pulse_cells(kept),
        min_pulse_people=MIN_PULSE_PEOPLE,
        sessions=[SessionAttendance(session_id=s.session_id, title=s.title, date=s.date,
                                    areas=list(s.areas),
                                    attended=sum(s.session_id in r.attended for r in kept))
                  for s in sorted(district.sessions.values(),
                                  key=lambda s: (s.date, s.session_id))])


def pulse_cells(records: Iterable[Growth]) -> list[PulseCell]:
    """Mean answers per moment over people (each person once); a moment answered by
    fewer than MIN_PULSE_PEOPLE people shows neither means nor a count."""
    by_moment = person_means(
        (record.owner, moment, msgspec.structs.asdict(answer.scores))
        for record in records for (_, moment), (answer, _) in record.pulses.items())
    cells = []
    for moment in PULSE_MOMENTS:
        people = list(by_moment.get(moment, {}).values())
        means = pulse_means(people)
        cells.append(PulseCell(
            moment=moment, suppressed=means is None,
            people=None if means is None else len(people),
            means=None if means is None else {q: round(m, 2) for q, m in means.items()}))
    return cells
