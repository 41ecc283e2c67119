"""Routes of the visit cycle around the capture: preparation (needs, inventories,
matching, partnerships, catalogs), action plans and trends, with their SVG charts.

Writes here are organizers' forms recorded on the district (`POST`); everything
that happens on a visit (debrief, next steps, the agreed plan, check-ins) is a
visit event sent through `POST /api/sync` like the tablet's taps.

A tablet's outbox sends these forms too, and may send one again when an answer was
lost: with `Idempotency-Key: <uuid>` a retry of the same request (same path, same
decoded body) answers what the first one recorded, and records nothing twice; the
same key with another request is `409 idempotency_conflict`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from projections.answers import (
    ActionPlans,
    CapabilityMatches,
    Catalogs,
    ConversationGuides,
    LeadershipSkills,
    Matches,
    OpenStep,
    OpenWork,
    OwnInventory,
    PartnershipAgenda,
    Partnerships,
    PersonRef,
    Preparation,
)
from projections.queries import Reader
from projections.summary import Summary
from projections.trends import DistrictTrends, SchoolTrends
from walkthrough.access import Actor
from walkthrough.application import Walkthrough
from walkthrough.catalog import LookFor
from walkthrough.errors import DomainError, Forbidden, NotFound
from walkthrough.events import (
    AdministratorRole,
    CatalogKind,
    CheckInStatus,
    ConversationGuide,
    GroundRulesAcknowledged,
    ItemKey,
    ItemKeys,
    LeadershipSkill,
    LongText,
    MeetingStep,
    MeetingStepCheckedIn,
    NeedsAssessmentRecorded,
    NudgeSource,
    PartnershipFormed,
    PartnershipMeetingHeld,
    Progress,
    ShortText,
    SkillInventoryRecorded,
    SkillsVersion,
    Slug,
    StepNudged,
    Text,
    UserId,
    step_ref,
)
from walkthrough.roles import Role
from walkthrough.skills import Vocabulary
from web.composition.notices import nudge_message, nudge_recipients
from web.http.auth import caller
from web.http.context import AS_OF, body, read, services
from web.http.errors import RequestError
from web.http.idempotency import ONCE, Recorded, idempotency, record_preparation
from web.http.responses import JSON
from web.http.routing import SVG_MEDIA, Endpoint
from web.render.charts import WIDTH, Line, Point, bars, chart_width, rates_over_time

SVG_HEADERS = {"Cache-Control": "no-store"}


class NeedsAssessmentForm(msgspec.Struct, forbid_unknown_fields=True):
    focus_areas: Annotated[tuple[ItemKey, ...], msgspec.Meta(min_length=1, max_length=20)]
    notes: LongText | None = None
    catalog_version: int | None = None
    skills_version: SkillsVersion | None = None  # omitted: the latest


class SkillInventoryForm(msgspec.Struct, forbid_unknown_fields=True):
    role: AdministratorRole
    strengths: ItemKeys = ()
    growth_areas: ItemKeys = ()
    notes: LongText | None = None
    catalog_version: int | None = None
    skills_version: SkillsVersion | None = None  # omitted: the latest


class CatalogForm(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[tuple[LookFor, ...], msgspec.Meta(min_length=1, max_length=60)]
    notes: ShortText | None = None
    kind: CatalogKind = "classroom"  # or "leadership": practice look-fors, own versions


class MeetingForm(msgspec.Struct, forbid_unknown_fields=True):
    """A partnership meeting as held; the partnership comes from the path. More than two
    steps pass the schema so that the domain can refuse them with its own code."""

    meeting_id: Slug
    date: date
    next_steps: Annotated[tuple[MeetingStep, ...], msgspec.Meta(max_length=6)]
    facilitator: UserId | None = None
    notes: LongText | None = None
    presenter: UserId | None = None
    dilemma: Text | None = None
    protocol: ItemKey | None = None
    reading: Text | None = None
    guides_version: Annotated[int, msgspec.Meta(ge=1)] | None = None


class SkillsForm(msgspec.Struct, forbid_unknown_fields=True):
    """The next version of the leadership skill vocabulary, whole."""

    skills: Annotated[tuple[LeadershipSkill, ...], msgspec.Meta(min_length=1, max_length=40)]
    notes: ShortText | None = None


class GuidesForm(msgspec.Struct, forbid_unknown_fields=True):
    """The next version of the conversation guides: the first guide for the first
    conversation, and so on."""

    guides: Annotated[tuple[ConversationGuide, ...], msgspec.Meta(min_length=1, max_length=6)]
    notes: ShortText | None = None


class GroundRulesForm(msgspec.Struct, forbid_unknown_fields=True):
    """Nothing to say: the member acknowledging is the caller."""


class StepProgressForm(msgspec.Struct, forbid_unknown_fields=True):
    """Progress on a next step of one of the partnership's meetings."""

    meeting_id: Slug
    step_id: Slug
    status: CheckInStatus
    progress: Progress | None = None
    note: Text | None = None


# --- preparation ----------------------------------------------------------------------


async def preparation(request: Request) -> Response:
    return JSON(await read(request, lambda _, reader, __: reader.preparation()))


async def record_needs(request: Request) -> Response:
    form = await body(request, NeedsAssessmentForm)
    school_id = request.path_params["school_id"]
    app = services(request).app
    return await record_preparation(request, lambda _, latest: NeedsAssessmentRecorded(
        school_id=school_id, catalog_version=form.catalog_version or latest,
        focus_areas=form.focus_areas, notes=form.notes,
        skills_version=form.skills_version or app.district().latest_skills_version()), form)


async def record_skills(request: Request) -> Response:
    form = await body(request, SkillInventoryForm)
    user_id = request.path_params["user_id"]
    app = services(request).app
    return await record_preparation(request, lambda _, latest: SkillInventoryRecorded(
        user_id=user_id, role=form.role, catalog_version=form.catalog_version or latest,
        strengths=form.strengths, growth_areas=form.growth_areas, notes=form.notes,
        skills_version=form.skills_version or app.district().latest_skills_version()), form)


async def own_inventory(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    return JSON(await read(request, lambda actor, reader, _: reader.own_inventory(
        actor, user_id)))


async def matches(request: Request) -> Response:
    school_id = request.path_params["school_id"]
    role = request.query_params.get("role")
    purpose = request.query_params.get("purpose", "pair")
    if purpose not in ("pair", "group"):
        raise RequestError(422, "invalid_purpose", "purpose is pair (a visit team, a "
                           "Leadership Learning Partnership) or group (a Critical Friends "
                           "Group, a network)")
    return JSON(await read(request, lambda _, reader, __: reader.matches(
        school_id, role, "group" if purpose == "group" else "pair")))


async def capability_matches(request: Request) -> Response:
    key = request.path_params["key"]
    return JSON(await read(request, lambda _, reader, __: reader.capability_matches(key)))


async def form_partnership(request: Request) -> Response:
    form = await body(request, PartnershipFormed)
    return await record_preparation(request, lambda _, __: form, form)


async def partnerships(request: Request) -> Response:
    return JSON(await read(request, lambda actor, reader, today: reader.partnerships(
        actor, today)))


async def record_meeting(request: Request) -> Response:
    form = await body(request, MeetingForm)
    partnership_id = request.path_params["partnership_id"]
    return await record_preparation(request, lambda _, __: PartnershipMeetingHeld(
        partnership_id=partnership_id, meeting_id=form.meeting_id, date=form.date,
        next_steps=form.next_steps, facilitator=form.facilitator, notes=form.notes,
        presenter=form.presenter, dilemma=form.dilemma, protocol=form.protocol,
        reading=form.reading, guides_version=form.guides_version), form)


async def acknowledge_ground_rules(request: Request) -> Response:
    form = await body(request, GroundRulesForm)
    partnership_id = request.path_params["partnership_id"]
    return await record_preparation(request, lambda _, __: GroundRulesAcknowledged(
        partnership_id=partnership_id), form)


async def record_step_progress(request: Request) -> Response:
    form = await body(request, StepProgressForm)
    partnership_id = request.path_params["partnership_id"]
    return await record_preparation(request, lambda _, __: MeetingStepCheckedIn(
        partnership_id=partnership_id, meeting_id=form.meeting_id, step_id=form.step_id,
        status=form.status, progress=form.progress, note=form.note), form)


async def partnership_agenda(request: Request) -> Response:
    partnership_id = request.path_params["partnership_id"]
    app = services(request).app
    return JSON(await read(request, lambda actor, reader, today: with_goal_steps(
        reader.partnership_agenda(actor, partnership_id, today), app, actor, today)))


def with_goal_steps(agenda: PartnershipAgenda, app: Walkthrough, actor: Actor,
                    today: date) -> PartnershipAgenda:
    """The members' growth-goal steps join their other open steps. Growth records are
    read from their aggregates (not projected). A partnership whose members are each
    other's growth peers shows every member's; a cross-role network (whose members are
    not growth peers) shows each person their own, and organizers everyone's: whatever
    the meeting, a person's next one opens with progress on every step they own."""
    members = agenda.members
    if agenda.kind == "network" and not actor.has("organizer"):
        members = [member for member in members if member.id == actor.user_id]
    agenda.members_steps = [*agenda.members_steps, *goal_steps(app, members, today)]
    return agenda


def goal_steps(app: Walkthrough, owners: list[PersonRef], today: date) -> list[OpenStep]:
    """The steps of these people's growth goals, as they stand (amendments applied)."""
    records = app.growth_records([owner.id for owner in owners])
    found = []
    for owner in owners:
        record = records.get(owner.id)
        for goal in record.goals.values() if record is not None else ():
            for first in goal.goal.steps:
                now = goal.step(first.step_id) or first
                found.append(OpenStep(
                    source="goal", step_id=now.step_id, text=now.text, owner=now.owner,
                    due=now.due, success=now.success, status="open", overdue=now.due < today,
                    goal_id=goal.goal.goal_id, goal_of=owner))
    return found


async def conversation_guides(request: Request) -> Response:
    return JSON(await read(request, lambda _, reader, __: reader.conversation_guides()))


async def publish_guides(request: Request) -> Response:
    form = await body(request, GuidesForm)
    found = services(request)
    actor = caller(request)
    once = idempotency(request, form)

    def run() -> Recorded:
        event = found.app.publish_guides(actor, form.guides, form.notes, once)
        return Recorded(event_id=str(event.event_id), type=event.type,
                        data=msgspec.to_builtins(event.payload))

    return JSON(await run_in_threadpool(run), status_code=201)


async def latest_skills(request: Request) -> Response:
    return JSON(await read(request, lambda _, reader, __: reader.leadership_skills(
    ).versions[-1]))


async def leadership_skills(request: Request) -> Response:
    return JSON(await read(request, lambda _, reader, __: reader.leadership_skills()))


async def publish_skills(request: Request) -> Response:
    form = await body(request, SkillsForm)
    found = services(request)
    actor = caller(request)
    once = idempotency(request, form)

    def run() -> Recorded:
        event = found.app.publish_skills(actor, form.skills, form.notes, once)
        return Recorded(event_id=str(event.event_id), type=event.type,
                        data=msgspec.to_builtins(event.payload))

    return JSON(await run_in_threadpool(run), status_code=201)


async def catalogs(request: Request) -> Response:
    return JSON(await read(request, lambda _, reader, __: reader.catalogs()))


async def publish_catalog(request: Request) -> Response:
    form = await body(request, CatalogForm)
    found = services(request)
    actor = caller(request)
    once = idempotency(request, form)

    def run() -> Recorded:
        event = found.app.publish_catalog(actor, form.items, form.notes, once, form.kind)
        return Recorded(event_id=str(event.event_id), type=event.type,
                        data=msgspec.to_builtins(event.payload))

    return JSON(await run_in_threadpool(run), status_code=201)


# --- support and trends ---------------------------------------------------------------


async def action_plans(request: Request) -> Response:
    school_id = request.query_params.get("school_id")
    return JSON(await read(request, lambda actor, reader, today: reader.action_plans(
        actor, today, school_id)))


async def open_work(request: Request) -> Response:
    app = services(request).app
    return JSON(await read(request, lambda actor, reader, today: all_open_work(
        app, actor, reader, today)))


def all_open_work(app: Walkthrough, actor: Actor, reader: Reader, today: date) -> OpenWork:
    """What is open (projections.queries.Reader.open_work) with every growth goal's
    steps too (growth records are read from their aggregates, not projected)."""
    found = reader.open_work(actor, today)
    district = app.district()
    owners = [PersonRef(id=user_id, name=district.people[user_id].name)
              for user_id in sorted(set(district.growth_owners.values()))
              if district.is_active(user_id)]
    goals = goal_steps(app, owners, today)
    reader.mark_nudged(goals)
    found.steps = sorted([*found.steps, *goals], key=lambda s: (not s.overdue, s.due, s.text))
    found.overdue = sum(s.overdue for s in found.steps)
    return found


class NudgeForm(msgspec.Struct, forbid_unknown_fields=True):
    """An open step to nudge its owner about, named as /api/open lists it."""

    source: NudgeSource
    step_id: Slug
    visit_id: Slug | None = None
    partnership_id: Slug | None = None
    meeting_id: Slug | None = None
    goal_id: Slug | None = None
    owner_id: UserId | None = None  # a goal step: whose goal (goal_of.id)


class Nudged(msgspec.Struct):
    """A nudge recorded (StepNudged): whom it emails and the day; emailed is false when
    no mail server is set up (the nudge is recorded all the same)."""

    event_id: str
    date: date
    recipients: list[PersonRef]
    emailed: bool


async def nudge(request: Request) -> Response:
    form = await body(request, NudgeForm)
    found = services(request)
    actor = caller(request)
    once = idempotency(request, form)
    if not actor.has("organizer"):
        raise Forbidden("organizers nudge the owners of open steps")

    def run() -> Nudged:
        found.projector.catch_up()
        today = found.app.local_date(found.clock())
        reader = Reader(found.read_models, found.settings.min_rooms)
        ref = step_ref(form.source, form.step_id, form.visit_id, form.partnership_id,
                       form.meeting_id, form.goal_id, form.owner_id)
        step = next((s for s in all_open_work(found.app, actor, reader, today).steps
                     if s.ref() == ref), None)
        if step is None:
            raise NotFound("no such open step (done, or never agreed)", code="step_not_open")
        district = found.app.district()
        recipients = nudge_recipients(step, district, reader)
        if not recipients:
            raise DomainError("nobody to nudge: the step's owner is not a registered person "
                              "with an email", code="no_one_to_nudge")
        event = found.app.prepare(actor, StepNudged(
            source=form.source, step_id=form.step_id, date=today,
            recipients=tuple(recipients), visit_id=form.visit_id,
            partnership_id=form.partnership_id, meeting_id=form.meeting_id,
            goal_id=form.goal_id, owner_id=form.owner_id), once)
        sent = event.payload
        assert isinstance(sent, StepNudged)
        if found.mail.configured:
            subject, text = nudge_message(step, reader, found.settings.base_url)
            for user_id in sent.recipients:
                email = district.people[user_id].email
                if email is not None:  # the key: a retried request mails nobody twice
                    found.mail.send(email, subject, text,
                                    key=f"nudge:{event.event_id}:{user_id}")
        return Nudged(event_id=str(event.event_id), date=sent.date, emailed=found.mail.configured,
                      recipients=[PersonRef(id=u, name=district.people[u].name)
                                  for u in sent.recipients])

    return JSON(await run_in_threadpool(run), status_code=201)


async def school_trends(request: Request) -> Response:
    school_id = request.path_params["school_id"]
    headers: dict[str, str] = {}
    answer = await read(request, lambda actor, reader, _: reader.school_trends(
        actor, school_id), as_of=True, headers=headers)
    return JSON(answer, headers=headers)


async def district_trends(request: Request) -> Response:
    min_cell = services(request).settings.min_cell
    headers: dict[str, str] = {}
    answer = await read(request, lambda actor, reader, _: reader.district_trends(
        actor, min_cell), as_of=True, headers=headers)
    return JSON(answer, headers=headers)


# --- charts ---------------------------------------------------------------------------


def _svg(svg: str) -> Response:
    return Response(svg, media_type="image/svg+xml", headers=SVG_HEADERS)


def _short(day: date) -> str:
    return day.strftime("%b %d %Y")


def _too_few(rooms: int, minimum: int) -> str:
    return f"{rooms} room{'s' * (rooms != 1)}: a trend only from {minimum}"


def school_lines(trends: SchoolTrends) -> list[Line]:
    """The school chart's values: each point the school trends' figure, as it is."""
    return [Line(title=series.prompt, points=[
        Point(label=_short(p.date), rate=p.rate, suppressed=p.suppressed,
              note=_too_few(p.rooms_rated, trends.min_rooms) if p.suppressed
              else f"{p.rooms_rated} room{'s' * (p.rooms_rated != 1)}")
        for p in series.points]) for series in trends.series]


def school_chart(trends: SchoolTrends, width: int = WIDTH) -> str:
    return rates_over_time(f"{trends.school_name}: look-for rates, visit by visit",
                           school_lines(trends), width)


def district_chart(trends: DistrictTrends, kind: str, width: int = WIDTH) -> str:
    if kind == "lines":
        lines = [Line(title=item.prompt, points=[
            Point(label=cell.period, rate=cell.rate, suppressed=cell.suppressed,
                  note=f"{cell.classrooms} rooms" if cell.classrooms else "")
            for cell in item.district]) for item in trends.look_fors]
        return rates_over_time("District look-for rates by quarter", lines, width)
    latest = trends.periods[-1] if trends.periods else ""
    points = []
    for item in trends.look_fors:
        cell = next((c for c in item.district if c.period == latest), None)
        if cell is not None:
            points.append(Point(label=item.prompt, rate=cell.rate, suppressed=cell.suppressed,
                                note=f"{cell.classrooms} rooms" if cell.classrooms else ""))
    return bars(f"District look-for rates, {latest or 'no visits yet'}", points, width)


def visit_points(summary: Summary) -> list[Point]:
    """The visit chart's values: each look-for's figure from the summary, as it is."""
    return [Point(label=item.prompt, rate=None, suppressed=True,
                  note=f"fewer than {summary.min_rooms} rooms: a trend only from "
                       f"{summary.min_rooms}")
            if item.suppressed else
            Point(label=item.prompt, rate=item.rate,
                  note=f"{item.rooms_rated} room{'s' * (item.rooms_rated != 1)}")
            for item in summary.items
            if item.rate is not None or (item.suppressed and item.rooms_observed)]


def visit_chart(summary: Summary, width: int = WIDTH) -> str:
    """Rates across the visit's rooms; a look-for judged in too few rooms says so."""
    return bars("Look-fors across the visit's rooms", visit_points(summary), width)


def _width(request: Request) -> int:
    """The width the page has for the chart (`?width=`, CSS px), within 320-720."""
    raw = request.query_params.get("width")
    if raw is None:
        return WIDTH
    if not raw.isdigit() or len(raw) > 5:
        raise RequestError(422, "invalid_request", "width is a whole number of CSS pixels")
    return chart_width(int(raw))


async def school_trends_chart(request: Request) -> Response:
    school_id = request.path_params["school_id"]
    width = _width(request)
    return _svg(await read(request, lambda actor, reader, _: school_chart(
        reader.school_trends(actor, school_id), width)))


async def district_trends_chart(request: Request) -> Response:
    kind = request.query_params.get("chart", "bars")
    if kind not in ("bars", "lines"):
        raise RequestError(422, "invalid_request", "chart is bars or lines")
    min_cell = services(request).settings.min_cell
    width = _width(request)
    return _svg(await read(request, lambda actor, reader, _: district_chart(
        reader.district_trends(actor, min_cell), kind, width)))


async def debrief_chart(request: Request) -> Response:
    visit_id = request.path_params["visit_id"]
    width = _width(request)
    return _svg(await read(request, lambda actor, reader, _: visit_chart(
        reader.summary(actor, visit_id), width)))


ORGANIZERS: tuple[Role, ...] = ("organizer",)
CHART = {"name": "chart", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["bars", "lines"], "default": "bars"}}
CHART_WIDTH = {"name": "width", "in": "query", "required": False,
               "description": "the CSS width the page has for the chart: drawn for it, so its "
                              "text is shown at its own size (a phone layout under 560)",
               "schema": {"type": "integer", "minimum": 0, "default": WIDTH}}
ENDPOINTS = [
    Endpoint("get", "/api/preparation", preparation,
             "Needs assessments and skill inventories (organizers)", roles=ORGANIZERS,
             answer=Preparation),
    Endpoint("post", "/api/schools/{school_id}/needs-assessment", record_needs,
             "Record a school's needs: focus look-fors and notes (organizers)",
             roles=ORGANIZERS, body=NeedsAssessmentForm, answer=Recorded, status=201,
             query=(ONCE,), errors=(409,)),
    Endpoint("post", "/api/people/{user_id}/skill-inventory", record_skills,
             "Record an administrator's role, strengths and growth areas: look-fors and "
             "leadership skills (organizers, and each leader their own)",
             body=SkillInventoryForm, answer=Recorded, status=201,
             query=(ONCE,), errors=(409,)),
    Endpoint("get", "/api/people/{user_id}/skill-inventory", own_inventory,
             "A leader's skill inventory with the look-fors and leadership skills it may "
             "name (the leader, organizers)", answer=OwnInventory),
    Endpoint("get", "/api/schools/{school_id}/matches", matches,
             "Peers from other campuses for the school's needs, ranked, with the reason: "
             "for a pair (?purpose=pair, the default: a visit team or a Leadership Learning "
             "Partnership) in the same role, strong in its needs, complementary strengths "
             "first; for a group (?purpose=group: a Critical Friends Group, a network) in "
             "any role, a shared need first (organizers; ?role=)", roles=ORGANIZERS,
             answer=Matches, query=({"name": "role", "in": "query", "required": False,
                                     "schema": {"type": "string"}},
                                    {"name": "purpose", "in": "query", "required": False,
                                     "schema": {"enum": ["pair", "group"]}})),
    Endpoint("get", "/api/partnerships", partnerships, "Partnerships with cadence and next "
             "meetings (organizers: all; others: their own)", answer=Partnerships),
    Endpoint("post", "/api/partnerships", form_partnership, "Form a Leadership Learning "
             "Partnership (a pair) or a Critical Friends Group (4-6) (organizers)",
             roles=ORGANIZERS, body=PartnershipFormed, answer=Recorded, status=201,
             query=(ONCE,), errors=(409,)),
    Endpoint("post", "/api/partnerships/{partnership_id}/meetings", record_meeting,
             "Record a meeting held: date, facilitator (a Critical Friends Group rotates it) "
             "and one or two next steps, each with owner, due date and definition of success "
             "(organizers, members)", body=MeetingForm, answer=Recorded, status=201,
             query=(ONCE,), errors=(409,)),
    Endpoint("post", "/api/partnerships/{partnership_id}/step-progress", record_step_progress,
             "Record progress on a next step of one of the partnership's meetings: the next "
             "meeting opens with it and cannot close before every step of the last meeting "
             "has some (organizers, members)", body=StepProgressForm, answer=Recorded,
             status=201, query=(ONCE,), errors=(409,)),
    Endpoint("post", "/api/partnerships/{partnership_id}/ground-rules",
             acknowledge_ground_rules, "A member of a cross-role network acknowledges its "
             "ground rules; its first meeting closes once every member has (members)",
             body=GroundRulesForm, answer=Recorded, status=201, query=(ONCE,),
             errors=(409,)),
    Endpoint("get", "/api/partnerships/{partnership_id}/agenda", partnership_agenda,
             "The next meeting's agenda: progress on the last next steps first, the next "
             "meeting by the cadence, then the next steps to agree (organizers, members)",
             answer=PartnershipAgenda),
    Endpoint("get", "/api/conversation-guides", conversation_guides, "Every version of the "
             "guides for a Leadership Learning Partnership's first conversations; the latest "
             "is used", answer=ConversationGuides),
    Endpoint("post", "/api/conversation-guides", publish_guides, "Publish the next version "
             "of the conversation guides (organizers)", roles=ORGANIZERS, body=GuidesForm,
             answer=Recorded, status=201, query=(ONCE,), errors=(409,)),
    Endpoint("get", "/api/skills", latest_skills, "The leadership skill vocabulary's latest "
             "version: what inventories, goals and a cross-role network's focus name",
             answer=Vocabulary),
    Endpoint("get", "/api/leadership-skills", leadership_skills, "Every version of the "
             "leadership skill vocabulary, the built-in first; the latest is offered",
             answer=LeadershipSkills),
    Endpoint("post", "/api/leadership-skills", publish_skills, "Publish the next version of "
             "the leadership skill vocabulary (organizers)", roles=ORGANIZERS,
             body=SkillsForm, answer=Recorded, status=201, query=(ONCE,), errors=(409,)),
    Endpoint("get", "/api/skills/{key}/matches", capability_matches, "Members for a "
             "cross-role network on one leadership skill, any role, with the reason "
             "(organizers)", roles=ORGANIZERS, answer=CapabilityMatches),
    Endpoint("get", "/api/catalogs", catalogs, "Catalog versions: built in and published",
             answer=Catalogs),
    Endpoint("post", "/api/catalogs", publish_catalog,
             "Publish the next catalog version (organizers)", roles=ORGANIZERS,
             body=CatalogForm, answer=Recorded, status=201, query=(ONCE,), errors=(409,)),
    Endpoint("post", "/api/open/nudges", nudge, "Nudge the owner of an open step (one tap "
             "on what is open): an email to them through the mail queue, recorded as "
             "StepNudged; once a step a day (409 already_nudged) (organizers)",
             roles=ORGANIZERS, body=NudgeForm, answer=Nudged, status=201, query=(ONCE,),
             errors=(404, 409)),
    Endpoint("get", "/api/open", open_work, "What is open across schools and partnerships: "
             "open steps of visits' action plans, of meetings and of growth goals, the "
             "overdue first, each with the day its owner was last nudged, and "
             "visits whose plan is done but not closed (organizers)", roles=ORGANIZERS,
             answer=OpenWork),
    Endpoint("get", "/api/action-plans", action_plans, "Open action-plan steps, next check-in "
             "due, overdue (host: own school; organizers: district or ?school_id=)",
             roles=("host", "organizer"), answer=ActionPlans,
             query=({"name": "school_id", "in": "query", "required": False,
                     "schema": {"type": "string"}},)),
    Endpoint("get", "/api/schools/{school_id}/trends", school_trends,
             "Look-for rates visit by visit (host of the school, organizers)",
             roles=("host", "organizer"), answer=SchoolTrends, query=(AS_OF,)),
    Endpoint("get", "/api/schools/{school_id}/trends/chart.svg", school_trends_chart,
             "SVG: rates over time, one panel per look-for", roles=("host", "organizer"),
             media=SVG_MEDIA, query=(CHART_WIDTH,)),
    Endpoint("get", "/api/trends", district_trends, "District trends by look-for, school level "
             "and grade band per quarter; cells under the minimum suppressed (organizers, "
             "analysts)", roles=("organizer", "analyst"), answer=DistrictTrends,
             query=(AS_OF,)),
    Endpoint("get", "/api/trends/chart.svg", district_trends_chart,
             "SVG: district rates, ?chart=bars (latest quarter) or lines (over time)",
             roles=("organizer", "analyst"), media=SVG_MEDIA, query=(CHART, CHART_WIDTH)),
    Endpoint("get", "/api/visits/{visit_id}/debrief/chart.svg", debrief_chart,
             "SVG: the visit's look-for rates as bars (team, host, organizers)",
             media=SVG_MEDIA, query=(CHART_WIDTH,)),
]
