"""Bearer-token authentication for every /api/ route (health, docs and static are open)."""

from __future__ import annotations

from starlette.requests import Request

from walkthrough.errors import NotFound
from walkthrough.tokens import Unauthorized
from walkthrough.visit import Actor
from web.bootstrap import Services


def authenticate(request: Request) -> Actor:
    """The caller, from `Authorization: Bearer <token>`; Unauthorized otherwise."""
    services: Services = request.app.state.services
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <token>")
    user_id = services.tokens.user_for(token.strip(), services.clock())
    try:
        return services.app.actor(user_id)
    except NotFound:
        raise Unauthorized("the token's user is no longer registered") from None
