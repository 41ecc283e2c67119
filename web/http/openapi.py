"""/openapi.json and /docs: the API described, generated from the endpoint table and
the very types the routes decode and answer (no token needed)."""

from __future__ import annotations

import html
import re
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.endpoints import ENDPOINTS
from web.http.freshness import AFTER, POSITION_HEADER, PROJECTED_HEADER
from web.http.responses import JSON
from web.http.routing import JSON_MEDIA, SVG_MEDIA, Endpoint
from web.http.schemas import ErrorResponse, Health

CONVERTOR = re.compile(r"\{(\w+):\w+\}")
_OPEN: list[tuple[str, str, Any]] = [
    ("/health", "Whether this process can serve: the log, the read models' position and "
     "lag, the token index (503 when the store cannot answer)", Health)]


_WRITE_HEADERS = {POSITION_HEADER: {
    "description": "the log position this write reached: send it back as "
                   "X-Walkthrough-After to read your own writes",
    "schema": {"type": "integer"}}}
_READ_HEADERS = {PROJECTED_HEADER: {
    "description": "when a position was asked for (X-Walkthrough-After, or this server's "
                   "memory of your last write): how far the read models got; below it, the "
                   "answer does not hold all of it yet (the wait is bounded)",
    "schema": {"type": "integer"}}}


def _ref(kind: Any) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{kind.__name__}"}


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    error = {"description": "error", "content": {JSON_MEDIA: {"schema": _ref(ErrorResponse)}}}
    if endpoint.media == SVG_MEDIA or endpoint.answer is None:
        what = "an SVG chart" if endpoint.media == SVG_MEDIA else endpoint.media
        answer: dict[str, Any] = {"description": what, "content": {
            endpoint.media: {"schema": {"type": "string"}}}}
    else:
        answer = {"description": "OK", "content": {endpoint.media: {
            "schema": _ref(endpoint.answer)}}}
    responses: dict[str, Any] = {str(endpoint.status): answer, "404": error, "422": error,
                                 "503": error,  # 503: the store is down, retry later
                                 "400": error}  # a NUL or non-UTF-8 in the path or query
    if not endpoint.public:
        responses.update({"401": error, "403": error})
    if endpoint.body is not None:
        responses.update({"408": error, "413": error})  # 408: the body stopped arriving
    for status in endpoint.errors:
        responses[str(status)] = error
    if not endpoint.public:
        answer["headers"] = _WRITE_HEADERS if endpoint.method != "get" else _READ_HEADERS
    if endpoint.public:
        responses["401"] = error  # a code refused
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "security": [] if endpoint.public else [{"bearer": []}],
        "responses": responses,
    }
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer" if ":int" in endpoint.path else "string"}}
                  for name in re.findall(r"\{(\w+)(?::\w+)?\}", endpoint.path)]
    parameters += list(endpoint.query)
    if endpoint.method == "get" and not endpoint.public:
        parameters.append(AFTER)
    if parameters:
        operation["parameters"] = parameters
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON_MEDIA: {
            "schema": _ref(endpoint.body)}}}
    return operation


def build_spec() -> dict[str, Any]:
    types = {e.answer for e in ENDPOINTS if e.answer is not None}
    types |= {e.body for e in ENDPOINTS if e.body is not None}
    types |= {ErrorResponse, *(kind for _, _, kind in _OPEN)}
    _, components = msgspec.json.schema_components(
        sorted(types, key=lambda kind: kind.__name__),
        ref_template="#/components/schemas/{name}")
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        path = CONVERTOR.sub(r"{\1}", endpoint.path)
        paths.setdefault(path, {})[endpoint.method] = _operation(endpoint)
    for path, summary, kind in _OPEN:
        paths[path] = {"get": {"summary": summary, "security": [], "responses": {
            "200": {"description": "OK", "content": {JSON_MEDIA: {"schema": _ref(kind)}}},
            "503": {"description": "the store cannot serve (health: take this process out)",
                    "content": {JSON_MEDIA: {"schema": _ref(ErrorResponse)}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "walkthrough", "version": "1"},
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


SPEC = build_spec()


async def openapi(request: Request) -> Response:
    return JSON(SPEC)


async def docs(request: Request) -> Response:
    rows = "".join(
        f"<tr><td>{html.escape(method.upper())}</td><td><code>{html.escape(path)}</code></td>"
        f"<td>{html.escape(op['summary'])}</td></tr>"
        for path, ops in SPEC["paths"].items() for method, op in ops.items()
    )
    public = ", ".join(f"<code>{html.escape(e.method.upper())} {html.escape(e.path)}</code>"
                       for e in ENDPOINTS if e.public)
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>walkthrough API"
        "</title><link rel='stylesheet' href='/static/app.css'></head><body><main>"
        "<h1>walkthrough API</h1><p>Machine-readable: <a href='/openapi.json'>/openapi.json"
        f"</a>. Every /api/ route but {public} takes "
        "<code>Authorization: Bearer &lt;token&gt;</code>.</p>"
        f"<table><thead><tr><th>Method</th><th>Path</th><th>What</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></main></body></html>"
    )
    return HTMLResponse(page)
