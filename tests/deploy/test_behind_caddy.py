"""Behind Caddy (`tls internal`, at https://walkthrough.test): the server sees each
client's own address (rate limits per client, not one bucket for the district), a
forged X-Forwarded-For from anyone but the proxy is ignored, HTTPS answers carry HSTS,
and a sign-in link made for the https:// origin signs a device in."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from tests.caddy import ROOT, Caddy, behind_caddy, caddy_path, cli
from web.http.ratelimit import ADDRESS_FACTOR

# Two refused sign-in links per code, twenty per address (web.http.ratelimit.ADDRESS_FACTOR),
# then 429 (a minute's refill: none in a test).
FAILURE_BURST = 2
PER_ADDRESS = FAILURE_BURST * ADDRESS_FACTOR


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data_dir = tmp_path_factory.mktemp("caddy-data")
    env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(data_dir),
           "WALKTHROUGH_SIGNIN_FAILURE_BURST": str(FAILURE_BURST),
           "WALKTHROUGH_SIGNIN_FAILURES_PER_MINUTE": "1"}
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    env.pop("WALKTHROUGH_FORWARDED_ALLOW_IPS", None)
    cli(env, "demo")
    return env


@pytest.fixture(scope="module")
def caddy(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Caddy]:
    with behind_caddy(tmp_path_factory.mktemp("caddy"), env) as running:
        yield running


def refuse(caddy: Caddy, source: str, *, direct: bool = False,
           forged: str | None = None) -> int:
    """A bogus sign-in link code from `source`; the status (401 refused, 429 limited)."""
    headers = {"X-Forwarded-For": forged} if forged else {}
    # A new made-up code each time: the address's bound is what is tried, not the code's.
    status, _, _ = caddy.request("POST", "/api/signin/link", source=source, direct=direct,
                                 headers=headers, body={"code": f"not-a-code-{uuid4().hex}"})
    return status


def access_log_clients(log: Path) -> list[str]:
    """The client addresses uvicorn logged for sign-in link requests."""
    return re.findall(r"(\d+\.\d+\.\d+\.\d+):\d+ - \"POST /api/signin/link",
                      log.read_text(errors="replace"))


def test_two_clients_behind_caddy_have_two_buckets(caddy: Caddy) -> None:
    first = [refuse(caddy, "127.0.0.2") for _ in range(PER_ADDRESS + 1)]
    assert first == [401] * PER_ADDRESS + [429]
    # Another tablet behind the same proxy still has its own tries.
    assert refuse(caddy, "127.0.0.3") == 401
    clients = access_log_clients(caddy.server_log)
    assert "127.0.0.2" in clients
    assert "127.0.0.3" in clients
    assert "127.0.0.1" not in clients  # never the proxy's own address


def test_a_forged_forwarded_for_from_a_client_that_is_not_the_proxy_is_ignored(
    caddy: Caddy
) -> None:
    # Straight to the server: a new made-up address each time buys no fresh tries.
    direct = [refuse(caddy, "127.0.0.4", direct=True, forged=f"10.0.0.{n}")
              for n in range(PER_ADDRESS + 1)]
    assert direct == [401] * PER_ADDRESS + [429]
    # Through Caddy: it replaces what the client claims with the client's address.
    proxied = [refuse(caddy, "127.0.0.5", forged=f"10.0.1.{n}")
               for n in range(PER_ADDRESS + 1)]
    assert proxied == [401] * PER_ADDRESS + [429]
    clients = access_log_clients(caddy.server_log)
    assert not [client for client in clients if client.startswith("10.")]


def test_https_answers_carry_hsts_and_plain_http_does_not(caddy: Caddy) -> None:
    status, headers, _ = caddy.request("GET", "/health", source="127.0.0.6")
    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000"
    status, headers, _ = caddy.request("GET", "/health", source="127.0.0.6", direct=True)
    assert status == 200
    assert "strict-transport-security" not in headers


@pytest.mark.parametrize("browser_origin", [True, False])
def test_a_link_made_for_the_https_origin_signs_a_device_in(
    caddy: Caddy, env: dict[str, str], browser_origin: bool
) -> None:
    link = cli(env, "link", "coach1", "--base-url", caddy.url).strip().splitlines()[-1]
    assert link.startswith(f"{caddy.url}/signin#code=")
    code = link.split("#code=", 1)[1]
    # A browser sends its Origin; without one, the origin is the forwarded scheme and
    # Host, which only holds when the proxy's headers are trusted.
    headers = {"Origin": caddy.url} if browser_origin else {}
    status, _, body = caddy.request("POST", "/api/signin/link", source="127.0.0.7",
                                    headers=headers, body={"code": code})
    assert status == 200, body
    assert body["user"]["id"] == "coach1"
    status, _, me = caddy.request("GET", "/api/me", source="127.0.0.7",
                                  headers={"Authorization": f"Bearer {body['token']}"})
    assert status == 200
    assert me["user"]["id"] == "coach1"


@pytest.mark.parametrize("name", ["Caddyfile.public", "Caddyfile.internal"])
def test_the_shipped_caddyfiles_parse(name: str, tmp_path: Path) -> None:
    done = subprocess.run([caddy_path(), "adapt", "--adapter", "caddyfile", "--config",
                           str(ROOT / "deploy" / name)], capture_output=True, text=True,
                          timeout=60, check=False,
                          env={**os.environ, "XDG_DATA_HOME": str(tmp_path),
                               "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    routes = config["apps"]["http"]["servers"]["srv0"]["routes"]
    assert "127.0.0.1:8000" in json.dumps(routes)  # the port walkthrough.service listens on
