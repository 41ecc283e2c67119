"""What every fault test ends with: the log holds each sent event exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from walkthrough.application import Walkthrough
from walkthrough.events import Event
from walkthrough.persistence import decode_state


def logged_events(app: Walkthrough, after: int = 0) -> list[Event]:
    """The log after position `after`, in log order."""
    notifications = app.recorder.select_notifications(start=after + 1, limit=10_000_000)
    return [decode_state(n.state, app.mapper) for n in notifications]


def log_counts(app: Walkthrough) -> Counter[str]:
    """How many times each client event id is in the log."""
    return Counter(str(event.event_id) for event in logged_events(app))


def assert_exactly_once(counts: Counter[str], sent: Iterable[str]) -> None:
    """Nothing lost, nothing doubled."""
    sent = set(sent)
    lost = {event_id for event_id in sent if counts[event_id] == 0}
    doubled = {event_id for event_id in sent if counts[event_id] > 1}
    assert not lost, f"{len(lost)} event(s) lost"
    assert not doubled, f"{len(doubled)} event(s) doubled"
