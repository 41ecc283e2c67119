"""A person's calendar: their visits, their partnerships' next meetings and the
check-ins due on the action plans they own, as one iCalendar (RFC 5545) document.

Every entry has a stable UID, so a calendar that polls the feed updates entries in
place; a rescheduled visit raises its SEQUENCE, a cancelled one stays with
STATUS:CANCELLED so calendars take it off. Times are the district's own
(WALKTHROUGH_TIME_ZONE). Nothing here names a teacher or carries what was observed:
a visit says where, when and its focus; a check-in says which plan is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

import icalendar

from projections.action_plans import PlanStep
from projections.visit_view import VisitView

PRODUCT = "-//walkthrough//peer observation visits//EN"
UID_DOMAIN = "walkthrough"


@dataclass(frozen=True, slots=True)
class FeedMeeting:
    partnership_id: str
    name: str
    day: date
    minutes: int


@dataclass(frozen=True, slots=True)
class Feed:
    """What goes into one person's calendar."""

    owner: str  # the person's name, for the calendar's title
    visits: list[tuple[VisitView, str]]  # each with its school's name
    meetings: list[FeedMeeting]
    check_ins: list[PlanStep]
    zone: tzinfo
    base_url: str
    stamp: datetime  # when the feed was made (DTSTAMP)


def visit_start(view: VisitView, zone: tzinfo) -> datetime | None:
    """When a visit starts, in the district's zone; None when only its day is known."""
    if view.starts_at is None:
        return None
    return datetime.combine(view.date, view.starts_at, tzinfo=zone)


def visit_uid(visit_id: str) -> str:
    return f"visit-{visit_id}@{UID_DOMAIN}"


def visit_event(view: VisitView, school: str, zone: tzinfo, base_url: str,
                stamp: datetime) -> icalendar.Event:
    """A visit as a VEVENT, the same in a feed and in an emailed invitation."""
    event = icalendar.Event()
    event.add("uid", visit_uid(view.id))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("sequence", view.reschedules)
    event.add("summary", f"Peer observation visit: {school}")
    start = visit_start(view, zone)
    if start is None:
        event.add("dtstart", view.date)
        event.add("dtend", view.date + timedelta(days=1))
    else:
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=view.minutes))
    event.add("location", school)
    event.add("description", f"Focus: {view.focus}\n{base_url}/visits/{view.id}")
    event.add("url", f"{base_url}/visits/{view.id}")
    event.add("status", "CANCELLED" if view.phase == "cancelled" else "CONFIRMED")
    return event


def calendar_document(feed: Feed) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Walkthrough: {feed.owner}")
    zone_name = getattr(feed.zone, "key", None)
    if zone_name:
        cal.add("x-wr-timezone", zone_name)
    for view, school in sorted(feed.visits, key=lambda pair: (pair[0].date, pair[0].id)):
        cal.add_component(visit_event(view, school, feed.zone, feed.base_url, feed.stamp))
    for meeting in feed.meetings:
        cal.add_component(_meeting_event(meeting, feed.stamp))
    for step in _due(feed.check_ins):
        cal.add_component(_check_in_event(step, feed.base_url, feed.stamp))
    if zone_name and any(visit_start(view, feed.zone) for view, _ in feed.visits):
        cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _meeting_event(meeting: FeedMeeting, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.partnership_id}-{meeting.day:%Y%m%d}@{UID_DOMAIN}")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("summary", f"{meeting.name} ({meeting.minutes} minutes)")
    event.add("dtstart", meeting.day)
    event.add("dtend", meeting.day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def _due(steps: Iterable[PlanStep]) -> list[PlanStep]:
    return sorted((s for s in steps if s.open and s.next_check_in is not None),
                  key=lambda s: (s.next_check_in or date.min, s.visit_id, s.step_id))


def _check_in_event(step: PlanStep, base_url: str, stamp: datetime) -> icalendar.Event:
    assert step.next_check_in is not None
    event = icalendar.Event()
    # One entry per step: its day moves as check-ins are recorded.
    event.add("uid", f"check-in-{step.visit_id}-{step.step_id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("summary", "Action plan check-in due")
    event.add("dtstart", step.next_check_in)
    event.add("dtend", step.next_check_in + timedelta(days=1))
    event.add("description", f"{base_url}/visits/{step.visit_id}/plan")
    event.add("transp", "TRANSPARENT")
    return event
