"""One-time sign-in links: `<origin>/signin#code=<code>`, a random code stored only as
its SHA-256 hash, with the user, the origin the link was made for, when it was made,
when it expires (15 minutes), when it was used and when it was revoked.

The rules live in `SignInLinkStore`: a link signs in a registered user once, before it
expires, on the origin it was made for, unless the user's sign-ins were revoked since.
Each backend only says how to create the table, insert, look up, claim and revoke rows
in its own SQL dialect. Claiming is the one step that must be atomic: it marks the link
used only if it is still unused (and checks the row count) and stores the device token in
the same transaction, so two redemptions of one code at once give exactly one token.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

import msgspec
from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Composed, Identifier

from walkthrough.adapters.tokens import (
    DEFAULT_TTL,
    Grant,
    PostgresTokenStore,
    SQLiteTokenStore,
    grant,
    secret_hash,
)
from walkthrough.errors import DomainError, Gone, NotFound, Unauthorized

LINK_TTL = timedelta(minutes=15)
# The code rides in the fragment: browsers never send it to a server (no request line,
# no access log, no Referer); the app reads it and POSTs it to /api/signin/link.
LINK_PATH = "/signin#code="
DEFAULT_PORTS = {"http": 80, "https": 443}
TABLE = "signin_links"


class SignInLink(msgspec.Struct, frozen=True):
    url: str
    user_id: str
    expires_at: datetime


class Redeemed(msgspec.Struct, frozen=True):
    user_id: str
    token: str


class LinkRow(NamedTuple):
    user_id: str
    origin: str
    expires_at: str
    used_at: str | None
    revoked_at: str | None


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of an http(s) URL, lower case, the default port left out;
    ValueError for anything else (a path, a query, user info...)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has a bad port") from None
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{url!r} is not an http:// or https:// address")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{url!r} is more than scheme://host[:port]")
    host = parts.hostname  # urlsplit lower-cases it and drops IPv6 brackets
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


def _used() -> Gone:
    return Gone("This sign-in link was already used; each link works once - ask for a new one",
                code="link_used")


class SignInLinkStore(ABC):
    """The rules of sign-in links; `is_registered` tells whether a user id is a person of
    the district (asked when a link is made and again when it is redeemed)."""

    def __init__(self, is_registered: Callable[[str], bool]) -> None:
        self.is_registered = is_registered

    def make(self, user_id: str, base_url: str, now: datetime,
             ttl: timedelta = LINK_TTL) -> SignInLink:
        """A new link for a registered user, to be opened on `base_url`'s origin."""
        if not self.is_registered(user_id):
            raise NotFound(f"user {user_id!r} is not registered", code="unknown_user")
        try:
            origin = origin_of(base_url)
        except ValueError as exc:
            raise DomainError(f"the base URL {exc}", code="invalid_base_url") from None
        code = secrets.token_urlsafe(32)  # 256 random bits
        self._insert(secret_hash(code), user_id, origin, now.isoformat(),
                     (now + ttl).isoformat())
        return SignInLink(url=f"{origin}{LINK_PATH}{code}", user_id=user_id,
                          expires_at=now + ttl)

    def redeem(self, code: str, origin: str, now: datetime,
               token_ttl: timedelta = DEFAULT_TTL) -> Redeemed:
        """A device token for the link's user, once; the link is used up by it.

        `origin` is where the request came from (`origin_of` form). Unauthorized for an
        unknown code, another origin, a revoked link or an unregistered user; Gone for a
        link already used or expired."""
        code_hash = secret_hash(code)
        row = self._check(self._lookup(code_hash), origin, now)
        granted = grant(row.user_id, now, token_ttl)
        if not self._claim(code_hash, now.isoformat(), granted):
            # Another redemption (or a revocation) got there between the check and the
            # claim: say which, from the row as it is now.
            self._check(self._lookup(code_hash), origin, now)
            raise _used()
        return Redeemed(user_id=row.user_id, token=granted.token)

    def revoke_all(self, user_id: str, now: datetime) -> int:
        """Withdraw the user's unused links (with their tokens, when they are revoked)."""
        return self._revoke(user_id, now.isoformat())

    def _check(self, row: LinkRow | None, origin: str, now: datetime) -> LinkRow:
        if row is None:
            raise Unauthorized("This sign-in link is not valid; open the whole link, or ask "
                               "for a new one", code="link_invalid")
        if row.origin != origin:
            raise Unauthorized(f"This sign-in link was made for {row.origin}; open it there "
                               f"(this is {origin})", code="link_wrong_host")
        if row.revoked_at is not None:
            raise Unauthorized("This sign-in link was withdrawn; ask for a new one")
        if not self.is_registered(row.user_id):
            raise Unauthorized("This sign-in link's user is no longer registered")
        if row.used_at is not None:
            raise _used()
        if datetime.fromisoformat(row.expires_at) <= now:
            raise Gone("This sign-in link has expired; ask for a new one", code="link_expired")
        return row

    @abstractmethod
    def _insert(self, code_hash: str, user_id: str, origin: str, created_at: str,
                expires_at: str) -> None: ...

    @abstractmethod
    def _lookup(self, code_hash: str) -> LinkRow | None: ...

    @abstractmethod
    def _claim(self, code_hash: str, used_at: str, granted: Grant) -> bool:
        """Mark the link used if it is unused and not revoked, and store the granted token,
        in one transaction; False (and nothing stored) when it was not."""

    @abstractmethod
    def _revoke(self, user_id: str, revoked_at: str) -> int: ...


# Written once with "?" parameters (SQLite); `_postgres` makes the PostgreSQL statement.
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS {} ("
    "code_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, origin TEXT NOT NULL, "
    "created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT, revoked_at TEXT)"
)
INSERT = "INSERT INTO {} VALUES (?, ?, ?, ?, ?, NULL, NULL)"
SELECT = "SELECT user_id, origin, expires_at, used_at, revoked_at FROM {} WHERE code_hash = ?"
CLAIM = "UPDATE {} SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND revoked_at IS NULL"
REVOKE = ("UPDATE {} SET revoked_at = ? "
          "WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL")


def _postgres(statement: str, table: Identifier) -> Composed:
    return SQL(statement.replace("?", "%s")).format(table)


def _row(found: dict[str, str | None] | None) -> LinkRow | None:
    if found is None:
        return None
    return LinkRow(str(found["user_id"]), str(found["origin"]), str(found["expires_at"]),
                   found["used_at"], found["revoked_at"])


class SQLiteSignInLinkStore(SignInLinkStore):
    """Beside the SQLite token store, in its database: a claim stores the token with it."""

    def __init__(self, tokens: SQLiteTokenStore, is_registered: Callable[[str], bool]) -> None:
        super().__init__(is_registered)
        self.tokens = tokens
        self.datastore = tokens.datastore
        with self.datastore.transaction(commit=True) as c:
            c.execute(CREATE_TABLE.format(TABLE))

    def _insert(self, code_hash: str, user_id: str, origin: str, created_at: str,
                expires_at: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(INSERT.format(TABLE), [code_hash, user_id, origin, created_at, expires_at])

    def _lookup(self, code_hash: str) -> LinkRow | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT.format(TABLE), [code_hash])
            found = c.fetchone()
        return _row(None if found is None else dict(found))

    def _claim(self, code_hash: str, used_at: str, granted: Grant) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(CLAIM.format(TABLE), [used_at, code_hash])
            if c.sqlite_cursor.rowcount != 1:
                return False
            self.tokens.insert_in(c, granted)
        return True

    def _revoke(self, user_id: str, revoked_at: str) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(REVOKE.format(TABLE), [revoked_at, user_id])
            return int(c.sqlite_cursor.rowcount)


class PostgresSignInLinkStore(SignInLinkStore):
    """Beside the PostgreSQL token store, in its schema: a claim stores the token with it.
    Two claims of one code at once: the second waits for the first's row lock, then finds
    `used_at` set and updates nothing (READ COMMITTED re-checks the WHERE clause)."""

    def __init__(self, tokens: PostgresTokenStore,
                 is_registered: Callable[[str], bool]) -> None:
        super().__init__(is_registered)
        self.tokens = tokens
        self.datastore: PostgresDatastore = tokens.datastore
        self.table = Identifier(self.datastore.schema, TABLE)
        with self.datastore.transaction(commit=True) as c:
            c.execute(_postgres(CREATE_TABLE, self.table))

    def _insert(self, code_hash: str, user_id: str, origin: str, created_at: str,
                expires_at: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(_postgres(INSERT, self.table),
                      [code_hash, user_id, origin, created_at, expires_at])

    def _lookup(self, code_hash: str) -> LinkRow | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(_postgres(SELECT, self.table), [code_hash])
            found = c.fetchone()
        return _row(found)

    def _claim(self, code_hash: str, used_at: str, granted: Grant) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(_postgres(CLAIM, self.table), [used_at, code_hash])
            if c.rowcount != 1:
                return False
            self.tokens.insert_in(c, granted)
        return True

    def _revoke(self, user_id: str, revoked_at: str) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(_postgres(REVOKE, self.table), [revoked_at, user_id])
            return c.rowcount
