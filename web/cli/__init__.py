"""The `walkthrough` command line (typer), one module per command group; `web.cli.commands`
gathers them. `main` stays here, where the installed `walkthrough` script looks for it."""

from web.cli.commands import cli, main

__all__ = ["cli", "main"]
