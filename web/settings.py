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
    # Project in a thread of this process; `serve` turns it off in its web workers and
    # runs one projector process beside them instead.
    background_projector: bool = True
    # The district's time zone (an IANA name): every date and time shown or sent.
    time_zone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "walkthrough.sqlite3"

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
            pseudonym_secret=env.get("WALKTHROUGH_PSEUDONYM_SECRET") or None,
            time_zone=_time_zone(env.get("WALKTHROUGH_TIME_ZONE") or "UTC"),
        )


def _time_zone(name: str) -> str:
    """An IANA time zone name, checked once (ValueError names the setting)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"WALKTHROUGH_TIME_ZONE={name!r} is not an IANA time zone "
                         "(e.g. America/Chicago)") from None
    return name
