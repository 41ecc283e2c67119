"""The district: its schools and people, and what organizers record around visits -
needs assessments, skill inventories, partnerships and published catalog versions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import assert_never
from uuid import UUID, uuid5

import msgspec

from walkthrough import events as ev
from walkthrough.catalog import Catalog, catalog, leadership_catalog
from walkthrough.errors import Conflict, DomainError, Forbidden
from walkthrough.events import (
    CalendarFeedReset,
    CatalogPublished,
    ConversationGuide,
    ConversationGuidesPublished,
    DirectoryPayload,
    DistrictNamed,
    Event,
    GroundRulesAcknowledged,
    LeadershipSkill,
    LeadershipSkillsPublished,
    LearningSessionOffered,
    MeetingStepCheckedIn,
    NeedsAssessmentRecorded,
    PartnershipFormed,
    PartnershipMeetingHeld,
    PersonChanged,
    PersonDeactivated,
    PersonReactivated,
    PersonRegistered,
    RemindersChosen,
    SchoolCalendarSet,
    SchoolChanged,
    SchoolRegistered,
    SkillInventoryRecorded,
    StepNudged,
)
from walkthrough.guides import guides
from walkthrough.names import Roster, combined, free_texts, screen
from walkthrough.partnership import (
    check_ground_rules,
    check_meeting,
    check_partnership,
    check_step_check_in,
    is_teacher_leader,
    step_key,
)
from walkthrough.roles import Role
from walkthrough.school_calendar import NO_CLOSURES, SchoolCalendar, check_closures
from walkthrough.skills import Vocabulary, every_skill, vocabulary

Rosters = Callable[[str], Roster]
"""A school's staff roster, by school id."""


def no_rosters(school_id: str) -> Roster:
    return Roster.empty()


DISTRICT_ID = uuid5(UUID("6f1b2a4e-2c61-4a53-9a53-0c8f5e7d9b10"), "district")


def growth_id(user_id: str) -> UUID:
    """The id of an administrator's growth record: derived from theirs, so a tablet
    that knows the person knows where to send their record's events."""
    return uuid5(DISTRICT_ID, f"growth:{user_id}")


class District(msgspec.Struct, frozen=True):
    id: UUID
    version: int
    schools: dict[str, SchoolRegistered]
    people: dict[str, PersonRegistered]
    needs: dict[str, NeedsAssessmentRecorded] = {}
    skills: dict[str, SkillInventoryRecorded] = {}
    partnerships: dict[str, PartnershipFormed] = {}
    meetings: dict[str, tuple[PartnershipMeetingHeld, ...]] = {}  # per partnership, log order
    # per partnership: its meetings' steps (partnership.step_key) with progress recorded
    checked_steps: dict[str, frozenset[str]] = {}
    guide_versions: dict[int, tuple[ConversationGuide, ...]] = {}  # published (2, 3...)
    skill_versions: dict[int, tuple[LeadershipSkill, ...]] = {}  # published (2, 3...)
    nudged: dict[str, date] = {}  # StepNudged.step_ref -> the day of its latest nudge
    acknowledged: dict[str, frozenset[str]] = {}  # per network: members who acknowledged
    catalogs: dict[int, Catalog] = {}
    leadership_catalogs: dict[int, Catalog] = {}
    sessions: dict[str, LearningSessionOffered] = {}
    growth_owners: dict[UUID, str] = {}  # growth record id -> administrator
    name: str | None = None  # None: no district has been set up on this store
    inactive: frozenset[str] = frozenset()  # people deactivated (their history stays)
    emails: dict[str, str] = {}  # email -> user id, for every person who has one
    calendar: SchoolCalendar = NO_CLOSURES  # the district's days without school
    feed_resets: dict[str, int] = {}  # user id -> times their calendar feed was reset
    reminders_off: frozenset[str] = frozenset()  # people who turned email reminders off

    def is_active(self, user_id: str) -> bool:
        return user_id in self.people and user_id not in self.inactive

    def person_by_email(self, email: str) -> PersonRegistered | None:
        """The registered person with this email (any case), active or not."""
        user_id = self.emails.get(email.strip().lower())
        return None if user_id is None else self.people[user_id]

    def person_by_source(self, source_id: str) -> PersonRegistered | None:
        return next((p for p in self.people.values() if p.source_id == source_id), None)

    def school_by_source(self, source_id: str) -> SchoolRegistered | None:
        return next((s for s in self.schools.values() if s.source_id == source_id), None)

    def is_set_up(self) -> bool:
        """A district lives on this store (named by `init`, or the demo's people)."""
        return self.name is not None or bool(self.people)

    def school(self, school_id: str) -> SchoolRegistered:
        try:
            return self.schools[school_id]
        except KeyError:
            raise DomainError(f"school {school_id!r} is not registered",
                              code="unknown_school") from None

    def person(self, user_id: str) -> PersonRegistered:
        try:
            return self.people[user_id]
        except KeyError:
            raise DomainError(f"user {user_id!r} is not registered",
                              code="unknown_user") from None

    def catalog(self, version: int) -> Catalog:
        """A catalog version: built in, or published on this district's log."""
        return catalog(version, self.catalogs)

    def latest_catalog_version(self) -> int:
        return max((1, *self.catalogs))

    def leadership_catalog(self, version: int) -> Catalog:
        return leadership_catalog(version, self.leadership_catalogs)

    def latest_version_of(self, kind: str) -> int:
        published = self.leadership_catalogs if kind == "leadership" else self.catalogs
        return max((1, *published))

    def latest_guides_version(self) -> int:
        return max((1, *self.guide_versions))

    def latest_skills_version(self) -> int:
        return max((1, *self.skill_versions))

    def skills_of(self, version: int | None) -> Vocabulary:
        """A version of the leadership skill vocabulary (None: version 1)."""
        return vocabulary(version, self.skill_versions)

    def keeps_growth_record(self, user_id: str) -> bool:
        """An administrator of a campus: their growth record can be written and read."""
        return growth_id(user_id) in self.growth_owners

    def partners_of(self, user_id: str) -> frozenset[str]:
        """Everyone who shares a partnership with this person (not themself)."""
        return frozenset(member for partnership in self.partnerships.values()
                         if user_id in partnership.members and partnership.kind != "network"
                         for member in partnership.members if member != user_id)

    def area_keys(self) -> frozenset[str]:
        """Every look-for key of every catalog version and every leadership skill: the areas
        goals, requests and sessions name."""
        keys: set[str] = set(every_skill(self.skill_versions))
        for version in range(1, self.latest_catalog_version() + 1):
            keys |= self.catalog(version).keys()
        return frozenset(keys)


def screened_texts(district: District, payload: ev.AnyPayload) -> dict[str, str | None]:
    """The free texts of a payload to screen (walkthrough.names.free_texts), less a
    step's owner that is the name of a person registered in the district: an
    administrator or a coach is accountable by design, even when the staff roster
    lists them too. Anyone else as owner ("Mrs Whitfield", a teacher on the roster)
    is screened like any text."""
    registered = {person.name.casefold() for person in district.people.values()}
    return {field: text for field, text in free_texts(payload).items()
            if not (field.endswith("owner") and text is not None
                    and text.strip().casefold() in registered)}


def unique_user_id(district: District, email: str) -> str:
    """A readable user id for a new person, from their email's local part: lower case,
    other characters as '-', numbered when taken (jane.doe, jane.doe-2, ...)."""
    local = email.strip().lower().partition("@")[0]
    stem = re.sub(r"[^a-z0-9_.-]+", "-", local).strip("-.")[:56] or "person"
    candidate, number = stem, 1
    while candidate in district.people:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


EMPTY_DISTRICT = District(id=DISTRICT_ID, version=0, schools={}, people={})


def check_registration(district: District, payload: DirectoryPayload) -> None:
    """Raise DomainError unless this change to the district's schools and people can be
    recorded now: ids and emails stay unique, people belong to registered schools, and
    each change changes something."""
    match payload:
        case DistrictNamed():
            return
        case SchoolRegistered():
            if payload.school_id in district.schools:
                raise Conflict(f"school {payload.school_id!r} is already registered",
                               code="already_registered")
        case SchoolChanged():
            school = district.school(payload.school_id)
            if msgspec.structs.replace(school, **_given(payload, "school_id")) == school:
                raise DomainError("nothing to change", code="no_change")
        case PersonRegistered():
            if payload.user_id in district.people:
                raise Conflict(f"user {payload.user_id!r} is already registered",
                               code="already_registered")
            _check_person(district, payload)
        case PersonChanged():
            person = district.person(payload.user_id)
            changed = changed_person(person, payload)
            if changed == person:
                raise DomainError("nothing to change", code="no_change")
            _check_person(district, changed)
        case PersonDeactivated():
            district.person(payload.user_id)
            if payload.user_id in district.inactive:
                raise DomainError(f"{payload.user_id!r} is already deactivated",
                                  code="already_deactivated")
        case PersonReactivated():
            district.person(payload.user_id)
            if payload.user_id not in district.inactive:
                raise DomainError(f"{payload.user_id!r} is active", code="already_active")
        case _:
            assert_never(payload)


def _check_person(district: District, person: PersonRegistered) -> None:
    if not person.roles:  # the event's own schema: a person holds at least one role
        raise DomainError("give the person at least one role", code="no_roles")
    if person.school_id is not None:
        district.school(person.school_id)
    if "host" in person.roles and person.school_id is None:
        raise DomainError("a host administers a school: give the person's school",
                          code="host_without_school")
    if person.email is not None:
        holder = district.emails.get(person.email)
        if holder is not None and holder != person.user_id:
            raise Conflict("another person already signs in with this email",
                           code="email_taken")


def _given(change: msgspec.Struct, *keys: str) -> dict[str, object]:
    """The fields a change gives (not UNSET), less its keys."""
    return {field: value for field in change.__struct_fields__
            if field not in keys
            and (value := getattr(change, field)) is not msgspec.UNSET}


def changed_person(person: PersonRegistered, change: PersonChanged) -> PersonRegistered:
    """The person as they are after a change."""
    return msgspec.structs.replace(person, **_given(change, "user_id"))


def changed_school(school: SchoolRegistered, change: SchoolChanged) -> SchoolRegistered:
    return msgspec.structs.replace(school, **_given(change, "school_id"))


def decide_directory(district: District, roles: Iterable[Role],
                     payload: DirectoryPayload) -> None:
    """Raise DomainError unless an organizer may make this change to the district's
    schools and people now."""
    if "organizer" not in tuple(roles):
        raise Forbidden("only organizers register and change schools and people")
    check_registration(district, payload)


PreparationPayload = (
    NeedsAssessmentRecorded | SkillInventoryRecorded | PartnershipFormed | CatalogPublished
    | PartnershipMeetingHeld | LearningSessionOffered | SchoolCalendarSet | CalendarFeedReset
    | RemindersChosen
    | MeetingStepCheckedIn | ConversationGuidesPublished | GroundRulesAcknowledged
    | LeadershipSkillsPublished | StepNudged
)


def decide_district(district: District, roles: Iterable[Role], payload: PreparationPayload,
                    user_id: str = "", rosters: Rosters = no_rosters) -> None:
    """Raise DomainError unless an organizer may record this preparation event now
    (a partnership meeting: an organizer or a member of the partnership). Free texts
    are screened against the rosters of the schools they are about."""
    _decide_rules(district, tuple(roles), payload, user_id)
    texts = screened_texts(district, payload)
    if any(texts.values()):
        screen(texts, combined(rosters(school) for school in _schools_of(district, payload)))


def _schools_of(district: District, payload: PreparationPayload) -> list[str]:
    """The schools whose staff a district event's free text could name (a catalog or a
    session is for the whole district: every school's)."""
    if isinstance(payload, NeedsAssessmentRecorded):
        return [payload.school_id]
    if isinstance(payload, CatalogPublished | LearningSessionOffered
                  | LeadershipSkillsPublished):
        return sorted(district.schools)
    people: Iterable[str] = ()
    if isinstance(payload, SkillInventoryRecorded):
        people = (payload.user_id,)
    elif isinstance(payload, PartnershipFormed):
        people = payload.members
    elif isinstance(payload, PartnershipMeetingHeld | MeetingStepCheckedIn
                    | GroundRulesAcknowledged):
        found = district.partnerships.get(payload.partnership_id)
        people = found.members if found else ()
    schools = {district.people[p].school_id for p in people if p in district.people}
    return sorted(school for school in schools if school is not None)


def _decide_rules(district: District, roles: tuple[Role, ...], payload: PreparationPayload,
                  user_id: str) -> None:
    if isinstance(payload, CalendarFeedReset | RemindersChosen):
        district.person(payload.user_id)
        if payload.user_id != user_id and "organizer" not in roles:
            raise Forbidden("a person chooses their own calendar feed and reminders "
                            "(or an organizer)")
        return
    if isinstance(payload, PartnershipMeetingHeld):
        if payload.guides_version is not None:
            guides(payload.guides_version, district.guide_versions)
        check_meeting(payload, district.partnerships.get(payload.partnership_id),
                      district.meetings.get(payload.partnership_id, ()), user_id,
                      "organizer" in roles,
                      district.checked_steps.get(payload.partnership_id, frozenset()),
                      district.acknowledged.get(payload.partnership_id, frozenset()))
        return
    if isinstance(payload, GroundRulesAcknowledged):
        check_ground_rules(district.partnerships.get(payload.partnership_id), user_id,
                           district.acknowledged.get(payload.partnership_id, frozenset()))
        return
    if isinstance(payload, MeetingStepCheckedIn):
        check_step_check_in(payload, district.partnerships.get(payload.partnership_id),
                            district.meetings.get(payload.partnership_id, ()), user_id,
                            "organizer" in roles)
        return
    if isinstance(payload, SkillInventoryRecorded) and payload.user_id == user_id:
        pass  # a leader fills in and updates their own inventory
    elif "organizer" not in roles:
        raise Forbidden("only organizers record needs, inventories, partnerships, "
                        "catalogs and learning sessions")
    match payload:
        case NeedsAssessmentRecorded():
            district.school(payload.school_id)
            _known_items(district, payload.catalog_version, payload.skills_version,
                         payload.focus_areas)
        case SkillInventoryRecorded():
            person = district.person(payload.user_id)
            if person.school_id is None:
                raise DomainError(f"{payload.user_id!r} is not an administrator of a campus",
                                  code="not_an_administrator")
            _known_items(district, payload.catalog_version, payload.skills_version,
                         (*payload.strengths, *payload.growth_areas))
        case PartnershipFormed():
            check_partnership(payload, district.people, set(district.partnerships),
                              district.skills, district.skill_versions)
        case CatalogPublished():
            expected = district.latest_version_of(payload.kind) + 1
            if payload.version != expected:
                raise Conflict(f"the next {payload.kind} catalog version is {expected}",
                               code="catalog_version_taken")
            Catalog(version=payload.version, items=payload.items).check()
        case ConversationGuidesPublished():
            expected = district.latest_guides_version() + 1
            if payload.version != expected:
                raise Conflict(f"the next conversation guides version is {expected}",
                               code="guides_version_taken")
        case StepNudged():
            for user_id in payload.recipients:
                district.person(user_id)
            if district.nudged.get(payload.step_ref()) == payload.date:
                raise Conflict("this step's owner was nudged today already: once a day at "
                               "most", code="already_nudged")
        case LeadershipSkillsPublished():
            expected = district.latest_skills_version() + 1
            if payload.version != expected:
                raise Conflict(f"the next leadership skills version is {expected}",
                               code="skills_version_taken")
            keys = [found.key for found in payload.skills]
            if len(set(keys)) != len(keys):
                raise DomainError("each leadership skill needs its own key",
                                  code="duplicate_skill")
        case CalendarFeedReset() | RemindersChosen():
            raise AssertionError("decided above")
        case SchoolCalendarSet():
            try:
                check_closures(payload.closures)
            except ValueError as exc:
                raise DomainError(str(exc), code="invalid_calendar") from None
        case LearningSessionOffered():
            if payload.session_id in district.sessions:
                raise Conflict(f"session {payload.session_id!r} is already offered",
                               code="session_exists")
            unknown = sorted(set(payload.areas) - district.area_keys())
            if unknown:
                raise DomainError(f"unknown areas: {', '.join(unknown)}", code="unknown_item")
        case _:
            assert_never(payload)


def _known_items(district: District, version: int, skills_version: int | None,
                 keys: Iterable[str]) -> None:
    """Look-fors of the catalog version, or leadership skills of the vocabulary version
    (walkthrough.skills; None: version 1)."""
    look_fors = district.catalog(version)
    skills = {found.key for found in district.skills_of(skills_version).skills}
    for key in keys:
        if key not in skills:
            look_fors.item(key)


def evolve_district(district: District | None, event: Event) -> District:
    current = district or EMPTY_DISTRICT
    payload = event.payload
    replace = msgspec.structs.replace
    version = event.originator_version
    match payload:
        case SchoolRegistered():
            return replace(current, version=version,
                           schools={**current.schools, payload.school_id: payload})
        case PersonRegistered():
            return _with_person(replace(current, version=version), payload)
        case PersonChanged():
            before = current.people[payload.user_id]
            emails = current.emails
            if before.email is not None and payload.email is not msgspec.UNSET:
                emails = {k: v for k, v in emails.items() if k != before.email}
            return _with_person(replace(current, version=version, emails=emails),
                                changed_person(before, payload))
        case PersonDeactivated():
            return replace(current, version=version,
                           inactive=current.inactive | {payload.user_id})
        case PersonReactivated():
            return replace(current, version=version,
                           inactive=current.inactive - {payload.user_id})
        case DistrictNamed():
            return replace(current, version=version, name=payload.name)
        case SchoolChanged():
            school = changed_school(current.schools[payload.school_id], payload)
            return replace(current, version=version,
                           schools={**current.schools, payload.school_id: school})
        case NeedsAssessmentRecorded():
            return replace(current, version=version,
                           needs={**current.needs, payload.school_id: payload})
        case SkillInventoryRecorded():
            return replace(current, version=version,
                           skills={**current.skills, payload.user_id: payload})
        case PartnershipFormed():
            return replace(current, version=version, partnerships={
                **current.partnerships, payload.partnership_id: payload})
        case PartnershipMeetingHeld():
            held = (*current.meetings.get(payload.partnership_id, ()), payload)
            return replace(current, version=version,
                           meetings={**current.meetings, payload.partnership_id: held})
        case CatalogPublished():
            published = Catalog(version=payload.version, items=payload.items)
            if payload.kind == "leadership":
                return replace(current, version=version, leadership_catalogs={
                    **current.leadership_catalogs, payload.version: published})
            return replace(current, version=version,
                           catalogs={**current.catalogs, payload.version: published})
        case LearningSessionOffered():
            return replace(current, version=version,
                           sessions={**current.sessions, payload.session_id: payload})
        case RemindersChosen():
            off = current.reminders_off - {payload.user_id} if payload.on \
                else current.reminders_off | {payload.user_id}
            return replace(current, version=version, reminders_off=off)
        case GroundRulesAcknowledged():
            pid = payload.partnership_id
            return replace(current, version=version, acknowledged={
                **current.acknowledged,
                pid: current.acknowledged.get(pid, frozenset()) | {event.actor}})
        case ConversationGuidesPublished():
            return replace(current, version=version, guide_versions={
                **current.guide_versions, payload.version: payload.guides})
        case StepNudged():
            return replace(current, version=version,
                           nudged={**current.nudged, payload.step_ref(): payload.date})
        case LeadershipSkillsPublished():
            return replace(current, version=version, skill_versions={
                **current.skill_versions, payload.version: payload.skills})
        case MeetingStepCheckedIn():
            pid = payload.partnership_id
            checked = current.checked_steps.get(pid, frozenset()) | {
                step_key(payload.meeting_id, payload.step_id)}
            return replace(current, version=version,
                           checked_steps={**current.checked_steps, pid: checked})
        case CalendarFeedReset():
            resets = current.feed_resets.get(payload.user_id, 0) + 1
            return replace(current, version=version,
                           feed_resets={**current.feed_resets, payload.user_id: resets})
        case SchoolCalendarSet():
            return replace(current, version=version,
                           calendar=SchoolCalendar(closures=payload.closures))
        case ev.VisitPlanned() | ev.VisitRescheduled() | ev.VisitCancelled() \
                | ev.TeachersNotified() | ev.VisitStarted() | ev.SchoolUpdateRecorded() \
                | ev.VisitClosed() | ev.ClassroomEntered() \
                | ev.LookForObserved() | ev.EvidenceNoted() | ev.ThankYouNoteLeft() \
                | ev.ClassroomExited() | ev.ObservationRetracted() | ev.ClassroomCorrected() \
                | ev.ClassroomsMerged() | ev.ClassroomRetracted() | ev.DebriefStarted() \
                | ev.RootCauseNoted() | ev.NextStepProposed() | ev.NextStepWithdrawn() \
                | ev.RootCauseWithdrawn() \
                | ev.ActionPlanAgreed() | ev.CheckInRecorded() | ev.GoalSet() | ev.StepAmended() \
                | ev.PracticeObservationStarted() | ev.PracticeObserved() | ev.PracticeNoted() \
                | ev.PracticeObservationRetracted() | ev.SupportLogged() \
                | ev.SupportRequested() | ev.PulseAnswered() | ev.LearningSessionAttended():
            raise AssertionError(f"{event.type} is not a district event")
        case _:
            assert_never(payload)


def _with_person(district: District, person: PersonRegistered) -> District:
    # An administrator of a campus keeps a growth record (kept if they move on); others
    # (teacher-leaders among them: never observed) have none.
    owners = district.growth_owners if (
        person.school_id is None or is_teacher_leader(person)) else {
        **district.growth_owners, growth_id(person.user_id): person.user_id}
    emails = district.emails if person.email is None else {
        **district.emails, person.email: person.user_id}
    return msgspec.structs.replace(district, people={**district.people, person.user_id: person},
                                   growth_owners=owners, emails=emails)


def project_district(district: District | None, events: object) -> District | None:
    for event in events:  # type: ignore[attr-defined]
        district = evolve_district(district, event)
    return district
