"""Where the caller opened the app: the origin sign-in links, calendar feeds and the
district's sign-in are made for."""

from __future__ import annotations

from starlette.requests import Request

from walkthrough.adapters.signin_links import origin_of
from web.http.errors import RequestError


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
