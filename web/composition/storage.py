"""Where the events and read models are kept: an SQLite file (the default, one
machine) or a PostgreSQL schema (`WALKTHROUGH_DATABASE_URL`, any number of
processes and machines). Each backend builds the same parts; nothing else in
the program asks which one it has.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

import psycopg
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
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


class Storage(Protocol):
    def describe(self) -> str: ...

    def startup(self) -> contextlib.AbstractContextManager[None]:
        """Around building the parts: makes the place for the tables and keeps
        processes that start together from creating them at the same time."""

    def app_env(self) -> dict[str, str]: ...

    def read_models(self, app: Walkthrough) -> ReadModelStore: ...

    def tokens(self, app: Walkthrough) -> TokenStore: ...

    def secret(self, app: Walkthrough) -> bytes:
        """The deployment's secret kept in the store (made on first use)."""

    def roster(self, app: Walkthrough, key: bytes) -> RosterStore:
        """Staff rosters, hashed under `key` (derived from the secret, never the
        pseudonym key itself)."""

    def signin_links(self, app: Walkthrough, tokens: TokenStore) -> SignInLinkStore:
        """One-time sign-in links, beside `tokens`: redeeming one stores its token."""

    def mail_queue(self, app: Walkthrough) -> MailQueue:
        """Outgoing email, kept until it is sent."""
    def refusals(self, app: Walkthrough) -> RefusalCounts:
        """How often each rule refused something, per day (counts only)."""

    def scratch_read_models(self) -> contextlib.AbstractContextManager[ReadModelStore]:
        """Empty read models beside the live ones, removed afterwards (for verify)."""


def storage_for(settings: Settings) -> Storage:
    location = settings.postgres
    if location is None:
        return SQLiteStorage(settings.sqlite_path)
    return PostgresStorage(location)


class SQLiteStorage:
    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return f"SQLite {self.path}"

    @contextlib.contextmanager
    def startup(self) -> Iterator[None]:
        check_sqlite_store(self.path)  # never an empty district over a damaged file
        self.path.parent.mkdir(parents=True, exist_ok=True)
        yield

    def app_env(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "APPLICATION_RECORDER_TOPIC": get_topic(SQLiteReceiptRecorder),
            "SQLITE_DBNAME": str(self.path),
            "SQLITE_LOCK_TIMEOUT": str(SQLITE_LOCK_TIMEOUT_SECONDS),
        }

    def read_models(self, app: Walkthrough) -> ReadModelStore:
        store = app.factory.tracking_recorder(SQLiteReadModelStore)
        assert isinstance(store, SQLiteReadModelStore)
        return store

    def tokens(self, app: Walkthrough) -> TokenStore:
        datastore = _datastore(app, SQLiteDatastore)
        return SQLiteTokenStore(datastore)

    def secret(self, app: Walkthrough) -> bytes:
        datastore = _datastore(app, SQLiteDatastore)
        return sqlite_secret(datastore)

    def roster(self, app: Walkthrough, key: bytes) -> RosterStore:
        datastore = _datastore(app, SQLiteDatastore)
        return SQLiteRosterStore(datastore, key)

    def signin_links(self, app: Walkthrough, tokens: TokenStore) -> SignInLinkStore:
        assert isinstance(tokens, SQLiteTokenStore)
        return SQLiteSignInLinkStore(tokens, _registered(app))

    def mail_queue(self, app: Walkthrough) -> MailQueue:
        datastore = _datastore(app, SQLiteDatastore)
        return SQLiteMailQueue(datastore)
    def refusals(self, app: Walkthrough) -> RefusalCounts:
        datastore = _datastore(app, SQLiteDatastore)
        return SQLiteRefusalCounts(datastore)

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


class PostgresStorage:
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

    def app_env(self) -> dict[str, str]:
        loc = self.location
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": get_topic(PostgresReceiptRecorder),
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
            # Check connections as they leave the pool, so a restarted server or
            # terminated backends cost a reconnect, not a failed request.
            "POSTGRES_PRE_PING": "y",
            # Receipts ride on the recorder's SQL insert path, not the DB function.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        }

    def read_models(self, app: Walkthrough) -> ReadModelStore:
        store = app.factory.tracking_recorder(PostgresReadModelStore)
        assert isinstance(store, PostgresReadModelStore)
        return store

    def tokens(self, app: Walkthrough) -> TokenStore:
        datastore = _datastore(app, PostgresDatastore)
        return PostgresTokenStore(datastore)

    def secret(self, app: Walkthrough) -> bytes:
        datastore = _datastore(app, PostgresDatastore)
        return postgres_secret(datastore)

    def roster(self, app: Walkthrough, key: bytes) -> RosterStore:
        datastore = _datastore(app, PostgresDatastore)
        return PostgresRosterStore(datastore, key)

    def signin_links(self, app: Walkthrough, tokens: TokenStore) -> SignInLinkStore:
        assert isinstance(tokens, PostgresTokenStore)
        return PostgresSignInLinkStore(tokens, _registered(app))

    def mail_queue(self, app: Walkthrough) -> MailQueue:
        datastore = _datastore(app, PostgresDatastore)
        return PostgresMailQueue(datastore)
    def refusals(self, app: Walkthrough) -> RefusalCounts:
        datastore = _datastore(app, PostgresDatastore)
        return PostgresRefusalCounts(datastore)

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


D = TypeVar("D", SQLiteDatastore, PostgresDatastore)


def _datastore(app: Walkthrough, kind: type[D]) -> D:
    """The application's datastore, of the kind this storage opened."""
    datastore = app.factory.datastore  # type: ignore[attr-defined]
    assert isinstance(datastore, kind)
    return datastore


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
