"""The server commits, the answer never reaches the tablet: its resend is `duplicate`.
Through the whole HTTP stack; ends in "nothing lost, nothing doubled"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.builders import batch, enter, tap
from tests.faults.exactly_once import assert_exactly_once, log_counts
from web.app import create_app
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_ROOMS, CURRENT_VISIT

Headers = dict[str, dict[str, str]]


class ResponseLost(Exception):
    """The connection dropped after the server answered."""


class LosingNetwork:
    """Lets the app run each request to its end, then loses the answer while `losing`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.losing = False
        self.lost: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.losing:
            await self.app(scope, receive, send)
            return

        async def into_the_void(message: Message) -> None:
            self.lost.append(message)

        await self.app(scope, receive, into_the_void)
        raise ResponseLost(scope["path"])


@pytest.fixture
def network(demo: Services) -> Iterator[tuple[LosingNetwork, TestClient]]:
    wrapped = LosingNetwork(create_app(services=demo))
    with TestClient(wrapped) as client:
        yield wrapped, client


def statuses(response: Any) -> list[str]:
    return [r["status"] for r in response.json()["results"]]


def test_a_resend_after_the_answer_was_lost_is_all_duplicate(
    network: tuple[LosingNetwork, TestClient], auth: Headers, demo: Services
) -> None:
    losing, client = network
    outbox = [enter(CURRENT_VISIT)] + [tap(CURRENT_VISIT, item, "yes")
                                       for item in ("cfu", "target_posted", "student_talk")]
    losing.losing = True
    with pytest.raises(ResponseLost):
        client.post("/api/sync", headers=auth["coach1"], json=batch(*outbox))
    assert losing.lost[0]["status"] == 200  # committed and answered, then lost
    position = demo.app.recorder.max_notification_id() or 0

    losing.losing = False
    later = tap(CURRENT_VISIT, "monitoring", "no")
    response = client.post("/api/sync", headers=auth["coach1"], json=batch(*outbox, later))
    assert response.status_code == 200
    assert statuses(response) == ["duplicate"] * 4 + ["accepted"]
    assert (demo.app.recorder.max_notification_id() or 0) == position + 1
    # The same resend from the tablet's second attempt, and from another device.
    again = client.post("/api/sync", headers=auth["coach1"], json=batch(*outbox, later))
    assert statuses(again) == ["duplicate"] * 5
    other = client.post("/api/sync", headers=auth["coach2"],
                        json=batch(*outbox, device="tablet-2"))
    assert statuses(other) == ["duplicate"] * 4
    assert_exactly_once(log_counts(demo.app), {str(e["id"]) for e in [*outbox, later]})
    summary = client.get(f"/api/visits/{CURRENT_VISIT}/summary", headers=auth["coach1"])
    assert summary.json()["rooms"] == len(CURRENT_ROOMS) + 1
