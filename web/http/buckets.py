"""Token buckets: `burst` requests at once, then so many a minute, for each key. Kept
in this process (with several server processes a limit is per process); idle full
buckets are forgotten beyond MAX_BUCKETS."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MAX_BUCKETS = 10_000  # above this, full (idle) buckets are forgotten


class TokenBuckets:
    """`burst` requests at once, then `per_minute` a minute, for each key."""

    def __init__(self, per_minute: float, burst: int,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.monotonic = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (level, at)
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> float:
        """Take one request for `key` (costing `cost` of a request: a key with a
        higher bound): 0.0 when allowed, else seconds until allowed."""
        with self._lock:
            now = self.monotonic()
            level = self._level(key, now)
            if level >= cost:
                self._buckets[key] = (level - cost, now)
                if len(self._buckets) > MAX_BUCKETS:
                    self._forget_idle(now)
                return 0.0
            self._buckets[key] = (level, now)
            return (cost - level) / self.rate

    def wait(self, key: str, cost: float = 1.0) -> float:
        """Seconds until `key` may take one of `cost` (0.0: now), taking nothing."""
        with self._lock:
            level = self._level(key, self.monotonic())
            return 0.0 if level >= cost else (cost - level) / self.rate

    def _level(self, key: str, now: float) -> float:
        level, at = self._buckets.get(key, (self.burst, now))
        return min(self.burst, level + (now - at) * self.rate)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k in self._buckets if self._level(k, now) >= self.burst]:
            del self._buckets[key]
