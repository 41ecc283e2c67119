"""The `walkthrough` command: every command group's commands in one typer app."""

from __future__ import annotations

import typer

from walkthrough.adapters.sqlite_integrity import StoreDamaged
from web.cli.analyst import export
from web.cli.backups import backup_command, restore_command
from web.cli.district import demo, init
from web.cli.read_models import replay, verify_command
from web.cli.roster import roster
from web.cli.server import project, serve
from web.cli.signin import link, token
from web.cli.store import STORE_DAMAGED_EXIT

cli = typer.Typer(help="walkthrough: nonevaluative peer observation visits, event-sourced.",
                  no_args_is_help=True, add_completion=False)
cli.command()(serve)
cli.command()(project)
cli.command()(replay)
cli.command(name="verify")(verify_command)
cli.command()(demo)
cli.command()(init)
cli.command()(token)
cli.command()(link)
cli.command()(export)
cli.add_typer(roster, name="roster")
cli.command(name="backup")(backup_command)
cli.command(name="restore")(restore_command)


def main() -> None:
    try:
        cli()
    except StoreDamaged as exc:  # a command that opens the store without _open
        typer.echo(f"error: the store cannot be used: {exc.message}", err=True)
        raise SystemExit(STORE_DAMAGED_EXIT) from None


if __name__ == "__main__":
    main()
