"""Who is calling: the bearer token, resolved once per request.

Starlette's AuthenticationMiddleware runs `TokenBackend` before any route: for an
/api/ path with `Authorization: Bearer <token>` it looks the token up (hashed) and
the person it belongs to, and the request carries them as `request.user` (a
`Caller`). A token resolved a moment ago is taken from web.http.caller_cache without a
look-up (revocation and deactivation take effect within the bound stated there).
A missing, bad, expired or revoked token leaves the request anonymous,
with the reason kept: a route that needs a caller (every one but the public sign-in
exchange, see web.http.routing) answers 401 with that reason. Health, docs and static
files are never looked at. What a caller may see is decided by walkthrough.access;
which roles a route needs, by web.http.routing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from eventsourcing.persistence import PersistenceError
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    UnauthenticatedUser,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request

from walkthrough.access import Actor
from walkthrough.errors import NotFound, StoreUnavailable, Unauthorized
from web.composition.bootstrap import Services


class Caller(BaseUser):
    """A signed-in person, with a stable key for their token (its hash)."""

    def __init__(self, actor: Actor, token_key: str) -> None:
        self.actor = actor
        self.token_key = token_key

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.actor.user_id

    @property
    def identity(self) -> str:
        return self.actor.user_id


class Anonymous(UnauthenticatedUser):
    """No caller; `refusal` says why when a token was sent and not taken."""

    def __init__(self, refusal: Exception | None = None) -> None:
        self.refusal = refusal


ANONYMOUS = Anonymous()


class TokenBackend(AuthenticationBackend):
    def __init__(self, services: Services) -> None:
        self.services = services

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        header = conn.headers.get("authorization")
        if header is None or not conn.url.path.startswith("/api/"):
            return AuthCredentials(), ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return AuthCredentials(), Anonymous(
                Unauthorized("send Authorization: Bearer <token>"))
        token = token.strip()
        key = hashlib.sha256(token.encode()).hexdigest()
        services = self.services
        now = services.clock()
        # Before the look-up (see revoke_all): a token revoked or a person changed by
        # this process since a caller was cached makes that caller stale.
        revocations = services.tokens.revocations + services.app.writer.district_writes
        cached = services.callers.get(key, now, revocations)
        if cached is not None:
            actor = cached
        else:
            try:
                actor, expires_at = await run_in_threadpool(self._resolve, token, now)
            except (Unauthorized, StoreUnavailable, PersistenceError) as exc:
                return AuthCredentials(), Anonymous(exc)
            services.callers.put(key, actor, now, expires_at, revocations)
        return AuthCredentials(["authenticated", *actor.roles]), Caller(actor, key)

    def _resolve(self, token: str, now: datetime) -> tuple[Actor, datetime]:
        services = self.services
        holder = services.tokens.holder(token, now)
        # The district as stored now (once per token per cache bound): a person
        # deactivated by another process is refused from the first look-up after it.
        services.app.follow_log()
        try:
            return services.app.actor(holder.user_id), holder.expires_at
        except NotFound:
            raise Unauthorized("the token's user is no longer registered") from None


def caller(request: Request) -> Actor:
    """The signed-in person making the request; when anonymous, why (Unauthorized, or
    the store being away while the token was looked up)."""
    user = request.user
    if isinstance(user, Caller):
        return user.actor
    if isinstance(user, Anonymous) and user.refusal is not None:
        raise user.refusal
    raise Unauthorized("send Authorization: Bearer <token>")
