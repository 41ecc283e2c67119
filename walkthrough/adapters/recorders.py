"""The application recorders, one per database: each stores events with their sync
receipts in one transaction, and reads the log's tail and pages plainly.

SQLite: one file, one machine. PostgreSQL: any number of processes and machines;
a group's events and receipts are one statement (a function in the schema that takes
the events table's EXCLUSIVE lock, inserts both and returns the ids), so the lock is
held for the server's work and the commit, not for the client's round trips.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg.sql import SQL, Composed, Identifier

from walkthrough.adapters.postgres_connections import (
    check_idle,
    run_statement,
    sent_again_only_when_lost,
)
from walkthrough.events import uuid_hex
from walkthrough.persistence import Receipt, Tail

TAIL_LIMIT = 10_000  # more changes than this since our last look: forget every cached aggregate
# What a row of PostgreSQL's tail statement holds (its first column).
TAIL_EVENT, TAIL_NEWEST, TAIL_COUNT, TAIL_RECEIPT = 0, 1, 2, 3


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

    def select_tail(self, after: int | None, event_ids: Sequence[str],
                    wanted: Collection[UUID] | None = None) -> Tail:
        """Every change's event (`wanted` is for PostgreSQL's many processes)."""
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

    A group's events and receipts are stored by one call of a function in the schema
    (`walkthrough_insert_events`), in autocommit: one round trip that locks the events
    table (EXCLUSIVE, as eventsourcing does, so ids are issued in commit order), inserts
    the events and then the receipts, and commits. The lock is held for the server's
    own work and the commit, not for a client's round trips. Receipts go in after the
    events, under the lock every writer takes, so concurrent writers never wait on each
    other's receipts (no deadlock); a duplicate fails on the primary key.

    The tail read is one statement too. A connection the server dropped (restarted,
    terminated) is found without a round trip as it leaves the pool (`check_idle`),
    and a statement that still meets one is sent again on a fresh connection.
    """

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        # The application's datastore: its pool serves every store of the process.
        datastore.pool._check = check_idle  # psycopg_pool has no setter
        schema = self.datastore.schema
        events = Identifier(schema, self.events_table_name)
        self.receipts_table = Identifier(schema, "sync_receipts")
        insert_function = Identifier(schema, "walkthrough_insert_events")
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            "event_id uuid PRIMARY KEY, digest bytea NOT NULL, visit_id uuid NOT NULL)"
        ).format(self.receipts_table))
        # Plain arrays rather than eventsourcing's array of a composite type, which
        # psycopg dumps in Python (a quarter of a worker's CPU under sync load).
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {function}(ids uuid[], versions bigint[], "
            "topics text[], states bytea[], receipt_ids uuid[], digests bytea[], "
            "visit_ids uuid[]) RETURNS SETOF bigint LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "LOCK TABLE {events} IN EXCLUSIVE MODE; "
            "RETURN QUERY INSERT INTO {events} (originator_id, originator_version, topic, "
            "state) SELECT * FROM unnest(ids, versions, topics, states) "
            "RETURNING notification_id; "
            "INSERT INTO {receipts} SELECT * FROM unnest(receipt_ids, digests, visit_ids); "
            "END $$"
        ).format(function=insert_function, events=events, receipts=self.receipts_table))
        # Composed once (psycopg would compose and escape them on every call).
        self.insert_statement = _bytes(
            # Receipts' ids are text (walkthrough.persistence.Receipt): cast here.
            SQL("SELECT * FROM {}(%b, %b, %b, %b, %b::uuid[], %b, %b::uuid[])").format(
                insert_function))
        # The tail in one statement: the events of the wanted aggregates (all when
        # the third parameter is true), the newest version of each other one, how many
        # changes and the last position, then the receipts; each row says which.
        receipts = (f"SELECT {TAIL_RECEIPT}, NULL::bigint, event_id, NULL::bigint, "
                    "NULL::text, digest FROM {receipts} WHERE event_id = ANY(%b::uuid[])")
        self.tail_statement = _bytes(SQL(
            "WITH t AS (SELECT notification_id, originator_id, originator_version, topic, "
            "state FROM {events} WHERE notification_id > %b ORDER BY notification_id "
            "LIMIT %b), a AS (SELECT %b::bool AS everything) "
            f"SELECT {TAIL_EVENT} AS kind, notification_id AS at, originator_id, "
            "originator_version, topic, state FROM t, a "
            "WHERE a.everything OR originator_id = ANY(%b::uuid[]) "
            f"UNION ALL SELECT {TAIL_NEWEST}, max(notification_id), originator_id, "
            "max(originator_version), NULL, NULL FROM t, a WHERE NOT a.everything "
            "AND originator_id <> ALL(%b::uuid[]) GROUP BY originator_id "
            f"UNION ALL SELECT {TAIL_COUNT}, count(*), NULL, max(notification_id), NULL, "
            f"NULL FROM t UNION ALL {receipts} ORDER BY 1, 2"
        ).format(events=events, receipts=self.receipts_table))
        self.top_statement = _bytes(SQL(
            f"SELECT {TAIL_COUNT} AS kind, (SELECT MAX(notification_id) FROM {{events}}) "
            f"AS at, NULL::uuid, NULL::bigint, NULL::text, NULL::bytea UNION ALL {receipts}"
        ).format(events=events, receipts=self.receipts_table))

    # The library's reads, without its ten attempts per call (a minute of waiting
    # before a request could answer 503 with the server away).
    select_events = sent_again_only_when_lost(PostgresApplicationRecorder.select_events)
    select_notifications = sent_again_only_when_lost(
        PostgresApplicationRecorder.select_notifications)
    max_notification_id = sent_again_only_when_lost(
        PostgresApplicationRecorder.max_notification_id)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any,
                      ) -> Sequence[int] | None:
        receipts: Sequence[Receipt] = kwargs.get("receipts", ())
        if not stored_events:
            return []
        params = ([s.originator_id for s in stored_events],
                  [s.originator_version for s in stored_events],
                  [s.topic for s in stored_events], [s.state for s in stored_events],
                  [r.event_id for r in receipts], [r.digest for r in receipts],
                  [r.visit_id for r in receipts])
        # Sent again only when the connection was lost before the statement ran or
        # while it did: stored, the events' ids clash and the writer decides again.
        rows = self._execute(self.insert_statement, params)
        return [row[0] for row in rows]

    def select_tail(self, after: int | None, event_ids: Sequence[str],
                    wanted: Collection[UUID] | None = None) -> Tail:
        """With `wanted`, the other aggregates' changes come as one row each (its
        newest version), without their events: another worker's visits cost this one
        a row per group, not their events' bytes."""
        ids = list(event_ids)
        if after is None:
            rows = self._execute(self.top_statement, (ids,))
            top = next(row[1] for row in rows if row[0] == TAIL_COUNT)
            return _tail(top or 0, None, _found(rows, TAIL_RECEIPT))
        some = list(wanted) if wanted is not None else None
        rows = self._execute(self.tail_statement,
                             (after, TAIL_LIMIT + 1, some is None, some or [], some or [], ids))
        count, top = next((row[1], row[3]) for row in rows if row[0] == TAIL_COUNT)
        if count > TAIL_LIMIT:
            top = self._execute(self.top_statement, ([],))[0][1]
            return _tail(top or 0, None, _found(rows, TAIL_RECEIPT))
        stored = [StoredEvent(r[2], r[3], r[4], bytes(r[5])) for r in rows
                  if r[0] == TAIL_EVENT]
        changed = [(r[2], r[3]) for r in rows if r[0] in (TAIL_EVENT, TAIL_NEWEST)]
        return Tail(position=top or after, changed=changed,
                    receipts=_found(rows, TAIL_RECEIPT), stored=stored)

    def _execute(self, statement: bytes, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return run_statement(self.datastore, statement, params)

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


def _bytes(statement: Composed) -> bytes:
    return statement.as_bytes(None)


def _found(rows: list[tuple[Any, ...]], kind: int) -> dict[str, bytes]:
    """The receipts found, by event id as text (PostgreSQL answers a uuid)."""
    return {str(row[2]): bytes(row[5]) for row in rows if row[0] == kind}


def _tail(position: int, stored: list[StoredEvent] | None, receipts: dict[str, bytes],
          ) -> Tail:
    changed = None if stored is None else [
        (cast(UUID, e.originator_id), e.originator_version) for e in stored]
    return Tail(position=position, changed=changed, receipts=receipts, stored=stored)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
