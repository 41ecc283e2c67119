"""/openapi.json and /docs: the API described (no token needed)."""

from __future__ import annotations

import html
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from projections.summary import Summary
from web.responses import JSON
from web.schemas import ErrorResponse, SyncRequestDoc, SyncResponse

_ROUTES: list[tuple[str, str, str, str | None, str | None]] = [
    # method, path, summary, request schema, response schema
    ("post", "/api/sync", "Sync a batch of tablet events (exactly once, per-event results)",
     "SyncRequestDoc", "SyncResponse"),
    ("get", "/api/me", "The caller, roles and assigned visits", None, None),
    ("get", "/api/visits/{visit_id}", "A visit: phase, team, catalog, classrooms", None, None),
    ("get", "/api/visits/{visit_id}/summary",
     "Per look-for trends across the visit's rooms", None, "Summary"),
    ("get", "/api/visits/{visit_id}/debrief",
     "Debrief agenda: seven sections, progress first", None, None),
    ("get", "/api/catalogs/{version}", "A look-for catalog version", None, None),
]
_OPEN: list[tuple[str, str]] = [("/health", "Liveness and store check"),
                                ("/openapi.json", "This description")]


def build_spec() -> dict[str, Any]:
    _, components = msgspec.json.schema_components(
        [SyncRequestDoc, SyncResponse, Summary, ErrorResponse],
        ref_template="#/components/schemas/{name}",
    )
    paths: dict[str, dict[str, Any]] = {}
    error = {"description": "error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    for method, path, summary, request, response in _ROUTES:
        operation: dict[str, Any] = {
            "summary": summary,
            "security": [{"bearer": []}],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": (
                    {"$ref": f"#/components/schemas/{response}"} if response
                    else {"type": "object"})}}},
                "401": error, "403": error, "404": error, "422": error,
            },
        }
        parameters = [{"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer" if name == "version" else "string"}}
                      for name in ("visit_id", "version") if "{" + name + "}" in path]
        if parameters:
            operation["parameters"] = parameters
        if request:
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{request}"}}}}
            operation["responses"].update({"400": error, "413": error, "503": error})
        paths.setdefault(path, {})[method] = operation
    for path, summary in _OPEN:
        paths[path] = {"get": {"summary": summary, "security": [],
                               "responses": {"200": {"description": "OK"}}}}
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
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>walkthrough API"
        "</title><link rel='stylesheet' href='/static/app.css'></head><body><main>"
        "<h1>walkthrough API</h1><p>Machine-readable: <a href='/openapi.json'>/openapi.json"
        "</a>. Every /api/ route takes <code>Authorization: Bearer &lt;token&gt;</code>.</p>"
        f"<table><thead><tr><th>Method</th><th>Path</th><th>What</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></main></body></html>"
    )
    return HTMLResponse(page)
