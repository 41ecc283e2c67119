"""The PWA shell and static assets (no token needed), plus health."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from web.http.context import services
from web.http.errors import RequestError
from web.http.responses import JSON
from web.http.schemas import Health

STATIC = Path(__file__).parents[1] / "static"
HEALTH_PROBE_TOKEN = "health-probe"  # never issued: looking it up reads the token index


async def health(request: Request) -> Response:
    """Whether this process can serve: a cheap read of each part every request
    touches (the log, the read models' position, the tokens). A store that cannot
    answer is a 503 (web.http.errors), so a load balancer stops sending requests here."""
    found = services(request)

    def probe() -> Health:
        log_position = found.app.recorder.max_notification_id() or 0
        position = found.projector.position()
        found.tokens.known(HEALTH_PROBE_TOKEN)
        return Health(status="ok", projected_position=position, log_position=log_position,
                      lag=max(0, log_position - position))

    return JSON(await run_in_threadpool(probe))


async def shell(request: Request) -> Response:
    """index.html for the app's own paths (client-side routing)."""
    index = STATIC / "index.html"
    if not index.exists():
        raise RequestError(404, "not_found", "the app shell is not installed")
    return FileResponse(index, headers={"Cache-Control": "no-cache"})


def _root_file(name: str, media_type: str) -> Route:
    async def serve(request: Request) -> Response:
        path = STATIC / name
        if not path.exists():
            raise RequestError(404, "not_found", f"{name} is not installed")
        return FileResponse(path, media_type=media_type,
                            headers={"Cache-Control": "no-cache"})

    return Route(f"/{name}", serve, methods=["GET", "HEAD"])


routes = [
    Route("/health", health, methods=["GET"]),
    _root_file("sw.js", "text/javascript"),
    _root_file("manifest.webmanifest", "application/manifest+json"),
    Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
]
shell_routes = [
    Route("/", shell, methods=["GET", "HEAD"]),
    Route("/{path:path}", shell, methods=["GET", "HEAD"]),
]
