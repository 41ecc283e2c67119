"""Aggregates kept in memory between writes, kept true by reading the log's tail.

Before deciding, the writer reads which aggregates changed since it last looked
(`Tail.changed`: its own writes and any other process's). A cached aggregate older
than a change is marked behind and fast-forwarded on its next use; every other
cached aggregate is used as is, without a query. Only the writer (under the group
commit lock) moves the position or puts aggregates, so the cache never goes back
in time; readers only take from it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from walkthrough.persistence import Tail


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


def weight_of(aggregate: Versioned) -> int:
    """How much an aggregate weighs in the cache: its own `weight`, or 1."""
    weight = getattr(aggregate, "weight", 1)
    return weight if isinstance(weight, int) else 1


class AggregateCache:
    """Bounded by the total weight of what it holds (about one unit per observation
    of a visit), least recently used first out."""

    def __init__(self, max_weight: int) -> None:
        self.max_weight = max_weight
        self.position: int | None = None  # the log position everything cached is true at
        self._items: OrderedDict[UUID, Versioned] = OrderedDict()
        self._weights: dict[UUID, int] = {}
        self._total = 0
        self._behind: dict[UUID, int] = {}  # id -> a newer version known to be stored
        self._lock = threading.Lock()

    def get(self, aggregate_id: UUID) -> tuple[Versioned | None, bool]:
        """The cached aggregate (or None) and whether it must be fast-forwarded first."""
        with self._lock:
            item = self._items.get(aggregate_id)
            if item is None:
                return None, False
            self._items.move_to_end(aggregate_id)
            return item, aggregate_id in self._behind

    def put(self, aggregate_id: UUID, aggregate: Versioned) -> None:
        with self._lock:
            if self._behind.get(aggregate_id, 0) <= aggregate.version:
                self._behind.pop(aggregate_id, None)
            self._items[aggregate_id] = aggregate
            self._items.move_to_end(aggregate_id)
            weight = weight_of(aggregate)
            self._total += weight - self._weights.get(aggregate_id, 0)
            self._weights[aggregate_id] = weight
            while self._total > self.max_weight and len(self._items) > 1:
                evicted, _ = self._items.popitem(last=False)
                self._total -= self._weights.pop(evicted)
                self._behind.pop(evicted, None)

    def follow(self, tail: Tail) -> None:
        """Take in the changes read since `position`; forget everything when unknown."""
        with self._lock:
            if tail.changed is None:
                self._items.clear()
                self._weights.clear()
                self._total = 0
                self._behind.clear()
            else:
                for aggregate_id, version in tail.changed:
                    item = self._items.get(aggregate_id)
                    if item is not None and item.version < version:
                        self._behind[aggregate_id] = max(version,
                                                         self._behind.get(aggregate_id, 0))
            self.position = tail.position

    def wrote(self, notification_ids: Sequence[int]) -> None:
        """Our own insert: when it directly follows the position, nothing else can have
        come between, so the position moves past it without reading it back."""
        with self._lock:
            if not notification_ids or self.position is None:
                return
            first, last = min(notification_ids), max(notification_ids)
            if first == self.position + 1 and last - first + 1 == len(notification_ids):
                self.position = last

    def forget(self, aggregate_ids: Sequence[UUID]) -> None:
        with self._lock:
            for aggregate_id in aggregate_ids:
                self._items.pop(aggregate_id, None)
                self._total -= self._weights.pop(aggregate_id, 0)
                self._behind.pop(aggregate_id, None)
