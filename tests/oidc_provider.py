"""A real OpenID provider on loopback for tests: `oidc-provider-mock` (a Flask app built
on Authlib's server side) in a process of its own (`python -m oidc_provider_mock`, so
the tests' warnings-are-errors rule does not reach into it), behind a small proxy of
our own.

The proxy passes every request through with its Host header, so the provider's issuer,
endpoints and keys are all at the proxy's address; a test can rewrite what the provider
answers on a path (an ID token tampered with in transit, a multi-tenant discovery
document) without touching the provider or the app. Each test sets its users' claims
(`set_user`) and logs in through the provider's own form (`log_in`).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.servers import free_port

Rewrite = Callable[[bytes], bytes]
STARTUP_SECONDS = 30.0
HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "date", "server",
              "keep-alive"}


class _Forward(BaseHTTPRequestHandler):
    server: _ProxyServer

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_PUT(self) -> None:
        self._forward()

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port,
                                              timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        for prefix, rewrite in self.server.rewrites.items():
            if self.path.startswith(prefix) and answer.status == 200:
                data = rewrite(data)
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    upstream_port: int
    rewrites: dict[str, Rewrite]


class Provider:
    """The provider as the app and browsers see it: `url` is its issuer."""

    def __init__(self, proxy: _ProxyServer) -> None:
        self.proxy = proxy

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy.server_address[1]}"

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        """The claims the provider puts in `sub`'s ID token (any claim, even iss/aud/exp,
        overrides the provider's own: that is how a test gets a token for another
        issuer or audience, or an expired one, signed with the provider's real key)."""
        answer = httpx.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        assert answer.status_code == 204, answer.text

    def rewrite(self, path_prefix: str, rewrite: Rewrite) -> None:
        """Change what the provider answers on paths starting with `path_prefix`."""
        self.proxy.rewrites[path_prefix] = rewrite

    def log_in(self, authorize_url: str, sub: str) -> str:
        """Log `sub` in through the provider's form (as a browser would post it); where
        the provider sends the browser back to (the app's callback, with code and state)."""
        with httpx.Client(timeout=10) as browser:
            form = browser.get(authorize_url)
            assert form.status_code == 200, form.text
            assert re.search(r'<input[^>]*name="sub"', form.text), form.text
            answer = browser.post(authorize_url, data={"sub": sub})
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the OpenID provider exited ({process.returncode})")
        try:
            if httpx.get(f"{url}/.well-known/openid-configuration", timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"the OpenID provider did not answer within {STARTUP_SECONDS} s")


@contextmanager
def running_provider() -> Iterator[Provider]:
    port = free_port()
    upstream = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "oidc_provider_mock", "--host", "127.0.0.1",
         "--port", str(port), "--require-nonce"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", upstream)
    except AssertionError:
        upstream.kill()
        upstream.wait()
        raise
    proxy = _ProxyServer(("127.0.0.1", 0), _Forward)
    proxy.upstream_port = port
    proxy.rewrites = {}
    proxy_thread = threading.Thread(target=proxy.serve_forever, args=(0.05,),
                                    name="oidc-proxy", daemon=True)
    proxy_thread.start()
    try:
        yield Provider(proxy)
    finally:
        proxy.shutdown()
        proxy.server_close()
        proxy_thread.join(5)
        upstream.terminate()
        try:
            upstream.wait(timeout=10)
        except subprocess.TimeoutExpired:
            upstream.kill()
            upstream.wait()


def rewrite_json(change: Callable[[dict[str, Any]], None]) -> Rewrite:
    def rewrite(data: bytes) -> bytes:
        document = json.loads(data)
        change(document)
        return json.dumps(document).encode()

    return rewrite
