"""HSTS over HTTPS only, and `serve --forwarded-allow-ips` refusing what is not an
address (a typo must not trust every client, nor silently none)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from web.app import create_app
from web.cli import cli
from web.composition.bootstrap import Services


def test_https_answers_carry_hsts_and_http_answers_do_not(demo: Services) -> None:
    app = create_app(services=demo)
    with TestClient(app, base_url="https://walkthrough.test") as secure:
        assert secure.get("/health").headers["strict-transport-security"] == "max-age=31536000"
    with TestClient(app, base_url="http://walkthrough.test") as plain:
        assert "strict-transport-security" not in plain.get("/health").headers


@pytest.mark.parametrize("value", ["127.0.0.1,caddy", "*", "10.0.0.0/33"])
def test_forwarded_allow_ips_must_be_addresses_or_networks(value: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--forwarded-allow-ips", value])
    assert result.exit_code == 2
    assert "is not an IP address or network" in result.output
