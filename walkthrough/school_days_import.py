"""Days without school from a file a district already has: an iCalendar export of its
school-year calendar, or a CSV of dates. The result is a list of closures for an
organizer to review before it is saved (nothing here writes)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import icalendar

from walkthrough.errors import DomainError
from walkthrough.school_calendar import MAX_CLOSURES, Closure

LABEL_LIMIT = 200


def closures_from_icalendar(data: bytes) -> list[Closure]:
    """Each VEVENT is a closure from its first day to its last (DTEND is exclusive for
    all-day events, as RFC 5545 says; a timed event closes the days it touches)."""
    try:
        parsed = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise DomainError(f"not an iCalendar file: {exc}", code="invalid_calendar_file") \
            from None
    found: list[Closure] = []
    for number, event in enumerate(parsed.walk("VEVENT"), 1):
        start = event.get("DTSTART")
        if start is None:
            raise DomainError(f"event {number} has no DTSTART", code="invalid_calendar_file")
        first = _day(start.dt)
        end = event.get("DTEND")
        if end is None:
            last = first
        elif isinstance(end.dt, datetime):
            last = max(first, _day(end.dt))
        else:
            last = max(first, end.dt - timedelta(days=1))
        label = str(event.get("SUMMARY") or "No school").strip()[:LABEL_LIMIT] or "No school"
        found.append(Closure(start=first, end=last, label=label))
    return _limited(found)


def closures_from_csv(data: bytes) -> list[Closure]:
    """Rows of `date,label` or `start,end,label` (ISO dates; a header row is skipped)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("the CSV file is not UTF-8", code="invalid_calendar_file") from None
    found: list[Closure] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        try:
            first = date.fromisoformat(cells[0])
        except ValueError:
            if number == 1:
                continue  # a header
            raise DomainError(f"row {number}, column 1: {cells[0]!r} is not a date "
                              "(YYYY-MM-DD)", code="invalid_calendar_file") from None
        last, label = first, "No school"
        rest = cells[1:]
        if len(rest) > 1 or (rest and _is_date(rest[0])):  # start,end[,label]
            if rest[0] and not _is_date(rest[0]):
                raise DomainError(f"row {number}, column 2: {rest[0]!r} is not a date "
                                  "(YYYY-MM-DD)", code="invalid_calendar_file")
            last = date.fromisoformat(rest[0]) if rest[0] else first
            rest = rest[1:]
        if rest and rest[0]:
            label = rest[0][:LABEL_LIMIT]
        if last < first:
            raise DomainError(f"row {number}: the last day {last} is before the first {first}",
                              code="invalid_calendar_file")
        found.append(Closure(start=first, end=last, label=label))
    return _limited(found)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _limited(found: list[Closure]) -> list[Closure]:
    if len(found) > MAX_CLOSURES:
        raise DomainError(f"{len(found)} closures; at most {MAX_CLOSURES} a year",
                          code="invalid_calendar_file")
    return sorted(found, key=lambda c: (c.start, c.end, c.label))
