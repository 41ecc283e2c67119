"""Calibration from generated visits: a known agreement pattern gives exactly that
report, and no figure comes from fewer rooms than the minimum."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.calibration import (
    Agreement,
    Calibration,
    Calibrations,
    Compared,
    ItemCalibration,
    Observed,
    agreement,
    calibrate,
    team_id,
)
from projections.queries import Reader
from projections.visit_view import VisitView
from tests.builders import enter, event, record, tap
from tests.conftest import NOW, FakeClock
from walkthrough.access import Actor
from walkthrough.catalog import DEFAULT_CATALOG
from walkthrough.errors import NotFound
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo

TEAM = ("coach3", "coach4")
ORGANIZER = Actor("organizer1", ("organizer",))
Taps = dict[str, tuple[Any, Any]]  # per look-for, what coach3 and coach4 tapped


def send(services: Services, user: str, *events: dict[str, Any]) -> None:
    outcomes = record(services, user, *events)
    assert {o.status for o in outcomes} == {"accepted"}, outcomes


def visit(services: Services, day: date, rooms: list[dict[str, tuple[Any, Any]]],
          debrief: bool) -> UUID:
    """A visit of coach3 and coach4 at Lincoln Middle: per room, per look-for, what each
    of them tapped (coach4 enters each room under its own classroom id and the same
    label: one room)."""
    visit_id = uuid4()
    send(services, "organizer1", event(visit_id, "VisitPlanned", {
        "school_id": "lincoln-middle", "host": "host1", "team": list(TEAM),
        "focus": "Checking for understanding", "catalog_version": 1,
        "date": day.isoformat()}))
    send(services, "host1", event(visit_id, "TeachersNotified", {}),
         event(visit_id, "VisitStarted", {}))
    for number, taps in enumerate(rooms):
        mine, theirs = f"c-{number}-a", f"c-{number}-b"
        label = f"Room {number}"
        send(services, "coach3", enter(visit_id, room=mine, label=label),
             *[tap(visit_id, item, first, room=mine) for item, (first, _) in taps.items()
               if first is not None])
        send(services, "coach4", enter(visit_id, room=theirs, label=label),
             *[tap(visit_id, item, second, room=theirs)
               for item, (_, second) in taps.items() if second is not None])
    if debrief:
        send(services, "host1", event(visit_id, "DebriefStarted", {}))
    return visit_id


def calibrations(services: Services) -> Calibrations:
    services.projector.catch_up()
    reader = Reader(services.read_models, services.settings.min_rooms)
    return Calibrations(services.read_models, services.settings.min_rooms, reader.catalog)


def item(report: Calibration, key: str) -> ItemCalibration:
    return next(i for i in report.items if i.key == key)


def shown(rooms: int, agreed: int) -> Agreement:
    return Agreement(rooms=rooms, agreed=agreed, agreement=round(agreed / rooms, 3),
                     suppressed=False)


def withheld(rooms: int) -> Agreement:
    return Agreement(rooms=rooms, agreed=None, agreement=None, suppressed=True)


def test_a_known_pattern_gives_exactly_that_report(demo: Services) -> None:
    # Spring: 4 rooms; cfu seen alike in 2 (yes/yes twice, yes/no twice), the target
    # alike in all 4, engagement by both coaches in only 2 rooms. The team debriefs.
    spring: list[Taps] = [{"cfu": ("yes", "yes"), "target_posted": ("yes", "yes"),
               "engagement": (3, 4)},
              {"cfu": ("yes", "yes"), "target_posted": ("no", "no"),
               "engagement": (2, 6)},
              {"cfu": ("yes", "no"), "target_posted": ("yes", "yes"),
               "engagement": (5, None)},
              {"cfu": ("no", "yes"), "target_posted": ("yes", "yes")}]
    # Fall, after they discussed cfu: alike in 3 rooms; a fourth where coach3 could
    # not see it ("not observed") is no comparison. No debrief yet.
    fall: list[Taps] = [{"cfu": ("yes", "yes"), "target_posted": ("yes", "no")},
            {"cfu": ("no", "no")},
            {"cfu": ("yes", "yes")},
            {"cfu": ("not_observed", "yes")}]
    visit(demo, date(2026, 4, 20), spring, debrief=True)
    visit(demo, date(2026, 11, 16), fall, debrief=False)
    report = calibrations(demo).team(ORGANIZER, team_id(TEAM))

    cfu = item(report, "cfu")
    assert cfu.overall == shown(7, 5)
    assert [(t.term, t.agreement) for t in cfu.terms] == [
        ("2025-26 spring", shown(4, 2)), ("2026-27 fall", shown(3, 3))]
    assert (cfu.discussed_by, cfu.before_discussion, cfu.after_discussion, cfu.change) == (
        1, shown(4, 2), shown(3, 3), 0.5)
    target = item(report, "target_posted")
    assert target.overall == shown(5, 4)
    assert (target.discussed_by, target.before_discussion, target.after_discussion) == (
        0, shown(5, 4), withheld(0))
    # scale 1-6: alike within 1 point (3 and 4), not 2 and 6; only 2 rooms: withheld
    assert item(report, "engagement").overall == withheld(2)
    assert item(report, "rigor").overall == withheld(0)
    assert report.most_differed == ["cfu", "target_posted"]
    assert [e.key for e in report.exercises] == ["cfu", "target_posted"]
    assert report.exercises[0].steps[0] == f'Read the look-for together: "{cfu.prompt}".'
    assert any("questioning" in step for step in report.exercises[0].steps)
    assert report.visits >= 2
    assert report.min_rooms == 3

    # the pair is the same two coaches: the same figures, to each of them only
    pair = calibrations(demo).pair(Actor("coach3", ("coach",)), "coach4", "coach3")
    assert {i.key: i.agreement for i in pair.items}["cfu"] == shown(7, 5)
    assert pair.rooms == 7  # the fourth fall room: only one coach saw cfu
    for outsider in (ORGANIZER, Actor("coach1", ("coach",)), Actor("analyst1", ("analyst",))):
        try:
            calibrations(demo).pair(outsider, "coach3", "coach4")
        except NotFound:
            continue
        raise AssertionError(f"{outsider.user_id} read a pair they are not in")


def test_a_team_report_is_for_its_coaches_and_organizers(demo: Services) -> None:
    found = calibrations(demo)
    wanted = team_id(("coach1", "coach2"))
    assert found.team(Actor("coach2", ("coach",)), wanted).scope == "team"
    for outsider in (Actor("coach3", ("coach",)), Actor("host1", ("host",)),
                     Actor("analyst1", ("analyst",))):
        try:
            found.team(outsider, wanted)
        except NotFound:
            continue
        raise AssertionError(f"{outsider.user_id} read a team they are not on")
    own = {t.team_id for t in found.teams(Actor("coach3", ("coach",))).teams}
    assert wanted not in own
    assert team_id(("coach3", "coach4")) in own


def figures(item: ItemCalibration) -> list[Agreement]:
    return [item.overall, item.before_discussion, item.after_discussion,
            *(t.agreement for t in item.terms)]


VIEW = VisitView(id="v", school_id="s", host="h", team=["a", "b"], focus="f",
                 date=date(2026, 9, 1), catalog_version=1, phase="closed")


@given(visits=st.lists(st.lists(st.tuples(st.sampled_from(["cfu", "rigor", "on_task"]),
                                          st.booleans()), max_size=12),
                       min_size=1, max_size=5),
       minimum=st.integers(min_value=2, max_value=6),
       teams=st.lists(st.sampled_from([("a", "b"), ("a", "c"), ("b", "c", "d")]),
                      min_size=5, max_size=5))
def test_no_figure_from_fewer_rooms_than_the_minimum(
        visits: list[list[tuple[str, bool]]], minimum: int,
        teams: list[tuple[str, ...]]) -> None:
    observed = []
    for number, compared in enumerate(visits):
        view = VisitView(id=f"v{number}", school_id="s", host="h", team=list(teams[number]),
                         focus="f", date=VIEW.date + timedelta(days=40 * number),
                         catalog_version=1, phase="closed" if number % 2 else "observation")
        observed.append(Observed(view, [
            Compared(key, f"v{number}/r{room}", alike, ())
            for room, (key, alike) in enumerate(compared)]))
    items, differed, exercises = calibrate(observed, DEFAULT_CATALOG.items, minimum)
    for found in items:
        for figure in figures(found):
            assert figure.suppressed == (figure.rooms < minimum)
            if figure.suppressed:
                assert (figure.agreed, figure.agreement) == (None, None)
            else:
                assert figure.agreed is not None
                assert figure.agreement is not None
        expected = [alike for v in visits for key, alike in v if key == found.key]
        assert found.overall.rooms == len(expected)
        if not found.overall.suppressed:
            assert found.overall.agreed == sum(expected)
        assert found.before_discussion.rooms + found.after_discussion.rooms == len(expected)
    shown_keys = {i.key for i in items if not i.overall.suppressed}
    assert set(differed) <= shown_keys
    assert {e.key for e in exercises} <= set(differed)


@given(results=st.lists(st.booleans(), max_size=10), minimum=st.integers(2, 8))
def test_an_agreement_is_withheld_under_the_minimum(results: list[bool], minimum: int) -> None:
    found = agreement(results, minimum)
    assert found.rooms == len(results)
    assert found.suppressed == (len(results) < minimum)
    assert found.agreement is None or found.agreement == round(sum(results) / len(results), 3)


# --- the whole way through: random taps by two coaches, every figure read back ----------

MODEL_VALUES: dict[str, list[Any]] = {
    "cfu": ["yes", "no", "not_observed", None],
    "engagement": [1, 2, 3, 5, 6, None],
    "rigor": ["apply", "remember", None],
}


def model_alike(item: str, first: Any, second: Any) -> bool | None:
    """The consensus rule restated for these look-fors: None when not both observed."""
    if first is None or second is None or "not_observed" in (first, second):
        return None
    if item == "engagement":
        return bool(abs(first - second) * 4 <= 6 - 1)
    return bool(first == second)


def all_figures(report: Calibration) -> list[Agreement]:
    return [figure for item in report.items for figure in figures(item)]


class Modelled(NamedTuple):
    services: Services
    expected: dict[str, list[bool]]  # per look-for, the model's results so far


@pytest.fixture(scope="module")
def modelled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Modelled]:
    """The demo, and a first visit whose three rooms the coaches saw alike for cfu (so
    the cfu figure is shown from the first example on)."""
    services = bootstrap(Settings(data_dir=tmp_path_factory.mktemp("calibration")),
                         clock=FakeClock())
    load_demo(services.app, today=NOW.date())
    visit(services, date(2025, 10, 1), [{"cfu": ("yes", "yes")}] * 3, debrief=False)
    yield Modelled(services, {"cfu": [True] * 3})
    services.close()


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rooms=st.lists(st.fixed_dictionaries({
    key: st.tuples(st.sampled_from(values), st.sampled_from(values))
    for key, values in MODEL_VALUES.items()}), max_size=5),
    day=st.dates(date(2025, 9, 1), date(2026, 11, 20)))
def test_every_figure_read_back_follows_the_rule_and_the_minimum(
        modelled: Modelled, rooms: list[Taps], day: date) -> None:
    expected = modelled.expected
    for taps in rooms:
        for key, (first, second) in taps.items():
            alike = model_alike(key, first, second)
            if alike is not None:
                expected.setdefault(key, []).append(alike)
    visit(modelled.services, day, rooms, debrief=False)
    found = calibrations(modelled.services)
    minimum = found.minimum
    report = found.team(ORGANIZER, team_id(TEAM))
    pair = found.pair(Actor("coach4", ("coach",)), "coach3", "coach4")
    district = found.district(ORGANIZER)
    every = [*all_figures(report), *all_figures(district), *(i.agreement for i in pair.items)]
    for figure in every:
        assert figure.suppressed == (figure.rooms < minimum), figure
        assert (figure.agreed is None) == figure.suppressed, figure
        assert (figure.agreement is None) == figure.suppressed, figure
    for item in report.items:
        if item.key in MODEL_VALUES:
            results = expected.get(item.key, [])
            assert item.overall == agreement(results, minimum), item.key
            assert {i.key: i.agreement for i in pair.items}.get(
                item.key, agreement([], minimum)) == item.overall
    assert not {i.key: i for i in report.items}["cfu"].overall.suppressed
