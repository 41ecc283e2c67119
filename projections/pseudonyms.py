"""Stable pseudonyms for the people, rooms and devices in the event log.

A pseudonym is a keyed hash (HMAC-SHA256) of the identifier under a secret that
belongs to one deployment: the same person is the same pseudonym in every
export of that deployment, and another deployment (another secret) gives
unrelated pseudonyms. Without the secret a pseudonym cannot be tied back to an
id by guessing ids and hashing them.

The secret comes from WALKTHROUGH_PSEUDONYM_SECRET when set, otherwise it is
generated once and kept in the deployment's database, so that every server
process and every export of one deployment agree on it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from walkthrough.errors import DomainError

SECRET_ENV = "WALKTHROUGH_PSEUDONYM_SECRET"
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


def deployment_secret(datastore: SQLiteDatastore | PostgresDatastore,
                      environ: Mapping[str, str]) -> bytes:
    """The deployment's pseudonym secret: from the environment, else from the database
    (created on first use; concurrent first uses agree on the one row)."""
    configured = environ.get(SECRET_ENV)
    if configured is not None:
        if len(configured) < MIN_SECRET_CHARS:
            raise SecretTooShort(f"{SECRET_ENV} must be at least {MIN_SECRET_CHARS} characters")
        return configured.encode()
    fresh = secrets.token_bytes(32)
    if isinstance(datastore, PostgresDatastore):
        with datastore.transaction(commit=True) as curs:
            curs.execute("CREATE TABLE IF NOT EXISTS pseudonym_secret ("
                         "id integer PRIMARY KEY CHECK (id = 1), secret bytea NOT NULL)")
            curs.execute("INSERT INTO pseudonym_secret VALUES (1, %s) "
                         "ON CONFLICT (id) DO NOTHING", (fresh,))
            curs.execute("SELECT secret FROM pseudonym_secret WHERE id = 1")
            row = curs.fetchone()
            assert row is not None
            return bytes(row["secret"])
    with datastore.transaction(commit=True) as c:
        c.execute("CREATE TABLE IF NOT EXISTS pseudonym_secret ("
                  "id INTEGER PRIMARY KEY CHECK (id = 1), secret BLOB NOT NULL)")
        c.execute("INSERT OR IGNORE INTO pseudonym_secret VALUES (1, ?)", [fresh])
        c.execute("SELECT secret FROM pseudonym_secret WHERE id = 1")
        return bytes(c.fetchone()["secret"])
