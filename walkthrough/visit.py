"""The visit aggregate: decide whether an event may happen, and evolve the state.

`decide` is pure: it raises a DomainError with a code when a rule refuses the
event. `evolve` changes the visit in place at a constant cost per event (a visit
may hold a hundred thousand taps), journaling each change, so that the group
commit can keep what it applied (`commit`) or undo it (`rollback`) when its
transaction fails or a job goes wrong.

A team observes together. Every capture rule looks only at the acting coach's
own earlier events and at the visit's phase, never at a teammate's: a coach's
own events arrive in their device's order, teammates' in any order, so what is
accepted never depends on how the team's tablets interleave (see
walkthrough.consensus for how their observations are combined).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Literal, NamedTuple, assert_never
from uuid import UUID

from walkthrough import events as ev
from walkthrough.access import Actor, Relation, visit_relation
from walkthrough.catalog import LookFor
from walkthrough.district import District, Rosters, no_rosters, screened_texts
from walkthrough.errors import DomainError
from walkthrough.events import (
    ActionPlanAgreed,
    CatalogPublished,
    CheckInRecorded,
    ClassroomCorrected,
    ClassroomEntered,
    ClassroomExited,
    ClassroomRetracted,
    ClassroomsMerged,
    DebriefStarted,
    Event,
    EvidenceNoted,
    LookForObserved,
    NeedsAssessmentRecorded,
    NextStepProposed,
    NextStepWithdrawn,
    ObservationRetracted,
    PartnershipFormed,
    PartnershipMeetingHeld,
    Payload,
    PersonRegistered,
    RootCauseNoted,
    RootCauseWithdrawn,
    SchoolRegistered,
    SchoolUpdateRecorded,
    SkillInventoryRecorded,
    TeachersNotified,
    ThankYouNoteLeft,
    VisitClosed,
    VisitPayload,
    VisitPlanned,
    VisitStarted,
    Withdrawal,
)
from walkthrough.kinds import is_free_text
from walkthrough.names import screen
from walkthrough.partnership import is_teacher_leader

Phase = Literal["preparation", "observation", "analysis", "support", "closed", "cancelled"]
MAX_STEPS = 2
# Phases in which the record of rooms may still be mended (corrections, merges,
# retractions): during the visit, and in the debrief where differences come up.
MENDING_PHASES: tuple[Phase, ...] = ("observation", "analysis")
OBSERVATIONS = (LookForObserved, EvidenceNoted, ThankYouNoteLeft)
Recorded = Callable[[str], bool]
"""Whether an event id (canonical text) is stored in the log (any visit, any type)."""


class Entry(NamedTuple):
    """A coach's own record of a room they entered, with their corrections."""

    label: str
    grade_band: str
    subject: str
    students_present: int | None
    retracted: bool = False


class Seen(NamedTuple):
    """An observation on record: who made it, where, and whether it was withdrawn."""

    actor: str
    type: str
    classroom_id: str
    item: str | None
    occurred_at: datetime
    retracted: bool


class Facts(NamedTuple):
    """What the server knows about an accepted event and records with it."""

    withdrawn: bool = False
    withdraws: Withdrawal | None = None


NO_FACTS = Facts()
WITHDRAWN = Facts(withdrawn=True)
_MISSING = object()


class Visit:
    """One visit's state. Mutated only by `evolve`; every change is journaled."""

    __slots__ = (
        "_undo",
        "agreed",
        "catalog_version",
        "date",
        "entries",
        "focus",
        "held",
        "host",
        "id",
        "live_entries",
        "observations",
        "phase",
        "root_causes",
        "school_id",
        "steps",
        "teachers_notified",
        "team",
        "version",
    )

    def __init__(self, id: UUID, version: int, plan: VisitPlanned) -> None:
        self.id = id
        self.version = version
        self.school_id = plan.school_id
        self.host = plan.host
        self.team = plan.team
        self.focus = plan.focus
        self.catalog_version = plan.catalog_version
        self.date: date = plan.date
        self.phase: Phase = "preparation"
        self.teachers_notified = False
        self.steps: dict[str, bool] = {}  # proposed step -> withdrawn
        # Event ids as canonical text (Event.event_id), here and below.
        self.root_causes: dict[str, bool] = {}  # noted root cause (event id) -> withdrawn
        self.agreed: tuple[str, ...] = ()
        self.entries: dict[tuple[str, str], Entry] = {}  # (coach, classroom id) -> entry
        self.live_entries = 0
        self.observations: dict[str, Seen] = {}
        self.held: dict[str, str] = {}  # retracted before arrival: event id -> coach
        self._undo: list[tuple[Any, Any, Any]] = []

    @property
    def weight(self) -> int:
        """Roughly how much memory the visit holds, in observations."""
        return 1 + len(self.observations) + len(self.entries) + len(self.held)

    def active_steps(self) -> list[str]:
        return [step_id for step_id, withdrawn in self.steps.items() if not withdrawn]

    def relation(self, actor: Actor) -> Relation | None:
        """How the actor relates to this visit, or None when it may not see it."""
        return visit_relation(actor, self.team, self.host)

    def entry(self, coach: str, classroom_id: str) -> Entry | None:
        return self.entries.get((coach, classroom_id))

    # --- the journal ----------------------------------------------------------------

    def mark(self) -> int:
        """A point to roll back to."""
        return len(self._undo)

    def rollback(self, mark: int = 0) -> None:
        """Undo every change made since `mark`."""
        undo = self._undo
        while len(undo) > mark:
            mapping, key, old = undo.pop()
            if mapping is None:
                setattr(self, key, old)
            elif old is _MISSING:
                del mapping[key]
            else:
                mapping[key] = old

    def commit(self) -> None:
        """Keep every change made so far: the journal starts again empty."""
        self._undo.clear()

    def _set(self, name: str, value: object) -> None:
        self._undo.append((None, name, getattr(self, name)))
        setattr(self, name, value)

    def _put(self, mapping: dict[Any, Any], key: object, value: object) -> None:
        self._undo.append((mapping, key, mapping.get(key, _MISSING)))
        mapping[key] = value

    def _remove(self, mapping: dict[Any, Any], key: object) -> None:
        if key in mapping:
            self._undo.append((mapping, key, mapping.pop(key)))


# --- deciding -------------------------------------------------------------------------


def decide(visit: Visit | None, actor: Actor, payload: VisitPayload, district: District,
           recorded: Recorded = lambda _: False, rosters: Rosters = no_rosters,
           today: date | None = None) -> None:
    """Raise DomainError unless `actor` may record `payload` on `visit` now.
    `recorded` tells whether an event id is in the log (for retractions); `rosters`
    gives a school's staff roster, which with the title rule screens free text;
    `today` is the district's date now (a visit starts on its day, not before)."""
    if type(payload) is LookForObserved and visit is not None:
        _decide_tap(visit, actor, payload, district, rosters)  # most events are taps
        return
    _decide_rules(visit, actor, payload, district, recorded)
    if isinstance(payload, VisitStarted) and visit is not None and today is not None \
            and today < visit.date:
        raise DomainError(f"this visit is planned for {visit.date:%A %d %B}; it can start "
                          "on that day", code="before_visit_day")
    school_id = payload.school_id if isinstance(payload, VisitPlanned) else \
        visit.school_id if visit is not None else None
    if isinstance(payload, LookForObserved) and visit is not None and not is_free_text(
            district.catalog(visit.catalog_version).item(payload.item).kind):
        return  # a value from the look-for's own list: no free text
    texts = screened_texts(district, payload)
    if school_id is not None and any(texts.values()):
        screen(texts, rosters(school_id))


def _decide_tap(visit: Visit, actor: Actor, payload: LookForObserved, district: District,
                rosters: Rosters) -> None:
    """A look-for tap, without the dispatch every other event goes through: the capture
    rules (`_decide_rules`), then its words screened only when the look-for takes free
    text (a value from the look-for's own list carries none)."""
    _require_capture(visit, actor)
    look_for = _tapped(visit, actor, payload, district)
    if is_free_text(look_for.kind):
        texts = screened_texts(district, payload)
        if any(texts.values()):
            screen(texts, rosters(visit.school_id))


def _tapped(visit: Visit, actor: Actor, payload: LookForObserved, district: District,
            ) -> LookFor:
    """The look-for a tap names, once its value fits it (in the coach's own room)."""
    own = _own_room(visit, actor, payload.classroom_id)
    look_for = district.catalog(visit.catalog_version).item(payload.item)
    look_for.validate(payload.value, payload.method, own.students_present)
    return look_for


def _decide_rules(visit: Visit | None, actor: Actor, payload: VisitPayload,
                  district: District, recorded: Recorded) -> None:
    if isinstance(payload, VisitPlanned):
        _decide_planned(visit, actor, payload, district)
        return
    if visit is None:
        raise DomainError("no such visit", code="unknown_visit")
    match payload:
        case ClassroomEntered() | LookForObserved() | EvidenceNoted() | ThankYouNoteLeft() \
                | ClassroomExited():
            _require_capture(visit, actor)
            _decide_capture(visit, actor, payload, district)
        case ClassroomCorrected() | ClassroomsMerged() | ClassroomRetracted() \
                | ObservationRetracted():
            _require_mending(visit, actor)
            _decide_mending(visit, actor, payload, recorded)
        case ev.VisitRescheduled() | ev.VisitCancelled():
            _require(visit, actor, ("organizer",))
            _require_phase(visit, "preparation", "a visit is rescheduled or cancelled "
                           "before it starts")
        case TeachersNotified():
            _require(visit, actor, ("host", "organizer"))
            if visit.phase != "preparation":
                raise DomainError("teachers are notified before the visit starts",
                                  code="invalid_phase")
        case VisitStarted():
            _require(visit, actor, ("host", "organizer", "team"))
            if visit.phase != "preparation":
                raise DomainError(f"the visit is already in phase {visit.phase}",
                                  code="invalid_phase")
            if not visit.teachers_notified:
                raise DomainError("teachers must be told the visit is nonevaluative first",
                                  code="teachers_not_notified")
        case SchoolUpdateRecorded():
            _require(visit, actor, ("host", "organizer"))
            _require_open(visit)
        case DebriefStarted():
            _require(visit, actor, ("team", "host", "organizer"))
            _require_phase(visit, "observation", "the debrief follows the observation")
            if not visit.live_entries:
                raise DomainError("no classroom was visited yet; observe before the debrief",
                                  code="nothing_observed")
        case RootCauseNoted() | NextStepProposed() | NextStepWithdrawn() | RootCauseWithdrawn():
            _require(visit, actor, ("team", "host", "organizer"))
            _require_phase(visit, "analysis",
                           "root causes and next steps belong to the debrief")
            _decide_debrief(visit, payload, district)
        case ActionPlanAgreed():
            _require(visit, actor, ("host", "organizer"))
            _require_phase(visit, "analysis", "the action plan is agreed in the debrief")
            active = visit.active_steps()
            if len(set(payload.step_ids)) != len(payload.step_ids):
                raise DomainError("each step is listed once", code="invalid_plan")
            for step_id in payload.step_ids:
                if step_id not in active:
                    raise DomainError(f"no proposed step {step_id!r} on this visit",
                                      code="unknown_step")
        case CheckInRecorded():
            # The host owns the plan; the visit's coaches support it between visits
            # (e.g. a coach and an assistant principal meeting weekly for a month).
            _require(visit, actor, ("host", "organizer", "team"))
            _require_open(visit)
            _require_phase(visit, "support", "check-ins follow an agreed action plan")
            if payload.step_id not in visit.agreed:
                raise DomainError(f"step {payload.step_id!r} is not in the agreed action plan",
                                  code="unknown_step")
        case VisitClosed():
            _require(visit, actor, ("host", "organizer"))
            _require_open(visit)
            _require_phase(visit, "support", "a visit closes after its action plan's support")
        case _:
            assert_never(payload)


def _decide_planned(
    visit: Visit | None, actor: Actor, payload: VisitPlanned, district: District
) -> None:
    if visit is not None:
        raise DomainError("this visit is already planned", code="visit_exists")
    exchange = _exchange_of(payload, district)
    if not actor.has("organizer") and (exchange is None or actor.user_id not in exchange):
        raise DomainError("only organizers plan visits (and a Leadership Learning "
                          "Partnership its own visit exchange)", code="forbidden")
    district.catalog(payload.catalog_version)
    district.school(payload.school_id)
    host = district.person(payload.host)
    if host.school_id != payload.school_id or is_teacher_leader(host):
        raise DomainError("the host must be an administrator of the visited school",
                          code="host_not_at_school")
    if len(set(payload.team)) != len(payload.team) or payload.host in payload.team:
        raise DomainError("the team lists distinct peers, not the host", code="invalid_team")
    if not (1 if exchange else 2) <= len(payload.team) <= 4:
        raise DomainError("a visit team has 2 to 4 peers", code="invalid_team")
    for member in payload.team:
        if district.person(member).school_id == payload.school_id:
            raise DomainError(f"{member!r} works at the host school; peers come from "
                              "other campuses", code="team_from_host_school")


def _exchange_of(payload: VisitPlanned, district: District) -> tuple[str, ...] | None:
    """The pair whose visit exchange this is: a Leadership Learning Partnership's visit
    at one partner's school (the host) with the other on the team. None when the visit
    names no partnership; refused when it names one and is not its exchange."""
    if payload.partnership_id is None:
        return None
    found = district.partnerships.get(payload.partnership_id)
    if found is None or found.kind != "leadership_learning":
        raise DomainError("a visit exchange belongs to a Leadership Learning Partnership",
                          code="not_an_exchange")
    if payload.host not in found.members or not set(found.members) <= {
            payload.host, *payload.team}:
        raise DomainError("a visit exchange is hosted by one partner with the other on the "
                          "team", code="not_an_exchange")
    return found.members


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
    elif isinstance(payload, RootCauseWithdrawn):
        noted = visit.root_causes.get(str(payload.event_id))
        if noted is None:
            raise DomainError("no root cause noted on this visit with that id",
                              code="unknown_root_cause")
        if noted:
            raise DomainError("that root cause is already withdrawn", code="already_withdrawn")


def _require_capture(visit: Visit, actor: Actor) -> None:
    """Taps and rooms are recorded by the team, while the visit is in observation."""
    if actor.user_id not in visit.team:
        raise DomainError("only the visit team records observations", code="not_on_team")
    if visit.phase == "preparation":
        raise DomainError("the visit has not started: the host starts it when the team "
                          "arrives, then capture opens", code="visit_not_started")
    if visit.phase == "closed":
        raise DomainError("the visit is closed", code="visit_closed")
    if visit.phase != "observation":
        raise DomainError(f"observation is over (the visit is in phase {visit.phase}): "
                          "taps recorded after the debrief started are not added",
                          code="observation_over")


def _require_mending(visit: Visit, actor: Actor) -> None:
    """Corrections, merges and retractions: by the team, until the plan is agreed."""
    if actor.user_id not in visit.team:
        raise DomainError("only the visit team mends its observations", code="not_on_team")
    if visit.phase == "preparation":
        raise DomainError("the visit has not started", code="visit_not_started")
    if visit.phase == "closed":
        raise DomainError("the visit is closed", code="visit_closed")
    if visit.phase not in MENDING_PHASES:
        raise DomainError("the action plan is agreed: the visit's observations no longer "
                          "change", code="observation_over")


def _decide_capture(visit: Visit, actor: Actor, payload: Payload,
                    district: District) -> None:
    if isinstance(payload, ClassroomEntered):
        own = visit.entry(actor.user_id, payload.classroom_id)
        if own is None:
            return
        if own.retracted:
            raise DomainError("you withdrew this room; enter it again as a new room",
                              code="classroom_retracted")
        if (own.label, own.grade_band, own.subject) != (
                payload.label, payload.grade_band, payload.subject):
            raise DomainError("you entered this classroom with other details; correct them "
                              "instead", code="classroom_conflict")
        return
    assert isinstance(payload, (LookForObserved, EvidenceNoted, ThankYouNoteLeft,
                                ClassroomExited))
    if isinstance(payload, LookForObserved):
        _tapped(visit, actor, payload, district)
        return
    _own_room(visit, actor, payload.classroom_id)
    if isinstance(payload, EvidenceNoted) and payload.item is not None:
        district.catalog(visit.catalog_version).item(payload.item)


def _decide_mending(visit: Visit, actor: Actor, payload: Payload, recorded: Recorded) -> None:
    if isinstance(payload, ClassroomCorrected):
        _own_room(visit, actor, payload.classroom_id)
        if (payload.label, payload.grade_band, payload.subject,
                payload.students_present) == (None, None, None, None):
            raise DomainError("a correction names at least one detail to correct",
                              code="nothing_to_correct")
    elif isinstance(payload, ClassroomRetracted):
        own = visit.entry(actor.user_id, payload.classroom_id)
        if own is None:
            raise DomainError("you did not enter this classroom", code="classroom_not_entered")
        if own.retracted:
            raise DomainError("you already withdrew this room", code="already_retracted")
    elif isinstance(payload, ClassroomsMerged):
        # Accepted whether or not both rooms are known yet: a teammate's entry may still
        # be on its way, and the merge applies as soon as both are there.
        if payload.classroom_id == payload.into:
            raise DomainError("a room is merged into another room", code="invalid_merge")
    else:
        assert isinstance(payload, ObservationRetracted)
        _decide_retraction(visit, actor, payload, recorded)


def _decide_retraction(visit: Visit, actor: Actor, payload: ObservationRetracted,
                       recorded: Recorded) -> None:
    target_id = str(payload.event_id)
    target = visit.observations.get(target_id)
    if target is None:
        if target_id in visit.held:
            raise DomainError("that observation is already retracted",
                              code="already_retracted")
        if recorded(target_id):
            raise DomainError("only a tap, an evidence note or a thank-you note of this "
                              "visit can be withdrawn", code="not_retractable")
        return  # not arrived yet: held, and it never counts when it arrives
    if target.actor != actor.user_id:
        raise DomainError("coaches withdraw their own observations only",
                          code="not_your_observation")
    if target.retracted:
        raise DomainError("that observation is already retracted", code="already_retracted")


def _own_room(visit: Visit, actor: Actor, classroom_id: str) -> Entry:
    own = visit.entry(actor.user_id, classroom_id)
    if own is None:
        raise DomainError("enter the classroom before recording in it",
                          code="classroom_not_entered")
    if own.retracted:
        raise DomainError("you withdrew this room", code="classroom_retracted")
    return own


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
    if visit.phase == "cancelled":
        raise DomainError("the visit was cancelled", code="visit_cancelled")
    if visit.phase != phase:
        raise DomainError(f"{why}; the visit is in phase {visit.phase}",
                          code="invalid_phase")


def facts(visit: Visit | None, actor: Actor, event_id: str, payload: Payload) -> Facts:
    """What the server records with an accepted event besides its payload."""
    if visit is None:
        return Facts()
    if isinstance(payload, OBSERVATIONS):
        return WITHDRAWN if visit.held.get(event_id) == actor.user_id else NO_FACTS
    if isinstance(payload, ObservationRetracted):
        target = visit.observations.get(str(payload.event_id))
        if target is not None:
            return Facts(withdraws=Withdrawal(type=target.type,
                                              classroom_id=target.classroom_id,
                                              item=target.item,
                                              occurred_at=target.occurred_at))
    return Facts()


# --- evolving -------------------------------------------------------------------------


def evolve(visit: Visit | None, event: Event) -> Visit:
    """The visit after `event`: a new one for VisitPlanned, else `visit`, changed."""
    payload = event.payload
    if isinstance(payload, VisitPlanned):
        return Visit(event.originator_id, event.originator_version, payload)
    assert visit is not None, "a visit starts with VisitPlanned"
    visit._set("version", event.originator_version)
    match payload:
        case LookForObserved() | EvidenceNoted() | ThankYouNoteLeft():
            _observed(visit, event, payload)
        case ClassroomEntered():
            _entered(visit, event.actor, payload)
        case ClassroomCorrected():
            _corrected(visit, event.actor, payload)
        case ClassroomRetracted():
            key = (event.actor, payload.classroom_id)
            visit._put(visit.entries, key, visit.entries[key]._replace(retracted=True))
            visit._set("live_entries", visit.live_entries - 1)
        case ObservationRetracted():
            target_id = str(payload.event_id)
            target = visit.observations.get(target_id)
            if target is None:
                visit._put(visit.held, target_id, event.actor)
            else:
                visit._put(visit.observations, target_id, target._replace(retracted=True))
        case ev.VisitRescheduled():
            visit._set("date", payload.date)
        case ev.VisitCancelled():
            visit._set("phase", "cancelled")
        case TeachersNotified():
            visit._set("teachers_notified", True)
        case VisitStarted():
            visit._set("phase", "observation")
        case DebriefStarted():
            visit._set("phase", "analysis")
        case NextStepProposed():
            visit._put(visit.steps, payload.step_id, False)
        case NextStepWithdrawn():
            visit._put(visit.steps, payload.step_id, True)
        case RootCauseNoted():
            visit._put(visit.root_causes, event.event_id, False)
        case RootCauseWithdrawn():
            visit._put(visit.root_causes, str(payload.event_id), True)
        case ActionPlanAgreed():
            visit._set("phase", "support")
            visit._set("agreed", payload.step_ids)
        case VisitClosed():
            visit._set("phase", "closed")
        case ClassroomExited() | ClassroomsMerged() | SchoolUpdateRecorded() \
                | CheckInRecorded():
            pass  # nothing any later decision depends on
        case SchoolRegistered() | PersonRegistered() | NeedsAssessmentRecorded() \
                | ev.DistrictNamed() | ev.SchoolChanged() | ev.PersonChanged() \
                | ev.PersonDeactivated() | ev.PersonReactivated() | ev.SchoolCalendarSet() \
                | ev.CalendarFeedReset() | ev.RemindersChosen() \
                | SkillInventoryRecorded() | PartnershipFormed() | CatalogPublished() \
                | PartnershipMeetingHeld() | ev.LearningSessionOffered() | ev.GoalSet() \
                | ev.StepAmended() | ev.PracticeObservationStarted() | ev.PracticeObserved() \
                | ev.PracticeNoted() | ev.PracticeObservationRetracted() | ev.SupportLogged() \
                | ev.SupportRequested() | ev.PulseAnswered() | ev.LearningSessionAttended() \
                | ev.MeetingStepCheckedIn() | ev.ConversationGuidesPublished() \
                | ev.LeadershipSkillsPublished() | ev.StepNudged() \
                | ev.GroundRulesAcknowledged():
            raise AssertionError(f"{event.type} is not a visit event")
        case _:
            assert_never(payload)
    return visit


def _observed(visit: Visit, event: Event,
              payload: LookForObserved | EvidenceNoted | ThankYouNoteLeft) -> None:
    held_by = visit.held.get(event.event_id)
    retracted = event.withdrawn or held_by == event.actor
    if retracted:
        visit._remove(visit.held, event.event_id)
    item = payload.item if isinstance(payload, (LookForObserved, EvidenceNoted)) else None
    visit._put(visit.observations, event.event_id, Seen(
        event.actor, event.type, payload.classroom_id, item, event.occurred_at, retracted))


def _entered(visit: Visit, coach: str, payload: ClassroomEntered) -> None:
    key = (coach, payload.classroom_id)
    own = visit.entries.get(key)
    if own is None:
        visit._put(visit.entries, key, Entry(payload.label, payload.grade_band,
                                             payload.subject, payload.students_present))
        visit._set("live_entries", visit.live_entries + 1)
    elif payload.students_present is not None:  # going back in, with a new head count
        visit._put(visit.entries, key, own._replace(students_present=payload.students_present))


def _corrected(visit: Visit, coach: str, payload: ClassroomCorrected) -> None:
    key = (coach, payload.classroom_id)
    own = visit.entries[key]
    visit._put(visit.entries, key, Entry(
        label=payload.label or own.label,
        grade_band=payload.grade_band or own.grade_band,
        subject=payload.subject or own.subject,
        students_present=(own.students_present if payload.students_present is None
                          else payload.students_present)))


def project_visit(visit: Visit | None, events: Iterable[Event]) -> Visit | None:
    """Fold stored events into the visit and keep the result (an empty journal)."""
    for event in events:
        visit = evolve(visit, event)
    if visit is not None:
        visit.commit()
    return visit
