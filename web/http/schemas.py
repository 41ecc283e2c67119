"""Request and response schemas at the edge (strict: unknown fields rejected)."""

from __future__ import annotations

from typing import Any

import msgspec

from walkthrough.sync import DeviceId, Outcome


class SyncRequest(msgspec.Struct, forbid_unknown_fields=True):
    device_id: DeviceId
    events: list[msgspec.Raw]


class SyncResponse(msgspec.Struct):
    results: list[Outcome]


class ClientEventDoc(msgspec.Struct):
    """How one event in a sync batch looks (for the OpenAPI description)."""

    id: str
    visit_id: str
    type: str
    occurred_at: str
    data: dict[str, Any]


class SyncRequestDoc(msgspec.Struct):
    device_id: DeviceId
    events: list[ClientEventDoc]


class ErrorDetail(msgspec.Struct):
    code: str
    message: str


class ErrorResponse(msgspec.Struct):
    error: ErrorDetail


sync_request_decoder = msgspec.json.Decoder(SyncRequest)


class Health(msgspec.Struct):
    status: str
    projected_position: int
    log_position: int = 0  # the last event stored
    lag: int = 0  # events stored but not yet in the read models
