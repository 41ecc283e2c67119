"""/openapi.json and /docs: the API described (no token needed)."""

from __future__ import annotations

import html
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from projections.event_log import LogLine
from projections.summary import Summary
from projections.trends import DistrictTrends, SchoolTrends
from walkthrough.events import PartnershipFormed
from web.cycle import CatalogForm, MeetingForm, NeedsAssessmentForm, SkillInventoryForm
from web.events_api import NDJSON, QUERY_PARAMETERS
from web.people import People, SignInLinkMade
from web.plans import VisitPlan
from web.responses import JSON
from web.roster import StaffNamesForm, StaffNamesStored
from web.schemas import ErrorResponse, SyncRequestDoc, SyncResponse
from web.signin import LinkRedemption, SignedIn

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
    ("get", "/api/events", "The event log in log order, pseudonymised, as NDJSON "
     "(analysts, organizers); Link rel=next names the next page", None, "LogLine"),
    # the visit cycle (web/cycle.py). Debrief, next steps, the agreed plan and check-ins
    # are visit events sent through /api/sync: DebriefStarted, RootCauseNoted,
    # NextStepProposed, NextStepWithdrawn, ActionPlanAgreed, CheckInRecorded.
    ("get", "/api/preparation", "Needs assessments and skill inventories (organizers)",
     None, None),
    ("post", "/api/schools/{school_id}/needs-assessment",
     "Record a school's needs: focus look-fors and notes (organizers; 201)",
     "NeedsAssessmentForm", None),
    ("post", "/api/people/{user_id}/skill-inventory",
     "Record an administrator's role, strengths and growth areas (organizers; 201)",
     "SkillInventoryForm", None),
    ("get", "/api/schools/{school_id}/matches",
     "Peers in the same role from other campuses whose strengths meet the school's "
     "needs, ranked, with the reason (organizers; ?role=)", None, None),
    ("get", "/api/partnerships", "Partnerships with cadence and next meetings "
     "(organizers: all; others: their own)", None, None),
    ("post", "/api/partnerships", "Form a Leadership Learning Partnership (a pair) or a "
     "Critical Friends Group (4-6) (organizers; 201)", "PartnershipFormed", None),
    ("post", "/api/partnerships/{partnership_id}/meetings", "Record a meeting held: date, "
     "facilitator (a Critical Friends Group rotates it) and one or two next steps, each with "
     "owner, due date and definition of success (organizers, members; 201)", "MeetingForm",
     None),
    ("get", "/api/partnerships/{partnership_id}/agenda", "The next meeting's agenda: "
     "progress on the last next steps first, the next meeting by the cadence, then the next "
     "steps to agree (organizers, members)", None, None),
    ("get", "/api/catalogs", "Catalog versions: built in and published", None, None),
    ("post", "/api/catalogs", "Publish the next catalog version (organizers; 201)",
     "CatalogForm", None),
    ("get", "/api/action-plans", "Open action-plan steps, next check-in due, overdue "
     "(host: own school; organizers: district or ?school_id=)", None, None),
    ("get", "/api/visits/{visit_id}/plan", "One visit's action plan: each agreed step "
     "with its latest check-in and the next one due (weekly), and the check-ins so far "
     "(its team, host, organizers; the team's coaches check in too)", None, "VisitPlan"),
    ("put", "/api/schools/{school_id}/staff-names", "Replace the school's staff roster: "
     "free text naming one of these given names or surnames is refused (names_a_person). "
     "Write-only: the names are kept as keyed hashes and never answered back (host of the "
     "school, organizers)", "StaffNamesForm", "StaffNamesStored"),
    ("get", "/api/schools/{school_id}/trends", "Look-for rates visit by visit (host of the "
     "school, organizers)", None, "SchoolTrends"),
    ("get", "/api/schools/{school_id}/trends/chart.svg", "SVG: rates over time, one panel "
     "per look-for (image/svg+xml)", None, None),
    ("get", "/api/trends", "District trends by look-for, school level and grade band per "
     "quarter; cells under the minimum suppressed (organizers, analysts)", None,
     "DistrictTrends"),
    ("get", "/api/trends/chart.svg", "SVG: district rates, ?chart=bars (latest quarter) "
     "or lines (over time)", None, None),
    ("get", "/api/visits/{visit_id}/debrief/chart.svg", "SVG: the visit's look-for rates "
     "as bars", None, None),
    # sign-in (web/people.py, web/signin.py)
    ("get", "/api/people", "Registered people: id, name, roles, school (organizers)", None,
     "People"),
    ("post", "/api/people/{user_id}/signin-link", "Make a one-time sign-in link for a person, "
     "for the caller's own origin, valid 15 minutes, with its QR code as SVG; shown once "
     "(organizers; 201)", None, "SignInLinkMade"),
    ("post", "/api/signin/link", "Sign a device in: exchange a sign-in link's code (from "
     "#code= in the link) for a device token. No bearer token: the code is the credential. "
     "401 link_invalid, link_wrong_host (made for another origin) or unauthorized (revoked or "
     "unregistered user); 410 link_used or link_expired; 429 after repeated refusals from "
     "one address", "LinkRedemption", "SignedIn"),
]
# Open without a bearer token: /api/signin/link takes a sign-in link's code instead.
NO_BEARER = {"/api/signin/link"}
# POSTs that answer 200 (the others create something: 201).
ANSWER_200 = {"/api/sync", "/api/signin/link"}
# Organizers' forms a tablet's outbox may send again: an optional Idempotency-Key.
IDEMPOTENT = {"/api/schools/{school_id}/needs-assessment",
              "/api/people/{user_id}/skill-inventory", "/api/partnerships",
              "/api/partnerships/{partnership_id}/meetings", "/api/catalogs"}
IDEMPOTENCY_HEADER: dict[str, Any] = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "A UUID per request: a retry with the same key and the same body "
                   "answers what the first one recorded, and records nothing twice; the "
                   "same key with another body is 409 idempotency_conflict",
    "schema": {"type": "string", "format": "uuid"}}
# Rate-limited: sync per token, refused sign-in links per client address (Retry-After).
RATE_LIMITED = {"/api/sync", "/api/signin/link"}
_OPEN: list[tuple[str, str]] = [("/health", "Liveness and store check"),
                                ("/openapi.json", "This description")]


def build_spec() -> dict[str, Any]:
    _, components = msgspec.json.schema_components(
        [SyncRequestDoc, SyncResponse, Summary, ErrorResponse, LogLine, SchoolTrends,
         DistrictTrends, NeedsAssessmentForm, SkillInventoryForm, CatalogForm,
         PartnershipFormed, MeetingForm, StaffNamesForm, StaffNamesStored, People,
         SignInLinkMade, LinkRedemption, SignedIn, VisitPlan],
        ref_template="#/components/schemas/{name}",
    )
    paths: dict[str, dict[str, Any]] = {}
    error = {"description": "error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    for method, path, summary, request, response in _ROUTES:
        operation: dict[str, Any] = {
            "summary": summary,
            "security": [] if path in NO_BEARER else [{"bearer": []}],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": (
                    {"$ref": f"#/components/schemas/{response}"} if response
                    else {"type": "object"})}}},
                "401": error, "403": error, "404": error, "422": error,
                "503": error,  # the store is down: retry later (Retry-After)
            },
        }
        parameters = [{"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer" if name == "version" else "string"}}
                      for name in ("visit_id", "version", "school_id", "user_id",
                                   "partnership_id")
                      if "{" + name + "}" in path]
        parameters += QUERY_PARAMETERS.get(path, [])
        if method == "post" and path in IDEMPOTENT:
            parameters.append(IDEMPOTENCY_HEADER)
            operation["responses"]["409"] = error
        if parameters:
            operation["parameters"] = parameters
        if path == "/api/events":
            operation["responses"]["200"] = {"description": "one LogLine per line",
                                             "content": {NDJSON: {"schema": {
                                                 "$ref": "#/components/schemas/LogLine"}}}}
        if request:
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{request}"}}}}
            operation["responses"].update({"400": error, "413": error, "503": error})
        if path in RATE_LIMITED:
            operation["responses"]["429"] = error
        if path in NO_BEARER:
            operation["responses"]["410"] = error  # a sign-in link already used or expired
        if method == "post" and path not in ANSWER_200:  # organizers' forms: 201 Created
            operation["responses"]["201"] = operation["responses"].pop("200")
        if path.endswith(".svg"):
            operation["responses"]["200"] = {"description": "an SVG chart", "content": {
                "image/svg+xml": {"schema": {"type": "string"}}}}
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
        "</a>. Every /api/ route but <code>POST /api/signin/link</code> takes "
        "<code>Authorization: Bearer &lt;token&gt;</code>.</p>"
        f"<table><thead><tr><th>Method</th><th>Path</th><th>What</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></main></body></html>"
    )
    return HTMLResponse(page)
