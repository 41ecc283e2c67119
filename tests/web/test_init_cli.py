"""`walkthrough init` starts a district of its own on an empty store: its name, its
first organizer, and a one-time link for them alone on the last line. A store that
already has a district is refused, and people are found by email as well as by id."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from web.app import create_app
from web.cli import cli
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings

ORIGIN = "https://walk.north.example"
LINK = re.compile(r"(https://[^/\s]+)/signin#code=([A-Za-z0-9_-]{43,})")
INIT = ["init", "--district", "North District", "--organizer-email", "Bo.Kim@North.Example",
        "--organizer-name", "Bo Kim", "--base-url", ORIGIN]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("WALKTHROUGH_DATABASE_URL", raising=False)
    monkeypatch.setenv("WALKTHROUGH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_init_creates_the_district_and_its_organizer_signs_in_with_the_link(
        runner: CliRunner) -> None:
    made = runner.invoke(cli, INIT)
    assert made.exit_code == 0, made.output
    link = made.stdout.rstrip("\n").splitlines()[-1]
    match = LINK.fullmatch(link)
    assert match
    assert match.group(1) == ORIGIN
    services = bootstrap(Settings.from_env())
    try:
        district = services.app.district()
        assert district.name == "North District"
        assert district.schools == {}
        organizer = district.person_by_email("bo.kim@north.example")
        assert organizer is not None
        assert organizer.roles == ("organizer",)
        with TestClient(create_app(services=services), base_url=ORIGIN) as client:
            signed = client.post("/api/signin/link", json={"code": match.group(2)})
            assert signed.status_code == 200, signed.text
            me = client.get("/api/me", headers={
                "Authorization": f"Bearer {signed.json()['token']}"})
            assert me.json()["user"]["id"] == organizer.user_id
    finally:
        services.close()


def test_init_is_refused_on_a_store_that_has_a_district(runner: CliRunner) -> None:
    assert runner.invoke(cli, INIT).exit_code == 0
    again = runner.invoke(cli, [*INIT[:2], "Another", *INIT[3:]])
    assert again.exit_code != 0
    assert "already has a district" in again.output
    demo = runner.invoke(cli, ["demo"])
    assert demo.exit_code != 0
    assert "district of its own" in demo.output
    services = bootstrap(Settings.from_env())
    try:
        assert services.app.district().name == "North District"
        assert services.app.district().schools == {}  # the demo left nothing
    finally:
        services.close()


def test_init_is_refused_on_the_demo_store(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    refused = runner.invoke(cli, INIT)
    assert refused.exit_code != 0
    assert "already has a district" in refused.output


def test_a_bad_email_is_named_as_the_option_and_nothing_is_created(
        runner: CliRunner) -> None:
    bad = runner.invoke(cli, [*INIT[:3], "bo.kim", *INIT[4:]])
    assert bad.exit_code == 2
    assert "--organizer-email" in bad.output
    assert runner.invoke(cli, INIT).exit_code == 0  # the store is still empty


def test_link_and_token_take_an_email(runner: CliRunner) -> None:
    assert runner.invoke(cli, INIT).exit_code == 0
    link = runner.invoke(cli, ["link", "BO.KIM@north.example", "--base-url", ORIGIN])
    assert link.exit_code == 0, link.output
    assert LINK.fullmatch(link.stdout.rstrip("\n").splitlines()[-1])
    token = runner.invoke(cli, ["token", "bo.kim@north.example"])
    assert token.exit_code == 0, token.output
    assert token.stdout.rstrip("\n").splitlines()[-1].startswith("wt_")
    unknown = runner.invoke(cli, ["token", "nobody@north.example"])
    assert unknown.exit_code == 2
    assert "nobody is registered" in unknown.output
