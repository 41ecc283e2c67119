"""Bearer tokens: random, stored only as a SHA-256 hash, with expiry and revocation.

The rules live in `TokenStore`; each backend only says how to create the table,
insert, look up and revoke rows, in its own SQL dialect.
"""

from __future__ import annotations

import hashlib
import secrets
from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import NamedTuple

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from walkthrough.errors import Unauthorized

DEFAULT_TTL = timedelta(days=30)
TokenRow = tuple[str, str, str | None]  # user_id, expires_at, revoked_at


class Grant(NamedTuple):
    """A new token and the row that stores it (its hash, never the token itself)."""

    token: str
    token_hash: str
    user_id: str
    issued_at: str
    expires_at: str

    def row(self) -> tuple[str, str, str, str]:
        return self.token_hash, self.user_id, self.issued_at, self.expires_at


class Holder(NamedTuple):
    """Whom a valid token belongs to, and when it expires."""

    user_id: str
    expires_at: datetime


def grant(user_id: str, now: datetime, ttl: timedelta = DEFAULT_TTL) -> Grant:
    token = "wt_" + secrets.token_urlsafe(32)
    return Grant(token, secret_hash(token), user_id, now.isoformat(), (now + ttl).isoformat())


class TokenStore(ABC):
    def issue(self, user_id: str, now: datetime, ttl: timedelta = DEFAULT_TTL) -> str:
        granted = grant(user_id, now, ttl)
        self._insert(granted)
        return granted.token

    def user_for(self, token: str, now: datetime) -> str:
        """The user a token belongs to; Unauthorized when unknown, revoked or expired."""
        return self.holder(token, now).user_id

    def holder(self, token: str, now: datetime) -> Holder:
        """Whom a token belongs to, and until when; Unauthorized when unknown, revoked
        or expired."""
        row = self._lookup(secret_hash(token))
        if row is None or row[2] is not None:
            raise Unauthorized("the token is not valid; sign in again")
        user_id, expires_at, _ = row
        expires = datetime.fromisoformat(expires_at)
        if expires <= now:
            raise Unauthorized("the token has expired; sign in again", code="token_expired")
        return Holder(user_id, expires)

    def known(self, token: str) -> bool:
        """Whether a token was ever issued (a cheap read of the token index)."""
        return self._lookup(secret_hash(token)) is not None

    revocations = 0  # revocations made through this store (callers cached before are stale)

    def revoke_all(self, user_id: str, now: datetime) -> int:
        try:
            return self._revoke(user_id, now.isoformat())
        finally:  # after the write: a lookup racing it was counted before, so it is stale
            self.revocations += 1

    @abstractmethod
    def _insert(self, granted: Grant) -> None: ...

    @abstractmethod
    def _lookup(self, token_hash: str) -> TokenRow | None: ...

    @abstractmethod
    def _revoke(self, user_id: str, revoked_at: str) -> int: ...


CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS {} ("
    "token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
    "issued_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT)"
)


class SQLiteTokenStore(TokenStore):
    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore
        with self.datastore.transaction(commit=True) as c:
            c.execute(CREATE_TABLE.format("auth_tokens"))

    def _insert(self, granted: Grant) -> None:
        with self.datastore.transaction(commit=True) as c:
            self.insert_in(c, granted)

    def insert_in(self, cursor: SQLiteCursor, granted: Grant) -> None:
        """Store a granted token inside a transaction someone else opened (and commits)."""
        cursor.execute("INSERT INTO auth_tokens VALUES (?, ?, ?, ?, NULL)", granted.row())

    def _lookup(self, token_hash: str) -> TokenRow | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT user_id, expires_at, revoked_at FROM auth_tokens "
                      "WHERE token_hash = ?", [token_hash])
            row = c.fetchone()
        return None if row is None else (row["user_id"], row["expires_at"], row["revoked_at"])

    def _revoke(self, user_id: str, revoked_at: str) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute("UPDATE auth_tokens SET revoked_at = ? "
                      "WHERE user_id = ? AND revoked_at IS NULL", [revoked_at, user_id])
            return int(c.sqlite_cursor.rowcount)


class PostgresTokenStore(TokenStore):
    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        self.table = Identifier(datastore.schema, "auth_tokens")
        with self.datastore.transaction(commit=True) as c:
            c.execute(SQL(CREATE_TABLE).format(self.table))

    def _insert(self, granted: Grant) -> None:
        with self.datastore.transaction(commit=True) as c:
            self.insert_in(c, granted)

    def insert_in(self, cursor: Cursor[DictRow], granted: Grant) -> None:
        """Store a granted token inside a transaction someone else opened (and commits)."""
        cursor.execute(SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, NULL)").format(self.table),
                       granted.row())

    def _lookup(self, token_hash: str) -> TokenRow | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQL("SELECT user_id, expires_at, revoked_at FROM {} "
                          "WHERE token_hash = %s").format(self.table), [token_hash])
            row = c.fetchone()
        return None if row is None else (row["user_id"], row["expires_at"], row["revoked_at"])

    def _revoke(self, user_id: str, revoked_at: str) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(SQL("UPDATE {} SET revoked_at = %s "
                          "WHERE user_id = %s AND revoked_at IS NULL").format(self.table),
                      [revoked_at, user_id])
            return c.rowcount


def secret_hash(secret: str) -> str:
    """How tokens and sign-in codes are stored: SHA-256, hex (they are random and long,
    so no salt or slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()
