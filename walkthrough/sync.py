"""The offline sync protocol, without HTTP: decoding one client event and the
per-event outcomes. Anything wrong inside one event rejects that event only.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Union, cast
from uuid import UUID

import msgspec

from walkthrough.events import PAYLOAD_TYPES, SYNCABLE_TYPES, Payload, SyncPayload, uuid_text

MAX_FUTURE = timedelta(hours=24)
DeviceId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class ClientEvent(msgspec.Struct, forbid_unknown_fields=True):
    """One event as a tablet sends it; `data` is decoded by type afterwards."""

    id: UUID
    visit_id: UUID
    type: Annotated[str, msgspec.Meta(max_length=64)]
    occurred_at: datetime
    data: msgspec.Raw


class Submission(msgspec.Struct, frozen=True):
    """A decoded client event, ready for the domain to decide on."""

    event_id: UUID
    visit_id: UUID
    occurred_at: datetime
    payload: SyncPayload
    digest: bytes


class Outcome(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str | None
    status: Literal["accepted", "duplicate", "conflict", "rejected"]
    error: ErrorBody | None = None


class ErrorBody(msgspec.Struct, frozen=True):
    code: str
    message: str


class Rejection(msgspec.Struct, frozen=True):
    """A client event that could not even be decoded."""

    id: str | None
    code: str
    message: str

    def outcome(self) -> Outcome:
        return Outcome(id=self.id, status="rejected",
                       error=ErrorBody(code=self.code, message=self.message))


def _typed_client_event(tag: str) -> type[msgspec.Struct]:
    """`ClientEvent` for one event type, its `data` typed, tagged by `type`."""
    return msgspec.defstruct(
        f"Client{tag}",
        [("id", UUID), ("visit_id", UUID), ("occurred_at", datetime),
         ("data", PAYLOAD_TYPES[tag])],
        tag=tag, tag_field="type", forbid_unknown_fields=True, frozen=True)


# A sync request whose every event is well formed, decoded in one call.
_TypedBatch = msgspec.defstruct("TypedBatch", [
    ("device_id", DeviceId),
    ("events", list[Union[tuple(_typed_client_event(t) for t in sorted(SYNCABLE_TYPES))]]),  # type: ignore[misc]  # noqa: UP007
], forbid_unknown_fields=True)
_typed_batch_decoder = msgspec.json.Decoder(_TypedBatch)
_client_event_decoder = msgspec.json.Decoder(ClientEvent)
_loose_decoder = msgspec.json.Decoder()
_digest_encoder = msgspec.json.Encoder()


def decode_client_event(raw: bytes, now: datetime) -> Submission | Rejection:
    """Decode one raw event of a sync batch, or say why it is rejected."""
    try:
        event = _client_event_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        return Rejection(id=_loose_id(raw), code="invalid_event", message=str(exc))
    if event.type not in SYNCABLE_TYPES:
        return Rejection(id=str(event.id), code="unknown_type",
                         message=f"unknown event type {event.type!r}")
    try:
        payload = cast(SyncPayload,
                       msgspec.json.decode(event.data, type=PAYLOAD_TYPES[event.type]))
    except msgspec.ValidationError as exc:
        return Rejection(id=str(event.id), code="invalid_event",
                         message=f"{exc} (in data of {event.type})")
    return _submission(event.id, event.visit_id, event.occurred_at, payload, now)


def decode_typed_batch(body: bytes, now: datetime,
                       ) -> tuple[str, list[Submission | Rejection]] | None:
    """The fast path for the common case, a batch of well-formed events: one msgspec
    call for the whole body. None when anything in it is malformed; the caller then
    decodes event by event, so that each bad event gets its own rejection."""
    try:
        batch: Any = _typed_batch_decoder.decode(body)
    except msgspec.DecodeError:  # ValidationError included
        return None
    return batch.device_id, [_submission(e.id, e.visit_id, e.occurred_at, e.data, now)
                             for e in batch.events]


def _submission(event_id: UUID, visit_id: UUID, occurred_at: datetime, payload: SyncPayload,
                now: datetime) -> Submission | Rejection:
    if occurred_at.tzinfo is None:
        return Rejection(id=str(event_id), code="invalid_event",
                         message="occurred_at needs a time zone (e.g. a trailing Z)")
    occurred_at = occurred_at.astimezone(UTC)
    if occurred_at > now + MAX_FUTURE:
        return Rejection(id=str(event_id), code="future_event",
                         message="occurred_at is more than 24 hours in the future")
    return Submission(event_id=event_id, visit_id=visit_id, occurred_at=occurred_at,
                      payload=payload, digest=content_digest(visit_id, occurred_at, payload))


def content_digest(visit_id: UUID, occurred_at: datetime, payload: Payload) -> bytes:
    """Digest of the decoded content: equal for equal events, whatever the JSON looked like."""
    canonical = _digest_encoder.encode((uuid_text(visit_id), occurred_at, payload))
    return hashlib.sha256(canonical).digest()


def _loose_id(raw: bytes) -> str | None:
    try:
        value = _loose_decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])[:64]
    return None
