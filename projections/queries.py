"""Answers to the read routes, from the read models only, scoped to the caller."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

import msgspec

from projections.action_plans import PlanStep, open_steps, plan_steps, previous_steps
from projections.answers import (
    ActionPlans,
    AgendaNextMeeting,
    AgendaNextSteps,
    AgendaProgress,
    AgendaStep,
    CapabilityMatches,
    CatalogListing,
    Catalogs,
    ConversationGuides,
    GuidesVersion,
    GuideView,
    Inventory,
    LeadershipSkills,
    Matches,
    Me,
    MeetingHeld,
    NetworkView,
    OpenStep,
    OpenWork,
    OwnInventory,
    PartnershipAgenda,
    Partnerships,
    PartnershipView,
    PersonRef,
    Preparation,
    SchoolRef,
    User,
    VisitDetail,
    VisitListing,
    VisitToClose,
)
from projections.calendar_feed import Feed, FeedMeeting
from projections.debrief import Section, agenda
from projections.district_view import (
    ACKNOWLEDGED,
    CALENDAR,
    CATALOG,
    GUIDES,
    LEADERSHIP_CATALOG,
    MEETINGS,
    NEEDS,
    NUDGES,
    PARTNERSHIP,
    PERSON,
    SCHOOL,
    SKILL_VOCABULARY,
    SKILLS,
    STEP_CHECK_INS,
    calendar_decoder,
    catalog_doc_id,
    guides_decoder,
    meetings_decoder,
    members_decoder,
    needs_decoder,
    nudge_decoder,
    partnership_decoder,
    person_decoder,
    published_catalog,
    school_decoder,
    skill_vocabulary_decoder,
    skills_decoder,
    step_check_ins_decoder,
)
from projections.projector import (
    SCHOOL_VISITS,
    VISIT,
    view_decoder,
    visit_ids_decoder,
    visit_uuid,
)
from projections.rooms import (
    QUOTE,
    OwnClassroom,
    Room,
    load_index,
    own_classrooms,
    quote_decoder,
    rooms_of,
)
from projections.store import ReadModelStore
from projections.summary import MAX_QUOTES, MIN_ROOMS_DEFAULT, Summary, summarise
from projections.trends import (
    MIN_CELL_DEFAULT,
    DistrictTrends,
    SchoolTrends,
    district_trends,
    school_trends,
)
from projections.visit_view import VisitView
from walkthrough.access import (
    Actor,
    may_see_district,
    may_see_partnership,
    may_see_school,
    visit_relation,
)
from walkthrough.catalog import Catalog, catalog, focus_look_fors, leadership_catalog
from walkthrough.errors import Forbidden, NotFound
from walkthrough.events import (
    MeetingStep,
    MeetingStepCheckedIn,
    PartnershipFormed,
    PartnershipMeetingHeld,
)
from walkthrough.guides import BUILT_IN_GUIDES
from walkthrough.matching import Purpose, match_capability, match_peers
from walkthrough.partnership import (
    FORMATS,
    GROUND_RULES,
    MAX_MEETING_STEPS,
    last_meeting,
    missing_progress,
    network_role,
    next_meeting,
    step_key,
    upcoming,
)
from walkthrough.protocols import PROTOCOLS
from walkthrough.school_calendar import NO_CLOSURES, SchoolCalendar
from walkthrough.skills import VOCABULARY, Published, Skill, Vocabulary, skill
from walkthrough.visit import MENDING_PHASES

REFLECT_EVERY = 3  # conversations between two reflections on the partnership's value


class Debrief(msgspec.Struct):
    """The debrief agenda: exactly seven sections, in this order, progress first."""

    visit_id: str
    school: SchoolRef
    focus: str
    date: date
    phase: str
    sections: list[Section]


class Reader:
    def __init__(self, store: ReadModelStore, min_rooms: int = MIN_ROOMS_DEFAULT) -> None:
        self.store = store
        self.min_rooms = min_rooms

    def _relations(self, actor: Actor) -> dict[str, str]:
        """The visits a person is on (team, host), and every visit for organizers."""
        relations = dict(self.store.visits_of(actor.user_id))
        if actor.has("organizer"):
            for visit_id in self.store.all_of(VISIT):
                relations.setdefault(visit_id, "organizer")
        return relations

    def feed(self, actor: Actor, today: date, zone: tzinfo, base_url: str,
             stamp: datetime) -> Feed:
        """What the person's calendar feed holds: their visits, their partnerships' next
        meetings and the check-ins due on the plans of the visits they host."""
        views = [self._view(visit_id) for visit_id in self._relations(actor)]
        calendar = self.calendar()
        hosted = [view for view in views if view.host == actor.user_id]
        meetings = [FeedMeeting(partnership_id=p.partnership_id, name=p.name,
                                day=meeting.date, minutes=p.minutes)
                    for p in self.partnerships(actor, today).partnerships
                    if any(member.id == actor.user_id for member in p.members)
                    for meeting in p.next_meetings]
        return Feed(owner=self._person(actor.user_id).name,
                    visits=[(view, self._school(view.school_id).name) for view in views],
                    meetings=meetings,
                    check_ins=[step for view in hosted
                               for step in plan_steps(view, today, calendar)],
                    zone=zone, base_url=base_url, stamp=stamp)

    def me(self, actor: Actor) -> Me:
        person = self._person(actor.user_id)
        relations = self._relations(actor)
        visits = [self._view(visit_id) for visit_id in relations]
        visits.sort(key=lambda v: (v.date, v.id), reverse=True)
        return Me(
            user=User(id=actor.user_id, name=person.name, roles=list(actor.roles),
                      school_id=actor.school_id),
            visits=[VisitListing(id=v.id, school=self._school(v.school_id), phase=v.phase,
                                 date=v.date, focus=v.focus, relation=relations[v.id],
                                 starts_at=v.starts_at, minutes=v.minutes)
                    for v in visits])

    def visit(self, actor: Actor, visit_id: str) -> VisitDetail:
        view = self.visible_visit(actor, visit_id)
        on_team = actor.user_id in view.team
        look_fors = self.catalog(view.catalog_version)
        needs_doc = self.store.get(NEEDS, view.school_id)
        needs = needs_decoder.decode(needs_doc) if needs_doc is not None else None
        areas = needs.focus_areas if needs and needs.catalog_version == view.catalog_version else ()
        return VisitDetail(
            id=view.id, school=self._school(view.school_id), host=self._person(view.host),
            team=[self._person(member) for member in view.team], phase=view.phase,
            focus=view.focus, date=view.date, catalog_version=view.catalog_version,
            catalog=look_fors, focus_items=focus_look_fors(look_fors, view.focus, areas),
            teachers_notified=view.teachers_notified, classrooms=self.rooms(view.id),
            can_capture=on_team and view.phase == "observation",
            can_mend=on_team and view.phase in MENDING_PHASES,
            mine=self.own_classrooms(view.id, actor.user_id) if on_team else [])

    def own_classrooms(self, visit_id: str, coach: str) -> list[OwnClassroom]:
        """What this coach recorded in the visit's rooms, from any of their devices."""
        return own_classrooms(self.store, load_index(self.store, visit_id), visit_id, coach)

    def rooms(self, visit_id: str) -> list[Room]:
        """The visit's rooms, one per room whoever entered it (team tablets join them)."""
        return rooms_of(load_index(self.store, visit_id))

    def summary(self, actor: Actor, visit_id: str) -> Summary:
        view = self.visible_visit(actor, visit_id)
        return self._summarise(view)

    def _summarise(self, view: VisitView) -> Summary:
        quotes = [quote_decoder.decode(doc) for _, doc
                  in self.store.first(QUOTE, f"{view.id}/", MAX_QUOTES)]
        return summarise(view, self.catalog(view.catalog_version), quotes, self.min_rooms)

    def debrief(self, actor: Actor, visit_id: str, today: date | None = None) -> Debrief:
        """The agenda; progress on the school's earlier action plans comes first.
        `today` decides what is overdue (default: the current UTC date)."""
        view = self.visible_visit(actor, visit_id)
        summary = self._summarise(view)
        calendar = self.calendar()
        progress = previous_steps(view, self._school_visits(view.school_id),
                                  today or datetime.now(UTC).date(), calendar)
        return Debrief(visit_id=view.id, school=self._school(view.school_id), focus=view.focus,
                       date=view.date, phase=view.phase,
                       sections=agenda(view, summary, progress, calendar))

    def calendar(self) -> SchoolCalendar:
        """The district's school calendar (weekends only, until organizers set one)."""
        doc = self.store.get(CALENDAR, "current")
        if doc is None:
            return NO_CLOSURES
        return SchoolCalendar(closures=calendar_decoder.decode(doc).closures)

    # --- catalogs -----------------------------------------------------------------

    def catalog(self, version: int) -> Catalog:
        """A built-in catalog version or one published on the log."""
        doc = self.store.get(CATALOG, catalog_doc_id(version))
        return published_catalog(doc) if doc is not None else catalog(version)

    def catalogs(self) -> Catalogs:
        published = [published_catalog(doc) for doc in self.store.all_of(CATALOG).values()]
        return Catalogs(catalogs=[CatalogListing(version=c.version, items=len(c.items))
                                  for c in [catalog(1), *published]])

    def leadership_catalog(self, version: int) -> Catalog:
        """A leadership practice catalog version: built in or published on the log."""
        doc = self.store.get(LEADERSHIP_CATALOG, catalog_doc_id(version))
        return published_catalog(doc) if doc is not None else leadership_catalog(version)

    def leadership_catalogs(self) -> Catalogs:
        published = [published_catalog(doc)
                     for doc in self.store.all_of(LEADERSHIP_CATALOG).values()]
        return Catalogs(catalogs=[CatalogListing(version=c.version, items=len(c.items))
                                  for c in [leadership_catalog(1), *published]])

    # --- preparation (organizers) --------------------------------------------------

    def preparation(self) -> Preparation:
        """Needs assessments and skill inventories across the district (organizers)."""
        needs = [needs_decoder.decode(doc) for doc in self.store.all_of(NEEDS).values()]
        inventories = [Inventory(**msgspec.structs.asdict(skills_decoder.decode(doc)),
                                 person=self._person(user_id))
                       for user_id, doc in self.store.all_of(SKILLS).items()]
        return Preparation(needs_assessments=needs, skill_inventories=inventories)

    def own_inventory(self, actor: Actor, user_id: str) -> OwnInventory:
        """A leader's own skill inventory (the leader, organizers)."""
        if actor.user_id != user_id and not actor.has("organizer"):
            raise Forbidden("a skill inventory is filled in by its leader and organizers")
        doc = self.store.get(SKILLS, user_id)
        published = self.store.all_of(CATALOG)
        latest = self.catalog(max([1, *(published_catalog(d).version
                                        for d in published.values())]))
        vocabulary = self.leadership_skills().versions[-1]
        return OwnInventory(
            person=self._person(user_id),
            inventory=skills_decoder.decode(doc) if doc is not None else None,
            catalog_version=latest.version,
            look_fors=[Skill(item.key, item.prompt) for item in latest.items],
            skills=list(vocabulary.skills), skills_version=vocabulary.version)

    # --- the leadership skill vocabulary ----------------------------------------------

    def skill_versions(self) -> dict[int, tuple[Skill, ...]]:
        """The published versions of the vocabulary (2, 3...), by version."""
        published = (skill_vocabulary_decoder.decode(doc)
                     for doc in self.store.all_of(SKILL_VOCABULARY).values())
        return {found.version: found.skills for found in published}

    def leadership_skills(self) -> LeadershipSkills:
        published = [skill_vocabulary_decoder.decode(doc)
                     for doc in self.store.all_of(SKILL_VOCABULARY).values()]
        versions = [VOCABULARY, *(Vocabulary(version=p.version, skills=p.skills, notes=p.notes)
                                  for p in sorted(published, key=lambda p: p.version))]
        return LeadershipSkills(latest=versions[-1].version, versions=versions)

    def capability_matches(self, capability: str) -> CapabilityMatches:
        """Members for a cross-role network on one capability (organizers)."""
        published: Published = self.skill_versions()
        focus = skill(capability, published)
        people = {k: person_decoder.decode(v) for k, v in self.store.all_of(PERSON).items()}
        inventories = {k: skills_decoder.decode(v) for k, v in self.store.all_of(SKILLS).items()}
        roles = {user_id: network_role(person, inventories.get(user_id))
                 for user_id, person in people.items()}
        return CapabilityMatches(capability=focus, matches=match_capability(
            capability, self._latest_catalog(),
            {k: school_decoder.decode(v) for k, v in self.store.all_of(SCHOOL).items()},
            people, inventories, roles, published))

    def _latest_catalog(self) -> Catalog:
        published = self.store.all_of(CATALOG)
        return self.catalog(max([1, *(published_catalog(d).version
                                      for d in published.values())]))

    def matches(self, school_id: str, role: str | None, purpose: Purpose = "pair") -> Matches:
        """Peers for a school's needs (organizers): for a pair in the same role, for a
        group (a Critical Friends Group, a network) in any role."""
        school_doc = self.store.get(SCHOOL, school_id)
        if school_doc is None:
            raise NotFound(f"school {school_id!r} is not registered", code="unknown_school")
        school = school_decoder.decode(school_doc)
        needs_doc = self.store.get(NEEDS, school_id)
        if needs_doc is None:
            raise NotFound("record a needs assessment for this school first",
                           code="no_needs_assessment")
        needs = needs_decoder.decode(needs_doc)
        found = match_peers(
            school, needs, self.catalog(needs.catalog_version),
            {k: school_decoder.decode(v) for k, v in self.store.all_of(SCHOOL).items()},
            {k: person_decoder.decode(v) for k, v in self.store.all_of(PERSON).items()},
            {k: skills_decoder.decode(v) for k, v in self.store.all_of(SKILLS).items()},
            role, purpose, self.skill_versions())
        return Matches(school=self._school(school_id), needs=needs, matches=found)

    def partnerships(self, actor: Actor, today: date) -> Partnerships:
        """Organizers see every partnership; anyone else the ones they belong to."""
        found = []
        for doc in self.store.all_of(PARTNERSHIP).values():
            partnership = partnership_decoder.decode(doc)
            if not may_see_partnership(actor, partnership.members):
                continue
            rules = FORMATS[partnership.kind]
            found.append(PartnershipView(
                partnership_id=partnership.partnership_id, kind=partnership.kind,
                members=[self._person(member) for member in partnership.members],
                starts=partnership.starts, focus=partnership.focus, name=rules.name,
                cadence=rules.cadence, minutes=rules.minutes,
                next_meetings=upcoming(partnership, self._meetings(
                    partnership.partnership_id), today),
                unmatched=list(partnership.unmatched)))
        return Partnerships(partnerships=found)

    def partnership_agenda(self, actor: Actor, partnership_id: str,
                           today: date) -> PartnershipAgenda:
        """The next meeting's agenda: progress on the last meeting's next steps (and on
        the members' schools' latest action plans) first, then the next meeting by the
        cadence, then the one or two next steps to agree."""
        partnership = self.visible_partnership(actor, partnership_id)
        rules = FORMATS[partnership.kind]
        held = self._meetings(partnership_id)
        last = last_meeting(held)
        upcoming = next_meeting(partnership, held, today)
        progress = self._step_progress(partnership_id)
        steps = [] if last is None else [
            _agenda_step(last.meeting_id, step, progress.get(
                step_key(last.meeting_id, step.step_id), []), today)
            for step in last.next_steps]
        return PartnershipAgenda(
            partnership_id=partnership.partnership_id, name=rules.name, kind=partnership.kind,
            focus=partnership.focus,
            members=[self._person(member) for member in partnership.members],
            meetings_held=len(held),
            waiting_for_progress=missing_progress(held, frozenset(progress)),
            protocols=list(PROTOCOLS.values()),
            members_steps=self._members_steps(partnership, today),
            guide=(self._next_guide(len(held) + 1)
                   if partnership.kind == "leadership_learning" else None),
            reflection_due=bool(held) and len(held) % REFLECT_EVERY == 0,
            member_schools=self._member_schools(partnership.members),
            network=self._network(partnership),
            sections=[
                AgendaProgress(
                    meeting=None if last is None else MeetingHeld(
                        meeting_id=last.meeting_id, date=last.date,
                        facilitator=(self._person(last.facilitator)
                                     if last.facilitator else None),
                        presenter=self._person(last.presenter) if last.presenter else None,
                        dilemma=last.dilemma, protocol=last.protocol,
                        reading=last.reading),
                    steps=steps, action_plans=self._members_plans(partnership, today, actor)),
                AgendaNextMeeting(
                    date=upcoming.date, cadence=rules.cadence, minutes=rules.minutes,
                    facilitator=(self._person(upcoming.facilitator)
                                 if upcoming.facilitator else None)),
                AgendaNextSteps(
                    steps=[], min_steps=1, max_steps=MAX_MEETING_STEPS,
                    rule="One or two next steps, each with an owner, a due date and a "
                         "definition of success."),
            ])

    def visible_partnership(self, actor: Actor, partnership_id: str) -> PartnershipFormed:
        """The partnership if the actor is an organizer or a member; 404 otherwise."""
        doc = self.store.get(PARTNERSHIP, partnership_id)
        if doc is not None:
            partnership = partnership_decoder.decode(doc)
            if may_see_partnership(actor, partnership.members):
                return partnership
        raise NotFound("no partnership with that id that you can see",
                       code="partnership_not_found")

    # --- what is open --------------------------------------------------------------

    def open_work(self, actor: Actor, today: date) -> OpenWork:
        """Open steps across schools and partnerships, the overdue first, and visits
        whose agreed plan is done but not closed (organizers)."""
        if not actor.has("organizer"):
            raise Forbidden("what is open across the district is for organizers")
        steps = [*self._open_visit_steps(today), *self._open_meeting_steps(today)]
        steps.sort(key=lambda s: (not s.overdue, s.due, s.text))
        self.mark_nudged(steps)
        to_close = []
        for view in self._visits():
            plan = plan_steps(view, today)
            if view.phase == "support" and plan and all(s.status == "done" for s in plan):
                to_close.append(VisitToClose(visit_id=view.id, school=self._school(
                    view.school_id), date=view.date, focus=view.focus, steps=len(plan)))
        to_close.sort(key=lambda v: (v.date, v.visit_id))
        return OpenWork(today=today, steps=steps, overdue=sum(s.overdue for s in steps),
                        visits_to_close=to_close)

    def mark_nudged(self, steps: list[OpenStep]) -> None:
        """Each step's latest nudge day, from the log."""
        nudges = self.store.get_many(NUDGES, [step.ref() for step in steps])
        for step in steps:
            doc = nudges.get(step.ref())
            if doc is not None:
                step.nudged_on = nudge_decoder.decode(doc).date

    def _open_visit_steps(self, today: date) -> list[OpenStep]:
        return [OpenStep(source="visit", step_id=s.step_id, text=s.text, owner=s.owner,
                         due=s.due, success=s.success, status=s.status, overdue=s.overdue,
                         school=self._school(s.school_id), visit_id=s.visit_id)
                for s in open_steps(self._visits(), today)]

    def _open_meeting_steps(self, today: date,
                            partnership_ids: list[str] | None = None) -> list[OpenStep]:
        """Steps of every meeting held whose latest progress is not done."""
        found = []
        held = (self.store.all_of(MEETINGS) if partnership_ids is None
                else self.store.get_many(MEETINGS, partnership_ids))
        for pid, doc in held.items():
            partnership_doc = self.store.get(PARTNERSHIP, pid)
            name = (FORMATS[partnership_decoder.decode(partnership_doc).kind].name
                    if partnership_doc is not None else pid)
            progress = self._step_progress(pid)
            for meeting in meetings_decoder.decode(doc):
                for step in meeting.next_steps:
                    check_ins = progress.get(step_key(meeting.meeting_id, step.step_id), [])
                    status = check_ins[-1].status if check_ins else "not_started"
                    if status == "done":
                        continue
                    found.append(OpenStep(
                        source="meeting", step_id=step.step_id, text=step.text,
                        owner=step.owner, due=step.due, success=step.success, status=status,
                        overdue=step.due < today, partnership_id=pid,
                        partnership_name=name, meeting_id=meeting.meeting_id))
        return found

    def _members_steps(self, partnership: PartnershipFormed, today: date) -> list[OpenStep]:
        """Open steps the members own outside this partnership: by name, and a step of
        another partnership a member is in whose owner is no one person ("Every member"):
        the group owns it, so each of its members does."""
        names = {self._person(member).name.casefold() for member in partnership.members}
        registered = {person_decoder.decode(doc).name.casefold()
                      for doc in self.store.all_of(PERSON).values()}
        shared = {pid for pid, doc in self.store.all_of(PARTNERSHIP).items()
                  if set(partnership_decoder.decode(doc).members) & set(partnership.members)}
        steps = [*self._open_visit_steps(today), *self._open_meeting_steps(today)]
        return [s for s in steps if s.partnership_id != partnership.partnership_id and (
            s.owner.casefold() in names
            or (s.partnership_id in shared and s.owner.strip().casefold() not in registered))]

    # --- conversation guides ----------------------------------------------------------

    def conversation_guides(self) -> ConversationGuides:
        published = [guides_decoder.decode(doc) for doc in self.store.all_of(GUIDES).values()]
        versions = [GuidesVersion(version=1, guides=list(BUILT_IN_GUIDES)),
                    *(GuidesVersion(version=p.version, guides=list(p.guides), notes=p.notes)
                      for p in sorted(published, key=lambda p: p.version))]
        return ConversationGuides(latest=versions[-1].version, versions=versions)

    def _next_guide(self, conversation: int) -> GuideView | None:
        latest = self.conversation_guides().versions[-1]
        if not 1 <= conversation <= len(latest.guides):
            return None
        guide = latest.guides[conversation - 1]
        return GuideView(conversation=conversation, version=latest.version, title=guide.title,
                         prompts=list(guide.prompts))

    def _network(self, partnership: PartnershipFormed) -> NetworkView | None:
        """A network's capability, roles, ground rules and acknowledgments."""
        if partnership.kind != "network":
            return None
        people = {k: person_decoder.decode(v) for k, v
                  in self.store.get_many(PERSON, list(partnership.members)).items()}
        inventories = {k: skills_decoder.decode(v) for k, v
                       in self.store.get_many(SKILLS, list(partnership.members)).items()}
        doc = self.store.get(ACKNOWLEDGED, partnership.partnership_id)
        return NetworkView(
            capability=(skill(partnership.capability, self.skill_versions())
                        if partnership.capability else None),
            roles={m: network_role(people[m], inventories.get(m))
                   for m in partnership.members if m in people},
            ground_rules=list(GROUND_RULES),
            acknowledged=members_decoder.decode(doc) if doc is not None else [])

    def _member_schools(self, members: tuple[str, ...]) -> dict[str, SchoolRef]:
        found = {}
        for user_id, doc in self.store.get_many(PERSON, list(members)).items():
            school_id = person_decoder.decode(doc).school_id
            if school_id is not None:
                found[user_id] = self._school(school_id)
        return found

    def _step_progress(self, partnership_id: str) -> dict[str, list[MeetingStepCheckedIn]]:
        """Progress recorded on the partnership's meeting steps, by step_key, log order."""
        doc = self.store.get(STEP_CHECK_INS, partnership_id)
        found: dict[str, list[MeetingStepCheckedIn]] = {}
        for check_in in step_check_ins_decoder.decode(doc) if doc is not None else []:
            found.setdefault(step_key(check_in.meeting_id, check_in.step_id), []).append(
                check_in)
        return found

    def _meetings(self, partnership_id: str) -> list[PartnershipMeetingHeld]:
        doc = self.store.get(MEETINGS, partnership_id)
        return meetings_decoder.decode(doc) if doc is not None else []

    def _members_plans(self, partnership: PartnershipFormed, today: date,
                       actor: Actor) -> list[PlanStep]:
        """The agreed steps of the latest visit with a plan at each member's school, of
        the visits the actor may see (as the visit's own /plan: its team, host and
        organizers)."""
        found: list[PlanStep] = []
        calendar = self.calendar()
        for member in partnership.members:
            doc = self.store.get(PERSON, member)
            school_id = person_decoder.decode(doc).school_id if doc is not None else None
            if school_id is None:
                continue
            visits = sorted((v for v in self._school_visits(school_id)
                             if visit_relation(actor, v.team, v.host) is not None),
                            key=lambda v: (v.date, v.id), reverse=True)
            for view in visits:
                steps = plan_steps(view, today, calendar)
                if steps:
                    found.extend(steps)
                    break
        return found

    # --- support and trends --------------------------------------------------------

    def action_plans(self, actor: Actor, today: date,
                     school_id: str | None = None) -> ActionPlans:
        """Open steps: a host's own school, or (organizers) the district or one school."""
        scope = school_id if school_id is not None or actor.has("organizer") \
            else actor.school_id
        if scope is None and not actor.has("organizer"):
            raise Forbidden("action plans are for a school's host and organizers")
        if scope is not None and not may_see_school(actor, scope):
            raise Forbidden("hosts see their own school's action plans")
        visits = self._visits() if scope is None else self._school_visits(scope)
        steps: list[PlanStep] = open_steps(visits, today, self.calendar())
        return ActionPlans(
            today=today, school_id=scope, steps=steps,
            overdue=[s for s in steps if s.overdue],
            check_ins_due=[s for s in steps if s.check_in_overdue],
            schools={s.school_id: self._school(s.school_id) for s in steps})

    def hosted_plan_steps(self, host: str, school_id: str, today: date,
                          seen_by: Actor | None = None) -> list[PlanStep]:
        """Every agreed action-plan step of the visits this person hosted at their
        school (what their growth goals may link to), oldest visit first; given
        `seen_by`, only of the visits whose plan that caller may see (the same rule as
        the visit's own routes: a peer off the visit's team sees none of it)."""
        hosted = sorted((v for v in self._school_visits(school_id) if v.host == host
                         and (seen_by is None
                              or visit_relation(seen_by, v.team, v.host) is not None)),
                        key=lambda v: (v.date, v.id))
        calendar = self.calendar()
        return [step for view in hosted for step in plan_steps(view, today, calendar)]

    def school_trends(self, actor: Actor, school_id: str) -> SchoolTrends:
        if not may_see_school(actor, school_id):
            raise Forbidden("school trends are for the school's host and organizers")
        doc = self.store.get(SCHOOL, school_id)
        if doc is None:
            raise NotFound(f"school {school_id!r} is not registered", code="unknown_school")
        name = school_decoder.decode(doc).name
        return school_trends(school_id, name, self._school_visits(school_id), self.catalog,
                             self.min_rooms)

    def district_trends(self, actor: Actor,
                        min_cell: int = MIN_CELL_DEFAULT) -> DistrictTrends:
        if not may_see_district(actor):
            raise Forbidden("district trends are for organizers and analysts")
        levels = {k: school_decoder.decode(v).level
                  for k, v in self.store.all_of(SCHOOL).items()}
        return district_trends(self._visits(), levels, self.catalog, min_cell)

    def visible_visit(self, actor: Actor, visit_id: str) -> VisitView:
        """The visit if the actor may see it; 404 otherwise (no hint that it exists)."""
        uuid = visit_uuid(visit_id)
        doc = self.store.get(VISIT, str(uuid)) if uuid else None
        if doc is not None:
            view = view_decoder.decode(doc)
            if visit_relation(actor, view.team, view.host) is not None:
                return view
        raise NotFound("no visit with that id that you can see", code="visit_not_found")

    def visits_from(self, day: date) -> list[VisitView]:
        """Every visit on or after a day (planned, cancelled or under way)."""
        return [view for view in self._visits() if view.date >= day]

    def visit_view(self, visit_id: str) -> VisitView | None:
        """A visit's read model, as the log made it (None: no such visit)."""
        doc = self.store.get(VISIT, visit_id)
        return None if doc is None else view_decoder.decode(doc)

    def school_name(self, school_id: str) -> str:
        return self._school(school_id).name

    def open_steps_by_host(self, today: date) -> list[tuple[str, PlanStep]]:
        """Every open action-plan step with the host who owns its plan."""
        calendar = self.calendar()
        return [(view.host, step) for view in self._visits()
                for step in plan_steps(view, today, calendar) if step.open]

    def _visits(self) -> list[VisitView]:
        return [view_decoder.decode(doc) for doc in self.store.all_of(VISIT).values()]

    def _school_visits(self, school_id: str) -> list[VisitView]:
        doc = self.store.get(SCHOOL_VISITS, school_id)
        visit_ids = visit_ids_decoder.decode(doc) if doc is not None else []
        return [view_decoder.decode(doc) for doc in self.store.get_many(VISIT, visit_ids).values()]

    def _view(self, visit_id: str) -> VisitView:
        doc = self.store.get(VISIT, visit_id)
        assert doc is not None
        return view_decoder.decode(doc)

    def _school(self, school_id: str) -> SchoolRef:
        doc = self.store.get(SCHOOL, school_id)
        if doc is None:
            return SchoolRef(id=school_id, name=school_id, level=None)
        school = school_decoder.decode(doc)
        return SchoolRef(id=school.school_id, name=school.name, level=school.level)

    def _person(self, user_id: str) -> PersonRef:
        doc = self.store.get(PERSON, user_id)
        if doc is None:
            return PersonRef(id=user_id, name=user_id)
        person = person_decoder.decode(doc)
        return PersonRef(id=person.user_id, name=person.name)


def _agenda_step(meeting_id: str, step: MeetingStep, check_ins: list[MeetingStepCheckedIn],
                 today: date) -> AgendaStep:
    latest = check_ins[-1] if check_ins else None
    return AgendaStep(
        **msgspec.structs.asdict(step), meeting_id=meeting_id,
        overdue=step.due < today and (latest is None or latest.status != "done"),
        status=latest.status if latest else None,
        progress=latest.progress if latest else None,
        note=latest.note if latest else None, check_ins=len(check_ins))
