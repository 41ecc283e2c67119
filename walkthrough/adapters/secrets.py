"""The deployment's secret, kept in its database: generated once on first use, so
every server process and every export of one deployment agree on it (pseudonyms,
staff-roster hashes). Concurrent first uses agree on the one row."""

from __future__ import annotations

import secrets

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

SECRET_BYTES = 32


def sqlite_secret(datastore: SQLiteDatastore) -> bytes:
    with datastore.transaction(commit=True) as c:
        c.execute("CREATE TABLE IF NOT EXISTS pseudonym_secret ("
                  "id INTEGER PRIMARY KEY CHECK (id = 1), secret BLOB NOT NULL)")
        c.execute("INSERT OR IGNORE INTO pseudonym_secret VALUES (1, ?)",
                  [secrets.token_bytes(SECRET_BYTES)])
        c.execute("SELECT secret FROM pseudonym_secret WHERE id = 1")
        return bytes(c.fetchone()["secret"])


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
