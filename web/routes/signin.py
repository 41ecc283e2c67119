"""Signing a device in with a one-time link.

The link is `<origin>/signin#code=<code>`. The code rides in the fragment, which a
browser never sends anywhere (not in the request line, so not in access logs; not in
Referer), and the app exchanges it with `POST /api/signin/link` for a device token,
stored like a pasted one. That route takes no bearer token - the code is the
credential - and refused codes are rate-limited per code, and per client address with
a bound ten times higher (web.http.ratelimit).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from walkthrough.errors import DomainError
from web.http.context import body, services
from web.http.origin import request_origin
from web.http.ratelimit import check_signin_failures, count_signin_failure
from web.http.responses import JSON
from web.http.routing import Endpoint

MAX_BODY_BYTES = 4096  # a code and its JSON braces; anyone may call this route


class LinkRedemption(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class SignedInUser(msgspec.Struct):
    """The same user as in `GET /api/me`."""

    id: str
    name: str
    roles: list[str]
    school_id: str | None


class SignedIn(msgspec.Struct):
    token: str
    user: SignedInUser


async def redeem_link(request: Request) -> Response:
    found = services(request)
    check_signin_failures(request)
    form = await body(request, LinkRedemption, MAX_BODY_BYTES)
    check_signin_failures(request, form.code)
    origin = request_origin(request)
    token_ttl = timedelta(days=found.settings.token_ttl_days)

    def redeem() -> SignedIn:
        redeemed = found.signin_links.redeem(form.code, origin, found.clock(), token_ttl)
        person = found.app.district().person(redeemed.user_id)
        return SignedIn(token=redeemed.token, user=SignedInUser(
            id=person.user_id, name=person.name, roles=list(person.roles),
            school_id=person.school_id))

    try:
        return JSON(await run_in_threadpool(redeem))
    except DomainError:
        count_signin_failure(request, form.code)
        raise


ENDPOINTS = [
    Endpoint("post", "/api/signin/link", redeem_link, "Sign a device in: exchange a sign-in "
             "link's code (from #code= in the link) for a device token. No bearer token: the "
             "code is the credential. 401 link_invalid, link_wrong_host (made for another "
             "origin) or unauthorized (revoked or unregistered user); 410 link_used or "
             "link_expired; 429 after repeated refusals of one code, or many from one "
             "address", public=True,
             body=LinkRedemption, answer=SignedIn, errors=(410, 429)),
]
