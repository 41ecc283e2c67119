"""Bearer tokens: random, stored only as a SHA-256 hash, with expiry and revocation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from eventsourcing.sqlite import SQLiteDatastore

from walkthrough.errors import DomainError

DEFAULT_TTL = timedelta(days=30)


class Unauthorized(DomainError):
    code = "unauthorized"


class TokenStore:
    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS auth_tokens ("
                "token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
                "issued_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT)"
            )

    def issue(self, user_id: str, now: datetime, ttl: timedelta = DEFAULT_TTL) -> str:
        token = "wt_" + secrets.token_urlsafe(32)
        with self.datastore.transaction(commit=True) as c:
            c.execute("INSERT INTO auth_tokens VALUES (?, ?, ?, ?, NULL)",
                      [_hash(token), user_id, now.isoformat(), (now + ttl).isoformat()])
        return token

    def user_for(self, token: str, now: datetime) -> str:
        """The user a token belongs to; Unauthorized when unknown, revoked or expired."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT user_id, expires_at, revoked_at FROM auth_tokens "
                      "WHERE token_hash = ?", [_hash(token)])
            row = c.fetchone()
        if row is None or row["revoked_at"] is not None:
            raise Unauthorized("the token is not valid; sign in again")
        if datetime.fromisoformat(row["expires_at"]) <= now:
            raise Unauthorized("the token has expired; sign in again", code="token_expired")
        return str(row["user_id"])

    def revoke_all(self, user_id: str, now: datetime) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute("UPDATE auth_tokens SET revoked_at = ? "
                      "WHERE user_id = ? AND revoked_at IS NULL", [now.isoformat(), user_id])
            return int(c.sqlite_cursor.rowcount)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
