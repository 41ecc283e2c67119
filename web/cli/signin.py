"""`walkthrough token` (a bearer token, or every token and link of a user revoked) and
`walkthrough link` (a one-time sign-in link with its QR code)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from walkthrough.errors import DomainError, NotFound, Unauthorized
from web.cli.store import opened
from web.composition.bootstrap import Services
from web.render import qr


def _user_id(services: Services, user: str) -> str:
    """A user id, or the id of the person with this email; exit 2 when unknown."""
    if "@" not in user:
        return user
    person = services.app.district().person_by_email(user)
    if person is None:
        typer.echo(f"error: nobody is registered with the email {user!r}", err=True)
        raise typer.Exit(code=2)
    return person.user_id


def token(
    user: Annotated[str, typer.Argument(help="User id or email, e.g. coach1")],
    revoke: Annotated[bool, typer.Option(
        help="Revoke all of the user's tokens and unused sign-in links")] = False,
    days: Annotated[int | None, typer.Option(help="Days until the token expires")] = None,
) -> None:
    """Issue a bearer token for a user (printed alone on the last line), or revoke the
    user's tokens and unused sign-in links."""
    with opened() as services:
        user = _user_id(services, user)
        try:
            services.app.actor(user)
        except (NotFound, Unauthorized) as exc:
            if not (revoke and isinstance(exc, Unauthorized)):
                typer.echo(f"error: {exc.message}", err=True)
                raise typer.Exit(code=2) from None
        if revoke:
            now = services.clock()
            tokens = services.tokens.revoke_all(user, now)
            links = services.signin_links.revoke_all(user, now)
            typer.echo(f"revoked {tokens} token(s) and {links} unused sign-in link(s) of {user}")
            return
        ttl = timedelta(days=days if days is not None else services.settings.token_ttl_days)
        typer.echo(f"token for {user}, valid {ttl.days} days:")
        typer.echo(services.tokens.issue(user, services.clock(), ttl))


def link(
    user: Annotated[str, typer.Argument(help="User id or email, e.g. coach1")],
    base_url: Annotated[str, typer.Option(
        help="This server as the tablet reaches it: scheme://host[:port]")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Make a one-time sign-in link for a user: a QR code for a tablet's camera, and the
    link alone on the last line. It works once, for 15 minutes, at that address."""
    try:
        with opened() as services:
            user = _user_id(services, user)
            made = services.signin_links.make(user, base_url, services.clock())
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(qr.for_terminal(made.url), nl=False)
    until = made.expires_at.astimezone()
    typer.echo(f"sign-in link for {user}: scan the code or open the link; it works once, "
               f"until {until:%H:%M %Z}")
    typer.echo(made.url)
