"""Signing in with the district's own account and with links by email, end to end: a
real `walkthrough serve` set up with a real OpenID provider (oidc-provider-mock) and a
real SMTP server (aiosmtpd), both on loopback, and Chromium.

"Sign in with Demo District" -> the provider's form -> back in the app as the roster's
person, with their visits -> network off -> capture -> network on -> the events arrive.
Someone the roster does not have sees the refusal page. A link asked for by email
arrives, signs a second browser in, and only once; an organizer sends one from the
People screen.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.browser.conftest import TABLET, Server, Tablet, _cli, demo_server, serving
from tests.browser.support import count, unique
from tests.browser.test_accessibility import check_screen
from tests.mailserver import MailServer
from tests.oidc_provider import Provider

pytestmark = pytest.mark.browser

DANA = "dana.reyes@demo-district.example"  # coach1 in the demo roster
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/signin#code=[A-Za-z0-9_-]{43})")


@pytest.fixture(scope="module")
def mail_inbox() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def district_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: str,
                    oidc_provider_process: Provider,
                    mail_inbox: MailServer) -> Iterator[Server]:
    """The demo district, served with its own account and email set up (the provider
    answering as it is, whatever earlier tests made it rewrite)."""
    oidc_provider_process.proxy.rewrites.clear()
    data_dir = tmp_path_factory.mktemp("walkthrough-district")
    env = {**os.environ, "WALKTHROUGH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1",
           "WALKTHROUGH_OIDC_ISSUER": oidc_provider_process.url,
           "WALKTHROUGH_OIDC_CLIENT_ID": "walkthrough-browser-test",
           "WALKTHROUGH_OIDC_CLIENT_SECRET": "browser-test-secret",
           "WALKTHROUGH_OIDC_NAME": "Demo District",
           "WALKTHROUGH_SMTP_URL": mail_inbox.url,
           "WALKTHROUGH_MAIL_FROM": "walkthrough@demo-district.example"}
    env.pop("WALKTHROUGH_DATABASE_URL", None)
    _cli(env, "demo")
    tokens = {user: _cli(env, "token", user).strip().splitlines()[-1].strip()
              for user in ("coach1", "host1")}
    with serving(env, data_dir) as (url, log):
        yield demo_server(url, tokens, log)


@pytest.fixture
def device(browser: Browser, district_server: Server) -> Iterator[Callable[[str], Tablet]]:
    contexts = []

    def make(user: str = "coach1") -> Tablet:
        context = browser.new_context(viewport=TABLET, base_url=district_server.url)
        contexts.append(context)
        return Tablet(context, district_server, user)

    yield make
    for context in contexts:
        context.close()


def through_the_provider(device: Tablet, sub: str) -> None:
    """Press "Sign in with Demo District" and log in as `sub` on the provider's form."""
    device.page.goto(device.server.url + "/signin")
    button = device.by("oidc-signin")
    expect(button).to_have_text("Sign in with Demo District")
    button.click()
    device.page.locator("input[name=sub]").fill(sub)
    device.page.get_by_role("button", name="Authorize").click()


def test_the_district_account_signs_a_tablet_in_that_then_captures_offline(
    device: Callable[[str], Tablet], district_server: Server,
    oidc_provider_process: Provider
) -> None:
    oidc_provider_process.set_user("dana-district", {"email": "Dana.Reyes@demo-district.example",
                                                      "email_verified": True})
    coach = device("coach1")
    through_the_provider(coach, "dana-district")
    expect(coach.by("visit-list")).to_be_visible()
    expect(coach.by("user-name")).to_have_text("Dana Reyes")
    assert "#code=" not in coach.page.url
    expect(coach.by(f"capture-{district_server.visit_id}")).to_be_visible()  # her visits

    coach.wait_for_service_worker()
    coach.open_capture()
    before = district_server.summary()
    room = unique("Room D")
    coach.context.set_offline(True)
    coach.page.reload()
    expect(coach.by("offline-banner")).to_be_visible()
    coach.enter_classroom(room)
    coach.tap("engagement", 4)
    expect(coach.by("pending-count")).to_have_text("2")
    assert district_server.summary()["rooms"] == before["rooms"]

    coach.context.set_offline(False)
    coach.wait_until_sent(at_least=2)
    after = district_server.summary()
    assert after["rooms"] == before["rooms"] + 1
    assert count(after, "engagement", 4) == count(before, "engagement", 4) + 1
    assert coach.csp_violations() == []


def test_someone_the_roster_does_not_have_sees_the_refusal_page(
    device: Callable[[str], Tablet], oidc_provider_process: Provider, artifacts: Path
) -> None:
    oidc_provider_process.set_user("stranger", {"email": "stranger@elsewhere.example",
                                                 "email_verified": True})
    visitor = device("nobody")
    through_the_provider(visitor, "stranger")
    expect(visitor.by("oidc-refused-title")).to_have_text(
        "Your district has not registered you for Walkthrough")
    expect(visitor.by("oidc-refused")).to_contain_text("program organizer")
    assert check_screen(visitor, "oidc-refused", artifacts, Axe()) == []
    visitor.by("back-to-signin").click()
    expect(visitor.by("signin-email-form")).to_be_visible()  # the other ways are there
    assert visitor.page.evaluate("() => localStorage.getItem('walkthrough.token')") is None


def test_an_emailed_link_signs_a_second_browser_in_once(
    device: Callable[[str], Tablet], mail_inbox: MailServer, artifacts: Path
) -> None:
    asking = device("coach1")
    asking.page.goto(asking.server.url + "/signin")
    expect(asking.by("oidc-signin")).to_be_visible()
    expect(asking.by("signin-email-form")).to_be_visible()
    assert check_screen(asking, "sign-in-district", artifacts, Axe()) == []
    asking.page.set_viewport_size(TABLET)
    already = len(mail_inbox.inbox.links_to(DANA))
    asking.by("signin-email-input").fill("dana.reyes@DEMO-district.example")
    asking.by("signin-email-send").click()
    expect(asking.by("signin-email-status")).to_contain_text("a sign-in link is on its way")

    mail_inbox.inbox.wait_until(lambda _: len(mail_inbox.inbox.links_to(DANA)) > already)
    message = mail_inbox.inbox.links_to(DANA)[-1]
    found = LINK.search(message.get_content())
    assert found is not None, message.get_content()

    second = device("coach1")
    second.page.goto(found.group(1))
    expect(second.by("visit-list")).to_be_visible()
    expect(second.by("user-name")).to_have_text("Dana Reyes")

    third = device("coach1")
    third.page.goto(found.group(1))
    expect(third.by("signin-link-error")).to_contain_text("already used")


def test_an_organizer_sends_a_person_their_link_from_the_people_screen(
    device: Callable[[str], Tablet], mail_inbox: MailServer, district_server: Server
) -> None:
    district_server.tokens["organizer1"] = _cli(
        {**os.environ, "WALKTHROUGH_DATA_DIR": str(district_server.log.parent)},
        "token", "organizer1").strip().splitlines()[-1].strip()
    organizer = device("organizer1").sign_in()
    organizer.page.goto(district_server.url + "/people")
    already = len(mail_inbox.inbox.links_to("morgan.blake@demo-district.example"))
    organizer.by("email-link-host1").click()
    expect(organizer.by("email-sent-host1")).to_contain_text(
        "A sign-in link is on its way to morgan.blake@demo-district.example")
    mail_inbox.inbox.wait_until(lambda _: len(mail_inbox.inbox.links_to(
        "morgan.blake@demo-district.example")) > already)
    links = mail_inbox.inbox.links_to("morgan.blake@demo-district.example")
    assert len(links) == already + 1
    message = links[-1]
    assert LINK.search(message.get_content())
