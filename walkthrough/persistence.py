"""How events are stored, without saying where: the msgspec mapper, the sync
receipts and what the application needs of its recorder (`ReceiptRecorder`).

A receipt maps a client event id (the idempotency key, kept forever) to the
digest of the event's content; a recorder stores it in the same transaction as
the events it produced. The recorders for each database are adapters
(walkthrough/adapters/recorders.py), picked by the composition root.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder

from walkthrough.events import Event, event_decoder, event_encoder


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
    # The changed events themselves, in log order (None with `changed`): a writer
    # brings the aggregates it keeps up to date from them, without a read of its own
    # per aggregate (several server workers write the same visits). Perhaps only
    # those of the aggregates the writer asked for.
    stored: list[StoredEvent] | None = None


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

    def select_tail(self, after: int | None, event_ids: Sequence[UUID],
                    wanted: Collection[UUID] | None = None) -> Tail:
        """The changes since notification `after` and the receipts of `event_ids`,
        in one read transaction. With `wanted`, `Tail.stored` may hold only the events
        of those aggregates (`changed` still names every aggregate changed)."""
        ...

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any,
                      ) -> Sequence[int] | None:
        """Store events (and `receipts=[...]`) in one transaction; their positions."""
        ...

    def select_states(self, after: int, limit: int, stop: int | None = None,
                      ) -> list[tuple[int, bytes]]:
        """(notification id, stored state) after `after`, in log order: what a
        projector reads, without building a Notification per row."""
        ...
