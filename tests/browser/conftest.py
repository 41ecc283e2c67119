"""Fixtures for the browser tests: a real server subprocess with the demo district,
Debian's Chromium driven by Playwright (never a downloaded browser), and a small
driver for the tablet app.

Chromium is looked up at /usr/bin/chromium (or $WALKTHROUGH_CHROMIUM). When it is
missing the tests skip, unless WALKTHROUGH_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.servers import free_port, wait_until_up

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# Every module here drives Chromium but test_shell.py (it reads files only).
BROWSER_MODULES = sorted(path.name for path in Path(__file__).parent.glob("test_*.py")
                         if path.name != "test_shell.py")

try:
    import playwright.sync_api  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("WALKTHROUGH_REQUIRE_BROWSER") != "1":
        collect_ignore = BROWSER_MODULES  # nothing to drive Chromium with: skip quietly

TABLET: ViewportSize = {"width": 768, "height": 1024}
SERVER_START_SECONDS = 60
EXPECT_TIMEOUT_MS = 15_000


def _missing(reason: str) -> None:
    if os.environ.get("WALKTHROUGH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (WALKTHROUGH_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = Path(os.environ.get("WALKTHROUGH_CHROMIUM", "/usr/bin/chromium"))
    if not path.exists():
        _missing(f"Chromium not found at {path} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[test]')")
    return str(path)


# --- the server ----------------------------------------------------------------------


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"walkthrough {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Server:
    url: str
    tokens: dict[str, str]
    visit_id: str = ""
    log: Path = field(default_factory=Path)

    def call(self, method: str, path: str, user: str = "coach1",
             body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.tokens[user]}")
        if method == "GET":  # what the tablets wrote, asked for by position (reads wait)
            request.add_header("X-Walkthrough-After", str(self.log_position()))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read() or b"null")

    def log_position(self) -> int:
        """The log's top now (`GET /health`)."""
        with urllib.request.urlopen(self.url + "/health", timeout=30) as response:
            position: int = json.loads(response.read())["log_position"]
        return position

    def link(self, user: str) -> str:
        """A one-time sign-in link for `user` (`walkthrough link`), made for this server."""
        env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(self.log.parent)}
        env.pop("WALKTHROUGH_DATABASE_URL", None)
        link = _cli(env, "link", user, "--base-url", self.url).strip().splitlines()[-1]
        assert link.startswith(f"{self.url}/signin#code="), link
        return link

    def get(self, path: str, user: str = "coach1") -> Any:
        status, body = self.call("GET", path, user)
        assert status == 200, (path, status, body)
        return body

    def summary(self, user: str = "host1") -> dict[str, Any]:
        result: dict[str, Any] = self.get(f"/api/visits/{self.visit_id}/summary", user)
        return result


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("walkthrough-data")
    env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    _cli(env, "demo")
    tokens = {user: _cli(env, "token", user).strip().splitlines()[-1].strip()
              for user in ("coach1", "coach2", "host1", "organizer1", "analyst1")}
    with serving(env, data_dir) as (url, log):
        yield demo_server(url, tokens, log)


@contextlib.contextmanager
def serving(env: dict[str, str], data_dir: Path,
            port: int | None = None) -> Iterator[tuple[str, Path]]:
    """`walkthrough serve` on a loopback port (a free one unless given) with `env`, up
    until the block ends; its address and its log."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(url, process, log, SERVER_START_SECONDS)
        yield url, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def demo_server(url: str, tokens: dict[str, str], log: Path) -> Server:
    """The demo district's server, with the current visit coach1 captures in."""
    running = Server(url=url, tokens=tokens, log=log)
    me = running.get("/api/me", "coach1")
    running.visit_id = next(v["id"] for v in me["visits"]
                            if v["phase"] == "observation" and v["relation"] == "team")
    return running


# --- the browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver(chromium_path: str) -> Iterator[Playwright]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright, chromium_path: str) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=chromium_path,
                                                 args=CHROMIUM_ARGS)
    yield launched
    launched.close()


class Tablet:
    """Drives the tablet app in one browser context (one device, one coach)."""

    def __init__(self, context: BrowserContext, server: Server, user: str) -> None:
        self.context = context
        self.server = server
        self.user = user
        self.page: Page = context.new_page()
        self.page.set_default_timeout(EXPECT_TIMEOUT_MS)
        self.console_errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"pageerror: {error}"))

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]

    def by(self, test_id: str) -> Any:
        return self.page.get_by_test_id(test_id)

    def sign_in_by_link(self) -> Tablet:
        """Open a one-time link for this device's person: the visits screen, signed in."""
        from playwright.sync_api import expect

        self.page.goto(self.server.link(self.user))
        expect(self.by("visit-list")).to_be_visible()
        return self

    def sign_in(self) -> Tablet:
        from playwright.sync_api import expect

        self.page.goto(self.server.url + "/")
        self.by("token-input").fill(self.server.tokens[self.user])
        self.by("sign-in").click()
        expect(self.by("visit-list")).to_be_visible()
        return self

    def wait_for_service_worker(self) -> None:
        """An active service worker controls this page. Every wait is bounded: a page
        that came back from the sign-in provider while the worker installed may never
        see `controllerchange` (an unbounded wait hung CI); the worker is then active
        and the next navigation is controlled, as a user's would be."""
        # page.evaluate awaits the promise (wait_for_function would need eval, which CSP
        # forbids); a promise that never settles would wait for ever: each one races a timer.
        active = self.page.evaluate("""(ms) => Promise.race([
            navigator.serviceWorker.ready.then(() => true),
            new Promise((resolve) => setTimeout(() => resolve(false), ms))])""",
                                    EXPECT_TIMEOUT_MS)
        assert active, "no service worker became active"
        if self._controlled(5000):
            return
        self.page.reload()
        assert self._controlled(EXPECT_TIMEOUT_MS), "the active service worker controls no page"

    def _controlled(self, ms: int) -> bool:
        return bool(self.page.evaluate("""(ms) => navigator.serviceWorker.controller !== null
            || Promise.race([
                new Promise((resolve) => navigator.serviceWorker.addEventListener(
                    'controllerchange', () => resolve(true), { once: true })),
                new Promise((resolve) => setTimeout(() => resolve(false), ms))])""", ms))

    def open_capture(self) -> Tablet:
        from playwright.sync_api import expect

        self.by(f"capture-{self.server.visit_id}").click()
        expect(self.by("enter-form").or_(self.by("room-title"))).to_be_visible()
        return self

    def enter_classroom(self, label: str, grade_band: str = "6-8", subject: str = "math",
                        students: int | None = 24) -> None:
        from playwright.sync_api import expect

        self.by("room-label").fill(label)
        self.by("room-grade").select_option(grade_band)
        self.by("room-subject").select_option(subject)
        if students is not None:
            self.by("room-students").fill(str(students))
        self.by("enter-classroom").click()
        expect(self.by("room-title")).to_have_text(f"In {label}")
        self.show_all_look_fors()

    def show_all_look_fors(self) -> None:
        """Unfold the look-fors beyond the visit's focus (the tablet keeps them open)."""
        others = self.by("other-lookfors")
        if others.count() and others.get_attribute("open") is None:
            self.by("show-other-lookfors").click()

    def tap(self, key: str, value: str | int) -> None:
        from playwright.sync_api import expect

        button = self.by(f"lookfor-{key}-{value}")
        if not button.is_visible():
            self.show_all_look_fors()
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")

    def note_evidence(self, text: str, item: str | None = None) -> None:
        from playwright.sync_api import expect

        self.by("evidence-text").fill(text)
        if item:
            self.by("evidence-item").select_option(item)
        self.by("add-evidence").click()
        expect(self.by("evidence-list")).to_contain_text(text)

    def leave_thank_you(self) -> None:
        from playwright.sync_api import expect

        self.by("thank-you").click()
        expect(self.by("thank-you")).to_have_attribute("aria-pressed", "true")

    def journal(self) -> list[dict[str, Any]]:
        """What this device recorded in the visit, with each event's outbox status."""
        rows: list[dict[str, Any]] = self.page.evaluate(
            """async (visitId) => {
                const outbox = await import('/static/js/outbox.js');
                return await outbox.journal(visitId);
            }""", self.server.visit_id)
        return rows

    def wait_until_sent(self, at_least: int) -> None:
        """Every event this device recorded (at least `at_least`) got a server answer."""
        from playwright.sync_api import expect

        deadline = time.monotonic() + EXPECT_TIMEOUT_MS / 1000
        while True:
            statuses = [row["status"] for row in self.journal()]
            if len(statuses) >= at_least and "pending" not in statuses:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"not everything was sent: {statuses}")
            self.page.wait_for_timeout(100)  # poll IndexedDB; page.evaluate awaits, waiters don't
        expect(self.by("pending-count")).to_have_text("0")

    def pending(self) -> int:
        return int(self.by("pending-count").inner_text())


@pytest.fixture
def tablet(browser: Browser, server: Server) -> Iterator[Callable[..., Tablet]]:
    """Factory: a fresh browser context (a separate device) per call, closed afterwards."""
    contexts: list[BrowserContext] = []

    def make(user: str = "coach1", viewport: ViewportSize | None = None) -> Tablet:
        context = browser.new_context(viewport=viewport or TABLET, base_url=server.url)
        contexts.append(context)
        return Tablet(context, server, user)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
