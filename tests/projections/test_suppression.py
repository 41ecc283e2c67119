"""No figure comes from fewer rooms than the minimum: for visits of 1 to 6 rooms,
nothing a reader sees - the summary, the debrief, the school's trends and their
charts - shows a rate or a count of a look-for judged in fewer rooms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.queries import Reader
from projections.summary import ItemTrend
from tests.builders import enter, event, record, tap
from tests.conftest import NOW, FakeClock
from walkthrough.access import Actor
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo
from web.routes.cycle import school_chart, visit_chart

MIN_ROOMS = 3
ORGANIZER = Actor("organizer1", ("organizer",))
VALUES: dict[str, list[Any]] = {
    "cfu": ["yes", "no", "not_observed"], "target_posted": ["yes", "no"],
    "on_task": [10, 20], "engagement": [2, 5], "rigor": ["apply", "remember"],
    "student_talk": ["yes", "not_observed"],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = bootstrap(Settings(data_dir=tmp_path_factory.mktemp("suppression")),
                         clock=FakeClock())
    load_demo(services.app, today=NOW.date())
    yield services
    services.close()


def send(services: Services, user: str, *events: dict[str, Any]) -> None:
    outcomes = record(services, user, *events)
    assert {o.status for o in outcomes} == {"accepted"}, outcomes


def observe(services: Services, rooms: list[dict[str, Any]]) -> UUID:
    """A visit of its own at Lincoln Middle, with these rooms' taps."""
    visit = uuid4()
    send(services, "organizer1", event(visit, "VisitPlanned", {
        "school_id": "lincoln-middle", "host": "host1", "team": ["coach1", "coach2"],
        "focus": "Checking for understanding", "catalog_version": 1,
        "date": (NOW - timedelta(days=1)).date().isoformat()}))
    send(services, "host1", event(visit, "TeachersNotified", {}), event(visit, "VisitStarted", {}))
    for number, taps in enumerate(rooms):
        room = f"c-{number}"
        send(services, "coach1", enter(visit, room=room),
             *[tap(visit, item, value, room=room) for item, value in taps.items()])
    return visit


def shows_no_figure(item: ItemTrend | dict[str, Any]) -> None:
    found = msgspec.to_builtins(item)
    assert found["suppressed"] is True, found
    assert (found["rate"], found["counts"], found.get("mean"), found.get("methods", {})) == (
        None, {}, None, {}), found


def chart_rows(svg: str) -> dict[str, list[str]]:
    """A bar chart's rows: each label with what else is written on its row."""
    rows: dict[str, list[str]] = {}
    for y, text in re.findall(r'<text x="[\d.]+" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)[1:]:
        rows.setdefault(y, []).append(text)  # the title is first; then label, values
    return {texts[0]: texts[1:] for texts in rows.values()}


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rooms=st.lists(st.fixed_dictionaries(
    {}, optional={item: st.sampled_from(values) for item, values in VALUES.items()}),
    min_size=1, max_size=6))
def test_no_figure_from_fewer_rooms_than_the_minimum(
        store: Services, rooms: list[dict[str, Any]]) -> None:
    visit = str(observe(store, rooms))
    store.projector.catch_up()
    reader = Reader(store.read_models, MIN_ROOMS)
    summary = reader.summary(ORGANIZER, visit)
    few = {item.key for item in summary.items
           if item.kind != "note" and item.rooms_observed < MIN_ROOMS}
    for item in summary.items:
        if item.key in few:
            shows_no_figure(item)
        elif item.rate is not None:
            assert 0 <= item.rate <= 1
    debrief = msgspec.to_builtins(reader.debrief(ORGANIZER, visit))
    sections = {s["kind"]: s for s in debrief["sections"]}
    for item in sections["trends"]["items"]:
        if item["key"] in few:
            shows_no_figure(item)
    assert not few & {b["key"] for b in sections["bright_spots"]["items"]}
    assert not few & {p["key"] for p in sections["root_causes"]["prompts"]}
    bars = chart_rows(visit_chart(summary))
    drawn = 0
    for item in summary.items:
        row = next((texts for label, texts in bars.items()
                    if item.prompt.startswith(label.rstrip("…"))), None)
        if item.key in few and item.rooms_observed:
            assert row is not None, (item.key, bars)
            assert not any("%" in text for text in row), row
            assert "fewer than 3 rooms: a trend only from 3" in row, row
            drawn += 1
    assert drawn == len([k for k in few if next(
        i for i in summary.items if i.key == k).rooms_observed])
    trends = reader.school_trends(ORGANIZER, "lincoln-middle")
    assert trends.min_rooms == MIN_ROOMS
    for series in trends.series:
        for point in series.points:
            if point.rooms_observed < MIN_ROOMS:
                assert (point.rate, point.suppressed) == (None, True)
    line_chart = school_chart(trends)
    assert "0 rooms: a trend only from 3" not in line_chart or "suppressed" in line_chart
    assert not re.search(r">\d+% \([12] rooms?\)<", line_chart)  # no rate from 1-2 rooms
