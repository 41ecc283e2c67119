"""Events: what happened, in the past tense, as frozen msgspec Structs.

Each payload type carries a stable tag (its name in the API and in the log);
tags are never renamed or reused, and new fields are optional with defaults.
Every stored event is an `Event` envelope around one payload: who recorded it,
from which device, when it happened on the client (`occurred_at`) and when the
server recorded it (`timestamp`, which with the log position decides order).
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from walkthrough.catalog import LookFor
from walkthrough.roles import Role
from walkthrough.school_calendar import MAX_CLOSURES, Closure

Slug = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
# An address people sign in with (OpenID Connect's verified email, emailed links): kept
# in lower case, so the same address is the same person however it was typed.
Email = Annotated[str, msgspec.Meta(
    pattern=r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"
            r"(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$",
    max_length=254)]
# The id a student information system gives a school or a person (OneRoster sourcedId).
SourceId = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
UserId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_.-]{1,64}$")]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
GradeBand = Literal["PK-2", "3-5", "6-8", "9-12"]
Subject = Literal[
    "math", "ela", "science", "social_studies", "arts", "pe", "world_languages", "cte",
    "special_education", "other",
]
SchoolLevel = Literal["elementary", "middle", "high", "k8", "other"]
StudentsPresent = Annotated[int, msgspec.Meta(ge=0, le=60)]
TapValue = str | Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31)]
ItemKey = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
ItemKeys = Annotated[tuple[ItemKey, ...], msgspec.Meta(max_length=20)]
SkillsVersion = Annotated[int, msgspec.Meta(ge=1)]
AdministratorRole = Literal["principal", "assistant_principal", "other"]
PartnershipKind = Literal["leadership_learning", "critical_friends", "network"]
CheckInStatus = Literal["on_track", "at_risk", "done"]
Progress = Annotated[float, msgspec.Meta(ge=-1e9, le=1e9)] | ShortText
CatalogKind = Literal["classroom", "leadership"]
PracticeSetting = Literal[
    "plc_meeting", "team_meeting", "feedback_conversation", "staff_debrief", "other"]
SupportKind = Literal[
    "coaching_meeting", "call", "text", "spontaneous_debrief", "email", "other"]
PulseMoment = Literal["start", "middle", "end"]
PulseScore = Annotated[int, msgspec.Meta(ge=1, le=5)]


class Payload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True,
              tag_field="type"):
    """Base of every event payload; the tag is the event's type name."""


# --- district -----------------------------------------------------------------------


Roles = Annotated[tuple[Role, ...], msgspec.Meta(min_length=1, max_length=4)]


class DistrictNamed(Payload, frozen=True, tag="DistrictNamed"):
    """The district's name (`walkthrough init`, or its row in a roster export)."""

    name: Label
    source_id: SourceId | None = None


class SchoolRegistered(Payload, frozen=True, tag="SchoolRegistered"):
    school_id: Slug
    name: Label
    level: SchoolLevel
    source_id: SourceId | None = None  # the roster's sourcedId, the key of a re-import
    identifier: ShortText | None = None  # the roster's own school number, when given


class SchoolChanged(Payload, frozen=True, tag="SchoolChanged"):
    """What changed about a school: each field given is its new value."""

    school_id: Slug
    name: Label | msgspec.UnsetType = msgspec.UNSET
    level: SchoolLevel | msgspec.UnsetType = msgspec.UNSET
    identifier: ShortText | msgspec.UnsetType | None = msgspec.UNSET


class PersonRegistered(Payload, frozen=True, tag="PersonRegistered"):
    user_id: UserId
    name: Label
    roles: Roles
    school_id: Slug | None = None
    email: Email | None = None  # how they sign in: a district account or an emailed link
    source_id: SourceId | None = None  # the roster's sourcedId, the key of a re-import


class PersonChanged(Payload, frozen=True, tag="PersonChanged"):
    """What changed about a person (renamed, a new email, moved school, roles changed):
    each field given is its new value; history keeps the old ones."""

    user_id: UserId
    name: Label | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    school_id: Slug | msgspec.UnsetType | None = msgspec.UNSET
    roles: Roles | msgspec.UnsetType = msgspec.UNSET


class PersonDeactivated(Payload, frozen=True, tag="PersonDeactivated"):
    """The person no longer takes part: their devices are signed out; history stays."""

    user_id: UserId
    reason: ShortText | None = None


class PersonReactivated(Payload, frozen=True, tag="PersonReactivated"):
    user_id: UserId


# --- preparation (on the district) ---------------------------------------------------


class NeedsAssessmentRecorded(Payload, frozen=True, tag="NeedsAssessmentRecorded"):
    """A school's needs: focus areas (look-for keys of a catalog) plus free text.
    A later assessment of the same school supersedes the earlier one."""

    school_id: Slug
    catalog_version: Annotated[int, msgspec.Meta(ge=1)]
    focus_areas: Annotated[tuple[ItemKey, ...], msgspec.Meta(min_length=1, max_length=20)]
    notes: LongText | None = None
    # The leadership skill vocabulary version its skill keys come from (None: version 1,
    # as every assessment recorded before the vocabulary was versioned).
    skills_version: SkillsVersion | None = None


class SkillInventoryRecorded(Payload, frozen=True, tag="SkillInventoryRecorded"):
    """An administrator's role, strengths and growth areas (look-for keys)."""

    user_id: UserId
    role: AdministratorRole
    catalog_version: Annotated[int, msgspec.Meta(ge=1)]
    strengths: ItemKeys = ()
    growth_areas: ItemKeys = ()
    notes: LongText | None = None
    skills_version: SkillsVersion | None = None  # None: version 1 (recorded before versions)


class UnmatchedMember(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A member the organizer added although matching did not propose them, and why."""

    user_id: UserId
    reason: ShortText


class PartnershipFormed(Payload, frozen=True, tag="PartnershipFormed"):
    """A Leadership Learning Partnership (a pair) or a Critical Friends Group (4-6
    members, facilitation rotating in the order the members are listed)."""

    partnership_id: Slug
    kind: PartnershipKind
    members: Annotated[tuple[UserId, ...], msgspec.Meta(min_length=2, max_length=6)]
    starts: date
    focus: ShortText | None = None
    unmatched: Annotated[tuple[UnmatchedMember, ...], msgspec.Meta(max_length=5)] = ()
    # A cross-role network's one capability (a key of walkthrough.skills).
    capability: ItemKey | None = None


class MeetingStep(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A next step agreed at a partnership meeting: owner, due date, definition of success."""

    step_id: Slug
    text: Text
    owner: Label
    due: date
    success: Text


class PartnershipMeetingHeld(Payload, frozen=True, tag="PartnershipMeetingHeld"):
    """A meeting of a partnership or Critical Friends Group, ending with one or two next
    steps; the next meeting starts with progress on them. A CFG names its facilitator
    (a member; facilitation rotates, so never the same one twice in a row)."""

    partnership_id: Slug
    meeting_id: Slug
    date: date
    next_steps: Annotated[tuple[MeetingStep, ...], msgspec.Meta(min_length=1, max_length=2)]
    facilitator: UserId | None = None
    notes: LongText | None = None
    # What the meeting worked on: a presenter (a member) and their dilemma, under a
    # protocol of walkthrough.protocols (its key).
    presenter: UserId | None = None
    dilemma: Text | None = None
    protocol: ItemKey | None = None
    # A Leadership Learning Partnership's conversation: its shared reading or problem,
    # and the version of the conversation guides it followed (walkthrough.guides).
    reading: Text | None = None
    guides_version: Annotated[int, msgspec.Meta(ge=1)] | None = None


class ConversationGuide(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a Leadership Learning Partnership talks about at one of its first meetings."""

    title: ShortText
    prompts: Annotated[tuple[ShortText, ...], msgspec.Meta(min_length=1, max_length=8)]


class LeadershipSkill(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One leadership skill of the vocabulary: a stable key and what people read."""

    key: ItemKey
    name: ShortText


class LeadershipSkillsPublished(Payload, frozen=True, tag="LeadershipSkillsPublished"):
    """A new version of the leadership skill vocabulary (version 1 is built in, from the
    seeds); inventories, needs and goals recorded on an older version keep theirs."""

    version: Annotated[int, msgspec.Meta(ge=2)]
    skills: Annotated[tuple[LeadershipSkill, ...], msgspec.Meta(min_length=1, max_length=40)]
    notes: ShortText | None = None


class ConversationGuidesPublished(Payload, frozen=True, tag="ConversationGuidesPublished"):
    """A new version of the guides for a partnership's first conversations (the first
    guide for the first conversation, and so on); version 1 is built in."""

    version: Annotated[int, msgspec.Meta(ge=2)]
    guides: Annotated[tuple[ConversationGuide, ...], msgspec.Meta(min_length=1, max_length=6)]
    notes: ShortText | None = None


class GroundRulesAcknowledged(Payload, frozen=True, tag="GroundRulesAcknowledged"):
    """A member of a cross-role network acknowledges its ground rules (which flatten
    hierarchy), by themself, before the network's first meeting closes."""

    partnership_id: Slug


NudgeSource = Literal["visit", "meeting", "goal"]


class StepNudged(Payload, frozen=True, tag="StepNudged"):
    """An organizer's nudge to the owner of an open step (what is open, one tap): an
    email to each recipient, at most one nudge per step a day. The step is named by
    where it was agreed: a visit's action plan, a partnership meeting, a growth goal."""

    source: NudgeSource
    step_id: Slug
    date: date  # the district's day it was sent (the server's, never the tablet's)
    recipients: Annotated[tuple[UserId, ...], msgspec.Meta(min_length=1, max_length=6)]
    visit_id: Slug | None = None
    partnership_id: Slug | None = None
    meeting_id: Slug | None = None
    goal_id: Slug | None = None
    owner_id: UserId | None = None  # a goal step: whose growth record

    def step_ref(self) -> str:
        return step_ref(self.source, self.step_id, self.visit_id, self.partnership_id,
                        self.meeting_id, self.goal_id, self.owner_id)


def step_ref(source: str, step_id: str, visit_id: str | None, partnership_id: str | None,
             meeting_id: str | None, goal_id: str | None, owner_id: str | None) -> str:
    """An open step, wherever it was agreed: one key for it across the log."""
    where = {"visit": f"{visit_id}", "meeting": f"{partnership_id}/{meeting_id}",
             "goal": f"{owner_id}/{goal_id}"}.get(source, "")
    return f"{source}:{where}:{step_id}"


class MeetingStepCheckedIn(Payload, frozen=True, tag="MeetingStepCheckedIn"):
    """Progress on a next step agreed at a partnership meeting, recorded by a member or
    an organizer between meetings: the next meeting opens with it, and cannot close
    before every step of the last meeting has some."""

    partnership_id: Slug
    meeting_id: Slug
    step_id: Slug
    status: CheckInStatus
    progress: Progress | None = None
    note: Text | None = None


class CatalogPublished(Payload, frozen=True, tag="CatalogPublished"):
    """A new look-for catalog version; visits planned on older versions keep theirs."""

    version: Annotated[int, msgspec.Meta(ge=2)]
    items: Annotated[tuple[LookFor, ...], msgspec.Meta(min_length=1, max_length=60)]
    notes: ShortText | None = None
    # Classroom look-fors (visits) or leadership practice look-fors (growth records):
    # each kind numbers its own versions, from the built-in version 1.
    kind: CatalogKind = "classroom"


class SchoolCalendarSet(Payload, frozen=True, tag="SchoolCalendarSet"):
    """The district's days without school (breaks, holidays), whole: it replaces the one
    before; weekends are never school days."""

    closures: Annotated[tuple[Closure, ...], msgspec.Meta(max_length=MAX_CLOSURES)]
    source: Literal["entered", "icalendar", "csv"] = "entered"


class CalendarFeedReset(Payload, frozen=True, tag="CalendarFeedReset"):
    """A person's private calendar feed gets a new address; the old one stops working."""

    user_id: UserId


class RemindersChosen(Payload, frozen=True, tag="RemindersChosen"):
    """Whether a person gets email reminders of check-ins due (on unless turned off)."""

    user_id: UserId
    on: bool


class LearningSessionOffered(Payload, frozen=True, tag="LearningSessionOffered"):
    """A professional-learning session the district offers in response to the growth
    areas and support requests its administrators name."""

    session_id: Slug
    title: ShortText
    date: date
    areas: ItemKeys = ()


# --- visit lifecycle ----------------------------------------------------------------


VisitMinutes = Annotated[int, msgspec.Meta(ge=30, le=480)]
DEFAULT_VISIT_MINUTES = 150  # a visit is 2-3 hours on site


class VisitPlanned(Payload, frozen=True, tag="VisitPlanned"):
    school_id: Slug
    host: UserId
    team: Annotated[tuple[UserId, ...], msgspec.Meta(min_length=1, max_length=4)]
    focus: ShortText
    catalog_version: Annotated[int, msgspec.Meta(ge=1)]
    date: date
    starts_at: time | None = None  # the school's local time (WALKTHROUGH_TIME_ZONE)
    minutes: VisitMinutes | None = None  # on site; DEFAULT_VISIT_MINUTES when not given
    # A Leadership Learning Partnership's visit exchange: a visit at one partner's
    # school with the other on the team, planned by the pair themselves.
    partnership_id: Slug | None = None


class VisitRescheduled(Payload, frozen=True, tag="VisitRescheduled"):
    """A planned visit moves to another day or time (invitations are sent again)."""

    date: date
    starts_at: time | None = None
    minutes: VisitMinutes | None = None
    reason: ShortText | None = None


class VisitCancelled(Payload, frozen=True, tag="VisitCancelled"):
    """A visit that will not take place (before it starts)."""

    reason: ShortText | None = None


class TeachersNotified(Payload, frozen=True, tag="TeachersNotified"):
    note: Text | None = None


class VisitStarted(Payload, frozen=True, tag="VisitStarted"):
    pass


class SchoolUpdateRecorded(Payload, frozen=True, tag="SchoolUpdateRecorded"):
    text: LongText


class VisitClosed(Payload, frozen=True, tag="VisitClosed"):
    pass


# --- classroom ----------------------------------------------------------------------


class ClassroomEntered(Payload, frozen=True, tag="ClassroomEntered"):
    classroom_id: Slug
    label: Label
    grade_band: GradeBand
    subject: Subject
    students_present: StudentsPresent | None = None


class LookForObserved(Payload, frozen=True, tag="LookForObserved"):
    classroom_id: Slug
    item: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    value: str | int
    method: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class EvidenceNoted(Payload, frozen=True, tag="EvidenceNoted"):
    classroom_id: Slug
    text: Text
    item: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class ThankYouNoteLeft(Payload, frozen=True, tag="ThankYouNoteLeft"):
    classroom_id: Slug
    text: Text | None = None


class ClassroomExited(Payload, frozen=True, tag="ClassroomExited"):
    classroom_id: Slug


class ObservationRetracted(Payload, frozen=True, tag="ObservationRetracted"):
    """Withdraws one of the coach's own taps, evidence notes or thank-you notes. A
    retraction that arrives before its target is held: the target never counts."""

    event_id: UUID
    reason: ShortText


class ClassroomCorrected(Payload, frozen=True, tag="ClassroomCorrected"):
    """Corrects what the coach recorded about a room they entered; at least one field."""

    classroom_id: Slug
    label: Label | None = None
    grade_band: GradeBand | None = None
    subject: Subject | None = None
    students_present: StudentsPresent | None = None


class ClassroomsMerged(Payload, frozen=True, tag="ClassroomsMerged"):
    """Two rooms the team recorded under different labels are one room."""

    classroom_id: Slug
    into: Slug


class ClassroomRetracted(Payload, frozen=True, tag="ClassroomRetracted"):
    """Withdraws the coach's own entry of a room entered by mistake, and with it
    everything the coach recorded in that room."""

    classroom_id: Slug
    reason: ShortText


# --- debrief and support ------------------------------------------------------------


class DebriefStarted(Payload, frozen=True, tag="DebriefStarted"):
    """Observation is over: the visit moves to analysis."""


class RootCauseNoted(Payload, frozen=True, tag="RootCauseNoted"):
    text: Text
    item: ItemKey | None = None


class NextStepProposed(Payload, frozen=True, tag="NextStepProposed"):
    step_id: Slug
    text: Text
    owner: Label
    due: date
    success: Text


class NextStepWithdrawn(Payload, frozen=True, tag="NextStepWithdrawn"):
    """A proposed step taken back before the plan is agreed (frees its place)."""

    step_id: Slug
    reason: ShortText | None = None


class RootCauseWithdrawn(Payload, frozen=True, tag="RootCauseWithdrawn"):
    """A root cause the team noted, taken back before the plan is agreed: what the team
    writes in a debrief can be withdrawn by a later event (RootCauseNoted's event id)."""

    event_id: UUID
    reason: ShortText | None = None


class ActionPlanAgreed(Payload, frozen=True, tag="ActionPlanAgreed"):
    """The one or two steps the school commits to: the visit moves to support."""

    step_ids: Annotated[tuple[Slug, ...], msgspec.Meta(min_length=1, max_length=2)]


class CheckInRecorded(Payload, frozen=True, tag="CheckInRecorded"):
    step_id: Slug
    status: CheckInStatus
    progress: Progress | None = None
    note: Text | None = None


# --- an administrator's growth record ------------------------------------------------
#
# One record per administrator (its id: walkthrough.district.growth_id), written by
# the administrator and their peers through the same sync as a visit, with the
# record's id in `visit_id`.


class GoalStep(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One of the one or two steps of a growth goal."""

    step_id: Slug
    text: Text
    owner: Label
    due: date
    success: Text


class PlanStepLink(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An agreed action-plan step of a visit the administrator hosted."""

    visit_id: UUID
    step_id: Slug


class GoalSet(Payload, frozen=True, tag="GoalSet"):
    """A growth goal chosen with a peer, from the skill inventory's growth areas."""

    goal_id: Slug
    area: ItemKey
    text: Text
    steps: Annotated[tuple[GoalStep, ...], msgspec.Meta(min_length=1, max_length=2)]
    plan_steps: Annotated[tuple[PlanStepLink, ...], msgspec.Meta(max_length=4)] = ()
    partnership_id: Slug | None = None
    skills_version: SkillsVersion | None = None  # its area's vocabulary (None: version 1)


class StepAmended(Payload, frozen=True, tag="StepAmended"):
    """A goal step adjusted as circumstances change; the original stays in the log."""

    goal_id: Slug
    step_id: Slug
    reason: ShortText
    text: Text | None = None
    owner: Label | None = None
    due: date | None = None
    success: Text | None = None


class PracticeObservationStarted(Payload, frozen=True, tag="PracticeObservationStarted"):
    """A peer starts observing the administrator leading something (a PLC meeting,
    a feedback conversation...), against a leadership catalog version."""

    observation_id: Slug
    setting: PracticeSetting
    catalog_version: Annotated[int, msgspec.Meta(ge=1)]
    label: Label | None = None


class PracticeObserved(Payload, frozen=True, tag="PracticeObserved"):
    """A tap on a leadership look-for; each observer's latest tap is their observation."""

    observation_id: Slug
    item: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    value: str | int


class PracticeNoted(Payload, frozen=True, tag="PracticeNoted"):
    """Low-inference evidence about the practice, never about a person."""

    observation_id: Slug
    text: Text
    item: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class PracticeObservationRetracted(Payload, frozen=True, tag="PracticeObservationRetracted"):
    """A practice observation started by mistake, withdrawn with all its taps."""

    observation_id: Slug
    reason: ShortText


class DataPoint(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A student-progress figure the pair looked at ("exit tickets at mastery": 0.62)."""

    measure: ShortText
    value: Annotated[float, msgspec.Meta(ge=-1e9, le=1e9)]


class SupportLogged(Payload, frozen=True, tag="SupportLogged"):
    """A coaching meeting or an in-between moment (a quick call, a text, a spontaneous
    debrief): a date, a kind, one line, maybe the data the pair looked at."""

    entry_id: Slug
    date: date
    kind: SupportKind
    line: ShortText
    data_point: DataPoint | None = None


class SupportRequested(Payload, frozen=True, tag="SupportRequested"):
    """Support the administrator asks the district for, in one of the catalog's areas."""

    request_id: Slug
    area: ItemKey
    text: ShortText


class PulseScores(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Five questions, each 1 (not at all) to 5 (very much)."""

    self_efficacy: PulseScore
    isolation: PulseScore
    partnership_value: PulseScore
    focus_confidence: PulseScore
    protected_time: PulseScore


class PulseAnswered(Payload, frozen=True, tag="PulseAnswered"):
    """The administrator's own answers at the start, middle or end of a partnership."""

    partnership_id: Slug
    moment: PulseMoment
    scores: PulseScores


class LearningSessionAttended(Payload, frozen=True, tag="LearningSessionAttended"):
    session_id: Slug


GrowthPayload = (
    GoalSet | StepAmended | PracticeObservationStarted | PracticeObserved | PracticeNoted
    | PracticeObservationRetracted | SupportLogged | SupportRequested | PulseAnswered
    | LearningSessionAttended
)


# Events on the district aggregate: registrations, then what organizers record.
DistrictPayload = (
    SchoolRegistered | PersonRegistered
    | DistrictNamed | SchoolChanged | PersonChanged | PersonDeactivated | PersonReactivated
    | NeedsAssessmentRecorded | SkillInventoryRecorded | PartnershipFormed | CatalogPublished
    | PartnershipMeetingHeld | LearningSessionOffered | SchoolCalendarSet | CalendarFeedReset
    | RemindersChosen
    | MeetingStepCheckedIn | ConversationGuidesPublished | GroundRulesAcknowledged
    | LeadershipSkillsPublished | StepNudged
)
# How a district keeps its schools and people (roster imports, organizers' screens).
DirectoryPayload = (
    SchoolRegistered | PersonRegistered
    | DistrictNamed | SchoolChanged | PersonChanged | PersonDeactivated | PersonReactivated
)
# What a team records in rooms, and how it mends that record.
RoomPayload = (
    ClassroomEntered | LookForObserved | EvidenceNoted | ThankYouNoteLeft | ClassroomExited
    | ObservationRetracted | ClassroomCorrected | ClassroomsMerged | ClassroomRetracted
)
# The rest of a visit's life: its phases, the debrief, the plan and its support.
CyclePayload = (
    VisitRescheduled | VisitCancelled | TeachersNotified | VisitStarted | SchoolUpdateRecorded
    | VisitClosed
    | DebriefStarted | RootCauseNoted | NextStepProposed | NextStepWithdrawn | ActionPlanAgreed
    | CheckInRecorded | RootCauseWithdrawn
)
# Events on a visit aggregate.
VisitPayload = VisitPlanned | RoomPayload | CyclePayload
# Every event a client may send through POST /api/sync: to a visit or a growth record.
SyncPayload = VisitPayload | GrowthPayload
AnyPayload = SyncPayload | DistrictPayload

PAYLOAD_TYPES: dict[str, type[Payload]] = {
    cls.__struct_config__.tag: cls
    for cls in AnyPayload.__args__
}
# Event types a client may send through POST /api/sync.
SYNCABLE_TYPES = frozenset(cls.__struct_config__.tag for cls in SyncPayload.__args__)
GROWTH_TYPES = frozenset(cls.__struct_config__.tag for cls in GrowthPayload.__args__)
GROWTH_CLASSES: frozenset[type] = frozenset(GrowthPayload.__args__)


_TAGS: dict[type, str] = {cls: tag for tag, cls in PAYLOAD_TYPES.items()}


def type_name(payload: Payload) -> str:
    """The payload's tag (a dict look-up: it is asked several times per event stored)."""
    return _TAGS[type(payload)]


class Withdrawal(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What an accepted retraction withdraws, as the server knew it when deciding: read
    models find the withdrawn observation without an index of every event."""

    type: str
    classroom_id: str
    item: str | None = None
    occurred_at: datetime


class Event(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A stored domain event: the envelope eventsourcing persists, around a payload.

    Besides the client's payload the server records what it decided about the event:
    the catalog version it was recorded against, `withdrawn` for an observation whose
    retraction arrived first (it never counts), and `withdraws` for a retraction of a
    known observation."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    # Canonical UUID text (as msgspec writes a UUID; clients' ids are checked and
    # normalized when decoded): an event id is only ever compared and written, so it is
    # never built into a `uuid.UUID` per event.
    event_id: str
    actor: str
    device_id: str
    occurred_at: datetime
    catalog_version: int | None = None
    withdrawn: bool = False
    withdraws: Withdrawal | None = None
    payload: AnyPayload

    @property
    def type(self) -> str:
        return type_name(self.payload)


event_encoder = msgspec.json.Encoder()
event_decoder = msgspec.json.Decoder(Event)


@lru_cache(maxsize=8192)
def uuid_text(value: UUID) -> str:
    """`str(value)`, remembered: visit ids are formatted for every event, and
    `UUID.__str__` is pure Python (a tenth of a sync batch's CPU before this)."""
    return str(value)


@lru_cache(maxsize=8192)
def uuid_hex(value: UUID | str) -> str:
    """How eventsourcing's SQLite recorder stores an originator id, remembered."""
    return value.hex if isinstance(value, UUID) else value
