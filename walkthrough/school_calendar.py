"""The district's school calendar: which days are school days, and the days check-ins
fall on.

Weekends and the closures organizers enter (breaks, holidays, staff days) are not
school days. A visit planned on one is allowed - some districts hold Saturday
sessions - but the app warns first. Check-ins are weekly from the week after the
visit: each falls on the first school day on or after its week's day, after the one
before it, so a break moves a check-in later and never drops or doubles one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Annotated

import msgspec

CHECK_IN_WEEKS = 4
SATURDAY, SUNDAY = 5, 6
# A check-in is never pushed more than this far by closures: a calendar closed for
# longer has no school days to offer, and the schedule stops there.
LONGEST_SEARCH = timedelta(days=366)
MAX_CLOSURES = 400


class Closure(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Days without school, first to last inclusive (a break, a holiday, a staff day)."""

    start: date
    end: date
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class SchoolCalendar(msgspec.Struct, frozen=True, kw_only=True):
    closures: tuple[Closure, ...] = ()

    def closure_on(self, day: date) -> Closure | None:
        return next((c for c in self.closures if c.covers(day)), None)

    def is_school_day(self, day: date) -> bool:
        return day.weekday() not in (SATURDAY, SUNDAY) and self.closure_on(day) is None

    def why_not_a_school_day(self, day: date) -> str | None:
        """Why a day is not a school day, in words for the organizer; None on a school day."""
        closure = self.closure_on(day)
        if closure is not None:
            return f"{day:%A %d %B %Y} is in {closure.label} ({closure.start} to {closure.end})"
        if day.weekday() in (SATURDAY, SUNDAY):
            return f"{day:%A %d %B %Y} is a weekend day"
        return None

    def school_day_on_or_after(self, day: date) -> date | None:
        for candidate in _days(day, day + LONGEST_SEARCH):
            if self.is_school_day(candidate):
                return candidate
        return None

    def check_in_days(self, visit_day: date, weeks: int = CHECK_IN_WEEKS) -> list[date]:
        """The weekly check-ins after a visit (or an agreed plan), on school days: week
        k's falls on the first school day on or after visit_day + k weeks that is later
        than week k-1's."""
        days: list[date] = []
        for week in range(1, weeks + 1):
            earliest = visit_day + timedelta(weeks=week)
            if days and earliest <= days[-1]:
                earliest = days[-1] + timedelta(days=1)
            found = self.school_day_on_or_after(earliest)
            if found is None:
                break
            days.append(found)
        return days

    def next_check_in(self, last: date) -> date | None:
        """The check-in due a week after the last one (or the plan), on a school day."""
        return self.school_day_on_or_after(last + timedelta(weeks=1))


NO_CLOSURES = SchoolCalendar()


def check_closures(closures: Iterable[Closure]) -> None:
    """Raise ValueError unless every closure ends on or after it starts."""
    for closure in closures:
        if closure.end < closure.start:
            raise ValueError(f"{closure.label!r} ends ({closure.end}) before it starts "
                             f"({closure.start})")


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
