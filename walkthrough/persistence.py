"""How events are stored: a msgspec mapper and an application recorder that
records sync receipts in the same transaction as the events they produced.

A receipt maps a client event id (the idempotency key, kept forever) to the
digest of the event's content. Its primary key makes a concurrent duplicate
fail the whole transaction, which the application then retries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, ProgrammingError, StoredEvent, Transcoder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from walkthrough.events import Event, event_decoder, event_encoder, uuid_hex, uuid_text

TAIL_LIMIT = 10_000  # more changes than this since our last look: forget every cached aggregate


class Receipt(msgspec.Struct, frozen=True):
    event_id: UUID
    digest: bytes
    visit_id: UUID
    key: str  # str(event_id), formatted once

class Tail(msgspec.Struct, frozen=True):
    """What a writer needs to know before deciding a group of batches, read together:
    the log's position, which aggregates changed since `after` (their id and newest
    version; None when the writer must forget everything it cached) and the receipts
    of the submitted event ids."""

    position: int
    changed: list[tuple[UUID, int]] | None
    receipts: dict[UUID, bytes]


class UnusedTranscoder(Transcoder):
    """The mapper encodes whole events with msgspec; nothing goes through here."""

    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError


class EventMapper(Mapper[UUID]):
    """Stores an Event as msgspec JSON, its payload's tag as the topic."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        assert isinstance(domain_event, Event)
        state = event_encoder.encode(domain_event)
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=domain_event.type,
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Event:
        return decode_state(stored_event.state, self)


def decode_state(state: bytes, mapper: Mapper[UUID]) -> Event:
    return event_decoder.decode(plain_state(state, mapper))


def plain_state(state: bytes, mapper: Mapper[UUID]) -> bytes:
    """A stored state as JSON: decrypted and decompressed when the mapper does that."""
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    return state


@runtime_checkable
class ReceiptRecorder(Protocol):
    """What the application needs of its recorder beyond eventsourcing's: the log's
    tail with the receipts of earlier syncs, and plain pages for the projector.
    Saving with `receipts=[...]` records receipts in the same transaction as the
    events."""

    def select_tail(self, after: int | None, event_ids: Sequence[UUID]) -> Tail:
        """The changes since notification `after` and the receipts of `event_ids`,
        in one read transaction."""
        ...

    def select_states(self, after: int, limit: int, stop: int | None = None,
                      ) -> list[tuple[int, bytes]]:
        """(notification id, stored state) after `after`, in log order: what a
        projector reads, without building a Notification per row."""
        ...


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
        rows = [(uuid_hex(s.originator_id), s.originator_version, s.topic, s.state)
                for s in stored_events]
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
            [(r.key, r.digest, uuid_text(r.visit_id)) for r in receipts],
        )
        return notification_ids

    def select_tail(self, after: int | None, event_ids: Sequence[UUID]) -> Tail:
        table = self.events_table_name
        with self.datastore.transaction(commit=False) as c:
            changed: list[tuple[UUID, int]] | None = None
            if after is not None:
                c.execute(f"SELECT rowid, originator_id, originator_version FROM {table} "
                          "WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, TAIL_LIMIT + 1))
                rows = c.fetchall()
                if len(rows) <= TAIL_LIMIT:
                    changed = [(UUID(r[1]), r[2]) for r in rows]
                    position = rows[-1][0] if rows else after
            if changed is None:
                c.execute(f"SELECT MAX(rowid) FROM {table}")
                position = c.fetchone()[0] or 0
            return Tail(position=position, changed=changed,
                        receipts=self._receipts(c, event_ids))

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
    def _receipts(c: SQLiteCursor, event_ids: Sequence[UUID]) -> dict[UUID, bytes]:
        found: dict[UUID, bytes] = {}
        for chunk in _chunks([str(i) for i in event_ids], 500):
            marks = ",".join("?" * len(chunk))
            c.execute(f"SELECT event_id, digest FROM sync_receipts WHERE event_id IN ({marks})",
                      chunk)
            for row in c.fetchall():
                found[UUID(row["event_id"])] = bytes(row["digest"])
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

    def select_tail(self, after: int | None, event_ids: Sequence[UUID]) -> Tail:
        table = Identifier(self.datastore.schema, self.events_table_name)
        with self.datastore.transaction(commit=False) as curs:
            changed: list[tuple[UUID, int]] | None = None
            if after is not None:
                curs.execute(SQL("SELECT notification_id, originator_id, originator_version "
                                 "FROM {} WHERE notification_id > %s ORDER BY notification_id "
                                 "LIMIT %s").format(table), (after, TAIL_LIMIT + 1))
                rows = curs.fetchall()
                if len(rows) <= TAIL_LIMIT:
                    changed = [(r["originator_id"], r["originator_version"]) for r in rows]
                    position = rows[-1]["notification_id"] if rows else after
            if changed is None:
                curs.execute(SQL("SELECT MAX(notification_id) AS top FROM {}").format(table))
                row = curs.fetchone()
                position = (row["top"] if row else None) or 0
            return Tail(position=position, changed=changed,
                        receipts=self._receipts(curs, event_ids))

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

    def _receipts(self, curs: Cursor[DictRow], event_ids: Sequence[UUID]) -> dict[UUID, bytes]:
        if not event_ids:
            return {}
        curs.execute(SQL("SELECT event_id, digest FROM {} WHERE event_id = ANY(%s)")
                     .format(self.receipts_table), (list(event_ids),))
        return {row["event_id"]: bytes(row["digest"]) for row in curs.fetchall()}


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
