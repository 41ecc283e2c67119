"""Client events as a tablet would send them, and the one helper that records them
through the application, as the sync route does."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from tests.conftest import NOW
from walkthrough.events import Payload, type_name
from walkthrough.sync import Outcome, Rejection, Submission, decode_client_event
from web.composition.bootstrap import Services

# A tablet's clock: each event built without a time is a moment later than the last,
# as on a device (a coach's own latest tap is their observation).
_ticks = itertools.count()


def event(visit_id: UUID | str, type_: str, data: dict[str, Any], *,
          at: datetime | None = None, event_id: UUID | None = None) -> dict[str, Any]:
    return {
        "id": str(event_id or uuid4()),
        "visit_id": str(visit_id),
        "type": type_,
        "occurred_at": (at or _tablet_clock()).isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def _tablet_clock() -> datetime:
    return NOW - timedelta(hours=1) + timedelta(milliseconds=next(_ticks))


def enter(visit_id: UUID | str, room: str = "c-room-a", **extra: Any) -> dict[str, Any]:
    """Entering a room; its label defaults to one made from its id (rooms entered under
    the same label are one room)."""
    data = {"classroom_id": room, "label": f"Room {room.removeprefix('c-')}",
            "grade_band": "6-8", "subject": "math", "students_present": 24, **extra}
    return event(visit_id, "ClassroomEntered", data)


def tap(visit_id: UUID | str, item: str, value: str | int, room: str = "c-room-a", *,
        at: datetime | None = None, method: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"classroom_id": room, "item": item, "value": value}
    if method is not None:
        data["method"] = method
    return event(visit_id, "LookForObserved", data, at=at)


def batch(*events: dict[str, Any], device: str = "tablet-1") -> dict[str, Any]:
    return {"device_id": device, "events": list(events)}


def of(visit_id: UUID | str, payload: Payload, *, at: datetime | None = None,
       event_id: UUID | None = None) -> dict[str, Any]:
    """A typed payload as a client event."""
    data = msgspec.to_builtins(payload)
    data.pop("type", None)
    return event(visit_id, type_name(payload), data, at=at, event_id=event_id)


def decoded(services: Services, *events: dict[str, Any]) -> list[Submission | Rejection]:
    """Client events decoded as the sync route decodes them, on the services' clock."""
    now = services.clock()
    return [decode_client_event(msgspec.json.encode(e), now) for e in events]


def record(services: Services, user: str, *events: dict[str, Any],
           device: str = "tablet-1") -> list[Outcome]:
    """Decode and record client events for `user`, as a sync does; their outcomes."""
    return services.app.record(services.app.actor(user), device, decoded(services, *events))


def statuses(outcomes: list[Outcome]) -> list[str]:
    return [outcome.status for outcome in outcomes]


def stored(services: Services) -> int:
    """How many events the log holds."""
    return services.app.recorder.max_notification_id() or 0


def record_payload(services: Services, user: str, visit_id: UUID, at: datetime,
                   payload: Payload) -> UUID:
    """Record one typed event as a tablet's sync would; its event id."""
    event_id = uuid4()
    (outcome,) = record(services, user, of(visit_id, payload, at=at, event_id=event_id),
                        device="tablet-9")
    assert outcome.status == "accepted", outcome
    return event_id
