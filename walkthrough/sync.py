"""The offline sync protocol, without HTTP: decoding one client event and the
per-event outcomes. Anything wrong inside one event rejects that event only.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, cast
from uuid import UUID

import msgspec

from walkthrough.events import PAYLOAD_TYPES, SYNCABLE_TYPES, AnyPayload, Payload

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
    payload: AnyPayload
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


_client_event_decoder = msgspec.json.Decoder(ClientEvent)
_loose_decoder = msgspec.json.Decoder()
_digest_encoder = msgspec.json.Encoder()


def decode_client_event(raw: bytes, now: datetime) -> Submission | Rejection:
    """Decode one raw event of a sync batch, or say why it is rejected."""
    try:
        event = _client_event_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        return Rejection(id=_loose_id(raw), code="invalid_event", message=str(exc))
    event_id = str(event.id)
    if event.type not in SYNCABLE_TYPES:
        return Rejection(id=event_id, code="unknown_type",
                         message=f"unknown event type {event.type!r}")
    if event.occurred_at.tzinfo is None:
        return Rejection(id=event_id, code="invalid_event",
                         message="occurred_at needs a time zone (e.g. a trailing Z)")
    occurred_at = event.occurred_at.astimezone(UTC)
    if occurred_at > now + MAX_FUTURE:
        return Rejection(id=event_id, code="future_event",
                         message="occurred_at is more than 24 hours in the future")
    try:
        payload = cast(AnyPayload,
                       msgspec.json.decode(event.data, type=PAYLOAD_TYPES[event.type]))
    except msgspec.ValidationError as exc:
        return Rejection(id=event_id, code="invalid_event",
                         message=f"{exc} (in data of {event.type})")
    return Submission(event_id=event.id, visit_id=event.visit_id, occurred_at=occurred_at,
                      payload=payload, digest=content_digest(event.visit_id, occurred_at,
                                                             payload))


def content_digest(visit_id: UUID, occurred_at: datetime, payload: Payload) -> bytes:
    """Digest of the decoded content: equal for equal events, whatever the JSON looked like."""
    canonical = _digest_encoder.encode((str(visit_id), occurred_at, payload))
    return hashlib.sha256(canonical).digest()


def _loose_id(raw: bytes) -> str | None:
    try:
        value = _loose_decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])[:64]
    return None
