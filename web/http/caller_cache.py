"""Tokens resolved a moment ago, kept in this process so that a tablet draining its
outbox is not looked up (token row, then person) on every request.

The bound: a token is resolved again (token row, then the person on the district as
stored then) at most CALLER_CACHE_SECONDS after it was last looked up, and never
used past its expiry. So a token revoked, or a person deactivated or given other
roles, by another process takes effect in every worker within CALLER_CACHE_SECONDS.
A revocation or a district change (a person deactivated, roles changed) stored by
this process takes effect at once: every caller cached before it is looked up again.
Keyed by the token's SHA-256, so no token is kept in memory.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import NamedTuple

from walkthrough.access import Actor

CALLER_CACHE_SECONDS = 2.0
MAX_CALLERS = 10_000  # tokens kept at once (tablets of a district, many times over)


class Resolved(NamedTuple):
    actor: Actor
    until: datetime  # the earlier of the bound and the token's expiry
    revocations: int  # the token store's revocations when it was looked up


class CallerCache:
    def __init__(self, seconds: float = CALLER_CACHE_SECONDS,
                 max_callers: int = MAX_CALLERS) -> None:
        self.bound = timedelta(seconds=seconds)
        self._max = max_callers
        self._resolved: dict[str, Resolved] = {}
        self._lock = threading.Lock()

    def get(self, token_key: str, now: datetime, revocations: int) -> Actor | None:
        """The caller a token resolved to, if that was recently enough and no token
        was revoked in this process since."""
        found = self._resolved.get(token_key)
        if found is None:
            return None
        if found.until <= now or found.revocations != revocations:
            with self._lock:
                self._resolved.pop(token_key, None)
            return None
        return found.actor

    def put(self, token_key: str, actor: Actor, now: datetime, expires_at: datetime,
            revocations: int) -> None:
        with self._lock:
            if len(self._resolved) >= self._max:
                self._resolved.clear()  # rare: all re-resolve once
            self._resolved[token_key] = Resolved(actor, min(now + self.bound, expires_at),
                                                 revocations)
