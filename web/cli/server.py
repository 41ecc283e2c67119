"""`walkthrough serve` (the API and the tablet app, with a projector process beside the
workers) and `walkthrough project` (that projector process)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer
import uvicorn

from web.cli.store import open_services, opened, read_settings
from web.composition.projector_process import run_process, start_process, stop_process
from web.composition.storage import storage_for
from web.http.edge import KEEP_ALIVE_SECONDS

PROJECTOR_START_ATTEMPTS = 30


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, help="Server processes; each opens the store itself (any number on "
                    "PostgreSQL, also on other machines; SQLite: one machine)")] = 1,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        envvar="WALKTHROUGH_FORWARDED_ALLOW_IPS",
        help="Comma-separated addresses or networks of the reverse proxy in front (e.g. "
             "127.0.0.1): X-Forwarded-For/-Proto are trusted from these alone, so client "
             "addresses, rate limits and https:// are right behind it; unset: never")] = None,
) -> None:
    """Serve the API and the tablet app."""
    settings = read_settings()
    proxies = _proxy_addresses(forwarded_allow_ips)
    # Create the tables once here, so the workers start on a ready store.
    with opened(settings):
        pass
    typer.echo(f"walkthrough on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    typer.echo(f"store: {storage_for(settings).describe()}, {workers} worker(s) "
               "and a projector process")
    projector = start_process()  # the workers leave projecting to it
    try:
        uvicorn.run("web.app:create_worker_app", factory=True, host=host, port=port,
                    workers=workers, log_level="info", proxy_headers=bool(proxies),
                    forwarded_allow_ips=proxies or None, server_header=False,
                    timeout_keep_alive=KEEP_ALIVE_SECONDS)
    finally:
        stop_process(projector)


def _proxy_addresses(value: str | None) -> list[str]:
    """The trusted proxies' addresses, each an IP address or network; exit 2 otherwise
    (a typo must not silently trust every client, nor none)."""
    if value is None or not value.strip():
        return []
    addresses = [item.strip() for item in value.split(",") if item.strip()]
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            typer.echo(f"error: --forwarded-allow-ips: {address!r} is not an IP address or "
                       "network (list the reverse proxy's addresses, e.g. 127.0.0.1)", err=True)
            raise typer.Exit(code=2) from None
    return addresses


def project(
    parent: Annotated[int | None, typer.Option(
        help="Stop when this process (the server that started it) is gone")] = None,
) -> None:
    """Keep the read models up to date (`serve` runs this beside its workers)."""
    # Started beside a server that may already be taking syncs: a store locked by its
    # writes at startup is waited for, not fatal (else nothing projects until a read).
    run_process(open_services(read_settings(), attempts=PROJECTOR_START_ATTEMPTS), parent)
