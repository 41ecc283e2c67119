"""Pages for people: the debrief agenda and the trends, readable in a browser.

Each page is a static shell (no data, so no token is needed to fetch it) that loads
an ES module; the module reads the bearer token the app keeps in localStorage,
fetches the JSON and the server-drawn SVG charts with it, and renders them. No
inline script or style, so the CSP (`script-src 'self'; style-src 'self'`) holds.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

PAGES = {
    "debrief": ("Debrief agenda", "/static/js/pages/debrief.js"),
    "school-trends": ("School trends", "/static/js/pages/trends.js"),
    "district-trends": ("District trends", "/static/js/pages/trends.js"),
    "never-show": ("What this system can never show", "/static/js/pages/never-show.js"),
}


def shell(page: str, **ids: str) -> str:
    title, module = PAGES[page]
    data = "".join(f' data-{name.replace("_", "-")}="{escape(value)}"'
                   for name, value in ids.items())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · Walkthrough</title>"
        '<link rel="stylesheet" href="/static/app.css">'
        '<link rel="stylesheet" href="/static/pages.css">'
        f'<script type="module" src="{module}"></script></head>'
        '<body class="report-page"><header class="report-header">'
        '<a href="/">← Walkthrough</a></header>'
        f'<main id="main" class="report" data-page="{page}"{data}>'
        '<p class="loading">Loading…</p></main>'
        '<noscript><p>This page needs JavaScript.</p></noscript></body></html>'
    )


def _page(page: str, **ids: str) -> Response:
    return HTMLResponse(shell(page, **ids), headers={"Cache-Control": "no-cache"})


async def debrief_page(request: Request) -> Response:
    return _page("debrief", visit_id=request.path_params["visit_id"])


async def school_trends_page(request: Request) -> Response:
    return _page("school-trends", school_id=request.path_params["school_id"])


async def district_trends_page(request: Request) -> Response:
    return _page("district-trends")


async def never_show_page(request: Request) -> Response:
    return _page("never-show")


routes = [
    Route("/reports/visits/{visit_id}/debrief", debrief_page, methods=["GET", "HEAD"]),
    Route("/reports/schools/{school_id}/trends", school_trends_page, methods=["GET", "HEAD"]),
    Route("/reports/trends", district_trends_page, methods=["GET", "HEAD"]),
    Route("/reports/never-show", never_show_page, methods=["GET", "HEAD"]),
]
