"""Small builders for client events, as a tablet would send them."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from tests.conftest import NOW

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
