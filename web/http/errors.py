"""One place that maps errors to HTTP status codes and the JSON error body."""

from __future__ import annotations

import logging

from eventsourcing.persistence import PersistenceError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from projections.versions import ReadModelsRebuilding
from walkthrough.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    NotFound,
    StoreUnavailable,
    Unauthorized,
)
from web.http.refusals import count_refusals
from web.http.responses import error_response

log = logging.getLogger("walkthrough.web")
RETRY_AFTER_SECONDS = 5
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 411: "length_required", 413: "payload_too_large",
              422: "invalid_request", 429: "rate_limited"}


class RequestError(Exception):
    """A whole request refused at the edge (malformed body, too large...)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def status_for(exc: DomainError) -> int:
    if isinstance(exc, Unauthorized):
        return 401
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, Gone):
        return 410
    return 422


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if not isinstance(exc, Unauthorized):  # a rule refused: counted by its code
        await count_refusals(request, [exc.code])
    return error_response(status_for(exc), exc.code, exc.message)


async def on_request_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestError)
    return error_response(exc.status, exc.code, exc.message)


async def on_store_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("store unavailable: %s", exc)
    return error_response(503, "store_unavailable",
                          "the event store is unavailable; retry the same request later",
                          headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def on_read_models_rebuilding(request: Request, exc: Exception) -> Response:
    return error_response(503, "read_models_rebuilding",
                          "the server was upgraded and is rebuilding its read models from the "
                          "log; syncs are stored meanwhile: retry this read later",
                          headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "an unexpected error occurred")


EXCEPTION_HANDLERS = {
    DomainError: on_domain_error,
    RequestError: on_request_error,
    StoreUnavailable: on_store_unavailable,
    ReadModelsRebuilding: on_read_models_rebuilding,
    # Any store error on any path (token lookup, reads, catch-up): the store is
    # down or refusing; the pool reconnects by itself when it is back.
    PersistenceError: on_store_unavailable,
    HTTPException: on_http_exception,
    500: on_unexpected,
}
