"""Debian's Caddy in front of a real `walkthrough serve`, as docs/deployment.md sets it up,
on loopback: `tls internal` for a name that is not localhost, its own config and data
directories (XDG_CONFIG_HOME/XDG_DATA_HOME in a temporary directory), no admin
endpoint, listening on a free 127.0.0.1 port only. Clients reach it by name with
`connect` (TLS checked against Caddy's own root certificate, SNI and Host the name).

Caddy is /usr/bin/caddy (or $WALKTHROUGH_CADDY). When it is missing the tests skip,
unless WALKTHROUGH_REQUIRE_CADDY=1 or WALKTHROUGH_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.servers import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
NAME = "walkthrough.test"  # not localhost: a school network's name, resolved by the test
START_SECONDS = 60.0


def caddy_path() -> str:
    path = os.environ.get("WALKTHROUGH_CADDY") or shutil.which("caddy") or "/usr/bin/caddy"
    if not Path(path).exists():
        reason = f"Caddy not found at {path} (apt-get install caddy; `make test` does)"
        if "1" in (os.environ.get("WALKTHROUGH_REQUIRE_CADDY"),
                   os.environ.get("WALKTHROUGH_REQUIRE_BROWSER")):
            pytest.fail(f"{reason} (WALKTHROUGH_REQUIRE_CADDY/BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    return path


def caddyfile(port: int, upstream: int, logs: Path) -> str:
    """deploy/Caddyfile.internal as shipped, on test ports: the site at walkthrough.test
    on 127.0.0.1 only, no admin endpoint, no HTTP->HTTPS redirect listener."""
    shipped = (ROOT / "deploy" / "Caddyfile.internal").read_text()
    replacements = [
        ("{\n\t# Caddy must not try",
         f"{{\n\tadmin off\n\tauto_https disable_redirects\n\thttps_port {port}\n"
         "\t# Caddy must not try"),
        ("walkthrough.district.lan {", f"{NAME}:{port} {{\n\tbind 127.0.0.1"),
        ("reverse_proxy 127.0.0.1:8000", f"reverse_proxy 127.0.0.1:{upstream}"),
        ("/var/log/caddy/walkthrough-access.log", str(logs / "access.log")),
    ]
    for old, new in replacements:
        assert shipped.count(old) == 1, f"deploy/Caddyfile.internal no longer has {old!r}"
        shipped = shipped.replace(old, new)
    return shipped


@dataclass
class Caddy:
    url: str  # https://walkthrough.test:<port>
    port: int
    root_certificate: Path  # Caddy's local CA, the one tablets are told to trust
    upstream: str  # the server behind it, http://127.0.0.1:<port>
    server_log: Path

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.root_certificate))

    def request(self, method: str, path: str, *, source: str = "127.0.0.1",
                headers: dict[str, str] | None = None, body: Any = None,
                direct: bool = False) -> tuple[int, dict[str, str], Any]:
        """One request from the client address `source` (any of 127.0.0.0/8): through
        Caddy by name over HTTPS, or (`direct`) straight to the server over HTTP."""
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        sent.update(headers or {})
        conn: http.client.HTTPConnection
        if direct:
            conn = http.client.HTTPConnection(
                "127.0.0.1", int(self.upstream.rsplit(":", 1)[1]), timeout=30,
                source_address=(source, 0))
        else:
            conn = _NamedHTTPS(self.port, source, self.context())
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            raw = response.read()
            answer = json.loads(raw) if raw and raw[:1] in (b"{", b"[") else raw
            return response.status, {k.lower(): v for k, v in response.getheaders()}, answer
        finally:
            conn.close()


class _NamedHTTPS(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:port as https://walkthrough.test:port (SNI, Host, certificate
    name), from a chosen source address."""

    def __init__(self, port: int, source: str, context: ssl.SSLContext) -> None:
        super().__init__(NAME, port, timeout=30, context=context)
        self._source = source
        self._ssl_context = context

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout,
                                        (self._source, 0))
        self.sock = self._ssl_context.wrap_socket(sock, server_hostname=NAME)


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"walkthrough {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def behind_caddy(workdir: Path, env: dict[str, str]) -> Iterator[Caddy]:
    """`walkthrough serve --forwarded-allow-ips 127.0.0.1` with Caddy in front."""
    caddy = caddy_path()
    upstream_port, port = free_port(), free_port()
    upstream = f"http://127.0.0.1:{upstream_port}"
    server_log = workdir / "serve.log"
    caddy_home = workdir / "caddy"
    for sub in ("config", "data", "logs"):
        (caddy_home / sub).mkdir(parents=True, exist_ok=True)
    config = caddy_home / "Caddyfile"
    config.write_text(caddyfile(port, upstream_port, caddy_home / "logs"))
    caddy_env = {**os.environ, "XDG_CONFIG_HOME": str(caddy_home / "config"),
                 "XDG_DATA_HOME": str(caddy_home / "data"), "HOME": str(caddy_home)}
    with server_log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port",
             str(upstream_port), "--forwarded-allow-ips", "127.0.0.1"],
            cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=out,
            stderr=subprocess.STDOUT)
    caddy_out = (caddy_home / "logs" / "stdout.log").open("wb")
    proxy = subprocess.Popen([caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
                             env=caddy_env, stdout=caddy_out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(upstream, server, server_log, START_SECONDS)
        root = caddy_home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        running = Caddy(url=f"https://{NAME}:{port}", port=port, root_certificate=root,
                        upstream=upstream, server_log=server_log)
        _wait_for_tls(running, proxy, caddy_home / "logs")
        yield running
    finally:
        for process in (proxy, server):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        caddy_out.close()


def _wait_for_tls(caddy: Caddy, process: subprocess.Popen[bytes], logs: Path) -> None:
    """Until GET https://walkthrough.test:<port>/health answers 200 with a certificate
    from Caddy's local CA."""
    deadline = time.monotonic() + START_SECONDS
    last: object = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"caddy exited ({process.returncode}):\n{_read(logs)}")
        if caddy.root_certificate.exists():
            try:
                status, _, _ = caddy.request("GET", "/health")
                if status == 200:
                    return
                last = status
            except (OSError, ssl.SSLError) as exc:
                last = exc
        time.sleep(0.1)
    raise AssertionError(f"{caddy.url} did not answer /health ({last}):\n{_read(logs)}")


def _read(logs: Path) -> str:
    return "\n".join(path.read_text(errors="replace") for path in sorted(logs.glob("*.log")))
