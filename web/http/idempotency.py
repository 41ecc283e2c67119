"""Recording a form once: the `Idempotency-Key` header (a retry of the same request
answers what the first one recorded), and the preparation events the route modules record
with it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from walkthrough.access import Actor
from walkthrough.application import Idempotency
from web.http.auth import caller
from web.http.context import services
from web.http.errors import RequestError
from web.http.responses import JSON

IDEMPOTENCY_KEY = "Idempotency-Key"

ONCE = {"name": IDEMPOTENCY_KEY, "in": "header", "required": False,
        "description": "a UUID: a retry of the same request answers what the first one "
                       "recorded (409 idempotency_conflict for another request)",
        "schema": {"type": "string", "format": "uuid"}}


class Recorded(msgspec.Struct):
    """What a preparation form recorded: the stored event's id and its data."""

    event_id: str
    type: str
    data: dict[str, Any]


def idempotency(request: Request, form: msgspec.Struct) -> Idempotency | None:
    """The request's `Idempotency-Key` with the digest of what is asked: the method, the
    path and the decoded form (so key order and spacing in the JSON do not matter)."""
    header = request.headers.get(IDEMPOTENCY_KEY)
    if header is None:
        return None
    try:
        key = UUID(header.strip())
    except ValueError:
        raise RequestError(422, "invalid_idempotency_key",
                           f"{IDEMPOTENCY_KEY} is a UUID") from None
    request_line = f"{request.method} {request.url.path}\0".encode()
    return Idempotency(key, hashlib.sha256(request_line + msgspec.json.encode(form)).digest())


async def record_preparation(request: Request, build: Callable[[Actor, int], Any],
                  form: msgspec.Struct) -> Response:
    """Record one preparation event built from the caller and the latest catalog."""
    found = services(request)
    actor = caller(request)
    app = found.app
    once = idempotency(request, form)

    def run() -> Recorded:
        payload = build(actor, app.district().latest_catalog_version())
        event = app.prepare(actor, payload, once)
        return Recorded(event_id=str(event.event_id), type=event.type,
                        data=msgspec.to_builtins(event.payload))

    return JSON(await run_in_threadpool(run), status_code=201)
