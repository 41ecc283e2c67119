"""A visit's day and time, on every backend: it starts on its day and not before, it
is rescheduled or cancelled before it starts (by organizers), and the school calendar
is the district's, set whole by organizers."""

from __future__ import annotations

from datetime import date, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from tests.builders import of, record, statuses
from tests.conftest import FakeClock
from walkthrough.errors import DomainError, Forbidden
from walkthrough.events import (
    SchoolCalendarSet,
    TeachersNotified,
    VisitCancelled,
    VisitPlanned,
    VisitRescheduled,
    VisitStarted,
)
from walkthrough.school_calendar import Closure
from web.composition.bootstrap import Services


def plan(demo: Services, day: date, starts_at: time | None = None,
         minutes: int | None = None) -> str:
    visit_id = str(uuid4())
    planned = VisitPlanned(school_id="lincoln-middle", host="host1", team=("coach1", "coach2"),
                           focus="Student talk", catalog_version=1, date=day,
                           starts_at=starts_at, minutes=minutes)
    assert statuses(record(demo, "organizer1", of(visit_id, planned))) == ["accepted"]
    assert statuses(record(demo, "host1", of(visit_id, TeachersNotified()))) == ["accepted"]
    return visit_id


def test_a_visit_starts_on_its_day_not_before(demo: Services, clock: FakeClock) -> None:
    visit_id = plan(demo, clock().date() + timedelta(days=1), starts_at=time(8, 30),
                    minutes=180)
    (early,) = record(demo, "host1", of(visit_id, VisitStarted()))
    assert early.status == "rejected"
    assert early.error is not None
    assert early.error.code == "before_visit_day"
    clock.advance(timedelta(days=1))
    assert statuses(record(demo, "host1", of(visit_id, VisitStarted()))) == ["accepted"]


def test_the_day_is_the_districts_not_utc(demo: Services, clock: FakeClock) -> None:
    demo.app.use_time_zone(ZoneInfo("Pacific/Kiritimati"))  # UTC+14: already tomorrow
    visit_id = plan(demo, clock().date() + timedelta(days=1))
    assert statuses(record(demo, "host1", of(visit_id, VisitStarted()))) == ["accepted"]


def test_organizers_reschedule_or_cancel_before_the_visit_starts(
        demo: Services, clock: FakeClock) -> None:
    visit_id = plan(demo, clock().date() + timedelta(days=3))
    moved = VisitRescheduled(date=clock().date() + timedelta(days=4), starts_at=time(9))
    (by_host,) = record(demo, "host1", of(visit_id, moved))
    assert by_host.status == "rejected"
    assert statuses(record(demo, "organizer1", of(visit_id, moved))) == ["accepted"]
    visit = demo.app.visit(UUID(visit_id))
    assert visit is not None
    assert visit.date == moved.date
    assert statuses(record(demo, "organizer1", of(visit_id, VisitCancelled(
        reason="State testing week")))) == ["accepted"]
    clock.advance(timedelta(days=4))
    (started,) = record(demo, "host1", of(visit_id, VisitStarted()))
    assert started.status == "rejected"
    (again,) = record(demo, "organizer1", of(visit_id, moved))
    assert again.error is not None
    assert again.error.code == "visit_cancelled"


def test_the_school_calendar_is_set_by_organizers_and_checked(demo: Services) -> None:
    winter = Closure(start=date(2026, 12, 21), end=date(2027, 1, 1), label="Winter break")
    with pytest.raises(Forbidden):
        demo.app.prepare(demo.app.actor("host1"), SchoolCalendarSet(closures=(winter,)))
    demo.app.prepare(demo.app.actor("organizer1"), SchoolCalendarSet(closures=(winter,)))
    assert demo.app.district().calendar.closures == (winter,)
    backwards = Closure(start=date(2027, 1, 1), end=date(2026, 12, 21), label="Oops")
    with pytest.raises(DomainError) as refused:
        demo.app.prepare(demo.app.actor("organizer1"), SchoolCalendarSet(closures=(backwards,)))
    assert refused.value.code == "invalid_calendar"
    named = Closure(start=date(2027, 2, 1), end=date(2027, 2, 1), label="Mrs Smith's retirement")
    with pytest.raises(DomainError) as names:
        demo.app.prepare(demo.app.actor("organizer1"), SchoolCalendarSet(closures=(named,)))
    assert names.value.code == "names_a_person"
