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
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from walkthrough.events import Event, event_decoder, event_encoder


class Receipt(msgspec.Struct, frozen=True):
    event_id: UUID
    digest: bytes
    visit_id: UUID


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
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    return event_decoder.decode(state)


@runtime_checkable
class ReceiptRecorder(Protocol):
    """What the application needs of its recorder beyond eventsourcing's: the
    receipts of earlier syncs. Saving with `receipts=[...]` records them in the
    same transaction as the events."""

    def select_receipts(self, event_ids: Sequence[UUID]) -> dict[UUID, bytes]: ...


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
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        receipts: Iterable[Receipt] = kwargs.get("receipts", ())
        c.executemany(
            "INSERT INTO sync_receipts VALUES (?, ?, ?)",
            [(str(r.event_id), r.digest, str(r.visit_id)) for r in receipts],
        )
        return notification_ids

    def select_receipts(self, event_ids: Sequence[UUID]) -> dict[UUID, bytes]:
        found: dict[UUID, bytes] = {}
        with self.datastore.transaction(commit=False) as c:
            for chunk in _chunks([str(i) for i in event_ids], 500):
                marks = ",".join("?" * len(chunk))
                c.execute(
                    f"SELECT event_id, digest FROM sync_receipts WHERE event_id IN ({marks})",
                    chunk,
                )
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
        self.receipts_table = Identifier(self.datastore.schema, "sync_receipts")
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            "event_id uuid PRIMARY KEY, digest bytea NOT NULL, visit_id uuid NOT NULL)"
        ).format(self.receipts_table))

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_stored_events(curs, stored_events, **kwargs)
        receipts: Sequence[Receipt] = kwargs.get("receipts", ())
        if receipts:
            # Another cursor: the caller fetches the notification ids from `curs`.
            with curs.connection.cursor() as receipts_cursor:
                receipts_cursor.execute(
                    SQL("INSERT INTO {} SELECT * FROM unnest(%s::uuid[], %s::bytea[], "
                        "%s::uuid[])").format(self.receipts_table),
                    ([r.event_id for r in receipts], [r.digest for r in receipts],
                     [r.visit_id for r in receipts]),
                )

    def select_receipts(self, event_ids: Sequence[UUID]) -> dict[UUID, bytes]:
        if not event_ids:
            return {}
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT event_id, digest FROM {} WHERE event_id = ANY(%s)")
                         .format(self.receipts_table), (list(event_ids),))
            return {row["event_id"]: bytes(row["digest"]) for row in curs.fetchall()}


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
