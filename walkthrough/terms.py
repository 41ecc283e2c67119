"""School terms: the periods calibration and the refusal counts are told in.

A school year runs from August to July in two terms: fall (August to December)
and spring (January to July). A term is named by its school year and season,
"2026-27 fall", so names sort in time order within a year.
"""

from __future__ import annotations

from datetime import date

FALL_STARTS = 8  # August


def term_of(day: date) -> str:
    """The term a day falls in, e.g. "2026-27 fall"."""
    if day.month >= FALL_STARTS:
        return f"{day.year}-{(day.year + 1) % 100:02d} fall"
    return f"{day.year - 1}-{day.year % 100:02d} spring"


def term_start(day: date) -> date:
    """The first day of the term `day` falls in."""
    if day.month >= FALL_STARTS:
        return date(day.year, FALL_STARTS, 1)
    return date(day.year, 1, 1)


def previous_term_start(day: date) -> date:
    """The first day of the term before the one `day` falls in."""
    start = term_start(day)
    if start.month == 1:
        return date(start.year - 1, FALL_STARTS, 1)
    return date(start.year, 1, 1)
