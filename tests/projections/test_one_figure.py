"""One figure, one meaning, everywhere (issue 24): over any visit, no figure is shown
from fewer rooms than the minimum (the rooms where the team agreed), and each
look-for's rate is the same in the summary, the debrief, the school and district
trends and the charts' values."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.action_plans import plan_steps
from projections.debrief import BrightSpots, Trends, agenda
from projections.summary import percent_text, rooms_rated, summarise
from projections.trends import district_trends, school_trends
from projections.visit_view import CheckIn, Step, VisitView
from walkthrough.catalog import Catalog, LookFor, catalog
from walkthrough.consensus import Observed, combine
from web.render.charts import Point, bars
from web.routes.cycle import school_lines, visit_points

CATALOG = catalog(1)
RATED = [item for item in CATALOG.items if item.kind == "yes_no" or item.max_field]
LOOK_FORS = {item.key: item for item in CATALOG.items}
TRIED = ["cfu", "target_posted", "student_talk", "on_task", "engagement", "rigor"]


def observation(look_for: LookFor) -> st.SearchStrategy[Observed]:
    if look_for.kind == "yes_no":
        values: st.SearchStrategy[str | int] = st.sampled_from(look_for.yes_no_values())
    elif look_for.kind == "choice":
        values = st.sampled_from(look_for.options)
    elif look_for.kind == "scale":
        values = st.integers(look_for.min or 1, look_for.max or 5)
    else:
        values = st.integers(0, 24)
    return st.builds(Observed, values, st.none(), st.just(24))


@st.composite
def visits(draw: st.DrawFn) -> VisitView:
    """A visit's tallies as the projector adds them up: each room's outcome per
    look-for from 1-3 coaches' observations (walkthrough.consensus)."""
    view = VisitView(id="v1", school_id="lincoln-middle", host="host1",
                     team=["coach1", "coach2", "coach3"], focus="Checking for understanding",
                     date=date(2026, 11, 20), catalog_version=1)
    for _ in range(draw(st.integers(0, 8))):
        view.rooms += 1
        band = draw(st.sampled_from(["3-5", "6-8"]))
        for key in draw(st.lists(st.sampled_from(TRIED), unique=True)):
            look_for = LOOK_FORS[key]
            seen = draw(st.lists(observation(look_for), min_size=1, max_size=3))
            outcome = combine(look_for, seen)
            if outcome is not None:
                view.tally(band, key).apply(outcome, 1)
    view.prune()
    return view


@settings(max_examples=200, deadline=None)
@given(view=visits(), minimum=st.integers(3, 5))
def test_no_figure_from_too_few_rooms_and_one_rate_everywhere(view: VisitView,
                                                               minimum: int) -> None:
    catalogs: dict[int, Catalog] = {1: CATALOG}
    summary = summarise(view, CATALOG, [], minimum)
    pooled = view.pooled()
    sections = agenda(view, summary, [])
    trends_section = next(s for s in sections if isinstance(s, Trends))
    bright = next(s for s in sections if isinstance(s, BrightSpots))
    school = school_trends("lincoln-middle", "Lincoln Middle", [view], catalogs.__getitem__,
                           minimum)
    district = district_trends([view], {"lincoln-middle": "middle"}, catalogs.__getitem__,
                               minimum)
    chart = {point.label: point for point in visit_points(summary)}
    school_chart = {line.title: line.points for line in school_lines(school)}

    for item in summary.items:
        look_for = LOOK_FORS[item.key]
        behind = rooms_rated(look_for, pooled[item.key]) if item.key in pooled else 0
        assert item.rooms_rated == behind
        if item.rate is not None or item.counts:
            assert behind >= minimum, item  # no figure from too few rooms
            assert 0 <= (item.rate or 0) <= 1
        if item.rate is not None:
            assert item.figure == f"{percent_text(item.rate)} ({behind} rooms)"
        # the debrief's trends are the summary's, figure for figure
        assert item in trends_section.items
        if item.prompt in chart:
            assert chart[item.prompt].rate == item.rate
    for spot in bright.items:
        assert next(i for i in summary.items if i.key == spot.key).suppressed is False

    if not view.rooms:
        return
    by_key = {item.key: item for item in summary.items}
    for series in school.series:
        [point] = series.points
        item = by_key[series.key]
        assert (point.rate, point.suppressed, point.rooms_rated, point.figure) == (
            item.rate, item.suppressed, item.rooms_rated, item.figure)
        assert point.rate is None or point.rooms_rated >= minimum
        [drawn] = school_chart[series.prompt]
        assert drawn.rate == item.rate
    for look_for_trend in district.look_fors:
        item = by_key[look_for_trend.key]
        for cell in look_for_trend.district:
            assert (cell.rate, cell.suppressed) == (item.rate, item.suppressed)
            assert cell.suppressed or (cell.classrooms or 0) >= minimum
            assert cell.classrooms is None or cell.classrooms == item.rooms_rated
        for cells in [*look_for_trend.by_level.values(), *look_for_trend.by_grade_band.values()]:
            for cell in cells:
                assert cell.suppressed or (cell.classrooms or 0) >= minimum


def test_a_rate_reads_the_same_as_the_tablet_rounds_it() -> None:
    # halves up, from the three decimals every answer carries (dom.js `percent`)
    assert [percent_text(r) for r in (0.285, 0.665, 0.5, 0.004, 0.005, 1.0)] == [
        "29%", "67%", "50%", "0%", "1%", "100%"]


STATUS = st.sampled_from(["on_track", "at_risk", "done"])


@settings(max_examples=100, deadline=None)
@given(check_ins=st.lists(st.tuples(st.sampled_from(["host1", "coach1"]), STATUS,
                                    st.integers(0, 1000)), max_size=6))
def test_a_later_check_in_never_erases_another_persons_judgment(
        check_ins: list[tuple[str, str, int]]) -> None:
    view = VisitView(id="v1", school_id="lincoln-middle", host="host1", team=["coach1"],
                     focus="f", date=date(2026, 11, 20), catalog_version=1, phase="support")
    at = datetime(2026, 11, 20, tzinfo=UTC)
    view.steps["s1"] = Step(step_id="s1", text="t", owner="host1", due=date(2026, 12, 20),
                            success="s", proposed_by="coach1", proposed_at=at, agreed=True)
    for number, (by, status, minute) in enumerate(check_ins):
        view.check_ins.append(CheckIn(
            event_id=f"e{number:03}", step_id="s1", status=status, progress=None, note=None,
            by=by, occurred_at=at.replace(minute=minute % 60, hour=minute // 60 % 24)))
    [step] = plan_steps(view, date(2026, 11, 25))
    assert step.check_ins == len(check_ins)  # every check-in kept
    latest: dict[str, tuple[datetime, str, str]] = {}
    for check in view.check_ins:
        mine = (check.occurred_at, check.event_id, check.status)
        if check.by not in latest or mine[:2] > latest[check.by][:2]:
            latest[check.by] = mine
    judged = {by: value[2] for by, value in latest.items()}
    assert {(j.by, j.status) for j in step.judgments} == set(judged.items())
    assert step.differs == (len(set(judged.values())) > 1)
    if not judged:
        assert step.status == "not_started"
    else:  # the most cautious of the people's judgments
        order = ["at_risk", "on_track", "done"]
        assert step.status == min(judged.values(), key=order.index)


def test_a_chart_writes_a_rate_as_the_pages_do() -> None:
    drawn = bars("t", [Point(label="Students on task", rate=0.285, note="4 rooms")], 390)
    assert "29% (4 rooms)" in drawn  # not Python's "28%" for the float 0.285
