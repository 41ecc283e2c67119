"""The Starlette application: routes, error handlers, security headers, lifespan."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator

import msgspec
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.composition.bootstrap import Services, bootstrap
from web.composition.notices import Notices
from web.composition.projector_process import THREAD_INTERVAL_SECONDS, upgrade_read_models
from web.composition.runtime import tune_gc
from web.composition.settings import Settings
from web.endpoints import ENDPOINTS
from web.http import openapi, routing
from web.http.auth import TokenBackend
from web.http.edge import BodyTimeout, RefuseUnstorable
from web.http.errors import EXCEPTION_HANDLERS
from web.routes import oidc, pages, reports

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HSTS = b"max-age=31536000"


class SecurityHeaders:
    """Headers every response carries; pages get a CSP without inline script."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                if scope.get("scheme") == "https":
                    # Only over HTTPS (behind a trusted proxy that ends TLS, the scheme
                    # it forwarded): a browser then refuses plain http for a year.
                    headers.append((b"strict-transport-security", HSTS))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Starlette:
    owned = services is None
    services = services or bootstrap(settings or Settings.from_env())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stopping = threading.Event()
        if services.settings.background_projector:
            # This process keeps the read models warm: after every write it answers,
            # and every few seconds for what other processes wrote.
            services.catchup.start(THREAD_INTERVAL_SECONDS,
                                   prepare=lambda: upgrade_read_models(services))
        mailer = None
        if services.mail.configured:
            mailer = threading.Thread(
                target=services.mail.keep_delivering, args=(stopping,),
                kwargs={"notices": Notices(services)}, name="mail", daemon=True)
            mailer.start()
        try:
            yield
        finally:
            stopping.set()
            services.mail.wake.set()
            services.catchup.stop()
            if mailer is not None:
                mailer.join(timeout=5)
            if owned:
                services.close()

    app = Starlette(
        routes=[
            *pages.routes,
            Route("/openapi.json", openapi.openapi, methods=["GET"]),
            Route("/docs", openapi.docs, methods=["GET"]),
            *routing.routes(ENDPOINTS),
            *reports.routes,
            *oidc.routes,
            *pages.shell_routes,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(RefuseUnstorable),  # ids no store can hold: 400, on every backend
            Middleware(BodyTimeout),  # a body that stops arriving: 408
            # The token, resolved once per request, before any route (web.http.auth).
            Middleware(AuthenticationMiddleware, backend=TokenBackend(services)),
            # Only the OpenID sign-in's state, nonce and PKCE verifier, for its two
            # routes and a few minutes (web.routes.oidc).
            Middleware(SessionMiddleware, secret_key=services.session_secret,
                       session_cookie=oidc.SESSION_COOKIE, max_age=oidc.SESSION_SECONDS,
                       path=oidc.SESSION_PATH, same_site="lax"),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.oidc = (oidc.DistrictAccount(services.settings)
                      if services.settings.oidc_enabled else None)
    return app


def create_worker_app() -> Starlette:
    """A worker of `walkthrough serve`: the settings from the environment, but its
    catch-up thread only runs for reads that wait for a position (serve runs one
    projector process beside its workers)."""
    tune_gc()
    settings = msgspec.structs.replace(Settings.from_env(), background_projector=False)
    return create_app(settings)
