"""The storage adapters on each backend, built straight on a datastore (no application):
SQLite in a temporary file, PostgreSQL in a schema of its own, dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

from walkthrough.adapters.signin_links import (
    PostgresSignInLinkStore,
    SignInLinkStore,
    SQLiteSignInLinkStore,
)
from walkthrough.adapters.tokens import PostgresTokenStore, SQLiteTokenStore, TokenStore
from web.composition.settings import parse_database_url


@pytest.fixture
def tokens(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[TokenStore]:
    if backend == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        schema: str = request.getfixturevalue("postgres_schema")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))
        where = parse_database_url(url)
        # Several connections, so that concurrent redemptions really meet in the database.
        postgres = PostgresDatastore(dbname=where.dbname, host=where.host, port=where.port,
                                     user=where.user, password=where.password, schema=schema,
                                     pool_size=4, max_overflow=8)
        yield PostgresTokenStore(postgres)
        postgres.close()
        return
    sqlite = SQLiteDatastore(str(tmp_path / "adapters.sqlite3"), lock_timeout=10)
    yield SQLiteTokenStore(sqlite)
    sqlite.close()


@pytest.fixture
def people() -> set[str]:
    """Who is registered: a fake of the district, changed by the tests at will."""
    return {"coach1", "coach2", "organizer1"}


@pytest.fixture
def links(tokens: TokenStore, people: set[str]) -> SignInLinkStore:
    if isinstance(tokens, PostgresTokenStore):
        return PostgresSignInLinkStore(tokens, people.__contains__)
    assert isinstance(tokens, SQLiteTokenStore)
    return SQLiteSignInLinkStore(tokens, people.__contains__)
