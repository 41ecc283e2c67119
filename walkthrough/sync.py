"""The offline sync protocol, without HTTP: decoding one client event and the
per-event outcomes. Anything wrong inside one event rejects that event only.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Union, cast
from uuid import UUID

import msgspec

from walkthrough.events import PAYLOAD_TYPES, SYNCABLE_TYPES, Payload, SyncPayload

MAX_FUTURE = timedelta(hours=24)
# How deep JSON may nest inside one client event (a real event nests 3 levels below
# its own object). The decoder recurses once per level, so anything deeper is cut
# off before decoding: a few thousand levels would exhaust the stack.
MAX_EVENT_DEPTH = 16
EVENT_DEPTH = 3  # where a sync body's events are: {"events": [ {event} ]}
DeviceId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
# A UUID as msgspec writes one (lower case, hyphenated): the one form the fast path takes
# as text, so that an id is never built into a `uuid.UUID`, hashed and formatted again
# per event. A whole batch's ids are checked in one match (`_canonical_ids`): msgspec's
# `pattern` checks each string on its own, at six times the cost of decoding a UUID.
# Any other form a UUID may take falls back to the per-event path, which normalizes it
# to this one.
CANONICAL_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ID_LENGTH = 36
_CANONICAL_IDS = re.compile(f"(?:{CANONICAL_ID})*")


def _canonical_ids(ids: list[str]) -> bool:
    """Whether every one of `ids` is a canonical UUID: each 36 characters long, and all
    of them together 36-character canonical UUIDs one after another."""
    if not ids:
        return True
    if min(map(len, ids)) != ID_LENGTH or max(map(len, ids)) != ID_LENGTH:
        return False
    return _CANONICAL_IDS.fullmatch("".join(ids)) is not None


class ClientEvent(msgspec.Struct, forbid_unknown_fields=True):
    """One event as a tablet sends it; `data` is decoded by type afterwards."""

    id: UUID
    visit_id: UUID
    type: Annotated[str, msgspec.Meta(max_length=64)]
    occurred_at: datetime
    data: msgspec.Raw


class Submission(msgspec.Struct, frozen=True):
    """A decoded client event, ready for the domain to decide on. Its ids are canonical
    UUID text (`CANONICAL_ID`): the receipts, the stored event and the answer use them
    as they are."""

    event_id: str
    visit_id: str
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
        [("id", str), ("visit_id", str), ("occurred_at", datetime),
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
    if memoryview(raw)[:len(_TOO_DEEP_MARK)] == _TOO_DEEP_MARK:
        return Rejection(id=_loose_id(raw), code="too_deep",
                         message=f"the event nests more than {MAX_EVENT_DEPTH} levels deep")
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
    return _submission(str(event.id), str(event.visit_id), event.occurred_at, payload, now)


def decode_typed_batch(body: bytes, now: datetime,
                       ) -> tuple[str, list[Submission | Rejection]] | None:
    """The fast path for the common case, a batch of well-formed events: one msgspec
    call for the whole body. None when anything in it is malformed; the caller then
    decodes event by event, so that each bad event gets its own rejection."""
    try:
        batch: Any = _typed_batch_decoder.decode(body)
    except msgspec.DecodeError:  # ValidationError included
        return None
    events = batch.events
    if not _canonical_ids([e.id for e in events] + [e.visit_id for e in events]):
        return None
    return batch.device_id, [_submission(e.id, e.visit_id, e.occurred_at, e.data, now)
                             for e in events]


def _submission(event_id: str, visit_id: str, occurred_at: datetime, payload: SyncPayload,
                now: datetime) -> Submission | Rejection:
    if occurred_at.tzinfo is None:
        return Rejection(id=event_id, code="invalid_event",
                         message="occurred_at needs a time zone (e.g. a trailing Z)")
    occurred_at = occurred_at.astimezone(UTC)
    if occurred_at > now + MAX_FUTURE:
        return Rejection(id=event_id, code="future_event",
                         message="occurred_at is more than 24 hours in the future")
    return Submission(event_id=event_id, visit_id=visit_id, occurred_at=occurred_at,
                      payload=payload, digest=content_digest(visit_id, occurred_at, payload))


def content_digest(visit_id: str, occurred_at: datetime, payload: Payload) -> bytes:
    """Digest of the decoded content: equal for equal events, whatever the JSON looked like
    (`visit_id` as canonical text)."""
    canonical = _digest_encoder.encode((visit_id, occurred_at, payload))
    return hashlib.sha256(canonical).digest()


def _loose_id(raw: bytes) -> str | None:
    try:
        value = _loose_decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])[:64]
    return None


# JSON strings (escapes included) and the characters that open, close and separate
# values: all a depth count needs to look at, matched in C.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')
_TOO_DEEP_MARK = b'{"too_deep":0,'


class TooDeep(ValueError):
    """The body nests deeper than can be decoded, outside any one event."""


def defuse_nesting(body: bytes) -> bytes:
    """`body` with each value at an event's depth that nests more than MAX_EVENT_DEPTH
    levels replaced by a marker (keeping the event's id) that `decode_client_event`
    rejects as `too_deep`; unchanged when nothing nests that deep. Raises TooDeep when
    deep nesting never closes: nothing could be decoded then."""
    limit = EVENT_DEPTH + MAX_EVENT_DEPTH
    depth = 0
    opened_at = 0  # where the value at EVENT_DEPTH began
    deepest = 0  # the deepest level inside it
    event_id = b"null"
    before: list[bytes] = [b"", b""]  # the two tokens before this one, at EVENT_DEPTH
    replaced: list[tuple[int, int, bytes]] = []
    for token in _JSON_TOKENS.finditer(body):
        text = token.group()
        if text in (b"[", b"{"):
            depth += 1
            if depth == EVENT_DEPTH:
                opened_at, deepest, event_id = token.start(), depth, b"null"
            deepest = max(deepest, depth)
        elif text in (b"]", b"}"):
            if depth == EVENT_DEPTH and deepest > limit:
                replaced.append((opened_at, token.end(), _TOO_DEEP_MARK + b'"id":'
                                 + event_id + b"}"))
            depth -= 1
        elif depth == EVENT_DEPTH:
            if before == [b'"id"', b":"] and text.startswith(b'"') and len(text) <= 80:
                event_id = text
            before = [before[1], text]
    if depth >= EVENT_DEPTH and deepest > limit:
        raise TooDeep(f"the body nests more than {limit} levels deep and never closes")
    if not replaced:
        return body
    parts: list[bytes] = []
    start = 0
    for begin, end, mark in replaced:
        parts += [body[start:begin], mark]
        start = end
    return b"".join([*parts, body[start:]])
