"""Role x route matrix: every route of the app, every kind of caller, one table.

A route the app serves without a row here fails `test_every_route_has_a_row`,
which prints the row to add. Callers are seen from the current demo visit at
Lincoln Middle: coach1 is on its team, coach3 is not; host1 hosts it, host2
hosts another school.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple
from uuid import NAMESPACE_URL, uuid4, uuid5

import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.testclient import TestClient

from projections.calibration import team_id
from tests.builders import batch, enter, event
from tests.conftest import FakeClock
from tests.oneroster import Member, Roster, School, as_zip, oneroster_12
from walkthrough.district import growth_id
from web.app import create_app
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, load_demo

CALLERS = ("coach_team", "coach_other", "host", "host_other", "organizer", "analyst",
           "no_token")
USERS = {"coach_team": "coach1", "coach_other": "coach3", "host": "host1",
         "host_other": "host2", "organizer": "organizer1", "analyst": "analyst1"}
VISIT = str(CURRENT_VISIT)
# A visit no one planned: a fixed id, so every process collects the same test ids (xdist).
NO_SUCH_VISIT = str(uuid5(NAMESPACE_URL, "walkthrough-tests:no-such-visit"))
HOST1_RECORD = str(growth_id("host1"))  # coach1, coach3 and host2 are host1's peers
SCHOOL = "lincoln-middle"

# A cell is a status, or (status, what the first sync result says: its status, or
# its error code when rejected). PUBLIC: no token needed, the same answer for every
# caller, never 401/403/5xx (static files whose presence depends on the PWA build).
Cell = int | tuple[int, str]
PUBLIC = "public"


class Row(NamedTuple):
    route: str  # "METHOD path" exactly as the route is declared ("ANY" when no methods)
    path: str  # the request made for every caller
    expect: tuple[Cell, ...] | str
    body: Callable[[], Any] | None = None


def support_entry() -> dict[str, Any]:
    """A fresh support-log entry on host1's growth record."""
    return batch(event(HOST1_RECORD, "SupportLogged", {
        "entry_id": f"matrix-{uuid4().hex[:8]}", "date": "2026-11-20", "kind": "call",
        "line": "A quick call about the next PLC."}))


def roster_form() -> dict[str, Any]:
    """A small OneRoster export: one school, its principal (nobody of the demo)."""
    school = School("org-matrix", "Matrix High", "9", grades="09,10")
    roster = Roster("org-d", "Riverside Unified (demo)", (school,), (
        Member("u-matrix", "Mae", "Trix", "principal", "org-matrix", "mae.trix@d.example"),))
    return {"archive": base64.b64encode(as_zip(oneroster_12(roster))).decode()}


def new_room() -> dict[str, Any]:
    """A fresh event each call, so each caller's sync is decided on its own."""
    return batch(enter(VISIT, room=f"c-matrix-{uuid4().hex[:8]}"))


ALL = (200, 200, 200, 200, 200, 200)
TEAM_HOST_ORGANIZER = (200, 404, 200, 404, 200, 404, 401)
OFF_TEAM = (200, "not_on_team")
ORGANIZER_ONLY = (403, 403, 403, 403, 200, 403, 401)
ORGANIZER_CREATES = (403, 403, 403, 403, 201, 403, 401)
ORGANIZER_ANALYST = (403, 403, 403, 403, 200, 200, 401)
HOST_ORGANIZER = (403, 403, 200, 403, 200, 403, 401)

MATRIX: list[Row] = [
    #    route                               request path
    #    expected: coach_team, coach_other, host, host_other, organizer, analyst, no_token
    Row("POST /api/sync", "/api/sync",
        ((200, "accepted"), OFF_TEAM, OFF_TEAM, OFF_TEAM, OFF_TEAM, OFF_TEAM, 401),
        body=new_room),
    Row("POST /api/sync", "/api/sync",
        ((200, "accepted"), (200, "accepted"), (200, "accepted"), (200, "accepted"),
         (200, "not_allowed_here"), (200, "not_your_record"), 401), body=support_entry),
    Row("GET /api/me", "/api/me", (*ALL, 401)),
    Row("GET /api/people/{user_id}/growth", "/api/people/host1/growth",
        (200, 200, 200, 200, 200, 403, 401)),
    Row("GET /api/people/{user_id}/growth", "/api/people/coach4/growth",
        (404, 404, 404, 404, 200, 403, 401)),
    Row("GET /api/people/{user_id}/growth", "/api/people/organizer1/growth",
        (404,) * 5 + (403, 401)),
    Row("GET /api/people/{user_id}/growth", "/api/people/nobody/growth",
        (404,) * 5 + (403, 401)),
    Row("GET /api/growth", "/api/growth", ORGANIZER_ONLY),
    Row("POST /api/learning-sessions", "/api/learning-sessions", ORGANIZER_CREATES,
        body=lambda: {"title": "Leading PLCs with student work", "date": "2026-12-10",
                      "areas": ["cfu"]}),
    Row("GET /api/catalogs/leadership", "/api/catalogs/leadership", (*ALL, 401)),
    Row("GET /api/catalogs/leadership/{version:int}", "/api/catalogs/leadership/1",
        (*ALL, 401)),
    Row("GET /api/catalogs/leadership/{version:int}", "/api/catalogs/leadership/7",
        (404,) * 6 + (401,)),
    Row("GET /api/visits/{visit_id}", f"/api/visits/{VISIT}", TEAM_HOST_ORGANIZER),
    Row("GET /api/visits/{visit_id}", f"/api/visits/{NO_SUCH_VISIT}", (404,) * 6 + (401,)),
    Row("GET /api/visits/{visit_id}", "/api/visits/not-a-uuid", (404,) * 6 + (401,)),
    Row("GET /api/visits/{visit_id}/summary", f"/api/visits/{VISIT}/summary",
        TEAM_HOST_ORGANIZER),
    Row("GET /api/visits/{visit_id}/summary", f"/api/visits/{VISIT}/summary?as_of=2026-11-23",
        (403, 403, 403, 403, 200, 403, 401)),
    Row("GET /api/visits/{visit_id}/debrief", f"/api/visits/{VISIT}/debrief",
        TEAM_HOST_ORGANIZER),
    Row("GET /api/visits/{visit_id}/debrief", f"/api/visits/{VISIT}/debrief?as_of=2026-11-23",
        (403, 403, 403, 403, 200, 403, 401)),
    Row("GET /api/catalogs/{version:int}", "/api/catalogs/1", (*ALL, 401)),
    Row("GET /api/catalogs/{version:int}", "/api/catalogs/999", (404,) * 6 + (401,)),
    Row("GET /api/events", "/api/events?limit=5", (403, 403, 403, 403, 200, 200, 401)),
    Row("GET /api/events", "/api/events?limit=5&include_text=true",
        (403, 403, 403, 403, 200, 403, 401)),
    Row("GET /api/catalogs", "/api/catalogs", (*ALL, 401)),
    Row("POST /api/catalogs", "/api/catalogs", ORGANIZER_CREATES, body=lambda: {
        "items": [{"key": f"k{uuid4().hex[:8]}", "prompt": "A note", "kind": "note"}]}),
    Row("GET /api/preparation", "/api/preparation", ORGANIZER_ONLY),
    Row("POST /api/schools/{school_id}/needs-assessment",
        f"/api/schools/{SCHOOL}/needs-assessment", ORGANIZER_CREATES,
        body=lambda: {"focus_areas": ["cfu"], "catalog_version": 1}),
    Row("POST /api/schools/{school_id}/needs-assessment",
        "/api/schools/nowhere/needs-assessment", (403, 403, 403, 403, 422, 403, 401),
        body=lambda: {"focus_areas": ["cfu"], "catalog_version": 1}),
    # host1's own inventory: host1 fills it in, organizers too; nobody else.
    Row("POST /api/people/{user_id}/skill-inventory", "/api/people/host1/skill-inventory",
        (403, 403, 201, 403, 201, 403, 401), body=lambda: {
            "role": "principal", "strengths": ["cfu", "managing_resistance"],
            "catalog_version": 1}),
    Row("GET /api/schools/{school_id}/matches", f"/api/schools/{SCHOOL}/matches",
        ORGANIZER_ONLY),
    Row("GET /api/partnerships", "/api/partnerships", (*ALL, 401)),
    Row("POST /api/partnerships", "/api/partnerships", ORGANIZER_CREATES, body=lambda: {
        "partnership_id": f"p-{uuid4().hex[:8]}", "kind": "leadership_learning",
        "members": ["host1", "host2"], "starts": "2026-12-01"}),
    # Partnership meetings: members and organizers; anyone else is told nothing (404).
    # llp-lincoln-roosevelt pairs host1 and coach1; cfg-talk is host1, coach2, coach3, host2.
    # The first caller's meeting has a step nobody reported on: the members and the
    # organizer after them pass the access check and meet the rule (409 progress_first).
    Row("POST /api/partnerships/{partnership_id}/meetings",
        "/api/partnerships/llp-lincoln-roosevelt/meetings", (201, 404, 409, 404, 409, 404, 401),
        body=lambda: {"meeting_id": f"m-{uuid4().hex[:8]}", "date": "2027-01-15",
                      "next_steps": [{"step_id": "s1", "text": "Share exit tickets",
                                      "owner": "Morgan Blake", "due": "2027-01-29",
                                      "success": "Both schools bring ten"}]}),
    Row("POST /api/partnerships/{partnership_id}/step-progress",
        "/api/partnerships/cfg-talk/step-progress", (404, 201, 201, 201, 201, 404, 401),
        body=lambda: {"meeting_id": "cfg-talk-1", "step_id": "talk-walk",
                      "status": "on_track", "progress": "two tallies of four"}),
    Row("GET /api/open", "/api/open", ORGANIZER_ONLY),
    Row("GET /api/skills", "/api/skills", (*ALL, 401)),
    Row("GET /api/leadership-skills", "/api/leadership-skills", (*ALL, 401)),
    Row("POST /api/leadership-skills", "/api/leadership-skills", ORGANIZER_CREATES,
        body=lambda: {"skills": [{"key": "data_use", "name": "Using student data"}]}),
    Row("GET /api/skills/{key}/matches", "/api/skills/data_use/matches", ORGANIZER_ONLY),
    Row("POST /api/open/nudges", "/api/open/nudges", ORGANIZER_CREATES,
        body=lambda: {"source": "meeting", "step_id": "talk-walk", "partnership_id": "cfg-talk",
                      "meeting_id": "cfg-talk-1"}),
    Row("GET /api/people/{user_id}/skill-inventory", "/api/people/host1/skill-inventory",
        (403, 403, 200, 403, 200, 403, 401)),
    # Ground rules belong to a cross-role network: the demo has none, so a member of a
    # CFG is told so (422) and everyone else learns nothing (404).
    Row("POST /api/partnerships/{partnership_id}/ground-rules",
        "/api/partnerships/cfg-talk/ground-rules", (404, 422, 422, 422, 404, 404, 401),
        body=lambda: {}),
    Row("GET /api/conversation-guides", "/api/conversation-guides", (*ALL, 401)),
    Row("POST /api/conversation-guides", "/api/conversation-guides", ORGANIZER_CREATES,
        body=lambda: {"guides": [{"title": "Our schools", "prompts": ["Describe yours."]}]}),
    Row("GET /api/partnerships/{partnership_id}/agenda",
        "/api/partnerships/llp-lincoln-roosevelt/agenda", (200, 404, 200, 404, 200, 404, 401)),
    Row("GET /api/partnerships/{partnership_id}/agenda", "/api/partnerships/cfg-talk/agenda",
        (404, 200, 200, 200, 200, 404, 401)),
    Row("GET /api/partnerships/{partnership_id}/agenda", "/api/partnerships/nowhere/agenda",
        (404,) * 6 + (401,)),
    Row("GET /api/visits/{visit_id}/plan", f"/api/visits/{VISIT}/plan", TEAM_HOST_ORGANIZER),
    Row("GET /api/action-plans", "/api/action-plans", (403, 403, 200, 200, 200, 403, 401)),
    Row("GET /api/action-plans", f"/api/action-plans?school_id={SCHOOL}", HOST_ORGANIZER),
    # Write-only: the host of that school and organizers replace it; nothing reads it back.
    Row("PUT /api/schools/{school_id}/staff-names", f"/api/schools/{SCHOOL}/staff-names",
        HOST_ORGANIZER, body=lambda: {"names": ["Avery Quill"]}),
    Row("PUT /api/schools/{school_id}/staff-names", "/api/schools/nowhere/staff-names",
        (403, 403, 403, 403, 404, 403, 401), body=lambda: {"names": ["Avery Quill"]}),
    # Counts of roster refusals per person, never words: organizers only.
    Row("GET /api/roster-refusals", "/api/roster-refusals", ORGANIZER_ONLY),
    Row("GET /api/schools/{school_id}/trends", f"/api/schools/{SCHOOL}/trends",
        HOST_ORGANIZER),
    Row("GET /api/schools/{school_id}/trends", "/api/schools/nowhere/trends",
        (403, 403, 403, 403, 404, 403, 401)),
    Row("GET /api/schools/{school_id}/trends/chart.svg",
        f"/api/schools/{SCHOOL}/trends/chart.svg", HOST_ORGANIZER),
    Row("GET /api/trends", "/api/trends", ORGANIZER_ANALYST),
    Row("GET /api/trends/chart.svg", "/api/trends/chart.svg", ORGANIZER_ANALYST),
    Row("GET /api/visits/{visit_id}/debrief/chart.svg", f"/api/visits/{VISIT}/debrief/chart.svg",
        TEAM_HOST_ORGANIZER),
    Row("GET /api/people", "/api/people", ORGANIZER_ONLY),
    Row("POST /api/people/{user_id}/signin-link", "/api/people/coach1/signin-link",
        ORGANIZER_CREATES),
    Row("POST /api/people/{user_id}/signin-link", "/api/people/nobody/signin-link",
        (403, 403, 403, 403, 404, 403, 401)),
    # No bearer token needed (the code is the credential) and a bearer token is no
    # substitute: the same answer for everyone. Redeeming is in tests/web/test_signin_api.py.
    Row("POST /api/roster/preview", "/api/roster/preview", ORGANIZER_ONLY, body=roster_form),
    Row("POST /api/roster/apply", "/api/roster/apply", ORGANIZER_CREATES, body=roster_form),
    Row("POST /api/people", "/api/people", ORGANIZER_CREATES, body=lambda: {
        "name": "Matrix Person", "roles": ["coach"], "email": f"m{uuid4().hex[:8]}@d.example"}),
    Row("PATCH /api/people/{user_id}", "/api/people/coach4", ORGANIZER_CREATES,
        body=lambda: {"name": f"Ari Costa {uuid4().hex[:4]}"}),
    Row("POST /api/people/{user_id}/deactivate", "/api/people/host4/deactivate",
        ORGANIZER_CREATES, body=lambda: {}),
    Row("POST /api/people/{user_id}/reactivate", "/api/people/nobody/reactivate",
        (403, 403, 403, 403, 422, 403, 401), body=lambda: {}),
    Row("GET /api/schools", "/api/schools", ORGANIZER_ONLY),
    Row("POST /api/schools", "/api/schools", ORGANIZER_CREATES, body=lambda: {
        "name": f"Matrix School {uuid4().hex[:4]}", "level": "high"}),
    Row("PATCH /api/schools/{school_id}", "/api/schools/roosevelt-middle", ORGANIZER_CREATES,
        body=lambda: {"name": f"Roosevelt Middle {uuid4().hex[:4]}"}),
    Row("POST /api/signin/link", "/api/signin/link", (401,) * 7,
        body=lambda: {"code": "not-a-sign-in-code"}),
    # Sign-in by email and the district's account (web.routes.signin_email,
    # web.routes.oidc): this app has neither set up, which every caller is told alike;
    # tests/web/test_signin_email.py and test_oidc.py have them set up.
    Row("GET /api/signin/options", "/api/signin/options", (200,) * 7),
    Row("POST /api/signin/email", "/api/signin/email", (422,) * 7,
        body=lambda: {"email": "someone@district.example"}),
    Row("POST /api/people/{user_id}/signin-email", "/api/people/coach1/signin-email",
        (403, 403, 403, 403, 422, 403, 401)),
    Row("GET /api/mail", "/api/mail", ORGANIZER_ONLY),
    Row("GET /auth/oidc/start", "/auth/oidc/start", (200,) * 7),  # on to /signin
    Row("GET /auth/oidc/callback", "/auth/oidc/callback?code=x&state=y", (200,) * 7),
    # Calibration: a team to its coaches and organizers; a pair to its two coaches only.
    Row("GET /api/calibration/teams", "/api/calibration/teams", (*ALL, 401)),
    Row("GET /api/calibration/teams/{team_id}",
        f"/api/calibration/teams/{team_id(('coach1', 'coach2'))}",
        (200, 404, 404, 404, 200, 404, 401)),
    Row("GET /api/calibration/teams/{team_id}", "/api/calibration/teams/nobody",
        (404,) * 6 + (401,)),
    Row("GET /api/calibration/partnerships/{partnership_id}",
        "/api/calibration/partnerships/llp-lincoln-roosevelt",
        (200, 404, 200, 404, 200, 404, 401)),
    Row("GET /api/calibration/district", "/api/calibration/district", ORGANIZER_ANALYST),
    Row("GET /api/calibration/pairs", "/api/calibration/pairs", (*ALL, 401)),
    Row("GET /api/calibration/pairs/{first}/{second}", "/api/calibration/pairs/coach1/coach2",
        (200, 404, 404, 404, 404, 404, 401)),
    Row("GET /api/never-show", "/api/never-show", (*ALL, 401)),
    Row("GET /api/calendar", "/api/calendar", (*ALL, 401)),
    Row("PUT /api/calendar", "/api/calendar", ORGANIZER_CREATES, body=lambda: {
        "closures": [{"start": "2026-12-21", "end": "2027-01-01", "label": "Winter break"}]}),
    Row("POST /api/calendar/parse", "/api/calendar/parse", ORGANIZER_ONLY,
        body=lambda: {"kind": "csv", "text": "2026-12-21,2027-01-01,Winter break"}),
    Row("PUT /api/me/reminders", "/api/me/reminders", (*ALL, 401), body=lambda: {"on": True}),
    Row("POST /api/me/calendar-feed/reset", "/api/me/calendar-feed/reset",
        (201,) * 6 + (401,)),
    # The feed's secret is in its address: a made-up one is no one's feed, token or not.
    Row("GET /api/calendar/feed/{user_id}/{token}.ics",
        "/api/calendar/feed/coach1/not-the-secret.ics", (404,) * 7),
    Row("GET /api/{rest:path}", "/api/nowhere", (404,) * 6 + (401,)),
    Row("GET /health", "/health", (200,) * 7),
    Row("GET /openapi.json", "/openapi.json", (200,) * 7),
    Row("GET /docs", "/docs", (200,) * 7),
    Row("GET /sw.js", "/sw.js", PUBLIC),
    Row("GET /manifest.webmanifest", "/manifest.webmanifest", PUBLIC),
    Row("MOUNT /static", "/static/app.css", PUBLIC),
    Row("GET /", "/", PUBLIC),
    # Report pages are data-free shells; their data comes from the routes above.
    Row("GET /reports/visits/{visit_id}/debrief", f"/reports/visits/{VISIT}/debrief", PUBLIC),
    Row("GET /reports/schools/{school_id}/trends", f"/reports/schools/{SCHOOL}/trends",
        PUBLIC),
    Row("GET /reports/trends", "/reports/trends", PUBLIC),
    Row("GET /reports/never-show", "/reports/never-show", PUBLIC),
    Row("GET /{path:path}", f"/visits/{VISIT}", PUBLIC),
]


def route_keys(routes: list[BaseRoute], prefix: str = "") -> set[str]:
    """"METHOD path" for every route, as declared (HEAD is implied by GET)."""
    keys: set[str] = set()
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            keys |= route_keys(route.routes, prefix + route.path)
        elif isinstance(route, Mount):
            keys.add(f"MOUNT {prefix}{route.path}")
        elif isinstance(route, Route):
            methods = sorted(set(route.methods or {"ANY"}) - {"HEAD"}) or ["HEAD"]
            keys |= {f"{method} {prefix}{route.path}" for method in methods}
        else:
            keys.add(f"{type(route).__name__} {prefix}{getattr(route, 'path', '?')}")
    return keys


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Starlette]:
    clock = FakeClock()
    services = bootstrap(Settings(data_dir=Path(tmp_path_factory.mktemp("matrix"))),
                         clock=clock)
    load_demo(services.app, today=clock().date())
    services.projector.catch_up()
    application = create_app(services=services)
    application.state.matrix_tokens = {
        caller: services.tokens.issue(user, clock()) for caller, user in USERS.items()}
    yield application
    services.close()


@pytest.fixture(scope="module")
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def test_every_route_has_a_row(app: Starlette) -> None:
    listed = {row.route for row in MATRIX}
    missing = sorted(route_keys(app.routes) - listed)
    assert not missing, "\n".join(
        [f"{len(missing)} route(s) have no row in MATRIX (tests/web/test_role_matrix.py). "
         "Add, with the status each caller must get (coach on the team, coach not on the "
         "team, host of that school, host of another school, organizer, analyst, no token):"]
        + [f'    Row("{key}", "<a concrete path>", '
           "(<coach_team>, <coach_other>, <host>, <host_other>, <organizer>, <analyst>, "
           "401))," for key in missing])
    stale = sorted(listed - route_keys(app.routes))
    assert not stale, f"MATRIX rows for routes the app no longer has: {stale}"


def test_every_documented_operation_is_a_route_in_the_matrix(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    listed = {_plain(row.route) for row in MATRIX}
    documented = {f"{method.upper()} {path}" for path, operations in spec["paths"].items()
                  for method in operations}
    assert documented <= listed, f"documented but not in MATRIX: {sorted(documented - listed)}"
    api = {key for key in listed if key.split(" ")[1].startswith("/api/")
           and not key.endswith("/api/{rest}")}  # the JSON 404 for unknown paths
    assert api <= documented, f"API routes missing from /openapi.json: {sorted(api - documented)}"


def _plain(route: str) -> str:
    """"GET /api/catalogs/{version:int}" -> "GET /api/catalogs/{version}"."""
    method, path = route.split(" ", 1)
    parts = [p.split(":")[0] + "}" if p.startswith("{") and ":" in p else p
             for p in path.split("/")]
    return f"{method} {'/'.join(parts)}"


@pytest.mark.parametrize("row", MATRIX, ids=[f"{row.route} {row.path}" for row in MATRIX])
def test_each_caller_gets_the_expected_answer(client: TestClient, app: Starlette,
                                              row: Row) -> None:
    tokens: dict[str, str] = app.state.matrix_tokens
    method = row.route.split(" ")[0]
    method = "GET" if method in ("ANY", "MOUNT") else method
    got: dict[str, Cell] = {}
    for caller in CALLERS:
        headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller in tokens else {}
        response = client.request(method, row.path, headers=headers,
                                  json=row.body() if row.body else None)
        got[caller] = response.status_code
        if response.status_code >= 400 and row.route.split(" ")[1].startswith("/api/"):
            assert set(response.json()) == {"error"}, (caller, response.text)
        if row.route.startswith("POST /api/sync") and response.status_code == 200:
            first = response.json()["results"][0]
            got[caller] = (200, first.get("error", {}).get("code", first["status"]))
    if row.expect == PUBLIC:
        assert len(set(got.values())) == 1, got
        assert not {401, 403} & set(got.values()), got
        assert all(isinstance(s, int) and s < 500 for s in got.values()), got
    else:
        assert got == dict(zip(CALLERS, row.expect, strict=True))


# --- field groups: a read that carries another route's data obeys that route ---------
#
# A growth record carries action-plan steps (text and status) of the visits its
# administrator hosted: `linkable_steps`, and the steps a goal links. Each caller sees
# a step's text only when the visit's own `/plan` answers them 200; the record's peers
# off that visit's team see the goal's links as bare ids.

SHOWN, HIDDEN = "shown", "hidden"


class FieldRow(NamedTuple):
    path: str
    group: str  # a field group of the answer
    expect: tuple[int | str, ...]  # per caller: SHOWN, HIDDEN, or the status


def _linkable(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return list(answer["linkable_steps"])


def _agenda_plans(answer: dict[str, Any]) -> list[dict[str, Any]]:
    progress = next(s for s in answer["sections"] if s["kind"] == "progress")
    return list(progress["action_plans"])


def _linked_with_text(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for goal in answer["goals"] for step in goal["plan_steps"]
            if step.get("text") is not None]


FIELD_GROUPS: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "linkable_steps": _linkable, "goals.plan_steps": _linked_with_text,
    "progress.action_plans": _agenda_plans}
# coach1 and host1 are on the team of the visit host1's goals link to (PAST_VISIT),
# coach3 and host2 are host1's peers off that team.
FIELD_MATRIX: list[FieldRow] = [
    FieldRow("/api/people/host1/growth", "linkable_steps",
             (SHOWN, HIDDEN, SHOWN, HIDDEN, SHOWN, 403, 401)),
    FieldRow("/api/people/host1/growth", "goals.plan_steps",
             (SHOWN, HIDDEN, SHOWN, HIDDEN, SHOWN, 403, 401)),
    # A partnership's agenda shows members' schools' plans only where /plan would.
    FieldRow("/api/partnerships/cfg-talk/agenda", "progress.action_plans",
             (404, HIDDEN, SHOWN, HIDDEN, SHOWN, 404, 401)),
    FieldRow("/api/partnerships/llp-lincoln-roosevelt/agenda", "progress.action_plans",
             (SHOWN, 404, SHOWN, 404, SHOWN, 404, 401)),
]


@pytest.mark.parametrize("row", FIELD_MATRIX, ids=[f"{r.path} {r.group}" for r in FIELD_MATRIX])
def test_each_caller_sees_a_field_group_only_where_its_own_route_shows_it(
        client: TestClient, app: Starlette, row: FieldRow) -> None:
    tokens: dict[str, str] = app.state.matrix_tokens
    got: dict[str, int | str] = {}
    for caller in CALLERS:
        headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller in tokens else {}
        response = client.get(row.path, headers=headers)
        if response.status_code != 200:
            got[caller] = response.status_code
            continue
        steps = FIELD_GROUPS[row.group](response.json())
        got[caller] = SHOWN if steps else HIDDEN
        for step in steps:  # whatever is shown, the owning route shows this caller too
            plan = client.get(f"/api/visits/{step['visit_id']}/plan", headers=headers)
            assert plan.status_code == 200, (caller, step)
            assert step["step_id"] in {s["step_id"] for s in plan.json()["steps"]}
    assert got == dict(zip(CALLERS, row.expect, strict=True))
