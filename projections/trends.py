"""Look-for rates over time: per school visit by visit, and across the district by
school level and grade band, with small cells suppressed.

Rates pool rooms, each room counted once (walkthrough.consensus): for a yes/no
look-for the share of rooms where it was seen among rooms where it could be
judged and the team agreed; for students on task the mean share of students
present. Retracted taps and withdrawn rooms never count. Every figure comes
from the visits' tallies (projections.visit_view), never from single rooms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import assert_never

import msgspec

from projections.summary import MIN_ROOMS_DEFAULT, effective_min_rooms, figure
from projections.visit_view import Tally, VisitView
from walkthrough.catalog import Catalog, LookFor
from walkthrough.kinds import trend

MIN_CELL_DEFAULT = 5
MIN_CELL_FLOOR = 3


def rated(look_for: LookFor) -> bool:
    """Whether a look-for has a rate to follow over time (walkthrough.kinds.trend)."""
    how = trend(look_for)
    match how:
        case "rate" | "share_or_mean":
            return True
        case "mean" | "counts" | "quotes":
            return False
        case _:
            assert_never(how)


def rate_look_fors(catalogs: Iterable[Catalog]) -> list[LookFor]:
    """The look-fors that have a rate, by key, in the order of the first catalog naming them."""
    found: dict[str, LookFor] = {}
    for look_fors in catalogs:
        for item in look_fors.items:
            if rated(item):
                found.setdefault(item.key, item)
    return list(found.values())


# --- one school, visit by visit -----------------------------------------------------


class VisitPoint(msgspec.Struct):
    """One visit's rate; from fewer rooms than the minimum it is `suppressed` (no rate)."""

    visit_id: str
    date: date
    rate: float | None
    rooms_observed: int
    suppressed: bool = False
    rooms_rated: int = 0  # the rooms behind the rate (summary.figure)
    figure: str = ""


class Series(msgspec.Struct):
    key: str
    prompt: str
    points: list[VisitPoint]


class VisitRates(msgspec.Struct):
    visit_id: str
    date: date
    phase: str
    focus: str
    rooms: int
    next_steps: list[str]
    rates: dict[str, float | None]


class SchoolTrends(msgspec.Struct):
    school_id: str
    school_name: str
    min_rooms: int
    visits: list[VisitRates]
    series: list[Series]


def school_trends(school_id: str, school_name: str, visits: Iterable[VisitView],
                  catalog_of: Callable[[int], Catalog],
                  min_rooms: int = MIN_ROOMS_DEFAULT) -> SchoolTrends:
    minimum = effective_min_rooms(min_rooms)
    observed = sorted((v for v in visits if v.school_id == school_id and v.rooms),
                      key=lambda v: (v.date, v.id))
    look_fors = rate_look_fors(catalog_of(v) for v in sorted(
        {v.catalog_version for v in observed}))
    rows: list[VisitRates] = []
    series = {item.key: Series(key=item.key, prompt=item.prompt, points=[])
              for item in look_fors}
    by_key = {item.key: item for item in look_fors}
    for view in observed:
        pooled = view.pooled()
        rates: dict[str, float | None] = {}
        for key, line in series.items():
            shown = figure(by_key[key], pooled.get(key, Tally()), minimum)
            rates[key] = shown.rate
            line.points.append(VisitPoint(visit_id=view.id, date=view.date, rate=shown.rate,
                                          rooms_observed=pooled.get(key, Tally()).judged,
                                          suppressed=shown.suppressed,
                                          rooms_rated=shown.rooms, figure=shown.text))
        agreed = sorted((s for s in view.steps.values() if s.agreed),
                        key=lambda s: (s.proposed_at, s.step_id))
        rows.append(VisitRates(visit_id=view.id, date=view.date, phase=view.phase,
                               focus=view.focus, rooms=view.rooms,
                               next_steps=[s.text for s in agreed], rates=rates))
    return SchoolTrends(school_id=school_id, school_name=school_name, min_rooms=minimum,
                        visits=rows, series=list(series.values()))


# --- the district, suppressed ------------------------------------------------------


class Cell(msgspec.Struct):
    """One rate; `suppressed` cells carry no number at all."""

    period: str
    suppressed: bool
    classrooms: int | None
    rate: float | None


class LookForTrend(msgspec.Struct):
    key: str
    prompt: str
    district: list[Cell]
    by_level: dict[str, list[Cell]]
    by_grade_band: dict[str, list[Cell]]


class DistrictTrends(msgspec.Struct):
    min_cell: int
    periods: list[str]
    look_fors: list[LookForTrend]


def period_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def effective_min_cell(configured: int) -> int:
    return max(MIN_CELL_FLOOR, configured)


def district_trends(visits: Iterable[VisitView], levels: Mapping[str, str],
                    catalog_of: Callable[[int], Catalog],
                    min_cell: int = MIN_CELL_DEFAULT) -> DistrictTrends:
    """Rates by look-for per quarter, for the district and broken down by school level
    and by grade band. A cell from fewer than `min_cell` classrooms is suppressed; when
    that leaves a single suppressed cell in a breakdown, the next smallest is suppressed
    too, so it cannot be worked out from the district total."""
    minimum = effective_min_cell(min_cell)
    observed = [v for v in visits if v.rooms]
    look_fors = rate_look_fors(catalog_of(v) for v in sorted(
        {v.catalog_version for v in observed}))
    # (key, dimension, value, period) -> pooled tally
    pooled: dict[tuple[str, str, str, str], Tally] = defaultdict(Tally)
    for view in observed:
        period = period_of(view.date)
        level = levels.get(view.school_id, "other")
        for band, per_item in view.tallies.items():
            for key, tally in per_item.items():
                for dimension, value in (("district", ""), ("level", level),
                                         ("grade_band", band)):
                    pooled[(key, dimension, value, period)].add(tally)
    periods = sorted({key[3] for key in pooled})
    trends = []
    for item in look_fors:
        def cells(dimension: str, value: str, look_for: LookFor = item) -> list[Cell]:
            key = look_for.key
            return [_cell(period, look_for, pooled[(key, dimension, value, period)], minimum)
                    for period in periods if (key, dimension, value, period) in pooled]

        def breakdown(dimension: str, key: str = item.key) -> dict[str, list[Cell]]:
            values = sorted({k[2] for k in pooled if k[0] == key and k[1] == dimension})
            rows = {value: cells(dimension, value) for value in values}
            _suppress_complement(rows, periods)
            return rows

        trends.append(LookForTrend(key=item.key, prompt=item.prompt,
                                   district=cells("district", ""),
                                   by_level=breakdown("level"),
                                   by_grade_band=breakdown("grade_band")))
    return DistrictTrends(min_cell=minimum, periods=periods, look_fors=trends)


def _cell(period: str, look_for: LookFor, tally: Tally, minimum: int) -> Cell:
    """`classrooms`: the rooms behind the rate (summary.figure), never fewer than the
    minimum."""
    shown = figure(look_for, tally, minimum)
    if shown.suppressed:
        return Cell(period=period, suppressed=True, classrooms=None, rate=None)
    return Cell(period=period, suppressed=False, classrooms=shown.rooms, rate=shown.rate)


def _suppress_complement(rows: dict[str, list[Cell]], periods: list[str]) -> None:
    """In each period, never leave exactly one suppressed cell beside shown ones."""
    for period in periods:
        group = [cell for cells in rows.values() for cell in cells if cell.period == period]
        shown = [cell for cell in group if not cell.suppressed]
        if len(group) - len(shown) == 1 and shown:
            smallest = min(shown, key=lambda cell: cell.classrooms or 0)
            smallest.suppressed, smallest.classrooms, smallest.rate = True, None, None
