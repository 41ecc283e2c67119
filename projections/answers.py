"""What the read routes answer, as types: the web layer encodes them and the OpenAPI
description is generated from them, so a client (and schemathesis) can hold the
server to every field. Summaries, debriefs, trends and action plans have their own
modules; these are the answers made of references and listings."""

from __future__ import annotations

from datetime import date, time

import msgspec

from projections.action_plans import PlanStep
from projections.rooms import OwnClassroom, Room
from walkthrough.access import Capability
from walkthrough.catalog import Catalog
from walkthrough.events import (
    DEFAULT_VISIT_MINUTES,
    ConversationGuide,
    MeetingStep,
    NeedsAssessmentRecorded,
    SkillInventoryRecorded,
    UnmatchedMember,
    step_ref,
)
from walkthrough.matching import PeerMatch
from walkthrough.partnership import Meeting
from walkthrough.protocols import Protocol
from walkthrough.roles import Role
from walkthrough.skills import Skill, Vocabulary


class SchoolRef(msgspec.Struct):
    id: str
    name: str
    level: str | None


class PersonRef(msgspec.Struct):
    id: str
    name: str


class User(msgspec.Struct):
    id: str
    name: str
    roles: list[Role]
    school_id: str | None


class VisitListing(msgspec.Struct):
    id: str
    school: SchoolRef
    phase: str
    date: date
    focus: str
    relation: str  # team, host or organizer
    starts_at: time | None = None  # the school's local time, when set
    minutes: int = DEFAULT_VISIT_MINUTES


class GrowthRecordRef(msgspec.Struct):
    """A growth record the caller may open: their own, or a partnership peer's."""

    user_id: str
    name: str
    record_id: str
    relation: str  # "self" or "peer"


class Me(msgspec.Struct):
    user: User
    visits: list[VisitListing]
    growth_records: list[GrowthRecordRef] = []
    calendar_url: str | None = None  # the caller's private iCalendar feed
    time_zone: str = "UTC"  # the district's: every date and time is shown in it
    reminders: bool = True  # email reminders of check-ins due (the person may turn off)
    # What the caller may do (walkthrough.access.capabilities): the tablet shows screens,
    # forms and links by these, never by role names.
    can: list[Capability] = []


class VisitDetail(msgspec.Struct):
    id: str
    school: SchoolRef
    host: PersonRef
    team: list[PersonRef]
    phase: str
    focus: str
    date: date
    catalog_version: int
    catalog: Catalog
    teachers_notified: bool
    classrooms: list[Room]  # the team's rooms, one per room: tablets join them
    can_capture: bool  # the caller is on the team and the visit is in observation
    can_mend: bool  # ...and rooms may still be corrected, merged or withdrawn
    # The caller's own live record (a coach on the team): their taps on any device.
    mine: list[OwnClassroom] = []
    # The look-fors the visit's focus is about (walkthrough.catalog.focus_look_fors).
    focus_items: list[str] = []


class CatalogListing(msgspec.Struct):
    version: int
    items: int


class Catalogs(msgspec.Struct):
    catalogs: list[CatalogListing]


class Inventory(SkillInventoryRecorded, frozen=True, kw_only=True, tag="SkillInventoryRecorded"):
    person: PersonRef


class OwnInventory(msgspec.Struct):
    """A leader's inventory as they fill it in: the latest recorded (None before any),
    with what it may name: the latest catalog's look-fors and the leadership skills."""

    person: PersonRef
    inventory: SkillInventoryRecorded | None
    catalog_version: int
    look_fors: list[Skill]  # key and prompt of each look-for, as {key, name}
    skills: list[Skill]  # the latest version of the leadership skill vocabulary
    skills_version: int = 1


class LeadershipSkills(msgspec.Struct):
    """Every version of the leadership skill vocabulary, the built-in first; the latest
    is offered, an older entry reads its keys with the names of the version it used."""

    latest: int
    versions: list[Vocabulary]


class CapabilityMatches(msgspec.Struct):
    """Members for a cross-role network on one capability, any role, with the reason."""

    capability: Skill
    matches: list[PeerMatch]


class Preparation(msgspec.Struct):
    needs_assessments: list[NeedsAssessmentRecorded]
    skill_inventories: list[Inventory]


class Matches(msgspec.Struct):
    school: SchoolRef
    needs: NeedsAssessmentRecorded
    matches: list[PeerMatch]


class PartnershipView(msgspec.Struct):
    """A partnership as formed (its members as people), with its format and next
    meetings by the cadence."""

    partnership_id: str
    kind: str
    members: list[PersonRef]
    starts: date
    focus: str | None
    name: str
    cadence: str
    minutes: int
    next_meetings: list[Meeting]
    unmatched: list[UnmatchedMember] = []  # members added although not matched, and why


class Partnerships(msgspec.Struct):
    partnerships: list[PartnershipView]


class MeetingHeld(msgspec.Struct):
    meeting_id: str
    date: date
    facilitator: PersonRef | None
    presenter: PersonRef | None = None
    dilemma: str | None = None
    protocol: str | None = None
    reading: str | None = None


class AgendaStep(MeetingStep, frozen=True, kw_only=True):
    """A step of the last meeting with its latest progress (status None: none yet)."""

    overdue: bool
    meeting_id: str = ""
    status: str | None = None
    progress: float | str | None = None
    note: str | None = None
    check_ins: int = 0


class AgendaProgress(msgspec.Struct, tag="progress", tag_field="kind"):
    """Progress first: the last meeting's next steps and the members' schools' plans."""

    meeting: MeetingHeld | None
    steps: list[AgendaStep]
    action_plans: list[PlanStep]


class AgendaNextMeeting(msgspec.Struct, tag="next_meeting", tag_field="kind"):
    date: date
    cadence: str
    minutes: int
    facilitator: PersonRef | None


class AgendaNextSteps(msgspec.Struct, tag="next_steps", tag_field="kind"):
    steps: list[MeetingStep]
    min_steps: int
    max_steps: int
    rule: str


class PartnershipAgenda(msgspec.Struct):
    partnership_id: str
    name: str
    kind: str
    focus: str | None
    members: list[PersonRef]
    meetings_held: int
    sections: list[AgendaProgress | AgendaNextMeeting | AgendaNextSteps]
    # The steps of the last meeting still without progress: the meeting cannot close
    # before each has some. The protocols a facilitator can run, step by step.
    waiting_for_progress: list[str] = []
    protocols: list[Protocol] = []
    # Progress on every other open step the members own (by the owner's name), from
    # visits' action plans and other partnerships' meetings.
    members_steps: list[OpenStep] = []
    # A Leadership Learning Partnership: the guide of its next conversation (None after
    # the guided ones), and whether it is time to reflect on the partnership's value.
    guide: GuideView | None = None
    reflection_due: bool = False
    member_schools: dict[str, SchoolRef] = {}  # by member: where a visit exchange goes
    network: NetworkView | None = None  # a cross-role network's own part


class NetworkView(msgspec.Struct):
    """A cross-role network: its capability, each member's role, its ground rules and
    who has acknowledged them (the first meeting closes once everyone has)."""

    capability: Skill | None
    roles: dict[str, str]
    ground_rules: list[str]
    acknowledged: list[str]


class GuideView(msgspec.Struct):
    """The guide of a partnership's next conversation."""

    conversation: int
    version: int
    title: str
    prompts: list[str]


class GuidesVersion(msgspec.Struct):
    version: int
    guides: list[ConversationGuide]
    notes: str | None = None


class ConversationGuides(msgspec.Struct):
    """Every version of the conversation guides, the built-in first; the latest is used."""

    latest: int
    versions: list[GuidesVersion]


class OpenStep(msgspec.Struct, kw_only=True):
    """An open step, wherever it was agreed: a visit's action plan or a meeting."""

    source: str  # visit | meeting
    step_id: str
    text: str
    owner: str
    due: date
    success: str
    status: str  # not_started | on_track | at_risk
    overdue: bool
    school: SchoolRef | None = None
    visit_id: str | None = None
    partnership_id: str | None = None
    partnership_name: str | None = None
    meeting_id: str | None = None
    goal_id: str | None = None  # a growth goal's step (status "open": goals have no check-ins)
    goal_of: PersonRef | None = None
    nudged_on: date | None = None  # the day an organizer last nudged its owner (what is open)

    def ref(self) -> str:
        """The step's key, as a nudge names it (walkthrough.events.step_ref)."""
        return step_ref(self.source, self.step_id, self.visit_id, self.partnership_id,
                        self.meeting_id, self.goal_id,
                        self.goal_of.id if self.goal_of else None)


class VisitToClose(msgspec.Struct):
    """A visit whose agreed steps are all done, still open: one tap closes it."""

    visit_id: str
    school: SchoolRef
    date: date
    focus: str
    steps: int


class OpenWork(msgspec.Struct):
    """What is open across the district (organizers): steps, the overdue first, and
    visits whose plan is done but which nobody closed."""

    today: date
    steps: list[OpenStep]
    overdue: int
    visits_to_close: list[VisitToClose]


class ActionPlans(msgspec.Struct):
    today: date
    school_id: str | None
    steps: list[PlanStep]
    overdue: list[PlanStep]
    check_ins_due: list[PlanStep]
    schools: dict[str, SchoolRef]
