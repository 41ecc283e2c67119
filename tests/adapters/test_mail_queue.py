"""Outgoing email on every backend, sent to a real SMTP server on loopback: a queued
message arrives; while the server is down it stays queued with the error shown, and is
sent once when the server is back; a message is claimed by one sender only; expired
messages are given up, not sent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import FakeClock
from tests.mailserver import MailServer
from walkthrough.adapters.mail_queue import (
    FIRST_RETRY,
    LEASE,
    MailQueue,
    PostgresMailQueue,
    SQLiteMailQueue,
    retry_wait,
)
from walkthrough.adapters.tokens import PostgresTokenStore, SQLiteTokenStore, TokenStore
from web.composition.mail import Mail, MailNotConfigured, SmtpSender
from web.composition.settings import parse_smtp_url

SENDER = "Walkthrough <walkthrough@district.example>"


@pytest.fixture
def queue(tokens: TokenStore) -> MailQueue:
    """The queue beside the token store, in the same database."""
    if isinstance(tokens, PostgresTokenStore):
        return PostgresMailQueue(tokens.datastore)
    assert isinstance(tokens, SQLiteTokenStore)
    return SQLiteMailQueue(tokens.datastore)


@pytest.fixture
def mail(queue: MailQueue, mail_server: MailServer, clock: FakeClock) -> Mail:
    return Mail(queue, SmtpSender(parse_smtp_url(mail_server.url), SENDER), clock)


def test_a_queued_message_arrives_at_the_mail_server(
    mail: Mail, mail_server: MailServer
) -> None:
    mail.send("dana.reyes@demo-district.example", "Your sign-in link", "Open this: x\n")
    assert mail.deliver_due() == 1

    (message,) = mail_server.inbox.wait_for(1)
    assert message["To"] == "dana.reyes@demo-district.example"
    assert message["From"] == SENDER
    assert message["Subject"] == "Your sign-in link"
    assert message.get_content().splitlines() == ["Open this: x"]
    status = mail.queue.status()
    assert (status.waiting, status.sent, status.retrying) == (0, 1, 0)
    assert mail.deliver_due() == 0  # nothing is sent twice


def test_a_server_that_is_down_delays_the_message_and_it_is_sent_once_when_back(
    mail: Mail, mail_server: MailServer, clock: FakeClock
) -> None:
    mail_server.stop()
    mail.send("omar.haddad@demo-district.example", "Subject", "Body\n")
    assert mail.deliver_due() == 0

    status = mail.queue.status()
    assert (status.waiting, status.retrying, status.sent) == (0, 1, 0)
    assert status.last_error is not None
    assert "ConnectionRefusedError" in status.last_error
    assert status.last_error_at == clock()

    # Not due again before its wait: nothing is attempted (the server is still down).
    clock.advance(FIRST_RETRY / 2)
    assert mail.deliver_due() == 0
    assert mail.queue.status().last_error_at == clock() - FIRST_RETRY / 2

    # Down at the second try too: the wait doubles.
    clock.advance(FIRST_RETRY / 2)
    assert mail.deliver_due() == 0
    assert mail.queue.status().last_error_at == clock()
    clock.advance(retry_wait(2) - timedelta(seconds=1))
    mail_server.start()
    assert mail.deliver_due() == 0  # back, but the message is not due yet
    clock.advance(timedelta(seconds=1))
    assert mail.deliver_due() == 1
    clock.advance(timedelta(hours=1))
    assert mail.deliver_due() == 0

    (message,) = mail_server.inbox.wait_for(1)
    assert message["To"] == "omar.haddad@demo-district.example"
    assert mail_server.inbox.to("omar.haddad@demo-district.example") == [message]
    status = mail.queue.status()
    assert (status.waiting, status.retrying, status.sent) == (0, 0, 1)
    assert status.last_sent_at == clock() - timedelta(hours=1)


def test_a_message_is_claimed_by_one_sender_until_its_lease_runs_out(
    queue: MailQueue, clock: FakeClock
) -> None:
    queue.enqueue("a@x.example", "s", "b", clock())
    (first,) = queue.claim_due(clock())
    assert queue.claim_due(clock()) == []  # another process finds nothing to send
    clock.advance(LEASE)
    (again,) = queue.claim_due(clock())  # the first sender died: it is sent later
    assert again.id == first.id


def test_a_message_past_its_expiry_is_given_up_not_sent(
    mail: Mail, mail_server: MailServer, clock: FakeClock
) -> None:
    mail.send("a@x.example", "s", "b", expires_at=clock() + timedelta(minutes=15))
    mail_server.stop()
    clock.advance(timedelta(minutes=15))
    mail_server.start()
    assert mail.deliver_due() == 0
    status = mail.queue.status()
    assert (status.waiting, status.given_up, status.sent) == (0, 1, 0)
    assert mail_server.inbox.messages == []


def test_without_a_mail_server_nothing_is_queued(queue: MailQueue, clock: FakeClock) -> None:
    unconfigured = Mail(queue, None, clock)
    with pytest.raises(MailNotConfigured):
        unconfigured.send("a@x.example", "s", "b")
    assert queue.status().waiting == 0


def test_the_smtp_url_names_the_server_the_login_and_tls() -> None:
    plain = parse_smtp_url("smtp://mail.district.example:2525")
    assert (plain.host, plain.port, plain.user, plain.tls, plain.starttls) == (
        "mail.district.example", 2525, "", False, False)
    secure = parse_smtp_url("smtps://app%40district.example:p%40ss@smtp.example")
    assert (secure.port, secure.user, secure.password, secure.tls) == (
        465, "app@district.example", "p@ss", True)
    assert "p@ss" not in str(secure)
    assert parse_smtp_url("smtp://smtp.example:587?starttls=true").starttls
    for bad in ("http://mail.example", "smtp://", "smtp://mail.example:x",
                "smtp://mail.example?tls=1"):
        with pytest.raises(ValueError, match="WALKTHROUGH_SMTP_URL"):
            parse_smtp_url(bad)
