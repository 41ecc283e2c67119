"""The `walkthrough` command line (typer), one module per command group."""
