"""A damaged store is refused at start, and /health tells the truth about the store.

Real damaged files: a zero-byte file, a garbage header, a file cut in half, pages
overwritten, another program's SQLite database, a data directory that is a file.
Every command refuses them with a clear message and exit code 4 - never a traceback,
never an empty district over them. A running server whose store cannot answer says
so on /health with a 503, so a load balancer stops sending requests to it."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import FakeClock
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo

pytestmark = pytest.mark.backends("sqlite")  # the files are SQLite's
PAGE = 4096
ROOT = Path(__file__).resolve().parents[2]


def demo_store(data_dir: Path) -> Path:
    """A demo district's store, closed (checkpointed): its SQLite file."""
    settings = Settings(data_dir=data_dir)
    built = bootstrap(settings, clock=FakeClock())
    load_demo(built.app, today=FakeClock()().date())
    built.projector.catch_up()
    built.close()
    assert not Path(f"{settings.sqlite_path}-wal").exists() or \
        Path(f"{settings.sqlite_path}-wal").stat().st_size == 0
    return settings.sqlite_path


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def garbage_header(path: Path) -> None:
    with path.open("r+b") as file:
        file.write(random.Random(1).randbytes(100))


def cut_in_half(path: Path) -> None:
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


def pages_overwritten(path: Path) -> None:
    noise = random.Random(2)
    with path.open("r+b") as file:
        for page in range(2, path.stat().st_size // PAGE, 3):
            file.seek(page * PAGE)
            file.write(noise.randbytes(PAGE))


def foreign(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
        connection.execute("INSERT INTO recipes VALUES ('soup', 40)")
    connection.close()


def directory_is_a_file(path: Path) -> None:
    shutil.rmtree(path.parent)
    path.parent.write_text("not a directory\n")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "zero_bytes": zero_bytes, "garbage_header": garbage_header, "cut_in_half": cut_in_half,
    "pages_overwritten": pages_overwritten, "foreign": foreign,
    "directory_is_a_file": directory_is_a_file,
}


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "web.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_every_command_refuses_a_damaged_store_with_a_message(
    tmp_path: Path, damage: str,
) -> None:
    data_dir = tmp_path / "data"
    path = demo_store(data_dir)
    DAMAGE[damage](path)
    before = path.read_bytes() if path.is_file() else None
    out = str(tmp_path / "export.ndjson")
    for command in (["serve", "--port", "1"], ["token", "coach1"],
                    ["export", "--format", "ndjson", "--out", out]):
        result = run(data_dir, *command)
        assert result.returncode == 4, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert "error: the store cannot be used" in result.stderr, result.stderr
        assert str(data_dir) in result.stderr
    # Nothing was written over it: the damaged file is there for a restore to look at.
    assert (path.read_bytes() if path.is_file() else None) == before


def test_a_whole_store_still_starts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    demo_store(data_dir)
    result = run(data_dir, "token", "coach1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("wt_")


def test_a_new_data_directory_is_still_a_new_district(tmp_path: Path) -> None:
    result = run(tmp_path / "new", "demo")
    assert result.returncode == 0, result.stderr


@pytest.fixture
def running(tmp_path: Path) -> tuple[Services, TestClient, Path]:
    data_dir = tmp_path / "data"
    path = demo_store(data_dir)
    served = bootstrap(Settings(data_dir=data_dir), clock=FakeClock())
    return served, TestClient(create_app(services=served)), path


def test_health_is_ok_with_the_log_and_the_projection_position(
    running: tuple[Services, TestClient, Path],
) -> None:
    served, client, _ = running
    try:
        answer = client.get("/health")
        assert answer.status_code == 200
        body = answer.json()
        assert body["status"] == "ok"
        assert body["log_position"] == served.app.recorder.max_notification_id()
        assert body["lag"] == body["log_position"] - body["projected_position"]
    finally:
        served.close()


@pytest.mark.parametrize("first_page", [20, 40, 60])
def test_health_is_503_when_the_store_cannot_answer(
    running: tuple[Services, TestClient, Path], first_page: int,
) -> None:
    served, client, path = running
    token = served.tokens.issue("coach1", FakeClock()())
    served.close()  # every connection dropped: the next reads come from the file
    noise = random.Random(first_page)
    with path.open("r+b") as file:
        for page in range(first_page, path.stat().st_size // PAGE):
            file.seek(page * PAGE)
            file.write(noise.randbytes(PAGE))
    # A server process opens the store without reading every page (the command that
    # starts it does that once): the damage shows when a read lands on it.
    reopened = bootstrap(Settings(data_dir=path.parent), clock=FakeClock())
    try:
        client = TestClient(create_app(services=reopened))
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        health = client.get("/health")
        assert me.status_code == 503, me.text
        assert health.status_code == 503, (me.status_code, health.text)
        assert health.json()["error"]["code"] == "store_unavailable"
        assert "retry-after" in health.headers
    finally:
        reopened.close()
