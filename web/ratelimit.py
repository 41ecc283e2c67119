"""Rate limits, with a token bucket per key: sync requests per bearer token, and
failed sign-in link redemptions per client address.

A tablet's outbox drains in a few requests, so the sync default is generous; the
limit is there to stop a copied token or a stuck client from flooding the store.
Sync buckets are keyed by a hash of the token, so no token is kept in memory.
A sign-in link is opened once, so a handful of failures from one address is already
unusual: beyond that, the address waits before it may try another code.
Buckets live in this process: with several server processes the limits are per
process.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request

from web.bootstrap import Services

MAX_BUCKETS = 10_000  # above this, full (idle) buckets are forgotten


class TokenBuckets:
    """`burst` requests at once, then `per_minute` a minute, for each key."""

    def __init__(self, per_minute: int, burst: int,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.monotonic = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (level, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one request for `key`: 0.0 when allowed, else seconds until allowed."""
        with self._lock:
            now = self.monotonic()
            level = self._level(key, now)
            if level >= 1.0:
                self._buckets[key] = (level - 1.0, now)
                if len(self._buckets) > MAX_BUCKETS:
                    self._forget_idle(now)
                return 0.0
            self._buckets[key] = (level, now)
            return (1.0 - level) / self.rate

    def wait(self, key: str) -> float:
        """Seconds until `key` may take one (0.0: now), taking nothing."""
        with self._lock:
            level = self._level(key, self.monotonic())
            return 0.0 if level >= 1.0 else (1.0 - level) / self.rate

    def _level(self, key: str, now: float) -> float:
        level, at = self._buckets.get(key, (self.burst, now))
        return min(self.burst, level + (now - at) * self.rate)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k in self._buckets if self._level(k, now) >= self.burst]:
            del self._buckets[key]


def check_sync_rate(request: Request) -> None:
    """Raise 429 with Retry-After when the caller's token is over the sync rate.

    Call after authentication, so only valid tokens get a bucket."""
    services: Services = request.app.state.services
    settings = services.settings
    if settings.sync_rate_per_minute <= 0:
        return  # limit switched off
    buckets: TokenBuckets | None = getattr(request.app.state, "sync_buckets", None)
    if buckets is None:
        buckets = TokenBuckets(settings.sync_rate_per_minute, settings.sync_burst)
        request.app.state.sync_buckets = buckets
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    wait = buckets.take(hashlib.sha256(token.encode()).hexdigest())
    if wait > 0:
        raise HTTPException(
            429, f"too many sync requests; retry in {math.ceil(wait)} s",
            headers={"Retry-After": str(max(1, math.ceil(wait)))})


def _signin_failures(request: Request) -> TokenBuckets | None:
    """The failed-redemption buckets of this app (None: limit switched off)."""
    services: Services = request.app.state.services
    settings = services.settings
    if settings.signin_failures_per_minute <= 0:
        return None
    buckets: TokenBuckets | None = getattr(request.app.state, "signin_failures", None)
    if buckets is None:
        buckets = TokenBuckets(settings.signin_failures_per_minute,
                               settings.signin_failure_burst)
        request.app.state.signin_failures = buckets
    return buckets


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def check_signin_failures(request: Request) -> None:
    """Raise 429 with Retry-After while the caller's address has used up its failed
    sign-in link redemptions; call before looking at the code."""
    buckets = _signin_failures(request)
    wait = buckets.wait(_address(request)) if buckets is not None else 0.0
    if wait > 0:
        raise HTTPException(
            429, f"too many refused sign-in links from this address; retry in "
                 f"{math.ceil(wait)} s", headers={"Retry-After": str(max(1, math.ceil(wait)))})


def count_signin_failure(request: Request) -> None:
    """One more refused sign-in link from the caller's address."""
    buckets = _signin_failures(request)
    if buckets is not None:
        buckets.take(_address(request))
