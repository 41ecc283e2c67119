"""Law: whatever the batching, interleaving, duplication and retries of a set of
valid events from several devices, the projected summary is the same."""

from __future__ import annotations

import itertools
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.queries import Reader
from tests.builders import enter, event, tap
from tests.conftest import NOW, FakeClock
from walkthrough.demo import CURRENT_VISIT, load_demo
from walkthrough.sync import decode_client_event
from web.bootstrap import Services, bootstrap
from web.settings import Settings

T = NOW - timedelta(hours=1)


def at(minutes: int) -> dict[str, Any]:
    return {"occurred_at": (T + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")}


# Two coaches, one shared room and one room each, with a change of mind,
# a retraction and evidence: what order-independence has to survive.
TAP_A = {**tap(CURRENT_VISIT, "cfu", "no", room="c-shared"), **at(3)}
DEVICE_A = [
    {**enter(CURRENT_VISIT, room="c-shared"), **at(1)},
    TAP_A,
    {**tap(CURRENT_VISIT, "engagement", 4, room="c-shared"), **at(4)},
    {**event(CURRENT_VISIT, "ObservationRetracted",
             {"event_id": TAP_A["id"], "reason": "undo"}), **at(5)},
    {**enter(CURRENT_VISIT, room="c-a"), **at(10)},
    {**tap(CURRENT_VISIT, "cfu", "yes", room="c-a", method="exit_ticket"), **at(11)},
    {**tap(CURRENT_VISIT, "on_task", 18, room="c-a"), **at(12)},
]
DEVICE_B = [
    {**enter(CURRENT_VISIT, room="c-shared"), **at(2)},
    {**tap(CURRENT_VISIT, "cfu", "yes", room="c-shared", method="questioning"), **at(6)},
    {**tap(CURRENT_VISIT, "engagement", 5, room="c-shared"), **at(2)},  # older: loses
    {**event(CURRENT_VISIT, "EvidenceNoted",
             {"classroom_id": "c-shared", "text": "8 of 24 explained the target"}), **at(7)},
    {**enter(CURRENT_VISIT, room="c-b", grade_band="9-12"), **at(20)},
    {**tap(CURRENT_VISIT, "cfu", "not_observed", room="c-b"), **at(21)},
    {**tap(CURRENT_VISIT, "target_posted", "yes", room="c-b"), **at(22)},
]
DEVICES = {"coach1": DEVICE_A, "coach2": DEVICE_B}


def fresh(directory: str) -> Services:
    clock = FakeClock()
    services = bootstrap(Settings(data_dir=Path(directory)), clock=clock)
    load_demo(services.app, today=clock().date())
    return services


def send(services: Services, user: str, events: list[dict[str, Any]]) -> None:
    items = [decode_client_event(msgspec.json.encode(e), NOW) for e in events]
    outcomes = services.app.record(services.app.actor(user), f"tablet-{user}", items)
    assert all(o.status in ("accepted", "duplicate") for o in outcomes), outcomes


def summary(services: Services) -> dict[str, Any]:
    services.projector.catch_up()
    actor = services.app.actor("organizer1")
    result: dict[str, Any] = msgspec.to_builtins(Reader(services.read_models).summary(
        actor, str(CURRENT_VISIT)))
    return result


def reference() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        services = fresh(directory)
        try:
            for user, events in DEVICES.items():
                send(services, user, events)
            return summary(services)
        finally:
            services.close()


REFERENCE = reference()


@st.composite
def deliveries(draw: st.DrawFn) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each device sends its outbox in order, in batches of any size, retrying
    some batches (a lost response); the devices' batches interleave freely."""
    per_device = {}
    for user, events in DEVICES.items():
        cuts = sorted(draw(st.sets(st.integers(1, len(events) - 1), max_size=4)))
        bounds = [0, *cuts, len(events)]
        batches = [events[a:b] for a, b in itertools.pairwise(bounds)]
        retried = []
        for number, chunk in enumerate(batches):
            retried.append(chunk)
            if draw(st.booleans()):
                retried.append(batches[draw(st.integers(0, number))])
        per_device[user] = retried
    schedule: list[tuple[str, list[dict[str, Any]]]] = []
    while any(per_device.values()):
        user = draw(st.sampled_from([u for u, b in per_device.items() if b]))
        schedule.append((user, per_device[user].pop(0)))
    return schedule


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(deliveries())
def test_any_interleaving_and_duplication_gives_the_same_summary(
    schedule: list[tuple[str, list[dict[str, Any]]]]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        services = fresh(directory)
        try:
            for user, batch in schedule:
                send(services, user, batch)
            assert summary(services) == REFERENCE
        finally:
            services.close()


def test_the_reference_summary_reflects_the_rules() -> None:
    """Guard against a vacuous law: the reference itself must be right."""
    items = {item["key"]: item for item in REFERENCE["items"]}
    assert REFERENCE["rooms"] == 3
    # shared room: coach1's "no" was retracted, coach2's "yes" counts; c-a yes; c-b unseen
    assert items["cfu"]["counts"] == {"yes": 2, "no": 0, "not_observed": 1}
    assert items["cfu"]["rate"] == 1.0
    assert items["cfu"]["methods"] == {"exit_ticket": 1, "questioning": 1}
    # the later engagement tap (4, at minute 4) beats the earlier one (5, at minute 2)
    assert items["engagement"]["counts"] == {"4": 1}
    assert items["on_task"]["rate"] == 0.75
    assert REFERENCE["evidence"] == [{"item": None, "text": "8 of 24 explained the target"}]
