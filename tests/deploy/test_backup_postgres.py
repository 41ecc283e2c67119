"""On PostgreSQL, `walkthrough backup` wraps pg_dump of the store's schema and
`walkthrough restore` pg_restore into an empty schema: the log comes back whole, with
its receipts and tokens, and `verify` holds; anything else is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.sql import SQL, Identifier

from tests.caddy import ROOT
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo

pytestmark = pytest.mark.postgres


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WALKTHROUGH_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_schema_backed_up_dropped_and_restored_is_the_same_store(
    postgres_url: str, postgres_schema: str, tmp_path: Path
) -> None:
    url = f"{postgres_url}?schema={postgres_schema}"
    services = bootstrap(Settings(data_dir=tmp_path / "unused", database_url=url))
    try:
        load_demo(services.app)
        services.projector.catch_up()
        token = services.tokens.issue("coach1", services.clock())
        log_before = list(services.app.receipts.select_states(0, 10**9, None))
    finally:
        services.close()
    dest = tmp_path / "store.dump"
    made = run(url, "backup", str(dest))
    assert made.returncode == 0, made.stderr
    assert f"{len(log_before)} events" in made.stdout

    refused = run(url, "restore", str(dest))  # the schema still holds the store
    assert refused.returncode != 0
    assert "is not empty" in refused.stderr

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(SQL("DROP SCHEMA {} CASCADE").format(Identifier(postgres_schema)))
    done = run(url, "restore", str(dest))
    assert done.returncode == 0, done.stderr

    restored = bootstrap(Settings(data_dir=tmp_path / "unused", database_url=url))
    try:
        assert list(restored.app.receipts.select_states(0, 10**9, None)) == log_before
        assert restored.tokens.user_for(token, restored.clock()) == "coach1"
    finally:
        restored.close()
    verified = run(url, "verify")
    assert verified.returncode == 0, verified.stderr


def test_a_file_that_is_not_a_dump_of_a_store_is_refused(
    postgres_url: str, postgres_schema: str, tmp_path: Path
) -> None:
    url = f"{postgres_url}?schema={postgres_schema}"
    junk = tmp_path / "junk.dump"
    junk.write_bytes(os.urandom(4096))
    done = run(url, "restore", str(junk))
    assert done.returncode != 0
    assert "is not a walkthrough backup" in done.stderr
