"""Sign-in links by email, through a real SMTP server on loopback and the server's own
sender thread: a registered person's link arrives and signs a device in once; an unknown
or deactivated address gets the same answer and no email; requests are limited per
address and per client; a mail server that is down delays the email, never the answer;
organizers send a person their link from the People screen."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest
from starlette.testclient import TestClient

from tests.conftest import FakeClock
from tests.mailserver import MailServer
from walkthrough.events import PersonDeactivated, RemindersChosen
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo
from web.routes.signin_email import SENT

DANA = "dana.reyes@demo-district.example"
LINK = re.compile(r"http://testserver/signin#code=([A-Za-z0-9_-]{43})")


@pytest.fixture
def mailing(settings: Settings, mail_server: MailServer, clock: FakeClock) -> Iterator[Services]:
    """The demo district with email set up, sending to the loopback server."""
    built = bootstrap(msgspec.structs.replace(
        settings, smtp_url=mail_server.url, mail_from="walkthrough@demo-district.example",
        signin_emails_per_address_per_hour=3, signin_emails_per_client_per_hour=6),
        clock=clock)
    load_demo(built.app, today=clock().date())
    # This file looks at sign-in email alone: the demo's hosts would otherwise get
    # reminders of the check-ins their plans have overdue (tests/web/test_invitations.py).
    organizer = built.app.actor("organizer1")
    for user_id in built.app.district().people:
        built.app.prepare(organizer, RemindersChosen(user_id=user_id, on=False))
    yield built
    built.close()


@pytest.fixture
def web(mailing: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=mailing)) as client:
        yield client


@pytest.fixture
def organizer(mailing: Services, clock: FakeClock) -> dict[str, str]:
    return {"Authorization": f"Bearer {mailing.tokens.issue('organizer1', clock())}"}


def ask(web: TestClient, email: str) -> None:
    answer = web.post("/api/signin/email", json={"email": email})
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"message": SENT}


def test_a_registered_persons_link_arrives_and_signs_a_device_in_once(
    web: TestClient, mail_server: MailServer
) -> None:
    ask(web, "  Dana.Reyes@Demo-District.EXAMPLE ")
    (message,) = mail_server.inbox.wait_for(1)
    assert message["To"] == DANA
    assert message["From"] == "walkthrough@demo-district.example"
    text = message.get_content()
    found = LINK.search(text)
    assert found is not None, text
    # The email names nobody (not even Dana) and carries nothing from a visit.
    for named in ("Dana", "Reyes", "Roosevelt", "coach1"):
        assert named not in text

    signed_in = web.post("/api/signin/link", json={"code": found.group(1)})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["id"] == "coach1"
    me = web.get("/api/me", headers={"Authorization": f"Bearer {signed_in.json()['token']}"})
    assert me.status_code == 200
    again = web.post("/api/signin/link", json={"code": found.group(1)})
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "link_used"


def test_unknown_and_deactivated_addresses_get_the_same_answer_and_no_email(
    web: TestClient, mailing: Services, mail_server: MailServer
) -> None:
    mailing.app.administer([PersonDeactivated(user_id="coach2")])
    ask(web, "nobody@demo-district.example")
    ask(web, "sam.okafor@demo-district.example")  # coach2, deactivated
    ask(web, DANA)
    messages = mail_server.inbox.wait_for(1)
    assert [m["To"] for m in messages] == [DANA]
    status = mailing.mail.queue.status()
    assert status.waiting + status.retrying + status.sent == 1


def test_sign_in_emails_are_limited_per_address_and_per_client(
    web: TestClient, mail_server: MailServer
) -> None:
    for _ in range(3):
        ask(web, DANA)
    refused = web.post("/api/signin/email", json={"email": DANA})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "for this address" in refused.json()["error"]["message"]
    # Unknown addresses count the same, so the limit tells nothing either; the refused
    # request counted for the client too (4 of its 6).
    for n in range(2):
        ask(web, f"unknown{n}@demo-district.example")
    refused = web.post("/api/signin/email", json={"email": "one.more@demo-district.example"})
    assert refused.status_code == 429
    assert "from this device's network" in refused.json()["error"]["message"]
    assert [m["To"] for m in mail_server.inbox.wait_for(3)] == [DANA] * 3


def test_bad_requests_are_refused_before_anything_is_looked_up(
    web: TestClient, mailing: Services
) -> None:
    for body in ({"email": "not an address"}, {"email": DANA, "extra": 1}, {}):
        answer = web.post("/api/signin/email", json=body)
        assert answer.status_code == 422, body
    assert web.post("/api/signin/email", content=b"{").status_code == 400
    assert mailing.mail.queue.status().waiting == 0


def test_a_mail_server_that_is_down_delays_the_email_not_the_answer(
    web: TestClient, mailing: Services, mail_server: MailServer, clock: FakeClock,
    organizer: dict[str, str]
) -> None:
    mail_server.stop()
    ask(web, DANA)
    state = web.get("/api/mail", headers=organizer)
    for _ in range(200):  # until the sender thread's first try, whenever it comes
        if state.json()["queue"]["retrying"] == 1:
            break
        time.sleep(0.05)
        state = web.get("/api/mail", headers=organizer)
    queue = state.json()["queue"]
    assert (queue["retrying"], queue["sent"]) == (1, 0)
    assert "ConnectionRefusedError" in queue["last_error"]
    assert state.json()["configured"] is True

    mail_server.start()
    clock.advance(timedelta(seconds=30))
    mailing.mail.wake.set()
    (message,) = mail_server.inbox.wait_for(1)
    assert message["To"] == DANA


def test_organizers_email_a_person_their_link(
    web: TestClient, mailing: Services, mail_server: MailServer, organizer: dict[str, str],
    clock: FakeClock
) -> None:
    sent = web.post("/api/people/coach1/signin-email", headers=organizer)
    assert sent.status_code == 202, sent.text
    assert sent.json()["email"] == DANA
    (message,) = mail_server.inbox.wait_for(1)
    assert LINK.search(message.get_content())
    coach = {"Authorization": f"Bearer {mailing.tokens.issue('coach2', clock())}"}
    assert web.post("/api/people/coach1/signin-email", headers=coach).status_code == 403
    assert web.post("/api/people/nobody/signin-email", headers=organizer).status_code == 404


def test_the_sign_in_screen_is_told_email_is_offered(web: TestClient) -> None:
    assert web.get("/api/signin/options").json() == {"oidc": None, "email": True}


def test_without_a_mail_server_email_is_not_offered(client: TestClient) -> None:
    assert client.get("/api/signin/options").json() == {"oidc": None, "email": False}
    refused = client.post("/api/signin/email", json={"email": DANA})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "mail_not_configured"
