"""The deployment's secret, kept in its database: generated once on first use, so
every server process and every export of one deployment agree on it (pseudonyms,
staff-roster hashes). Concurrent first uses agree on the one row."""

from __future__ import annotations

import secrets
import time

from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

SECRET_BYTES = 32
WRITE_ATTEMPTS = 5


def sqlite_secret(datastore: SQLiteDatastore) -> bytes:
    """Read first: a server process starting beside a busy writer (its projector, a
    sync) must not need the write lock, or it waits out the lock timeout and fails
    with "database is locked". Only the very first start writes."""
    found = _stored_sqlite_secret(datastore)
    if found is not None:
        return found
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with datastore.transaction(commit=True) as c:
                c.execute("CREATE TABLE IF NOT EXISTS pseudonym_secret ("
                          "id INTEGER PRIMARY KEY CHECK (id = 1), secret BLOB NOT NULL)")
                c.execute("INSERT OR IGNORE INTO pseudonym_secret VALUES (1, ?)",
                          [secrets.token_bytes(SECRET_BYTES)])
        except OperationalError:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
            continue
        break
    stored = _stored_sqlite_secret(datastore)
    assert stored is not None
    return stored


def _stored_sqlite_secret(datastore: SQLiteDatastore) -> bytes | None:
    with datastore.transaction(commit=False) as c:
        c.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                  "AND name = 'pseudonym_secret'")
        if c.fetchone() is None:
            return None
        c.execute("SELECT secret FROM pseudonym_secret WHERE id = 1")
        row = c.fetchone()
        return None if row is None else bytes(row["secret"])


def postgres_secret(datastore: PostgresDatastore) -> bytes:
    with datastore.transaction(commit=True) as curs:
        curs.execute("CREATE TABLE IF NOT EXISTS pseudonym_secret ("
                     "id integer PRIMARY KEY CHECK (id = 1), secret bytea NOT NULL)")
        curs.execute("INSERT INTO pseudonym_secret VALUES (1, %s) "
                     "ON CONFLICT (id) DO NOTHING", (secrets.token_bytes(SECRET_BYTES),))
        curs.execute("SELECT secret FROM pseudonym_secret WHERE id = 1")
        row = curs.fetchone()
        assert row is not None
        return bytes(row["secret"])
