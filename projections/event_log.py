"""The event log as analysts see it: in log order, pseudonymised, text only on request.

One line per stored event:
`{position, id, type, visit_id, school, actor, device, occurred_at, recorded_at,
catalog_version, data}`. People (actor, host, team, owner...), rooms and devices
appear as pseudonyms (see projections.pseudonyms); schools stay as they are
(they are institutions, not persons, and every analysis groups by them). Free
text (evidence, notes, the school update, the focus, room labels, reasons,
note-kind look-for values) is included only when asked for, and the web layer
asks only for organizers. Person names never leave: the pseudonym stands for
the person. Every payload field has a decided treatment; a field nobody has
classified is left out rather than leaked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from projections.pseudonyms import Pseudonymiser
from walkthrough.application import Walkthrough
from walkthrough.district import DISTRICT_ID
from walkthrough.errors import DomainError
from walkthrough.events import (
    CatalogPublished,
    Event,
    LookForObserved,
    SchoolRegistered,
    VisitPlanned,
)
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
    STEPS = "steps"  # a list of next steps: each field treated by its own name


# Decided per field name, for every event type that has the field; a payload
# field missing here is left out (tests insist that every field is decided).
FIELD_TREATMENTS: dict[str, Treatment] = {
    # identities of people
    "user_id": Treatment.PERSON, "host": Treatment.PERSON, "owner": Treatment.PERSON,
    "team": Treatment.PEOPLE, "members": Treatment.PEOPLE,
    "classroom_id": Treatment.CLASSROOM, "into": Treatment.CLASSROOM,
    "partnership_id": Treatment.PARTNERSHIP,
    "meeting_id": Treatment.PARTNERSHIP, "facilitator": Treatment.PERSON,
    # nested: a meeting's next steps (step_id, text, owner, due, success, as above)
    "next_steps": Treatment.STEPS,
    # free text
    "text": Treatment.TEXT, "note": Treatment.TEXT, "notes": Treatment.TEXT,
    "focus": Treatment.TEXT, "label": Treatment.TEXT, "reason": Treatment.TEXT,
    "success": Treatment.TEXT, "progress": Treatment.NUMBER_OR_TEXT,
    # structure: codes, numbers, dates, ids that name no person
    "school_id": Treatment.KEEP, "level": Treatment.KEEP, "roles": Treatment.KEEP,
    "role": Treatment.KEEP, "catalog_version": Treatment.KEEP, "version": Treatment.KEEP,
    "items": Treatment.KEEP, "date": Treatment.KEEP, "starts": Treatment.KEEP,
    "kind": Treatment.KEEP, "focus_areas": Treatment.KEEP, "strengths": Treatment.KEEP,
    "growth_areas": Treatment.KEEP,
    "grade_band": Treatment.KEEP, "subject": Treatment.KEEP,
    "students_present": Treatment.KEEP, "item": Treatment.KEEP, "value": Treatment.KEEP,
    "method": Treatment.KEEP, "event_id": Treatment.KEEP, "step_id": Treatment.KEEP,
    "step_ids": Treatment.KEEP, "due": Treatment.KEEP, "status": Treatment.KEEP,
}
# Where a field name means something else in one event type.
TYPE_FIELD_TREATMENTS: dict[tuple[str, str], Treatment] = {
    ("SchoolRegistered", "name"): Treatment.KEEP,  # a school's name is public
    ("PersonRegistered", "name"): Treatment.NEVER,  # the pseudonym stands for the person
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


class VisitDirectory:
    """What the log says about each visit when it was planned (its school, its date).

    VisitPlanned is a visit's first event, so a reader going through the log in
    order learns it before any other event of the visit; a reader starting in the
    middle looks the visit's first event up once. One entry per visit.
    """

    def __init__(self, app: Walkthrough) -> None:
        self.app = app
        self._plans: dict[UUID, VisitPlanned | None] = {}
        self._levels: dict[str, str] = {}
        self._kinds: dict[int, dict[str, str]] = {}

    def learn(self, event: Event) -> None:
        payload = event.payload
        if isinstance(payload, VisitPlanned):
            self._plans[event.originator_id] = payload
        elif isinstance(payload, SchoolRegistered):
            self._levels[payload.school_id] = payload.level
        elif isinstance(payload, CatalogPublished):
            self._kinds[payload.version] = {item.key: item.kind for item in payload.items}

    def plan(self, visit_id: UUID) -> VisitPlanned | None:
        if visit_id not in self._plans:
            first = self.app.recorder.select_events(visit_id, limit=1)
            payload = decode_state(first[0].state, self.app.mapper).payload if first else None
            self._plans[visit_id] = payload if isinstance(payload, VisitPlanned) else None
        return self._plans[visit_id]

    def school_level(self, school_id: str) -> str | None:
        if school_id not in self._levels:
            school = self.app.district().schools.get(school_id)
            self._levels[school_id] = school.level if school else ""
        return self._levels[school_id] or None

    def item_kind(self, catalog_version: int | None, item: str) -> str | None:
        """The kind of a look-for in a catalog version (built in or published on the log)."""
        if catalog_version is None:
            return None
        if catalog_version not in self._kinds:
            try:
                found = self.app.district().catalog(catalog_version)
            except DomainError:
                self._kinds[catalog_version] = {}
            else:
                self._kinds[catalog_version] = {i.key: i.kind for i in found.items}
        return self._kinds[catalog_version].get(item)


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
        is_visit = event.originator_id != DISTRICT_ID
        return LogLine(
            position=entry.position,
            id=str(event.event_id),
            type=event.type,
            visit_id=str(event.originator_id) if is_visit else None,
            school=self.school_of(event),
            actor=self.pseudonyms.person(event.actor),
            device=self.pseudonyms.device(event.device_id),
            occurred_at=event.occurred_at,
            recorded_at=event.timestamp,
            catalog_version=event.catalog_version,
            data=self.data(event),
        )

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
            if how is Treatment.KEEP and field == "value" and self._is_note(event):
                how = Treatment.TEXT
            if how is Treatment.NUMBER_OR_TEXT:
                how = Treatment.TEXT if isinstance(value, str) else Treatment.KEEP
            if how is None or how is Treatment.NEVER:
                continue
            if how is Treatment.TEXT and not self.include_text:
                continue
            if how is Treatment.STEPS:
                published[field] = [
                    self._fields(type_name, tuple(step), step, visit_id, event)
                    for step in value]
                continue
            published[field] = self._treat(how, value, visit_id)
        return published

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
        return value

    def _is_note(self, event: Event) -> bool:
        """A look-for value is free text when its item is a note (or unknown, and a string)."""
        payload = event.payload
        if not isinstance(payload, LookForObserved) or not isinstance(payload.value, str):
            return False
        return self.visits.item_kind(event.catalog_version, payload.item) in ("note", None)


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
