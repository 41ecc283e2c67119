"""Rate limits, with a token bucket per key: sync requests per bearer token, and
failed sign-in link redemptions per client address.

A tablet's outbox drains in a few requests, so the sync default is generous; the
limit is there to stop a copied token or a stuck client from flooding the store.
Sync buckets are keyed by a hash of the token, so no token is kept in memory.
A sign-in link is opened once, so a handful of failures with one code is already
unusual: beyond that, that code waits. A school's tablets share one address, so an
address has a bound ADDRESS_FACTOR times higher (each failure costs its bucket a
fraction): one device retrying a bad code cannot keep the other tablets there from
signing in, while guessing codes from one address is still held back.
Buckets live in this process: with several server processes the limits are per
process.
"""

from __future__ import annotations

import hashlib
import math

from starlette.exceptions import HTTPException
from starlette.requests import Request

from web.http.auth import Caller
from web.http.context import services


def check_sync_rate(request: Request) -> None:
    """Raise 429 with Retry-After when the caller's token is over the sync rate.

    Call after authentication, so only valid tokens get a bucket (keyed by the hash
    the authentication already made)."""
    buckets = services(request).sync_limit
    user = request.user
    if buckets is None or not isinstance(user, Caller):
        return  # limit switched off, or nobody to count
    wait = buckets.take(user.token_key)
    if wait > 0:
        raise HTTPException(
            429, f"too many sync requests; retry in {math.ceil(wait)} s",
            headers={"Retry-After": str(max(1, math.ceil(wait)))})


def check_link_rate(request: Request) -> None:
    """Raise 429 with Retry-After when the caller has made more sign-in links than the
    limit allows (web.composition.bootstrap.LINKS_BURST at once, then LINKS_PER_MINUTE)."""
    user = request.user
    if not isinstance(user, Caller):
        return
    wait = services(request).link_limit.take(user.actor.user_id)
    if wait > 0:
        raise HTTPException(
            429, f"too many sign-in links made; retry in {math.ceil(wait)} s",
            headers={"Retry-After": str(max(1, math.ceil(wait)))})


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


ADDRESS_FACTOR = 10  # an address may fail this many times as often as one code
ADDRESS_COST = 1.0 / ADDRESS_FACTOR


def _signin_keys(request: Request, code: str | None) -> list[tuple[str, float, str]]:
    keys = [(f"address:{_address(request)}", ADDRESS_COST, "from this address")]
    if code is not None:  # keyed by a hash: no code is kept in memory
        digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()
        keys.append((f"code:{digest}", 1.0, "with this code"))
    return keys


def check_signin_failures(request: Request, code: str | None = None) -> None:
    """Raise 429 with Retry-After while the caller's address (or, given, the code) has
    used up its failed sign-in link redemptions; call before redeeming the code."""
    buckets = services(request).signin_limit
    if buckets is None:
        return
    for key, cost, where in _signin_keys(request, code):
        wait = buckets.wait(key, cost)
        if wait > 0:
            raise HTTPException(
                429, f"too many refused sign-in links {where}; retry in {math.ceil(wait)} s",
                headers={"Retry-After": str(max(1, math.ceil(wait)))})


def count_signin_failure(request: Request, code: str | None = None) -> None:
    """One more refused sign-in link from the caller's address (and with the code)."""
    buckets = services(request).signin_limit
    if buckets is not None:
        for key, cost, _ in _signin_keys(request, code):
            buckets.take(key, cost)
