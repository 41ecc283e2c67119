"""The PWA shell and static assets (no token needed), plus health."""

from __future__ import annotations

from pathlib import Path

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from web.context import services
from web.errors import RequestError
from web.responses import JSON

STATIC = Path(__file__).parent / "static"


class Health(msgspec.Struct):
    status: str
    projected_position: int


async def health(request: Request) -> Response:
    position = await run_in_threadpool(services(request).projector.position)
    return JSON(Health(status="ok", projected_position=position))


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
