"""Tablet clocks hours off: `occurred_at` is stored as sent and shown, but the
server's order and time decide the log. Ends in "nothing lost, nothing doubled"."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from tests.builders import batch, enter, event, tap
from tests.conftest import FakeClock
from tests.faults.exactly_once import assert_exactly_once, logged_events
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_ROOMS, CURRENT_VISIT

Headers = dict[str, dict[str, str]]


def skewed(client_event: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {**client_event, "occurred_at": at.isoformat().replace("+00:00", "Z")}


def test_skewed_clocks_are_stored_but_the_server_orders_the_log(
    client: TestClient, auth: Headers, demo: Services, clock: FakeClock
) -> None:
    start = demo.app.recorder.max_notification_id() or 0
    ahead, behind, way_behind = (clock() + timedelta(hours=23), clock() - timedelta(hours=6),
                                 clock() - timedelta(days=3))
    fast_tablet = [skewed(enter(CURRENT_VISIT, room="c-fast"), ahead),
                   skewed(tap(CURRENT_VISIT, "cfu", "yes", room="c-fast"),
                          ahead + timedelta(minutes=1))]
    slow_tablet = [skewed(enter(CURRENT_VISIT, room="c-slow"), behind),
                   skewed(tap(CURRENT_VISIT, "cfu", "no", room="c-slow"), way_behind)]
    arrivals = [("coach1", "tablet-fast", fast_tablet), ("coach2", "tablet-slow", slow_tablet)]
    received_at = []
    for user, device, events in arrivals:
        clock.advance(timedelta(seconds=30))
        received_at.append(clock())
        response = client.post("/api/sync", headers=auth[user],
                               json=batch(*events, device=device))
        assert [r["status"] for r in response.json()["results"]] == ["accepted"] * 2

    log = logged_events(demo.app, start)
    sent = [e for _, _, events in arrivals for e in events]
    # Log order is arrival order, not the tablets' clocks (the slow tablet's events
    # claim to be earlier, yet come after); server time is when they arrived.
    assert [str(e.event_id) for e in log] == [str(e["id"]) for e in sent]
    assert [e.timestamp for e in log] == [received_at[0]] * 2 + [received_at[1]] * 2
    assert [e.occurred_at for e in log] == [ahead, ahead + timedelta(minutes=1), behind,
                                            way_behind]
    assert [e.device_id for e in log] == ["tablet-fast"] * 2 + ["tablet-slow"] * 2

    # More than a day ahead is refused, and a resend of the skewed ones is duplicate.
    too_far = skewed(event(CURRENT_VISIT, "EvidenceNoted",
                           {"classroom_id": "c-fast", "text": "x"}),
                     clock() + timedelta(hours=24, minutes=1))
    response = client.post("/api/sync", headers=auth["coach1"],
                           json=batch(*fast_tablet, too_far, device="tablet-fast"))
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["duplicate", "duplicate", "rejected"]
    assert results[2]["error"]["code"] == "future_event"

    summary = client.get(f"/api/visits/{CURRENT_VISIT}/summary", headers=auth["coach1"])
    assert summary.json()["rooms"] == len(CURRENT_ROOMS) + 2
    counts = Counter(str(e.event_id) for e in logged_events(demo.app))
    assert_exactly_once(counts, {str(e["id"]) for e in sent})
    assert counts[too_far["id"]] == 0
