"""The tablet app served as a district serves it: Debian's Caddy with `tls internal` in
front of `walkthrough serve --forwarded-allow-ips 127.0.0.1`, opened at
https://walkthrough.test:<port> - a name that is not localhost, so only a real secure
context (a certificate the browser accepts) lets the service worker register.

Chromium resolves walkthrough.test to 127.0.0.1 (--host-resolver-rules) and accepts
Caddy's local CA and nothing else: --ignore-certificate-errors-spki-list pins the key of
the CA certificate Caddy presents in its chain (its intermediate, signed by its root),
which is what a tablet does once the root is installed (docs/deployment.md): the page is
a secure context with no certificate error. A blanket "ignore certificate errors" would
prove less (any certificate would do, and Chromium refuses service worker scripts whose
certificate is in error). A certificate from any other CA stays an error (last test).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import CHROMIUM_ARGS, TABLET, Server, Tablet
from tests.browser.support import count, unique
from tests.caddy import NAME, Caddy, behind_caddy, cli

pytestmark = pytest.mark.browser


def _der_items(der: bytes) -> list[bytes]:
    """The elements (each with its tag and length) of a DER SEQUENCE."""
    assert der[0] == 0x30, "not a DER sequence"
    body, _ = _content(der, 0)
    items, at = [], 0
    while at < len(body):
        _, end = _content(body, at)
        items.append(body[at:end])
        at = end
    return items


def _content(der: bytes, at: int) -> tuple[bytes, int]:
    length, at = der[at + 1], at + 2
    if length & 0x80:
        size = length & 0x7F
        length, at = int.from_bytes(der[at : at + size], "big"), at + size
    return der[at : at + length], at + length


def spki_sha256(pem: str) -> str:
    """base64(sha256(SubjectPublicKeyInfo)) of a PEM certificate, as Chromium pins keys."""
    body = "".join(line for line in pem.strip().splitlines() if "-----" not in line)
    tbs = _der_items(_der_items(base64.b64decode(body))[0])
    fields = tbs[1:] if tbs[0][0] == 0xA0 else tbs  # [0] version is optional
    spki = fields[5]  # serial, signature, issuer, validity, subject, subjectPublicKeyInfo
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def https_site(tmp_path_factory: pytest.TempPathFactory,
               chromium_path: str) -> Iterator[tuple[Caddy, Server]]:
    data_dir = tmp_path_factory.mktemp("https-data")
    env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(data_dir)}
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    env.pop("WALKTHROUGH_FORWARDED_ALLOW_IPS", None)
    cli(env, "demo")
    with behind_caddy(tmp_path_factory.mktemp("https-caddy"), env) as caddy:
        status, _, me = caddy.request(
            "GET", "/api/me", headers={"Authorization": f"Bearer {token(env, 'coach1')}"})
        assert status == 200
        visit_id = next(v["id"] for v in me["visits"]
                        if v["phase"] == "observation" and v["relation"] == "team")
        # Server.link makes links for caddy.url from this data directory.
        yield caddy, Server(url=caddy.url, tokens={"host1": token(env, "host1")},
                            visit_id=visit_id,
                            log=Path(data_dir) / "serve.log")


def token(env: dict[str, str], user: str) -> str:
    return cli(env, "token", user).strip().splitlines()[-1]


@pytest.fixture(scope="module")
def trusting_browser(playwright_driver: Playwright, chromium_path: str,
                     https_site: tuple[Caddy, Server]) -> Iterator[Browser]:
    caddy, _ = https_site
    intermediate = caddy.root_certificate.with_name("intermediate.crt").read_text()
    launched = playwright_driver.chromium.launch(
        executable_path=chromium_path,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1",
              f"--ignore-certificate-errors-spki-list={spki_sha256(intermediate)}"])
    yield launched
    launched.close()


def summary(caddy: Caddy, visit_id: str, bearer: str) -> dict[str, Any]:
    status, _, body = caddy.request("GET", f"/api/visits/{visit_id}/summary",
                                    headers={"Authorization": f"Bearer {bearer}"})
    assert status == 200, body
    assert isinstance(body, dict)
    return body


def test_over_https_the_app_installs_opens_offline_and_syncs_a_capture(
    trusting_browser: Browser, https_site: tuple[Caddy, Server]
) -> None:
    caddy, server = https_site
    context = trusting_browser.new_context(viewport=TABLET)
    try:
        coach = Tablet(context, server, "coach1")
        coach.sign_in_by_link()  # a link made for https://walkthrough.test:<port>
        page = coach.page
        assert page.evaluate("() => [location.origin, window.isSecureContext]") == \
            [caddy.url, True]
        coach.wait_for_service_worker()
        assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL") == \
            f"{caddy.url}/sw.js"
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []

        coach.open_capture()
        before = summary(caddy, server.visit_id, server.tokens["host1"])

        context.set_offline(True)
        page.reload()  # the shell from the service worker, over https, with no network
        expect(coach.by("enter-form")).to_be_visible()
        room = unique("Room HTTPS")
        coach.enter_classroom(room, students=18)
        coach.tap("target_posted", "yes")
        coach.tap("engagement", 5)
        expect(coach.by("pending-count")).to_have_text("3")
        expect(coach.by("offline-banner")).to_be_visible()  # its sends failed: offline

        context.set_offline(False)
        coach.wait_until_sent(at_least=3)
        statuses = [row["status"] for row in coach.journal()]
        assert statuses == ["synced"] * len(statuses)
        after = summary(caddy, server.visit_id, server.tokens["host1"])
        assert after["rooms"] == before["rooms"] + 1
        assert count(after, "target_posted", "yes") == count(before, "target_posted", "yes") + 1
        assert coach.csp_violations() == []
    finally:
        context.close()


def test_a_certificate_from_another_ca_is_still_refused(
    playwright_driver: Playwright, chromium_path: str, https_site: tuple[Caddy, Server]
) -> None:
    """Without the pinned CA the same page is a certificate error: what the test browser
    trusts is Caddy's CA, not any certificate."""
    caddy, _ = https_site
    launched = playwright_driver.chromium.launch(
        executable_path=chromium_path,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1"])
    try:
        page = launched.new_page()
        with pytest.raises(PlaywrightError, match="ERR_CERT"):
            page.goto(caddy.url + "/")
    finally:
        launched.close()
