"""Rate limits, with a token bucket per key: sync requests per bearer token, and
failed sign-in link redemptions per client address.

A tablet's outbox drains in a few requests, so the sync default is generous; the
limit is there to stop a copied token or a stuck client from flooding the store.
Sync buckets are keyed by a hash of the token, so no token is kept in memory.
A sign-in link is opened once, so a handful of failures from one address is already
unusual: beyond that, the address waits before it may try another code.
Buckets live in this process: with several server processes the limits are per
process.
"""

from __future__ import annotations

import math

from starlette.exceptions import HTTPException
from starlette.requests import Request

from web.auth import Caller
from web.context import services


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


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def check_signin_failures(request: Request) -> None:
    """Raise 429 with Retry-After while the caller's address has used up its failed
    sign-in link redemptions; call before looking at the code."""
    buckets = services(request).signin_limit
    wait = buckets.wait(_address(request)) if buckets is not None else 0.0
    if wait > 0:
        raise HTTPException(
            429, f"too many refused sign-in links from this address; retry in "
                 f"{math.ceil(wait)} s", headers={"Retry-After": str(max(1, math.ceil(wait)))})


def count_signin_failure(request: Request) -> None:
    """One more refused sign-in link from the caller's address."""
    buckets = services(request).signin_limit
    if buckets is not None:
        buckets.take(_address(request))
