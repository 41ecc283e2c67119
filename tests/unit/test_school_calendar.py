"""The school calendar's law: for any breaks and any visit day, the weekly check-ins
fall on school days, in order, one a week, none missed or doubled."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from walkthrough.errors import DomainError
from walkthrough.school_calendar import CHECK_IN_WEEKS, Closure, SchoolCalendar
from walkthrough.school_days_import import closures_from_csv, closures_from_icalendar

YEAR = date(2026, 8, 1)


@st.composite
def closures(draw: st.DrawFn) -> Closure:
    start = YEAR + timedelta(days=draw(st.integers(0, 400)))
    length = draw(st.integers(0, 30))
    return Closure(start=start, end=start + timedelta(days=length), label="Break")


@given(st.lists(closures(), max_size=12), st.integers(0, 365))
def test_check_ins_fall_on_school_days_once_a_week(breaks: list[Closure], offset: int) -> None:
    calendar = SchoolCalendar(closures=tuple(breaks))
    visit = YEAR + timedelta(days=offset)
    days = calendar.check_in_days(visit)
    assert len(days) == CHECK_IN_WEEKS  # none missed
    assert all(calendar.is_school_day(day) for day in days)
    assert days == sorted(set(days))  # none doubled, in order
    for week, day in enumerate(days, 1):
        assert day >= visit + timedelta(weeks=week)  # never before its week
        # the first school day that can hold it: every day in between is taken or closed
        earliest = max(visit + timedelta(weeks=week),
                       days[week - 2] + timedelta(days=1) if week > 1 else visit)
        between = [earliest + timedelta(days=n) for n in range((day - earliest).days)]
        assert not any(calendar.is_school_day(d) for d in between)


def test_winter_break_moves_a_check_in_to_the_first_school_day_after_it() -> None:
    winter = Closure(start=date(2026, 12, 21), end=date(2027, 1, 1), label="Winter break")
    calendar = SchoolCalendar(closures=(winter,))
    # A visit on Wednesday 9 December: weeks land on 16 Dec, (23 Dec), (30 Dec), 6 Jan.
    assert calendar.check_in_days(date(2026, 12, 9)) == [
        date(2026, 12, 16), date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6)]
    assert calendar.why_not_a_school_day(date(2026, 12, 23)) is not None
    assert "weekend" in (calendar.why_not_a_school_day(date(2026, 12, 12)) or "")
    assert calendar.why_not_a_school_day(date(2026, 12, 14)) is None


def test_a_year_closed_has_no_check_ins_rather_than_no_end() -> None:
    closed = SchoolCalendar(closures=(
        Closure(start=date(2026, 1, 1), end=date(2028, 1, 1), label="Closed"),))
    assert closed.check_in_days(date(2026, 3, 1)) == []


def test_closures_come_from_an_icalendar_file_with_exclusive_ends() -> None:
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//district//EN\r\n"
           b"BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260801T000000Z\r\nSUMMARY:Winter break\r\n"
           b"DTSTART;VALUE=DATE:20261221\r\nDTEND;VALUE=DATE:20270102\r\nEND:VEVENT\r\n"
           b"BEGIN:VEVENT\r\nUID:2\r\nDTSTAMP:20260801T000000Z\r\nSUMMARY:Staff day\r\n"
           b"DTSTART;VALUE=DATE:20261113\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert closures_from_icalendar(ics) == [
        Closure(start=date(2026, 11, 13), end=date(2026, 11, 13), label="Staff day"),
        Closure(start=date(2026, 12, 21), end=date(2027, 1, 1), label="Winter break")]


def test_closures_come_from_a_csv_of_dates() -> None:
    csv = "\ufeffdate,end,label\n2026-11-26,2026-11-27,Thanksgiving\n2027-01-18,,MLK Day\n"
    assert closures_from_csv(csv.encode()) == [
        Closure(start=date(2026, 11, 26), end=date(2026, 11, 27), label="Thanksgiving"),
        Closure(start=date(2027, 1, 18), end=date(2027, 1, 18), label="MLK Day")]


def test_a_bad_csv_row_is_named() -> None:
    with pytest.raises(DomainError) as refused:
        closures_from_csv(b"2026-11-26,soon,Thanksgiving\n")
    assert "row 1, column 2" in refused.value.message
    with pytest.raises(DomainError):
        closures_from_icalendar(b"not a calendar")
