"""Law: a rebuild that files the taps as columns (projections.tap_columns) writes the
same read models, byte for byte, as folding every event one by one: on a team's
drawn scripts (rooms shared, merged, corrected and withdrawn, taps with clocks
hours apart, changed minds, taps withdrawn before or after they arrive) and on the
demo district, on every backend.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.projector import Projector
from projections.rebuild import compare, rebuild
from projections.store import Row
from tests.builders import enter, event, record, tap
from tests.projections.test_convergence import START, Store, deliveries, team_scripts
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_VISIT


def rebuilt_both_ways(services: Services, page_size: int) -> tuple[list[Row], list[Row]]:
    """The read models rebuilt from the log with the taps as columns, and folded one
    event at a time."""
    dumps = []
    for tap_table_from in (1, None):
        with services.storage.scratch_read_models() as store:
            Projector(services.app, store, page_size, check_version=False,
                      tap_table_from=tap_table_from).catch_up()
            dumps.append(store.dump())
    return dumps[0], dumps[1]


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_taps_as_columns_give_the_documents_of_the_fold(template: Path,
                                                        data: st.DataObject) -> None:
    scripts = data.draw(team_scripts())
    schedule = data.draw(deliveries(scripts))
    page_size = data.draw(st.sampled_from([3, 50, 5000]))
    delivered = Store(template)
    try:
        for device, batch in schedule:
            delivered.send(device, batch)
        columns, folded = rebuilt_both_ways(delivered.services, page_size)
        assert compare(folded, columns) == []
        assert columns == folded
    finally:
        delivered.close()


def test_a_tally_whose_sum_went_back_to_zero_reads_as_one_never_counted(
        template: Path) -> None:
    """Found by the law above: the room moves to 9-12 with coach1's 1 counted, then
    coach2's 3 makes it differ; the live fold's sum went 1 then back to 0, the rebuild
    never counted it. Both documents must leave the zero sum out."""
    def entered(cid: str, band: str, minute: int) -> dict[str, Any]:
        return event(CURRENT_VISIT, "ClassroomEntered", {
            "classroom_id": cid, "label": "Room 301", "grade_band": band, "subject": "math",
            "students_present": 20}, at=START + timedelta(minutes=minute))

    def engagement(cid: str, value: int, minute: int) -> dict[str, Any]:
        return event(CURRENT_VISIT, "LookForObserved", {
            "classroom_id": cid, "item": "engagement", "value": value},
            at=START + timedelta(minutes=minute))

    delivered = Store(template)
    try:
        delivered.send("tablet-a", [entered("a-0", "6-8", 1), entered("a-2", "6-8", 2),
                                    engagement("a-0", 1, 3), entered("a-6", "9-12", 4)])
        delivered.send("tablet-b", [entered("b-3", "9-12", 1), entered("b-7", "9-12", 2),
                                    engagement("b-3", 3, 3)])
        for page_size in (3, 5000):
            columns, folded = rebuilt_both_ways(delivered.services, page_size)
            assert compare(folded, columns) == []
    finally:
        delivered.close()


def observe_with_second_thoughts(services: Services) -> None:
    """Two coaches in shared and separate rooms, with taps withdrawn, quotes (a note
    look-for) and a room withdrawn."""
    visit = CURRENT_VISIT
    shared = [enter(visit, room=f"c-{n}") for n in range(6)]
    first = [tap(visit, item, value, room=f"c-{n}")
             for n in range(6) for item, value in (("cfu", "yes"), ("engagement", 4),
                                                   ("students_doing", f"reading {n}"))]
    changed = [tap(visit, "cfu", "no", room="c-1"), tap(visit, "engagement", 6, room="c-2")]
    outcomes = record(services, "coach1", *shared, *first, *changed, device="tablet-a")
    assert {o.status for o in outcomes} == {"accepted"}
    second = [tap(visit, item, value, room=f"c-{n}")
              for n in range(0, 6, 2) for item, value in (("cfu", "no"), ("engagement", 5),
                                                          ("students_doing", "pairs"))]
    outcomes = record(services, "coach2", *[enter(visit, room=f"c-{n}") for n in range(0, 6, 2)],
                      *second, device="tablet-b")
    assert {o.status for o in outcomes} == {"accepted"}
    undo = [event(visit, "ObservationRetracted", {"event_id": t["id"], "reason": "mis-tap"})
            for t in (first[0], first[4], changed[0])]
    gone = event(visit, "ClassroomRetracted", {"classroom_id": "c-3", "reason": "wrong room"})
    outcomes = record(services, "coach1", *undo, gone, device="tablet-a")
    assert {o.status for o in outcomes} == {"accepted"}


def test_the_demo_district_rebuilt_with_taps_as_columns_equals_the_fold(
        demo: Services) -> None:
    observe_with_second_thoughts(demo)
    for page_size in (7, 5000):
        columns, folded = rebuilt_both_ways(demo, page_size)
        assert columns == folded
    demo.projector.catch_up()
    assert demo.read_models.dump() == columns  # and the live read models, fed as it came


def test_a_rebuild_keeps_the_position_at_zero_until_every_tap_is_written(
        demo: Services) -> None:
    """A crash half-way leaves nothing that looks projected: the next catch-up starts
    over from nothing."""
    observe_with_second_thoughts(demo)
    end = demo.app.recorder.max_notification_id() or 0
    with demo.storage.scratch_read_models() as store:
        seen: list[Any] = []
        position = rebuild(demo.app, store, page_size=20,
                           progress=lambda _: seen.append(store.max_tracking_id(demo.app.name)))
        assert position == end
        assert len(seen) > 3
        assert set(seen) <= {0, None}
        assert store.max_tracking_id(demo.app.name) == end
