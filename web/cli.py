"""The `walkthrough` command: serve, demo, token."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
import uvicorn

from walkthrough.demo import CURRENT_VISIT, DEMO_USERS, load_demo
from walkthrough.errors import NotFound
from web.bootstrap import bootstrap
from web.settings import Settings

cli = typer.Typer(help="walkthrough: nonevaluative peer observation visits, event-sourced.",
                  no_args_is_help=True, add_completion=False)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Serve the API and the tablet app."""
    settings = Settings.from_env()
    typer.echo(f"walkthrough on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    typer.echo(f"store: {settings.sqlite_path}")
    uvicorn.run("web.app:create_app", factory=True, host=host, port=port,
                log_level="info", proxy_headers=False, server_header=False)


@cli.command()
def demo(
    tokens: Annotated[bool, typer.Option(help="Print a sign-in token per demo user")] = False,
) -> None:
    """Load the demo district (once; running it again changes nothing)."""
    services = bootstrap(Settings.from_env())
    try:
        loaded = load_demo(services.app)
        services.projector.catch_up()
        typer.echo("demo district loaded" if loaded else "demo district already loaded")
        typer.echo(f"current visit (Lincoln Middle, phase observation): {CURRENT_VISIT}")
        if tokens:
            ttl = timedelta(days=services.settings.token_ttl_days)
            for user_id in DEMO_USERS:
                token = services.tokens.issue(user_id, services.clock(), ttl)
                typer.echo(f"  {user_id:<11} {token}")
    finally:
        services.close()


@cli.command()
def token(
    user: Annotated[str, typer.Argument(help="User id, e.g. coach1")],
    revoke: Annotated[bool, typer.Option(help="Revoke all of the user's tokens")] = False,
    days: Annotated[int | None, typer.Option(help="Days until the token expires")] = None,
) -> None:
    """Issue a bearer token for a user (printed alone on the last line), or revoke them."""
    services = bootstrap(Settings.from_env())
    try:
        try:
            services.app.actor(user)
        except NotFound as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(code=2) from None
        if revoke:
            count = services.tokens.revoke_all(user, services.clock())
            typer.echo(f"revoked {count} token(s) of {user}")
            return
        ttl = timedelta(days=days if days is not None else services.settings.token_ttl_days)
        typer.echo(f"token for {user}, valid {ttl.days} days:")
        typer.echo(services.tokens.issue(user, services.clock(), ttl))
    finally:
        services.close()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
