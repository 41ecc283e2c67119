"""Where the events and read models are kept: an SQLite file (the default, one
machine) or a PostgreSQL schema (`WALKTHROUGH_DATABASE_URL`, any number of
processes and machines). Each backend builds the same parts; nothing else in
the program asks which one it has.

What differs by dialect is one table (`Dialect`: which class or function builds each
part) and the place itself (`SQLiteFile`, `PostgresSchema`: how it is named, made ready
and configured, and where a scratch copy of the read models goes); `Storage` builds every
part one way from the two.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import BasePostgresFactory, PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore, SQLiteFactory
from eventsourcing.utils import get_topic
from psycopg.sql import SQL, Identifier

from projections.store import PostgresReadModelStore, ReadModelStore, SQLiteReadModelStore
from walkthrough.adapters.mail_queue import MailQueue, PostgresMailQueue, SQLiteMailQueue
from walkthrough.adapters.recorders import PostgresReceiptRecorder, SQLiteReceiptRecorder
from walkthrough.adapters.refusal_counts import (
    PostgresRefusalCounts,
    RefusalCounts,
    SQLiteRefusalCounts,
)
from walkthrough.adapters.roster_store import PostgresRosterStore, RosterStore, SQLiteRosterStore
from walkthrough.adapters.secrets import postgres_secret, sqlite_secret
from walkthrough.adapters.signin_links import (
    PostgresSignInLinkStore,
    SignInLinkStore,
    SQLiteSignInLinkStore,
)
from walkthrough.adapters.sqlite_integrity import check_sqlite_store
from walkthrough.adapters.tokens import PostgresTokenStore, SQLiteTokenStore, TokenStore
from walkthrough.application import Walkthrough
from walkthrough.errors import NotFound, StoreUnavailable, Unauthorized
from web.composition.settings import PostgresLocation, Settings

SQLITE_LOCK_TIMEOUT_SECONDS = 10


D = TypeVar("D", bound=SQLiteDatastore | PostgresDatastore)
T = TypeVar("T", bound=SQLiteTokenStore | PostgresTokenStore)


@dataclass(frozen=True)
class Dialect(Generic[D, T]):
    """What builds each part in one SQL dialect, given the application's datastore."""

    persistence_module: str
    datastore: type[D]
    receipts: type[ApplicationRecorder]
    read_models: type[SQLiteReadModelStore] | type[PostgresReadModelStore]
    tokens: Callable[[D], T]
    signin_links: Callable[[T, Callable[[str], bool]], SignInLinkStore]
    secret: Callable[[D], bytes]
    roster: Callable[[D, bytes], RosterStore]
    mail_queue: Callable[[D], MailQueue]
    refusals: Callable[[D], RefusalCounts]


SQLITE = Dialect(
    persistence_module="eventsourcing.sqlite", datastore=SQLiteDatastore,
    receipts=SQLiteReceiptRecorder, read_models=SQLiteReadModelStore,
    tokens=SQLiteTokenStore, signin_links=SQLiteSignInLinkStore, secret=sqlite_secret,
    roster=SQLiteRosterStore, mail_queue=SQLiteMailQueue, refusals=SQLiteRefusalCounts)
POSTGRES = Dialect(
    persistence_module="eventsourcing.postgres", datastore=PostgresDatastore,
    receipts=PostgresReceiptRecorder, read_models=PostgresReadModelStore,
    tokens=PostgresTokenStore, signin_links=PostgresSignInLinkStore, secret=postgres_secret,
    roster=PostgresRosterStore, mail_queue=PostgresMailQueue, refusals=PostgresRefusalCounts)


class Place(Protocol):
    """The store itself: a file or a schema."""

    def describe(self) -> str: ...

    def startup(self) -> contextlib.AbstractContextManager[None]:
        """Around building the parts: makes the place for the tables and keeps
        processes that start together from creating them at the same time."""

    def env(self) -> dict[str, str]:
        """The eventsourcing settings that say where the place is."""

    def scratch_read_models(self) -> contextlib.AbstractContextManager[ReadModelStore]:
        """Empty read models beside the live ones, removed afterwards (for verify)."""


class Storage(Generic[D, T]):
    """Every part of the store, built from its place and its dialect's table."""

    def __init__(self, place: Place, dialect: Dialect[D, T]) -> None:
        self.place = place
        self.dialect = dialect

    def describe(self) -> str:
        return self.place.describe()

    def startup(self) -> contextlib.AbstractContextManager[None]:
        return self.place.startup()

    def app_env(self) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": self.dialect.persistence_module,
                "APPLICATION_RECORDER_TOPIC": get_topic(self.dialect.receipts),
                **self.place.env()}

    def read_models(self, app: Walkthrough) -> ReadModelStore:
        store = app.factory.tracking_recorder(self.dialect.read_models)
        assert isinstance(store, self.dialect.read_models)
        return store

    def tokens_and_links(self, app: Walkthrough) -> tuple[TokenStore, SignInLinkStore]:
        """Bearer tokens, and one-time sign-in links beside them (redeeming one stores
        its token)."""
        tokens = self.dialect.tokens(self._datastore(app))
        return tokens, self.dialect.signin_links(tokens, _registered(app))

    def secret(self, app: Walkthrough) -> bytes:
        """The deployment's secret kept in the store (made on first use)."""
        return self.dialect.secret(self._datastore(app))

    def roster(self, app: Walkthrough, key: bytes) -> RosterStore:
        """Staff rosters, hashed under `key` (derived from the secret, never the
        pseudonym key itself)."""
        return self.dialect.roster(self._datastore(app), key)

    def mail_queue(self, app: Walkthrough) -> MailQueue:
        """Outgoing email, kept until it is sent."""
        return self.dialect.mail_queue(self._datastore(app))

    def refusals(self, app: Walkthrough) -> RefusalCounts:
        """How often each rule refused something, per day (counts only)."""
        return self.dialect.refusals(self._datastore(app))

    def scratch_read_models(self) -> contextlib.AbstractContextManager[ReadModelStore]:
        return self.place.scratch_read_models()

    def _datastore(self, app: Walkthrough) -> D:
        """The application's datastore, of the kind this storage opened."""
        factory = app.factory
        assert isinstance(factory, SQLiteFactory | BasePostgresFactory)
        datastore = factory.datastore
        assert isinstance(datastore, self.dialect.datastore)
        return datastore


AnyStorage = (Storage[SQLiteDatastore, SQLiteTokenStore]
              | Storage[PostgresDatastore, PostgresTokenStore])


def storage_for(settings: Settings) -> AnyStorage:
    location = settings.postgres
    if location is None:
        return Storage(SQLiteFile(settings.sqlite_path), SQLITE)
    return Storage(PostgresSchema(location), POSTGRES)


class SQLiteFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return f"SQLite {self.path}"

    @contextlib.contextmanager
    def startup(self) -> Iterator[None]:
        check_sqlite_store(self.path)  # never an empty district over a damaged file
        self.path.parent.mkdir(parents=True, exist_ok=True)
        yield

    def env(self) -> dict[str, str]:
        return {"SQLITE_DBNAME": str(self.path),
                "SQLITE_LOCK_TIMEOUT": str(SQLITE_LOCK_TIMEOUT_SECONDS)}

    @contextlib.contextmanager
    def scratch_read_models(self) -> Iterator[ReadModelStore]:
        with tempfile.TemporaryDirectory(prefix="walkthrough-verify-") as directory:
            datastore = SQLiteDatastore(str(Path(directory) / "read-models.sqlite3"),
                                        lock_timeout=SQLITE_LOCK_TIMEOUT_SECONDS)
            try:
                store = SQLiteReadModelStore(datastore)
                store.create_table()
                yield store
            finally:
                datastore.close()


class PostgresSchema:
    def __init__(self, location: PostgresLocation) -> None:
        self.location = location

    def describe(self) -> str:
        return f"PostgreSQL {self.location}"

    @contextlib.contextmanager
    def startup(self) -> Iterator[None]:
        with self._admin() as conn:
            # A session lock, held while every process's tables are created:
            # concurrent CREATE ... IF NOT EXISTS can still clash in PostgreSQL.
            key = f"walkthrough:{self.location.schema}"
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
            try:
                conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}")
                             .format(Identifier(self.location.schema)))
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])

    def env(self) -> dict[str, str]:
        loc = self.location
        return {
            "POSTGRES_DBNAME": loc.dbname,
            "POSTGRES_HOST": loc.host,
            "POSTGRES_PORT": str(loc.port),
            "POSTGRES_USER": loc.user,
            "POSTGRES_PASSWORD": loc.password,
            "POSTGRES_SCHEMA": loc.schema,
            # How long a request waits for a connection before answering 503.
            "POSTGRES_CONNECT_TIMEOUT": str(loc.connect_timeout),
            "POSTGRES_POOL_SIZE": str(loc.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(loc.max_overflow),
            # No ping per checkout (a round trip each): the application recorder
            # gives the pool a check without one, so a restarted server or terminated
            # backends cost a reconnect, not a failed request (see its check_idle).
            "POSTGRES_PRE_PING": "n",
            # Receipts ride on the recorder's SQL insert path, not the DB function.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        }

    @contextlib.contextmanager
    def scratch_read_models(self) -> Iterator[ReadModelStore]:
        scratch = self.location.with_schema(f"verify_{uuid.uuid4().hex[:12]}")
        with self._admin() as conn:
            conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(scratch.schema)))
        datastore = PostgresDatastore(
            dbname=scratch.dbname, host=scratch.host, port=scratch.port, user=scratch.user,
            password=scratch.password, connect_timeout=scratch.connect_timeout,
            schema=scratch.schema)
        try:
            store = PostgresReadModelStore(datastore, tracking_table_name="scratch_tracking")
            store.create_table()
            yield store
        finally:
            datastore.close()
            with self._admin() as conn:
                conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                             .format(Identifier(scratch.schema)))

    @contextlib.contextmanager
    def _admin(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        loc = self.location
        try:
            conn = psycopg.connect(host=loc.host, port=loc.port, user=loc.user,
                                   password=loc.password, dbname=loc.dbname,
                                   connect_timeout=loc.connect_timeout, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"cannot reach {self.describe()}: {exc}") from exc
        with conn:
            yield conn


def _registered(app: Walkthrough) -> Callable[[str], bool]:
    """Whether a user id is a registered, active person of the district (asked when a
    link is made and when it is redeemed)."""

    def is_registered(user_id: str) -> bool:
        try:
            app.actor(user_id)
        except (NotFound, Unauthorized):
            return False
        return True

    return is_registered
