"""Sign-in links by email, and what the sign-in screen offers.

`POST /api/signin/email {"email": ...}` takes no bearer token: when the address is a
registered, active person's, a one-time link (web.routes.signin, 15 minutes, once, for the
origin the request came to) is queued for them (web.composition.mail). The answer is the same
whether or not the address is known, and the looking up and queueing happen after the
answer is sent, so neither the words nor the time tell who is registered. Requests are
limited per address and per client address. Organizers send the same email to one
person from the People screen (`POST /api/people/{user_id}/signin-email`).

The email carries the link and nothing else: no teacher, no visit, not even the
person's own name.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Annotated

import msgspec
from eventsourcing.persistence import PersistenceError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from walkthrough.errors import DomainError, NotFound
from web.composition.bootstrap import Services
from web.http.context import body, services
from web.http.errors import RequestError
from web.http.origin import request_origin
from web.http.responses import JSON
from web.http.routing import Endpoint

log = logging.getLogger("walkthrough.signin")
MAX_BODY_BYTES = 4096
SUBJECT = "Your Walkthrough sign-in link"
SENT = ("If this address belongs to someone your district registered, a sign-in link is on "
        "its way to it. The link works once, within 15 minutes, on this address of the app.")


class EmailLinkRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254,
                                       pattern=r"^\s*[^@\s]+@[^@\s]+\s*$")]


class EmailLinkAsked(msgspec.Struct):
    message: str


class EmailLinkSent(msgspec.Struct):
    user_id: str
    email: str
    expires_at: datetime


class OidcOption(msgspec.Struct):
    name: str  # the button says "Sign in with <name>"
    url: str  # where the button goes


class SignInOptions(msgspec.Struct):
    """What the sign-in screen offers besides a link: the district's own account (when set
    up) and a link by email (when a mail server is set up)."""

    oidc: OidcOption | None
    email: bool


def email_body(url: str) -> str:
    return (
        "Someone asked for a link to sign in to Walkthrough with this address.\n\n"
        "Open this link on the tablet or computer you want to sign in. It works once, "
        "within 15 minutes:\n\n"
        f"{url}\n\n"
        "If you did not ask for it, you can ignore this email: nobody can use the link "
        "without it.\n")


def check_email_limits(found: Services, address: str, client: str) -> None:
    """Take one sign-in email for the client address and for the email address; 429 with
    Retry-After when either has asked for too many this hour."""
    for buckets, key, what in ((found.signin_email_per_client, client,
                                "from this device's network"),
                               (found.signin_email_per_address, address,
                                "for this address")):
        wait = buckets.take(key) if buckets is not None else 0.0
        if wait > 0:
            raise HTTPException(
                429, f"too many sign-in emails were asked {what}; try again in "
                     f"{math.ceil(wait / 60)} min",
                headers={"Retry-After": str(max(1, math.ceil(wait)))})


def send_link(found: Services, user_id: str, address: str, origin: str) -> EmailLinkSent:
    """Make a one-time link for the person and queue it to their address."""
    link = found.signin_links.make(user_id, origin, found.clock())
    found.mail.send(address, SUBJECT, email_body(link.url), expires_at=link.expires_at)
    return EmailLinkSent(user_id=user_id, email=address, expires_at=link.expires_at)


def _send_if_registered(found: Services, address: str, origin: str) -> None:
    """After the answer: a link for the address's person, if they are registered and
    active; nothing (and nothing told) otherwise."""
    try:
        person = found.app.district().person_by_email(address)
        if person is None or not found.app.district().is_active(person.user_id):
            return
        send_link(found, person.user_id, address, origin)
    except (DomainError, PersistenceError):
        log.warning("a sign-in email was not queued", exc_info=True)


async def email_link(request: Request) -> Response:
    found = services(request)
    if not found.mail.configured:
        raise DomainError("Sign-in links by email are not set up here; ask your program "
                          "organizer for a link", code="mail_not_configured")
    form = await body(request, EmailLinkRequest, MAX_BODY_BYTES)
    address = form.email.strip().lower()
    origin = request_origin(request)
    client = request.client.host if request.client is not None else ""
    check_email_limits(found, address, client)
    answer = JSON(EmailLinkAsked(message=SENT), status_code=202)
    answer.background = BackgroundTask(run_in_threadpool, _send_if_registered, found,
                                       address, origin)
    return answer


async def send_link_to_person(request: Request) -> Response:
    found = services(request)
    user_id = request.path_params["user_id"]
    origin = request_origin(request)
    if not found.mail.configured:
        raise DomainError("Email is not set up here (WALKTHROUGH_SMTP_URL and "
                          "WALKTHROUGH_MAIL_FROM); make a link to show instead",
                          code="mail_not_configured")

    def send() -> EmailLinkSent:
        person = found.app.district().people.get(user_id)
        if person is None:
            raise NotFound(f"user {user_id!r} is not registered", code="unknown_user")
        if person.email is None:
            raise RequestError(422, "no_email", f"{person.name} has no email address; make "
                               "a link to show instead")
        return send_link(found, user_id, person.email, origin)

    return JSON(await run_in_threadpool(send), status_code=202)


async def signin_options(request: Request) -> Response:
    settings = services(request).settings
    oidc = (OidcOption(name=settings.oidc_name, url="/auth/oidc/start")
            if settings.oidc_enabled else None)
    return JSON(SignInOptions(oidc=oidc, email=services(request).mail.configured))


ENDPOINTS = [
    Endpoint("get", "/api/signin/options", signin_options, "What the sign-in screen offers: "
             "the district's own account (OpenID Connect; the button's name and where it "
             "goes) and sign-in links by email. No bearer token", public=True,
             answer=SignInOptions),
    Endpoint("post", "/api/signin/email", email_link, "Email a one-time sign-in link (15 "
             "minutes, once, for the origin of this request) to a registered, active "
             "person's address. No bearer token. The answer is the same whether or not the "
             "address is known; 429 after too many requests for one address or from one "
             "client; 422 mail_not_configured when no mail server is set up", public=True,
             body=EmailLinkRequest, answer=EmailLinkAsked, status=202, errors=(429,)),
    Endpoint("post", "/api/people/{user_id}/signin-email", send_link_to_person, "Email a "
             "person a one-time sign-in link for the caller's origin (organizers); 422 "
             "no_email when they have no address", roles=("organizer",),
             answer=EmailLinkSent, status=202),
]
