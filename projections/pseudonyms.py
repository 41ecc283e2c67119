"""Stable pseudonyms for the people, rooms and devices in the event log.

A pseudonym is a keyed hash (HMAC-SHA256) of the identifier under a secret that
belongs to one deployment: the same person is the same pseudonym in every
export of that deployment, and another deployment (another secret) gives
unrelated pseudonyms. Without the secret a pseudonym cannot be tied back to an
id by guessing ids and hashing them.

The secret comes from WALKTHROUGH_PSEUDONYM_SECRET when set, otherwise it is
generated once and kept in the deployment's database (walkthrough/adapters/
secrets.py), so that every server process and every export of one deployment
agree on it; the composition root gives it to the `Pseudonymiser`.
"""

from __future__ import annotations

import hashlib
import hmac

from walkthrough.errors import DomainError

MIN_SECRET_CHARS = 32
DIGEST_CHARS = 20  # 80 bits: collisions are negligible for any district's population


class Pseudonymiser:
    """Maps identifiers to pseudonyms; a kind prefix keeps the kinds apart."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._cache: dict[tuple[str, ...], str] = {}

    def person(self, user_id: str) -> str:
        return self._pseudonym("p", user_id)

    def device(self, device_id: str) -> str:
        return self._pseudonym("d", device_id)

    def partnership(self, partnership_id: str) -> str:
        return self._pseudonym("g", partnership_id)

    def session(self, session_id: str) -> str:
        return self._pseudonym("s", session_id)

    def team(self, members: tuple[str, ...]) -> str:
        """A visit team: the same coaches, in any order, are one team."""
        return self._pseudonym("t", *sorted(members))

    def classroom(self, visit_id: str, classroom_id: str) -> str:
        """Rooms are scoped to their visit: one room is never followed across visits."""
        return self._pseudonym("c", visit_id, classroom_id)

    def _pseudonym(self, kind: str, *parts: str) -> str:
        key = (kind, *parts)
        found = self._cache.get(key)
        if found is None:
            message = "\x00".join(key).encode()
            digest = hmac.new(self._secret, message, hashlib.sha256).hexdigest()
            found = f"{kind}_{digest[:DIGEST_CHARS]}"
            if len(self._cache) < 100_000:  # bounded: people and devices, not events
                self._cache[key] = found
        return found


class SecretTooShort(DomainError):
    code = "pseudonym_secret_too_short"


def configured_secret(configured: str) -> bytes:
    """A secret set by the operator (WALKTHROUGH_PSEUDONYM_SECRET), checked."""
    if len(configured) < MIN_SECRET_CHARS:
        raise SecretTooShort(f"WALKTHROUGH_PSEUDONYM_SECRET must be at least "
                             f"{MIN_SECRET_CHARS} characters")
    return configured.encode()
