"""Configuration, from the environment (WALKTHROUGH_*)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresLocation(msgspec.Struct, frozen=True, kw_only=True):
    """Where the PostgreSQL store is, from `postgresql://user[:password]@host[:port]/db`
    with optional `?schema=...&connect_timeout=<s>&pool_size=<n>&max_overflow=<n>`."""

    host: str
    port: int = 5432
    user: str
    password: str = ""
    dbname: str
    schema: str = "public"
    connect_timeout: int = 5
    pool_size: int = 2
    max_overflow: int = 10

    def with_schema(self, schema: str) -> PostgresLocation:
        return msgspec.structs.replace(self, schema=_identifier(schema))

    def __str__(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname} " \
               f"(schema {self.schema})"


def parse_database_url(url: str) -> PostgresLocation:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"WALKTHROUGH_DATABASE_URL must start with postgresql://, not {url!r}")
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not parts.username or not dbname:
        raise ValueError("WALKTHROUGH_DATABASE_URL needs a user, a host and a database: "
                         "postgresql://user@host:port/db")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"schema", "connect_timeout", "pool_size", "max_overflow"}
    if unknown:
        raise ValueError(f"unknown WALKTHROUGH_DATABASE_URL parameter(s): {sorted(unknown)}")
    try:
        return PostgresLocation(
            host=parts.hostname, port=parts.port or 5432, user=unquote(parts.username),
            password=unquote(parts.password or ""), dbname=dbname,
            schema=_identifier(query.get("schema", "public")),
            connect_timeout=int(query.get("connect_timeout", 5)),
            pool_size=int(query.get("pool_size", 2)),
            max_overflow=int(query.get("max_overflow", 10)),
        )
    except ValueError as exc:
        raise ValueError(f"WALKTHROUGH_DATABASE_URL: {exc}") from None


class SmtpLocation(msgspec.Struct, frozen=True, kw_only=True):
    """The mail server, from `smtp://[user:password@]host:port` (plain, or STARTTLS with
    `?starttls=true`, as port 587 usually wants) or `smtps://...` (TLS from the start)."""

    host: str
    port: int
    user: str = ""
    password: str = ""
    tls: bool = False
    starttls: bool = False

    def __str__(self) -> str:
        scheme = "smtps" if self.tls else "smtp"
        who = f"{self.user}@" if self.user else ""
        return f"{scheme}://{who}{self.host}:{self.port}" + \
            (" (STARTTLS)" if self.starttls else "")


def parse_smtp_url(url: str) -> SmtpLocation:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"WALKTHROUGH_SMTP_URL must start with smtp:// or smtps://, not "
                         f"{parts.scheme!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ValueError(f"unknown WALKTHROUGH_SMTP_URL parameter(s): {sorted(unknown)}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("WALKTHROUGH_SMTP_URL has a bad port") from None
    if not parts.hostname:
        raise ValueError("WALKTHROUGH_SMTP_URL needs a host: smtp://host:port")
    tls = parts.scheme == "smtps"
    return SmtpLocation(
        host=parts.hostname, port=port or (465 if tls else 25),
        user=unquote(parts.username or ""), password=unquote(parts.password or ""),
        tls=tls, starttls=query.get("starttls", "").lower() in ("1", "true", "yes"))


def _list(text: str | None) -> tuple[str, ...]:
    return tuple(item.strip().lower() for item in (text or "").split(",") if item.strip())


def _identifier(name: str) -> str:
    if not IDENTIFIER.fullmatch(name):
        raise ValueError(f"schema {name!r} is not a plain lower-case identifier")
    return name


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: Path = Path("var")
    database_url: str | None = None
    max_body_bytes: int = 1_048_576
    max_batch_events: int = 500
    token_ttl_days: int = 30
    # Sync requests per token: `sync_burst` at once, then this many a minute (0: no limit).
    sync_rate_per_minute: int = 600
    sync_burst: int = 120
    # Refused sign-in link redemptions per client address: this many at once, then
    # this many a minute (0: no limit); the codes cannot be guessed, this keeps it so.
    signin_failures_per_minute: int = 10
    signin_failure_burst: int = 10
    # Trend cells built from fewer classrooms are suppressed; never below 3.
    min_cell: int = 5
    # A look-for observed in fewer rooms shows no rate or counts; never below 2.
    min_rooms: int = 3
    # The deployment's secret for pseudonyms (else generated once, kept in the store).
    pseudonym_secret: str | None = None
    # Email: the mail server (None: no email is sent) and the sender address.
    smtp_url: str | None = None
    mail_from: str | None = None
    # Sign-in links asked for by email: per address, and per client address, an hour.
    signin_emails_per_address_per_hour: int = 5
    signin_emails_per_client_per_hour: int = 30
    # OpenID Connect sign-in (web.routes.oidc): on when the issuer and client id are set.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = "your district account"
    # Only these email domains / Entra tenant ids (lower case; empty: any).
    oidc_email_domains: tuple[str, ...] = ()
    oidc_tenant_ids: tuple[str, ...] = ()
    # Project in a thread of this process; `serve` turns it off in its web workers and
    # runs one projector process beside them instead.
    background_projector: bool = True
    # How long a read waits for the log position its caller asked for (its own writes)
    # before it answers what is projected and says so (web.http.freshness).
    read_wait_seconds: float = 2.0
    # The district's time zone (an IANA name): every date and time shown or sent.
    time_zone: str = "UTC"
    # This server as people reach it (https://walkthrough.district.org): the links in
    # invitations and reminders, which no request tells (None: no link in them).
    base_url: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "walkthrough.sqlite3"

    @property
    def smtp(self) -> SmtpLocation | None:
        """The mail server when one is set; None means no email is sent."""
        return parse_smtp_url(self.smtp_url) if self.smtp_url else None

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def postgres(self) -> PostgresLocation | None:
        """The PostgreSQL store when a database URL is set; None means SQLite."""
        return parse_database_url(self.database_url) if self.database_url else None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=Path(env.get("WALKTHROUGH_DATA_DIR", "var")),
            database_url=env.get("WALKTHROUGH_DATABASE_URL") or None,
            max_body_bytes=int(env.get("WALKTHROUGH_MAX_BODY_BYTES", 1_048_576)),
            max_batch_events=int(env.get("WALKTHROUGH_MAX_BATCH_EVENTS", 500)),
            token_ttl_days=int(env.get("WALKTHROUGH_TOKEN_TTL_DAYS", 30)),
            sync_rate_per_minute=int(env.get("WALKTHROUGH_SYNC_RATE_PER_MINUTE", 600)),
            sync_burst=int(env.get("WALKTHROUGH_SYNC_BURST", 120)),
            signin_failures_per_minute=int(
                env.get("WALKTHROUGH_SIGNIN_FAILURES_PER_MINUTE", 10)),
            signin_failure_burst=int(env.get("WALKTHROUGH_SIGNIN_FAILURE_BURST", 10)),
            min_cell=max(3, int(env.get("WALKTHROUGH_MIN_CELL", 5))),
            min_rooms=max(2, int(env.get("WALKTHROUGH_MIN_ROOMS", 3))),
            background_projector=env.get("WALKTHROUGH_BACKGROUND_PROJECTOR", "1") != "0",
            read_wait_seconds=max(0.0, float(env.get("WALKTHROUGH_READ_WAIT_SECONDS", 2.0))),
            pseudonym_secret=env.get("WALKTHROUGH_PSEUDONYM_SECRET") or None,
            time_zone=_time_zone(env.get("WALKTHROUGH_TIME_ZONE") or "UTC"),
            base_url=(env.get("WALKTHROUGH_BASE_URL") or "").rstrip("/") or None,
            smtp_url=env.get("WALKTHROUGH_SMTP_URL") or None,
            mail_from=env.get("WALKTHROUGH_MAIL_FROM") or None,
            signin_emails_per_address_per_hour=int(
                env.get("WALKTHROUGH_SIGNIN_EMAILS_PER_ADDRESS_PER_HOUR", 5)),
            signin_emails_per_client_per_hour=int(
                env.get("WALKTHROUGH_SIGNIN_EMAILS_PER_CLIENT_PER_HOUR", 30)),
            oidc_issuer=env.get("WALKTHROUGH_OIDC_ISSUER") or None,
            oidc_client_id=env.get("WALKTHROUGH_OIDC_CLIENT_ID") or None,
            oidc_client_secret=env.get("WALKTHROUGH_OIDC_CLIENT_SECRET") or None,
            oidc_name=env.get("WALKTHROUGH_OIDC_NAME") or "your district account",
            oidc_email_domains=_list(env.get("WALKTHROUGH_OIDC_EMAIL_DOMAINS")),
            oidc_tenant_ids=_list(env.get("WALKTHROUGH_OIDC_TENANT_IDS")),
        )


def _time_zone(name: str) -> str:
    """An IANA time zone name, checked once (ValueError names the setting)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"WALKTHROUGH_TIME_ZONE={name!r} is not an IANA time zone "
                         "(e.g. America/Chicago)") from None
    return name
