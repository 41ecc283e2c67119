"""The application recorders, one per database: each stores events with their sync
receipts in one transaction, and reads the log's tail and pages plainly.

SQLite: one file, one machine. PostgreSQL: any number of processes and machines;
receipts are inserted after the events, under the events table's EXCLUSIVE lock
that every writer takes, so concurrent writers never wait on each other's
receipts (no deadlock); a duplicate fails on the primary key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from walkthrough.events import uuid_hex
from walkthrough.persistence import Receipt, Tail

TAIL_LIMIT = 10_000  # more changes than this since our last look: forget every cached aggregate


RECEIPTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS sync_receipts ("
    "event_id TEXT PRIMARY KEY, digest BLOB NOT NULL, visit_id TEXT NOT NULL)"
)


class SQLiteReceiptRecorder(SQLiteApplicationRecorder):
    """SQLite application recorder that also writes sync receipts atomically."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), RECEIPTS_TABLE + " WITHOUT ROWID"]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The first row alone (to learn its rowid), the rest in one executemany
        (eventsourcing inserts row by row to learn each rowid). Holding the write lock,
        this transaction's rows take consecutive rowids; the last one checks that."""
        if not stored_events:
            return []
        rows = []
        originator: object = None
        for s in stored_events:  # a batch's events mostly share one visit: one look-up each
            if s.originator_id is not originator:
                originator, originator_hex = s.originator_id, uuid_hex(s.originator_id)
            rows.append((originator_hex, s.originator_version, s.topic, s.state))
        c.execute(self.insert_events_statement, rows[0])
        first = c.lastrowid
        c.executemany(self.insert_events_statement, rows[1:])
        c.execute("SELECT last_insert_rowid()")
        last = c.fetchone()[0]
        if last - first + 1 != len(rows):
            raise ProgrammingError(f"rowids {first}..{last} for {len(rows)} events")
        notification_ids = list(range(first, last + 1))
        receipts: Iterable[Receipt] = kwargs.get("receipts", ())
        c.executemany(
            "INSERT INTO sync_receipts VALUES (?, ?, ?)",
            [(r.event_id, r.digest, r.visit_id) for r in receipts],
        )
        return notification_ids

    def select_tail(self, after: int | None, event_ids: Sequence[str]) -> Tail:
        table = self.events_table_name
        with self.datastore.transaction(commit=False) as c:
            stored: list[StoredEvent] | None = None
            if after is not None:
                c.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                          f"FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                          (after, TAIL_LIMIT + 1))
                rows = c.fetchall()
                if len(rows) <= TAIL_LIMIT:
                    stored = [StoredEvent(UUID(r[1]), r[2], r[3], bytes(r[4])) for r in rows]
                    position = rows[-1][0] if rows else after
            if stored is None:
                c.execute(f"SELECT MAX(rowid) FROM {table}")
                position = c.fetchone()[0] or 0
            return _tail(position, stored, self._receipts(c, event_ids))

    def select_states(self, after: int, limit: int, stop: int | None = None,
                      ) -> list[tuple[int, bytes]]:
        statement = f"SELECT rowid, state FROM {self.events_table_name} WHERE rowid > ?"
        params: list[int] = [after]
        if stop is not None:
            statement += " AND rowid <= ?"
            params.append(stop)
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples: no Row object per event
            c.execute(statement + " ORDER BY rowid LIMIT ?", [*params, limit])
            rows: list[tuple[int, bytes]] = c.fetchall()
            return rows

    @staticmethod
    def _receipts(c: SQLiteCursor, event_ids: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for chunk in _chunks(list(event_ids), 500):
            marks = ",".join("?" * len(chunk))
            c.execute(f"SELECT event_id, digest FROM sync_receipts WHERE event_id IN ({marks})",
                      chunk)
            for row in c.fetchall():
                found[row["event_id"]] = bytes(row["digest"])
        return found


class PostgresReceiptRecorder(PostgresApplicationRecorder):
    """PostgreSQL application recorder that also writes sync receipts atomically.

    Receipts are inserted after the events, under the events table's EXCLUSIVE
    lock that every writer takes, so concurrent writers never wait on each
    other's receipts (no deadlock); a duplicate fails on the primary key.
    """

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        # Plain arrays rather than eventsourcing's array of a composite type, which
        # psycopg dumps in Python (a quarter of a worker's CPU under sync load).
        self.insert_plain_statement = SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(Identifier(self.datastore.schema, self.events_table_name))
        self.receipts_table = Identifier(self.datastore.schema, "sync_receipts")
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            "event_id uuid PRIMARY KEY, digest bytea NOT NULL, visit_id uuid NOT NULL)"
        ).format(self.receipts_table))

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(self.insert_plain_statement, (
            [s.originator_id for s in stored_events],
            [s.originator_version for s in stored_events],
            [s.topic for s in stored_events], [s.state for s in stored_events]))
        receipts: Sequence[Receipt] = kwargs.get("receipts", ())
        if receipts:
            # Another cursor: the caller fetches the notification ids from `curs`.
            with curs.connection.cursor() as receipts_cursor:
                receipts_cursor.execute(
                    SQL("INSERT INTO {} SELECT * FROM unnest(%b::uuid[], %b::bytea[], "
                        "%b::uuid[])").format(self.receipts_table),
                    ([r.event_id for r in receipts], [r.digest for r in receipts],
                     [r.visit_id for r in receipts]),
                )

    def select_tail(self, after: int | None, event_ids: Sequence[str]) -> Tail:
        table = Identifier(self.datastore.schema, self.events_table_name)
        with self.datastore.transaction(commit=False) as curs:
            stored: list[StoredEvent] | None = None
            if after is not None:
                curs.execute(SQL("SELECT notification_id, originator_id, originator_version, "
                                 "topic, state FROM {} WHERE notification_id > %s "
                                 "ORDER BY notification_id LIMIT %s").format(table),
                             (after, TAIL_LIMIT + 1))
                rows = curs.fetchall()
                if len(rows) <= TAIL_LIMIT:
                    stored = [StoredEvent(r["originator_id"], r["originator_version"],
                                          r["topic"], bytes(r["state"])) for r in rows]
                    position = rows[-1]["notification_id"] if rows else after
            if stored is None:
                curs.execute(SQL("SELECT MAX(notification_id) AS top FROM {}").format(table))
                row = curs.fetchone()
                position = (row["top"] if row else None) or 0
            return _tail(position, stored, self._receipts(curs, event_ids))

    def select_states(self, after: int, limit: int, stop: int | None = None,
                      ) -> list[tuple[int, bytes]]:
        statement = SQL("SELECT notification_id, state FROM {} WHERE notification_id > %s"
                        ).format(Identifier(self.datastore.schema, self.events_table_name))
        params: list[int] = [after]
        if stop is not None:
            statement += SQL(" AND notification_id <= %s")
            params.append(stop)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement + SQL(" ORDER BY notification_id LIMIT %s"), [*params, limit])
            return [(row["notification_id"], bytes(row["state"])) for row in curs.fetchall()]

    def _receipts(self, curs: Cursor[DictRow], event_ids: Sequence[str]) -> dict[str, bytes]:
        if not event_ids:
            return {}
        curs.execute(SQL("SELECT event_id, digest FROM {} WHERE event_id = ANY(%s::uuid[])")
                     .format(self.receipts_table), (list(event_ids),))
        return {str(row["event_id"]): bytes(row["digest"]) for row in curs.fetchall()}


def _tail(position: int, stored: list[StoredEvent] | None, receipts: dict[str, bytes],
          ) -> Tail:
    changed = None if stored is None else [
        (cast(UUID, e.originator_id), e.originator_version) for e in stored]
    return Tail(position=position, changed=changed, receipts=receipts, stored=stored)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
