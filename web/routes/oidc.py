"""Signing in with the district's own account: an OpenID Connect relying party
(Authlib's Starlette client), on when `WALKTHROUGH_OIDC_ISSUER` and
`WALKTHROUGH_OIDC_CLIENT_ID` are set.

`GET /auth/oidc/start` sends the browser to the provider with the authorization code
flow, PKCE (S256), `state` and `nonce` (kept in a short-lived signed cookie scoped to
/auth/oidc). `GET /auth/oidc/callback` exchanges the code, and Authlib checks the ID
token's signature against the provider's keys, its issuer, expiry and nonce; here the
audience must name this client, a multi-tenant Entra issuer must be the token's own
allowed tenant, and the email must be verified. The person is then found by that email
among the district's registered, active people - and the device gets exactly what a
one-time link gives: the browser is sent on to `/signin#code=...` (web.routes.signin), which
the app exchanges for its own device token. So a tablet signed in this way works offline
for days like any other, signing out of the provider empties no outbox, and deactivating
the person ends their devices.

Everything refused ends on a page that says what to do and creates nothing: a provider
that cannot be reached (and the link and email options still offered), a state that is
missing or stale, a code the provider refuses (a replayed one), an ID token that is
tampered with, expired, or for another issuer or audience, an unverified email, and
anyone the district has not registered - told so in words that reveal nothing about who
is registered.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import httpx2
from authlib.integrations.starlette_client import (  # type: ignore[import-untyped]
    OAuth,
    OAuthError,
)
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from walkthrough.errors import DomainError
from web.composition.settings import Settings
from web.http.context import services
from web.http.origin import request_origin

log = logging.getLogger("walkthrough.oidc")
CLIENT_NAME = "district"
CALLBACK_PATH = "/auth/oidc/callback"
START_PATH = "/auth/oidc/start"
SESSION_COOKIE = "walkthrough_oidc"
SESSION_PATH = "/auth/oidc"
SESSION_SECONDS = 600  # from the button to the provider's answer
HTTP_TIMEOUT_SECONDS = 10
TENANT_PLACEHOLDER = "{tenantid}"  # Entra's multi-tenant issuer: .../{tenantid}/v2.0


class Refused(Exception):
    """A sign-in that does not go through: the page's status, title and words; `why` is
    for the log only."""

    def __init__(self, status: int, title: str, words: str, why: str) -> None:
        super().__init__(why)
        self.status, self.title, self.words, self.why = status, title, words, why


def _failed(why: str) -> Refused:
    return Refused(400, "That sign-in did not go through",
                   "Nothing was changed. Start again from the sign-in screen; if it keeps "
                   "happening, use a sign-in link instead.", why)


def _not_registered(name: str) -> Refused:
    return Refused(
        403, "Your district has not registered you for Walkthrough",
        f"You signed in with {name}, but this account is not one your district has "
        "registered for Walkthrough, or it was deactivated. Ask your program organizer "
        "(the person who runs walkthroughs in your district) to add you with this "
        "account's email address. Nothing was created.", "not a registered, active person")


class DistrictAccount:
    """The district's OpenID provider, as configured."""

    def __init__(self, settings: Settings) -> None:
        assert settings.oidc_issuer
        assert settings.oidc_client_id
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.name = settings.oidc_name
        self.tenants = frozenset(settings.oidc_tenant_ids)
        self.domains = frozenset(settings.oidc_email_domains)
        oauth = OAuth()
        self.client = oauth.register(
            CLIENT_NAME, client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                           "timeout": HTTP_TIMEOUT_SECONDS})

    async def start(self, request: Request) -> Response:
        redirect_uri = f"{request_origin(request)}{CALLBACK_PATH}"
        try:
            answer: Response = await self.client.authorize_redirect(request, redirect_uri)
        except (httpx2.HTTPError, ValueError) as exc:
            raise self._down(exc) from None
        return answer

    async def verified_email(self, request: Request) -> str:
        """The callback's verified email, once every check passed; Refused otherwise."""
        try:
            token = await self.client.authorize_access_token(
                request, claims_options={"iss": {"essential": True,
                                                 "validate": self._issuer_ok}})
        except httpx2.HTTPError as exc:
            raise self._down(exc) from None
        except OAuthError as exc:  # the provider's error, a bad state, a refused code
            raise _failed(f"OAuth: {exc.error}: {exc.description}") from None
        except JoseError as exc:  # signature, issuer, expiry, nonce
            raise _failed(f"ID token: {type(exc).__name__}: {exc}") from None
        except ValueError as exc:  # an answer that is not JSON
            raise _failed(f"provider's answer: {exc}") from None
        claims: dict[str, Any] | None = token.get("userinfo")
        if claims is None:
            raise _failed("no ID token in the provider's answer")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.client_id not in audiences:
            raise _failed(f"ID token for another audience: {audiences}")
        if self.tenants and claims.get("tid") not in self.tenants:
            raise _failed(f"tenant {claims.get('tid')!r} is not allowed")
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise Refused(403, "Your account did not share its email address",
                          f"{self.name} did not tell us this account's email address, which "
                          "is how your district registers people. Ask your district's IT "
                          "office, or use a sign-in link instead.", "no email claim")
        # Verified by the provider; or, for Entra, an account of the district's own
        # allowed tenant (Entra sends no email_verified; its tenant vouches for it).
        verified = claims.get("email_verified") in (True, "true") or (
            bool(self.tenants) and claims.get("tid") in self.tenants)
        if not verified:
            raise Refused(403, "Your account's email address is not verified",
                          f"{self.name} has not verified this account's email address, so "
                          "it cannot be used to sign in. Verify it with your provider, or "
                          "use a sign-in link instead.", "email not verified")
        email = email.strip().lower()
        if self.domains and email.rpartition("@")[2] not in self.domains:
            raise _not_registered(self.name)
        return email

    def _issuer_ok(self, claims: dict[str, Any], issuer: object) -> bool:
        """The token's `iss` is the provider's own: the configured issuer, or for a
        multi-tenant Entra issuer, that issuer with the token's own (allowed) tenant."""
        published = str(self.client.server_metadata.get("issuer", "")).rstrip("/")
        if TENANT_PLACEHOLDER in published:
            tenant = claims.get("tid")
            if not isinstance(tenant, str) or not tenant:
                return False
            if self.tenants and tenant not in self.tenants:
                return False
            return issuer == published.replace(TENANT_PLACEHOLDER, tenant)
        return isinstance(issuer, str) and issuer.rstrip("/") == self.issuer == published

    def _down(self, exc: Exception) -> Refused:
        return Refused(
            503, f"{self.name} cannot be reached right now",
            f"Signing in with {self.name} is not possible at the moment. You can still sign "
            "in with a link: ask for one by email on the sign-in screen, or ask your program "
            "organizer. A tablet that is already signed in keeps working.",
            f"provider unreachable: {type(exc).__name__}: {exc}")


def page(refused: Refused) -> Response:
    """A page of its own (outside the app shell, which is not loaded here)."""
    title, words = html.escape(refused.title), html.escape(refused.words)
    return HTMLResponse(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{title} · Walkthrough</title>"
        "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main id=\"main\">"
        f"<h1 data-testid=\"oidc-refused-title\">{title}</h1>"
        f"<p data-testid=\"oidc-refused\">{words}</p>"
        "<p><a href=\"/signin\" data-testid=\"back-to-signin\">Back to the sign-in screen"
        "</a> (sign-in links, and links by email, are there)</p></main></body></html>",
        status_code=refused.status, headers={"Cache-Control": "no-store"})


def _account(request: Request) -> DistrictAccount | None:
    account = getattr(request.app.state, "oidc", None)
    return account if isinstance(account, DistrictAccount) else None


async def start(request: Request) -> Response:
    account = _account(request)
    if account is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        return await account.start(request)
    except Refused as refused:
        log.warning("OpenID sign-in not started: %s", refused.why)
        return page(refused)


async def callback(request: Request) -> Response:
    account = _account(request)
    if account is None:
        return RedirectResponse("/signin", status_code=303)
    found = services(request)
    origin = request_origin(request)
    try:
        email = await account.verified_email(request)

        def link_for_person() -> str:
            district = found.app.district()
            person = district.person_by_email(email)
            if person is None or not district.is_active(person.user_id):
                raise _not_registered(account.name)
            try:
                return found.signin_links.make(person.user_id, origin, found.clock()).url
            except DomainError:  # deactivated between the two looks
                raise _not_registered(account.name) from None

        url = await run_in_threadpool(link_for_person)
    except Refused as refused:
        log.warning("OpenID sign-in refused: %s", refused.why)
        return page(refused)
    # The one-time link's code rides in the fragment, as in an emailed link: the app
    # exchanges it for its own device token (POST /api/signin/link).
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


routes = [
    Route(START_PATH, start, methods=["GET"]),
    Route(CALLBACK_PATH, callback, methods=["GET"]),
]
