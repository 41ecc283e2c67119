"""Signing a device in with a one-time link.

The link is `<origin>/signin#code=<code>`. The code rides in the fragment, which a
browser never sends anywhere (not in the request line, so not in access logs; not in
Referer), and the app exchanges it with `POST /api/signin/link` for a device token,
stored like a pasted one. That route takes no bearer token - the code is the
credential - and refused codes are rate-limited per client address.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from walkthrough.adapters.signin_links import origin_of
from walkthrough.errors import DomainError
from web.bodies import read_body
from web.bootstrap import Services
from web.errors import RequestError
from web.ratelimit import check_signin_failures, count_signin_failure
from web.responses import JSON

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


redemption_decoder = msgspec.json.Decoder(LinkRedemption)


def request_origin(request: Request) -> str:
    """Where the caller opened the app: the `Origin` a browser sends (right behind a
    proxy that ends TLS, too), else the address the request was made to."""
    header = request.headers.get("origin", "")
    if header and header != "null":
        try:
            return origin_of(header)
        except ValueError:
            pass  # not an origin: judge by the address the request was made to
    try:
        return origin_of(str(request.base_url))
    except ValueError:
        raise RequestError(400, "bad_request", "the Host header is not an address") from None


async def redeem_link(request: Request) -> Response:
    services: Services = request.app.state.services
    check_signin_failures(request)
    body = await read_body(request, MAX_BODY_BYTES)
    try:
        form = redemption_decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise RequestError(422, "invalid_request", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise RequestError(400, "bad_request", f"the body is not JSON: {exc}") from None
    origin = request_origin(request)
    token_ttl = timedelta(days=services.settings.token_ttl_days)

    def redeem() -> SignedIn:
        redeemed = services.signin_links.redeem(form.code, origin, services.clock(), token_ttl)
        person = services.app.district().person(redeemed.user_id)
        return SignedIn(token=redeemed.token, user=SignedInUser(
            id=person.user_id, name=person.name, roles=list(person.roles),
            school_id=person.school_id))

    try:
        return JSON(await run_in_threadpool(redeem))
    except DomainError:
        count_signin_failure(request)
        raise


routes = [Route("/api/signin/link", redeem_link, methods=["POST"])]
