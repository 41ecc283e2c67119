"""`walkthrough token <user>` issues a working token; `--revoke` ends it: 401 (within
the bound a running server keeps a resolved token: web.http.caller_cache)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from web.app import create_app
from web.cli import cli
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.http.caller_cache import CALLER_CACHE_SECONDS


class ShiftedClock:
    """The real time, moved ahead when the test says so."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def test_a_revoked_token_is_401_and_an_expired_one_says_token_expired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WALKTHROUGH_DATABASE_URL", raising=False)
    monkeypatch.setenv("WALKTHROUGH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    issued = runner.invoke(cli, ["token", "coach1"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    assert token.startswith("wt_")
    headers = {"Authorization": f"Bearer {token}"}

    clock = ShiftedClock()
    services = bootstrap(Settings.from_env(), clock=clock)
    try:
        with TestClient(create_app(services=services)) as client:
            assert client.get("/api/me", headers=headers).status_code == 200
            revoked = runner.invoke(cli, ["token", "coach1", "--revoke"])
            assert revoked.exit_code == 0, revoked.output
            clock.ahead = timedelta(seconds=CALLER_CACHE_SECONDS)  # revoked elsewhere
            response = client.get("/api/me", headers=headers)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "unauthorized"

            expired = runner.invoke(cli, ["token", "coach1", "--days", "0"])
            stale = {"Authorization": f"Bearer {expired.output.strip().splitlines()[-1]}"}
            response = client.get("/api/me", headers=stale)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "token_expired"
    finally:
        services.close()
    assert runner.invoke(cli, ["token", "nobody"]).exit_code == 2
