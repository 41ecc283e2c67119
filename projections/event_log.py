"""The event log as analysts see it: in log order, pseudonymised, text only on request.

One line per stored event:
`{position, id, type, visit_id, school, actor, device, occurred_at, recorded_at,
catalog_version, data}`. People (actor, host, team, owner...), rooms, devices and the
ids tablets make up (steps, goals, observations, entries, requests: a slug may spell a
name) appear as pseudonyms (see projections.pseudonyms); schools stay as they are
(they are institutions, not persons, and every analysis groups by them). Free
text (evidence, notes, the school update, the focus, room labels, reasons,
note-kind look-for values) is included only when asked for, and the web layer
asks only for organizers. Person names never leave: the pseudonym stands for
the person. Every payload field has a decided treatment; a field nobody has
classified is left out rather than leaked.

An administrator's growth record is named by an id derived from their user id,
so it is a person's id: its lines have no `visit_id`, and say whose record it is
as `data.administrator` (a pseudonym) and `school` (the administrator's). Pulse
scores are never published for one person, to anyone: only aggregates over at
least MIN_PULSE_PEOPLE people leave (projections.effectiveness).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any, NamedTuple, assert_never
from uuid import UUID

import msgspec

from projections.pseudonyms import Pseudonymiser
from walkthrough.application import Walkthrough
from walkthrough.district import DISTRICT_ID, growth_id
from walkthrough.errors import DomainError
from walkthrough.events import (
    GROWTH_TYPES,
    CatalogKind,
    CatalogPublished,
    Event,
    LookForObserved,
    PersonRegistered,
    PracticeObservationStarted,
    PracticeObserved,
    SchoolRegistered,
    VisitPlanned,
)
from walkthrough.kinds import Kind, published
from walkthrough.persistence import decode_state

PAGE_SIZE = 500


class Treatment(Enum):
    KEEP = "keep"
    PERSON = "person"  # one user id -> pseudonym
    PEOPLE = "people"  # a list of user ids -> pseudonyms
    CLASSROOM = "classroom"  # a room id -> pseudonym scoped to the visit
    PARTNERSHIP = "partnership"  # organizers' slugs may spell names: a pseudonym
    TEXT = "text"  # free text: only with include_text
    NUMBER_OR_TEXT = "number_or_text"  # kept when a number, free text when a string
    NEVER = "never"  # left out for everyone
    NESTED = "nested"  # a struct, or a list of them: each field treated by its own name
    SESSION = "session"  # a learning session's slug (organizers' words): a pseudonym
    SLUG = "slug"  # an id a tablet made up (may spell a name): a pseudonym in its record


# Decided per field name, for every event type that has the field; a payload
# field missing here is left out (tests insist that every field is decided).
FIELD_TREATMENTS: dict[str, Treatment] = {
    # identities of people
    "user_id": Treatment.PERSON, "host": Treatment.PERSON, "owner": Treatment.PERSON,
    "team": Treatment.PEOPLE, "members": Treatment.PEOPLE,
    "classroom_id": Treatment.CLASSROOM, "into": Treatment.CLASSROOM,
    "partnership_id": Treatment.PARTNERSHIP,
    "meeting_id": Treatment.PARTNERSHIP, "facilitator": Treatment.PERSON,
    "presenter": Treatment.PERSON, "protocol": Treatment.KEEP, "dilemma": Treatment.TEXT,
    # nested: a meeting's next steps and a goal's steps (step_id, text, owner, due,
    # success, as above), a goal's links to plan steps, a support entry's data point
    "next_steps": Treatment.NESTED, "steps": Treatment.NESTED,
    "plan_steps": Treatment.NESTED, "data_point": Treatment.NESTED,
    # members added with a reason (user_id, reason); conversation guides (title, prompts)
    "unmatched": Treatment.NESTED, "guides": Treatment.NESTED, "prompts": Treatment.TEXT,
    "reading": Treatment.TEXT, "guides_version": Treatment.KEEP,
    # the leadership skill vocabulary: published as catalogs are (keys and names kept,
    # screened for names before they are stored), and the version an entry used
    "skills": Treatment.KEEP, "skills_version": Treatment.KEEP,
    # a nudge: whom it emailed, and whose growth goal's step it was about
    "recipients": Treatment.PEOPLE, "owner_id": Treatment.PERSON, "capability": Treatment.KEEP,
    "session_id": Treatment.SESSION,
    # free text
    "text": Treatment.TEXT, "note": Treatment.TEXT, "notes": Treatment.TEXT,
    "focus": Treatment.TEXT, "label": Treatment.TEXT, "reason": Treatment.TEXT,
    "success": Treatment.TEXT, "progress": Treatment.NUMBER_OR_TEXT,
    "line": Treatment.TEXT, "measure": Treatment.TEXT, "title": Treatment.TEXT,
    # structure: codes, numbers, dates, ids that name no person
    "school_id": Treatment.KEEP, "level": Treatment.KEEP, "roles": Treatment.KEEP,
    "role": Treatment.KEEP, "catalog_version": Treatment.KEEP, "version": Treatment.KEEP,
    "items": Treatment.KEEP, "date": Treatment.KEEP, "starts": Treatment.KEEP,
    "kind": Treatment.KEEP, "focus_areas": Treatment.KEEP, "strengths": Treatment.KEEP,
    "growth_areas": Treatment.KEEP, "identifier": Treatment.KEEP,
    # when and how long a visit is; the school calendar's closures (label: free text)
    "starts_at": Treatment.KEEP, "minutes": Treatment.KEEP, "closures": Treatment.NESTED,
    "start": Treatment.KEEP, "end": Treatment.KEEP, "source": Treatment.KEEP,
    "on": Treatment.KEEP,
    # how a person signs in, and the student information system's id for them
    "email": Treatment.NEVER, "source_id": Treatment.NEVER,
    "grade_band": Treatment.KEEP, "subject": Treatment.KEEP,
    "students_present": Treatment.KEEP, "item": Treatment.KEEP, "value": Treatment.KEEP,
    "method": Treatment.KEEP, "event_id": Treatment.KEEP, "step_id": Treatment.SLUG,
    "step_ids": Treatment.SLUG, "due": Treatment.KEEP, "status": Treatment.KEEP,
    "visit_id": Treatment.KEEP,  # a visit's id (a goal's link to a plan step)
    # growth records: slugs the tablet makes up (pseudonyms), codes and dates
    "goal_id": Treatment.SLUG, "area": Treatment.KEEP, "areas": Treatment.KEEP,
    "observation_id": Treatment.SLUG, "setting": Treatment.KEEP,
    "entry_id": Treatment.SLUG, "request_id": Treatment.SLUG, "moment": Treatment.KEEP,
}
# Where a field name means something else in one event type.
TYPE_FIELD_TREATMENTS: dict[tuple[str, str], Treatment] = {
    ("SchoolRegistered", "name"): Treatment.KEEP,  # a school's name is public
    ("PersonRegistered", "name"): Treatment.NEVER,  # the pseudonym stands for the person
    ("PersonChanged", "name"): Treatment.NEVER,
    ("DistrictNamed", "name"): Treatment.KEEP,
    ("SchoolChanged", "name"): Treatment.KEEP,
    # A school's number and roster id are public; a person's roster id names them.
    ("SchoolRegistered", "source_id"): Treatment.KEEP,
    ("DistrictNamed", "source_id"): Treatment.KEEP,
    # One person's answers: published only as aggregates (projections.effectiveness).
    ("PulseAnswered", "scores"): Treatment.NEVER,
}


def treatment(type_name: str, field: str) -> Treatment | None:
    return TYPE_FIELD_TREATMENTS.get((type_name, field), FIELD_TREATMENTS.get(field))


class LogLine(msgspec.Struct, kw_only=True):
    """One event as published to analysts; field order is the line's key order."""

    position: int
    id: str
    type: str
    visit_id: str | None
    school: str | None
    actor: str
    device: str
    occurred_at: datetime
    recorded_at: datetime
    catalog_version: int | None
    data: dict[str, Any]


line_encoder = msgspec.json.Encoder()


class LogEntry(NamedTuple):
    position: int
    event: Event


def read_log(app: Walkthrough, after: int = 0, stop: int | None = None,
             page_size: int = PAGE_SIZE) -> Iterator[LogEntry]:
    """Stored events after `after`, up to `stop` (inclusive), in log order, a page at a time."""
    start = after + 1
    while stop is None or start <= stop:
        page = app.recorder.select_notifications(start=start, limit=page_size, stop=stop)
        if not page:
            return
        for notification in page:
            yield LogEntry(notification.id, decode_state(notification.state, app.mapper))
        start = page[-1].id + 1


def last_position(app: Walkthrough) -> int:
    return app.recorder.max_notification_id() or 0


class Administrator(NamedTuple):
    """Whose growth record an id names, and their school."""

    user_id: str
    school_id: str | None


class VisitDirectory:
    """What the log says about each visit when it was planned (its school, its date),
    and whose growth record each record id is.

    VisitPlanned is a visit's first event, so a reader going through the log in
    order learns it before any other event of the visit; a reader starting in the
    middle looks the visit's first event up once. One entry per visit.
    """

    def __init__(self, app: Walkthrough) -> None:
        self.app = app
        self._plans: dict[UUID, VisitPlanned | None] = {}
        self._levels: dict[str, str] = {}
        self._kinds: dict[tuple[str, int], dict[str, Kind]] = {}
        self._administrators: dict[UUID, Administrator | None] = {}
        self._practice_versions: dict[tuple[UUID, str], int] = {}

    def learn(self, event: Event) -> None:
        payload = event.payload
        if isinstance(payload, VisitPlanned):
            self._plans[event.originator_id] = payload
        elif isinstance(payload, SchoolRegistered):
            self._levels[payload.school_id] = payload.level
        elif isinstance(payload, PersonRegistered):
            self._administrators[growth_id(payload.user_id)] = Administrator(
                payload.user_id, payload.school_id)
        elif isinstance(payload, CatalogPublished):
            self._kinds[payload.kind, payload.version] = {
                item.key: item.kind for item in payload.items}
        elif isinstance(payload, PracticeObservationStarted):
            self._practice_versions[event.originator_id, payload.observation_id] = \
                payload.catalog_version

    def plan(self, visit_id: UUID) -> VisitPlanned | None:
        if visit_id not in self._plans:
            first = self.app.recorder.select_events(visit_id, limit=1)
            payload = decode_state(first[0].state, self.app.mapper).payload if first else None
            self._plans[visit_id] = payload if isinstance(payload, VisitPlanned) else None
        return self._plans[visit_id]

    def administrator(self, record_id: UUID) -> Administrator | None:
        """The administrator whose growth record `record_id` is; None for a visit."""
        if record_id not in self._administrators:
            district = self.app.district()
            owner = district.growth_owners.get(record_id)
            person = district.people.get(owner) if owner else None
            self._administrators[record_id] = Administrator(
                person.user_id, person.school_id) if person else None
        return self._administrators[record_id]

    def school_level(self, school_id: str) -> str | None:
        if school_id not in self._levels:
            school = self.app.district().schools.get(school_id)
            self._levels[school_id] = school.level if school else ""
        return self._levels[school_id] or None

    def item_kind(self, catalog_version: int | None, item: str,
                  catalog_kind: CatalogKind = "classroom") -> Kind | None:
        """The kind of a look-for in a catalog version (built in or published on the log)."""
        if catalog_version is None:
            return None
        key = (catalog_kind, catalog_version)
        if key not in self._kinds:
            district = self.app.district()
            try:
                found = district.leadership_catalog(catalog_version) \
                    if catalog_kind == "leadership" else district.catalog(catalog_version)
            except DomainError:
                self._kinds[key] = {}
            else:
                self._kinds[key] = {i.key: i.kind for i in found.items}
        return self._kinds[key].get(item)

    def practice_kind(self, record_id: UUID, administrator: str,
                      payload: PracticeObserved) -> Kind | None:
        """The kind of a leadership look-for, in the catalog its observation started on."""
        key = (record_id, payload.observation_id)
        if key not in self._practice_versions:  # started before the range being read
            growth = self.app.growth(administrator)
            observation = growth.observations.get(payload.observation_id) if growth else None
            if observation is None:
                return None
            self._practice_versions[key] = observation.started.catalog_version
        return self.item_kind(self._practice_versions[key], payload.item, "leadership")


class LogPublisher:
    """Turns stored events into published lines: pseudonyms in, secrets and text out."""

    def __init__(self, app: Walkthrough, pseudonyms: Pseudonymiser, *,
                 include_text: bool) -> None:
        self.pseudonyms = pseudonyms
        self.include_text = include_text
        self.visits = VisitDirectory(app)

    def line(self, entry: LogEntry) -> LogLine:
        event = entry.event
        self.visits.learn(event)
        administrator = self.administrator_of(event)
        # A growth record's id is derived from a user id: never published.
        is_visit = event.originator_id != DISTRICT_ID and event.type not in GROWTH_TYPES
        data = self.data(event)
        if administrator is not None:
            data = {"administrator": self.pseudonyms.person(administrator.user_id), **data}
        return LogLine(
            position=entry.position,
            id=str(event.event_id),
            type=event.type,
            visit_id=str(event.originator_id) if is_visit else None,
            school=administrator.school_id if administrator else self.school_of(event),
            actor=self.pseudonyms.person(event.actor),
            device=self.pseudonyms.device(event.device_id),
            occurred_at=event.occurred_at,
            recorded_at=event.timestamp,
            catalog_version=event.catalog_version,
            data=data,
        )

    def administrator_of(self, event: Event) -> Administrator | None:
        """Whose growth record the event is on; None for district and visit events."""
        if event.type not in GROWTH_TYPES:
            return None
        return self.visits.administrator(event.originator_id)

    def school_of(self, event: Event) -> str | None:
        if event.originator_id == DISTRICT_ID:  # registrations, needs assessments...
            school = getattr(event.payload, "school_id", None)
            return school if isinstance(school, str) else None
        plan = self.visits.plan(event.originator_id)
        return plan.school_id if plan else None

    def data(self, event: Event) -> dict[str, Any]:
        type_name = event.type
        visit_id = str(event.originator_id)
        raw = msgspec.to_builtins(event.payload)
        return self._fields(type_name, event.payload.__struct_fields__, raw, visit_id, event)

    def _fields(self, type_name: str, fields: tuple[str, ...], raw: dict[str, Any],
                visit_id: str, event: Event) -> dict[str, Any]:
        published: dict[str, Any] = {}
        for field in fields:
            if field not in raw:
                continue
            value = raw[field]
            how = treatment(type_name, field)
            if how is Treatment.KEEP and field == "value" and self._is_free_text(event):
                how = Treatment.TEXT
            if how is Treatment.NUMBER_OR_TEXT:
                how = Treatment.TEXT if isinstance(value, str) else Treatment.KEEP
            if how is None or how is Treatment.NEVER:
                continue
            if how is Treatment.TEXT and not self.include_text:
                continue
            if how is Treatment.NESTED:
                published[field] = self._nested(type_name, value, visit_id, event)
                continue
            if how is Treatment.SLUG:
                # A goal's link names the visit its plan step belongs to.
                scope = raw.get("visit_id") if field == "step_id" else None
                published[field] = self.slug(field, scope or visit_id, value)
                continue
            published[field] = self._treat(how, value, visit_id)
        return published

    def _nested(self, type_name: str, value: Any, visit_id: str, event: Event) -> Any:
        if isinstance(value, dict):
            return self._fields(type_name, tuple(value), value, visit_id, event)
        if isinstance(value, list | tuple):
            return [self._nested(type_name, each, visit_id, event) for each in value]
        return value  # None: an optional struct left out

    def slug(self, field: str, scope: str, value: str | list[str] | tuple[str, ...],
             ) -> str | list[str]:
        """A client-chosen id (or ids) as published: a pseudonym within `scope`, the
        visit or record it belongs to (step ids: step_id and step_ids alike)."""
        kind = field.removesuffix("_ids").removesuffix("_id")
        if isinstance(value, list | tuple):
            return [self.pseudonyms.slug(kind, scope, each) for each in value]
        return self.pseudonyms.slug(kind, scope, value)

    def _treat(self, how: Treatment, value: Any, visit_id: str) -> Any:
        if value is None:
            return None
        if how is Treatment.PERSON:
            return self.pseudonyms.person(value)
        if how is Treatment.PEOPLE:
            return [self.pseudonyms.person(member) for member in value]
        if how is Treatment.CLASSROOM:
            return self.pseudonyms.classroom(visit_id, value)
        if how is Treatment.PARTNERSHIP:
            return self.pseudonyms.partnership(value)
        if how is Treatment.SESSION:
            return self.pseudonyms.session(value)
        return value

    def _is_free_text(self, event: Event) -> bool:
        """A look-for value is published as free text as its kind says
        (walkthrough.kinds.published; a string of an unknown item is free text)."""
        payload = event.payload
        if isinstance(payload, PracticeObserved):
            administrator = self.visits.administrator(event.originator_id)
            kind = self.visits.practice_kind(event.originator_id, administrator.user_id,
                                             payload) if administrator else None
        elif isinstance(payload, LookForObserved):
            kind = self.visits.item_kind(event.catalog_version, payload.item)
        else:
            return False
        how = published(kind, payload.value)
        match how:
            case "free_text":
                return True
            case "value":
                return False
            case _:
                assert_never(how)


# --- points in the log: a position or a moment --------------------------------------


class InvalidPoint(DomainError):
    code = "invalid_point"


Point = int | datetime


DAYS_AGO = re.compile(r"(\d{1,5})d")


def parse_point(text: str, *, end_of_day: bool, today: date | None = None) -> Point:
    """A log position (`1234`), a moment (ISO 8601; naive means UTC) or a day given
    as days before `today` (`30d`). A day means the end of that day when
    `end_of_day`, its start otherwise."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    ago = DAYS_AGO.fullmatch(text)
    try:
        day = ((today or datetime.now(UTC).date()) - timedelta(days=int(ago.group(1)))
               if ago else date.fromisoformat(text))
    except ValueError:
        pass
    else:
        start = datetime.combine(day, time(), tzinfo=UTC)
        return start + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else start
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidPoint(
            f"{text!r} is neither a log position (a whole number), an ISO 8601 date or "
            "time, nor a number of days ago (30d)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def position_at(app: Walkthrough, point: Point) -> int:
    """The last position of the log as it stood at `point` (inclusive).

    For a moment: the longest prefix of the log recorded at or before it (a
    later position recorded with an earlier clock reading does not count, since
    it was not there yet when the earlier positions were)."""
    if isinstance(point, int):
        return min(point, last_position(app))
    return _prefix_end(app, lambda recorded_at: recorded_at <= point)


def position_before(app: Walkthrough, point: Point) -> int:
    """The last position before `point` (exclusive): where an export `--since` starts after."""
    if isinstance(point, int):
        return max(point - 1, 0)
    return _prefix_end(app, lambda recorded_at: recorded_at < point)


def _prefix_end(app: Walkthrough, included: Callable[[datetime], bool]) -> int:
    position = 0
    for entry in read_log(app):
        if not included(entry.event.timestamp):
            break
        position = entry.position
    return position
