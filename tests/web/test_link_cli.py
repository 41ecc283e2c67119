"""`walkthrough link <user> --base-url URL` prints a QR code and, alone on the last line,
a one-time link that signs a device in once at that address; `token --revoke` withdraws
the user's unused links with their tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from web.app import create_app
from web.cli import cli
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings

TABLET = "http://tablet.example:8000"
LINK = re.compile(r"(https?://[^/\s]+)/signin#code=([A-Za-z0-9_-]{43,})")
QR_BLOCKS = set("█▀▄ ")


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("WALKTHROUGH_DATABASE_URL", raising=False)
    monkeypatch.setenv("WALKTHROUGH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    return runner


@pytest.fixture
def tablet(runner: CliRunner) -> Iterator[TestClient]:
    """The server (on the runner's demo store) as a tablet reaches it at TABLET."""
    services = bootstrap(Settings.from_env())
    with TestClient(create_app(services=services), base_url=TABLET) as client:
        yield client
    services.close()


def make_link(runner: CliRunner, *args: str) -> tuple[str, list[str]]:
    made = runner.invoke(cli, ["link", *args])
    assert made.exit_code == 0, made.output
    lines = made.stdout.rstrip("\n").splitlines()
    return lines[-1], lines[:-1]


def test_the_link_is_alone_on_the_last_line_under_a_qr_code_and_signs_in_once(
    runner: CliRunner, tablet: TestClient
) -> None:
    link, above = make_link(runner, "coach1", "--base-url", TABLET)
    match = LINK.fullmatch(link)
    assert match, link
    assert match.group(1) == TABLET
    qr = [line for line in above if line and set(line) <= QR_BLOCKS]
    assert len(qr) >= 20  # a QR code of version 2 or more, two module rows a line
    assert len({len(line) for line in qr}) == 1  # square, not wrapped
    assert link not in "\n".join(above)

    signed_in = tablet.post("/api/signin/link", json={"code": match.group(2)})
    assert signed_in.status_code == 200
    assert signed_in.json()["user"]["id"] == "coach1"
    again = tablet.post("/api/signin/link", json={"code": match.group(2)})
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "link_used"


def test_the_default_address_is_this_machine_s_port_8000(runner: CliRunner) -> None:
    link, _ = make_link(runner, "host1")
    assert link.startswith("http://127.0.0.1:8000/signin#code=")


def test_an_unknown_user_or_a_bad_address_is_a_clear_error_and_exit_code_1(
    runner: CliRunner
) -> None:
    unknown = runner.invoke(cli, ["link", "nobody"])
    assert unknown.exit_code == 1
    assert unknown.stdout == ""
    assert unknown.stderr == "error: user 'nobody' is not registered\n"
    address = runner.invoke(cli, ["link", "coach1", "--base-url", "tablet.example:8000"])
    assert address.exit_code == 1
    assert "http:// or https://" in address.stderr


def test_revoking_a_user_s_tokens_withdraws_their_unused_links(
    runner: CliRunner, tablet: TestClient
) -> None:
    link, _ = make_link(runner, "coach1", "--base-url", TABLET)
    revoked = runner.invoke(cli, ["token", "coach1", "--revoke"])
    assert revoked.exit_code == 0, revoked.output
    assert "1 unused sign-in link(s)" in revoked.stdout
    match = LINK.fullmatch(link)
    assert match
    refused = tablet.post("/api/signin/link", json={"code": match.group(2)})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"


def test_the_demo_points_to_sign_in_links_beside_the_tokens(runner: CliRunner) -> None:
    shown = runner.invoke(cli, ["demo", "--tokens"])
    assert shown.exit_code == 0, shown.output
    assert "walkthrough link <user>" in shown.stdout
