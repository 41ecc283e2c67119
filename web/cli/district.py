"""`walkthrough demo` (the demo district) and `walkthrough init` (a district of its own,
with its first organizer and their sign-in link)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import msgspec
import typer

from walkthrough.district import unique_user_id
from walkthrough.errors import DomainError
from walkthrough.events import DistrictNamed, PersonRegistered
from web.cli.store import opened, upgrade_read_models
from web.demo.district import CURRENT_VISIT, DEMO_USERS, DISTRICT, load_demo
from web.render import qr


def demo(
    tokens: Annotated[bool, typer.Option(help="Print a sign-in token per demo user")] = False,
) -> None:
    """Load the demo district (once; running it again changes nothing)."""
    with opened() as services:
        loaded = load_demo(services.app)
        upgrade_read_models(services)
        services.projector.catch_up()
        if not loaded and services.app.district().name != DISTRICT.name:
            typer.echo("error: this store holds a district of its own; the demo loads only "
                       "into an empty store (set WALKTHROUGH_DATA_DIR elsewhere)", err=True)
            raise typer.Exit(code=1)
        typer.echo("demo district loaded" if loaded else "demo district already loaded")
        typer.echo(f"current visit (Lincoln Middle, phase observation): {CURRENT_VISIT}")
        typer.echo("host1's growth record: /people/host1/growth (as host1, or coach1, "
                   "their peer); the district's: /growth (as organizer1)")
        if tokens:
            ttl = timedelta(days=services.settings.token_ttl_days)
            for user_id in DEMO_USERS:
                token = services.tokens.issue(user_id, services.clock(), ttl)
                typer.echo(f"  {user_id:<11} {token}")
            typer.echo("  or, for a tablet, a one-time sign-in link and its QR code: walkthrough "
                       "link <user> --base-url http://<this machine's address>:8000")


def init(
    district: Annotated[str, typer.Option(help="The district's name")],
    organizer_email: Annotated[str, typer.Option(
        help="The first organizer's email (how they sign in)")],
    organizer_name: Annotated[str, typer.Option(help="The first organizer's name")],
    base_url: Annotated[str, typer.Option(
        help="This server as the organizer reaches it: scheme://host[:port]")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Start a district of its own on an empty store: its name and first organizer, and
    a one-time sign-in link for them (alone on the last line)."""
    with opened() as services:
        existing = services.app.district()
        if existing.is_set_up():
            typer.echo(f"error: this store already has a district "
                       f"({existing.name or 'the demo district'}); init works on an empty "
                       "store only", err=True)
            raise typer.Exit(code=1)
        try:
            named = msgspec.convert({"name": district}, DistrictNamed)
            organizer = msgspec.convert(
                {"user_id": unique_user_id(existing, organizer_email), "name": organizer_name,
                 "roles": ["organizer"], "email": organizer_email.strip().lower()},
                PersonRegistered)
        except msgspec.ValidationError as exc:
            typer.echo(f"error: {_option_error(exc)}", err=True)
            raise typer.Exit(code=2) from None
        try:
            services.app.administer([named, organizer])
            made = services.signin_links.make(organizer.user_id, base_url, services.clock())
        except DomainError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(code=1) from None
    typer.echo(f"district {district!r} created; its first organizer is {organizer_name} "
               f"<{organizer.email}> (user id {organizer.user_id})")
    typer.echo(qr.for_terminal(made.url), nl=False)
    typer.echo(f"sign-in link for {organizer.user_id}: it works once, until "
               f"{made.expires_at.astimezone():%H:%M %Z}; later ones: walkthrough link "
               f"{organizer.email} --base-url {base_url}")
    typer.echo(made.url)


def _option_error(exc: msgspec.ValidationError) -> str:
    """A schema error in the words of the command's options."""
    where = str(exc).rpartition("at `$.")[2].rstrip("`")
    if where in ("email", "user_id"):
        return "--organizer-email: not an email address (name@example.org)"
    return f"--district or --organizer-name: {str(exc).partition(' - at')[0]}"
