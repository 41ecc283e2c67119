"""WALKTHROUGH_DATABASE_URL: PostgreSQL when set, SQLite otherwise."""

from __future__ import annotations

import pytest

from web.composition.settings import PostgresLocation, Settings, parse_database_url


def test_a_full_url_names_every_part() -> None:
    location = parse_database_url(
        "postgresql://walk:s%40cret@db.internal:6543/district?schema=north&connect_timeout=2"
        "&pool_size=4&max_overflow=6")
    assert location == PostgresLocation(host="db.internal", port=6543, user="walk",
                                        password="s@cret", dbname="district", schema="north",
                                        connect_timeout=2, pool_size=4, max_overflow=6)
    assert "s@cret" not in str(location)


def test_defaults_and_the_sqlite_fallback() -> None:
    location = parse_database_url("postgres://postgres@127.0.0.1/test")
    assert (location.port, location.schema, location.password) == (5432, "public", "")
    assert Settings.from_env({}).postgres is None
    assert Settings.from_env({"WALKTHROUGH_DATABASE_URL": "postgresql://u@h/d"}).postgres


@pytest.mark.parametrize("url", [
    "mysql://u@h/d", "postgresql://h/d", "postgresql://u@h/", "postgresql://u@h/d?schema=A-b",
    "postgresql://u@h/d?pool=3", "postgresql://u@h/d?pool_size=many",
])
def test_a_bad_url_is_refused_with_a_reason(url: str) -> None:
    with pytest.raises(ValueError, match="WALKTHROUGH_DATABASE_URL"):
        parse_database_url(url)
