"""The `walkthrough` command: serve, demo, token, link, replay, verify."""

from __future__ import annotations

import ipaddress
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import msgspec
import typer
import uvicorn
from eventsourcing.persistence import PersistenceError

from projections.rebuild import rebuild, upgrade, verify
from projections.versions import READ_MODEL_VERSION, stored_version
from walkthrough.adapters.sqlite_integrity import StoreDamaged, check_sqlite_store
from walkthrough.district import unique_user_id
from walkthrough.errors import DomainError, NotFound, StoreUnavailable, Unauthorized
from walkthrough.events import DistrictNamed, PersonRegistered
from web.cli.analyst import export, replay_past
from web.cli.progress import log_progress
from web.cli.roster import roster
from web.composition import backups
from web.composition.bootstrap import Services, bootstrap
from web.composition.projector_process import run_process, start_process, stop_process
from web.composition.settings import Settings
from web.composition.storage import storage_for
from web.demo.district import CURRENT_VISIT, DEMO_USERS, DISTRICT, load_demo
from web.http.edge import KEEP_ALIVE_SECONDS
from web.render import qr

PROJECTOR_START_ATTEMPTS = 30
STORE_DAMAGED_EXIT = 4

cli = typer.Typer(help="walkthrough: nonevaluative peer observation visits, event-sourced.",
                  no_args_is_help=True, add_completion=False)


@cli.command()
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
    settings = _settings()
    proxies = _proxy_addresses(forwarded_allow_ips)
    # Create the tables once here, so the workers start on a ready store.
    _open(settings).close()
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


@cli.command()
def project(
    parent: Annotated[int | None, typer.Option(
        help="Stop when this process (the server that started it) is gone")] = None,
) -> None:
    """Keep the read models up to date (`serve` runs this beside its workers)."""
    # Started beside a server that may already be taking syncs: a store locked by its
    # writes at startup is waited for, not fatal (else nothing projects until a read).
    run_process(_open(_settings(), attempts=PROJECTOR_START_ATTEMPTS), parent)


def _settings() -> Settings:
    """The settings from the environment, or a clear message and exit code 2."""
    try:
        return Settings.from_env()
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None


def _open(settings: Settings, attempts: int = 1) -> Services:
    """The services, or a clear message: exit code 2 for a bad database URL, 3 when
    the store is unreachable (after `attempts` tries, a second apart), 4 when its
    file is damaged, truncated, empty or not a walkthrough store."""
    try:
        storage_for(settings)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    try:
        if settings.postgres is None:
            check_sqlite_store(settings.sqlite_path, thorough=attempts == 1)
    except StoreDamaged as exc:
        typer.echo(f"error: the store cannot be used: {exc.message}", err=True)
        raise typer.Exit(code=STORE_DAMAGED_EXIT) from None
    for attempt in range(1, attempts + 1):
        try:
            return bootstrap(settings)
        except (StoreUnavailable, PersistenceError) as exc:
            if attempt >= attempts:
                typer.echo(f"error: the store is unavailable: {exc}", err=True)
                raise typer.Exit(code=3) from None
            time.sleep(1.0)
    raise AssertionError("unreachable: attempts >= 1")


@cli.command()
def replay(
    until: Annotated[str | None, typer.Option(
        help="A log position or ISO 8601 date/time: build the read models as they were "
             "then into --out (the live ones are not touched)")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Directory for a replay to the past (read-models.sqlite3 and visits/*.json); "
             "default <data dir>/replays/position-N")] = None,
) -> None:
    """Drop every read model and rebuild it from the event log, with progress
    (with --until/--out: the read models as they were, built beside the live ones)."""
    services = _open(_settings())
    try:
        if until is not None or out is not None:
            replay_past(services, until, out)
            return
        total = services.app.recorder.max_notification_id() or 0
        started = time.monotonic()
        with log_progress("replaying the log", total) as progress:
            position = rebuild(services.app, services.read_models, progress=progress)
        elapsed = max(time.monotonic() - started, 1e-9)
        typer.echo(f"rebuilt the read models to position {position} "
                   f"in {elapsed:.1f}s ({position / elapsed:,.0f} events/s)")
    finally:
        services.close()


@cli.command(name="verify")
def verify_command() -> None:
    """Rebuild the read models into a scratch copy and compare with the live ones;
    exit 1 on any difference."""
    services = _open(_settings())
    try:
        _upgrade(services)
        services.projector.catch_up()
        with services.storage.scratch_read_models() as scratch:
            total = services.read_models.max_tracking_id(services.app.name) or 0
            with log_progress("rebuilding a scratch copy", total) as progress:
                position, differences = verify(services.app, services.read_models, scratch,
                                               progress=progress)
    finally:
        services.close()
    if differences:
        typer.echo(f"{len(differences)} read-model row(s) differ from a rebuild "
                   f"at position {position}:", err=True)
        for difference in differences:
            typer.echo(f"  {'/'.join(difference.key)}: live={_short(difference.live)} "
                       f"rebuilt={_short(difference.rebuilt)}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"read models equal a rebuild from the log (position {position})")


def _upgrade(services: Services) -> None:
    """Read models of another version are rebuilt first, with progress (as `serve`'s
    projector does on start)."""
    version = stored_version(services.read_models, services.app.name)
    if version == READ_MODEL_VERSION:
        return
    total = services.app.recorder.max_notification_id() or 0
    with log_progress(f"rebuilding the read models of version {version} as version "
                      f"{READ_MODEL_VERSION}", total) as progress:
        upgrade(services.app, services.read_models, progress=progress)


def _short(value: str | None, limit: int = 120) -> str:
    if value is None:
        return "(missing)"
    return value if len(value) <= limit else value[:limit] + "..."


@cli.command()
def demo(
    tokens: Annotated[bool, typer.Option(help="Print a sign-in token per demo user")] = False,
) -> None:
    """Load the demo district (once; running it again changes nothing)."""
    services = _open(_settings())
    try:
        loaded = load_demo(services.app)
        _upgrade(services)
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
    finally:
        services.close()


@cli.command()
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
    services = _open(_settings())
    try:
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
    finally:
        services.close()
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


def _user_id(services: Services, user: str) -> str:
    """A user id, or the id of the person with this email; exit 2 when unknown."""
    if "@" not in user:
        return user
    person = services.app.district().person_by_email(user)
    if person is None:
        typer.echo(f"error: nobody is registered with the email {user!r}", err=True)
        raise typer.Exit(code=2)
    return person.user_id


@cli.command()
def token(
    user: Annotated[str, typer.Argument(help="User id or email, e.g. coach1")],
    revoke: Annotated[bool, typer.Option(
        help="Revoke all of the user's tokens and unused sign-in links")] = False,
    days: Annotated[int | None, typer.Option(help="Days until the token expires")] = None,
) -> None:
    """Issue a bearer token for a user (printed alone on the last line), or revoke the
    user's tokens and unused sign-in links."""
    services = _open(_settings())
    try:
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
    finally:
        services.close()


@cli.command()
def link(
    user: Annotated[str, typer.Argument(help="User id or email, e.g. coach1")],
    base_url: Annotated[str, typer.Option(
        help="This server as the tablet reaches it: scheme://host[:port]")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Make a one-time sign-in link for a user: a QR code for a tablet's camera, and the
    link alone on the last line. It works once, for 15 minutes, at that address."""
    services = _open(_settings())
    try:
        user = _user_id(services, user)
        made = services.signin_links.make(user, base_url, services.clock())
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        services.close()
    typer.echo(qr.for_terminal(made.url), nl=False)
    until = made.expires_at.astimezone()
    typer.echo(f"sign-in link for {user}: scan the code or open the link; it works once, "
               f"until {until:%H:%M %Z}")
    typer.echo(made.url)


cli.command()(export)
cli.add_typer(roster, name="roster")


@cli.command(name="backup")
def backup_command(
    dest: Annotated[Path, typer.Argument(help="A new file for the copy, e.g. "
                                              "/var/backups/walkthrough/2026-12-06.sqlite3")],
) -> None:
    """Copy the whole store (log, tokens, secret, rosters, read models) to DEST while it
    serves: everything acknowledged before the copy began is in it."""
    settings = _settings()
    try:
        copied = backups.backup(settings, dest)
    except (backups.BackupError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"backed up {storage_for(settings).describe()} to {copied.path}: "
               f"{copied.events} events (log position {copied.position}), {copied.made_at}")


@cli.command(name="restore")
def restore_command(
    src: Annotated[Path, typer.Argument(help="A file made by `walkthrough backup`")],
) -> None:
    """Put a backup back into an empty data directory (or empty PostgreSQL schema);
    anything else is refused. Then run `walkthrough verify`."""
    settings = _settings()
    try:
        copied = backups.restore(settings, src)
    except (backups.BackupError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    taken = f", taken {copied.made_at}" if copied.made_at else ""
    typer.echo(f"restored {src} into {storage_for(settings).describe()}: {copied.events} "
               f"events (log position {copied.position}){taken}. Check it with "
               "`walkthrough verify`, then start the server.")


def main() -> None:
    try:
        cli()
    except StoreDamaged as exc:  # a command that opens the store without _open
        typer.echo(f"error: the store cannot be used: {exc.message}", err=True)
        raise SystemExit(STORE_DAMAGED_EXIT) from None


if __name__ == "__main__":
    main()
