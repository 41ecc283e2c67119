"""Email: messages are kept in the store's outgoing-mail queue
(walkthrough.adapters.mail_queue) and sent over SMTP by a thread of the server process,
so asking for an email never waits on the mail server, and a mail server that is down
costs a later delivery, never the message.

`Mail.send` keeps a message and wakes the sender; `Mail.deliver_due` sends what is due
(each message claimed first, so several server processes never send one twice) and
records failures for a retry with a growing wait. Organizers see the queue's state at
`GET /api/mail` (web.routes.mail).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from eventsourcing.persistence import PersistenceError

from walkthrough.adapters.mail_queue import MailQueue, OutgoingMail
from walkthrough.errors import DomainError
from web.composition.settings import SmtpLocation

log = logging.getLogger("walkthrough.mail")
SMTP_TIMEOUT_SECONDS = 15
# The sender looks for due messages this often (and at once when this process queues one).
POLL_SECONDS = 5.0
# Invitations and reminders are looked for this often (they are about days, not seconds).
NOTICE_SECONDS = 60.0
SendingErrors = (smtplib.SMTPException, OSError)


class MailNotConfigured(DomainError):
    def __init__(self) -> None:
        super().__init__("Email is not set up for this district (WALKTHROUGH_SMTP_URL and "
                         "WALKTHROUGH_MAIL_FROM); ask your program organizer for a link",
                         code="mail_not_configured")


class MailSender(Protocol):
    def send(self, mail: OutgoingMail) -> None:
        """Hand the message to the mail server; smtplib.SMTPException or OSError when it
        did not take it."""


class SmtpSender:
    def __init__(self, location: SmtpLocation, sender: str,
                 timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
        self.location = location
        self.sender = sender
        self.timeout = timeout

    def message(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        # The queue's id, so a retry after a lost answer is recognisably the same message.
        message["Message-ID"] = make_msgid(idstring=mail.id.replace("-", ""))
        message.set_content(mail.body)
        if mail.calendar is not None:  # an invitation: calendar programs act on this part
            method = "CANCEL" if "METHOD:CANCEL" in mail.calendar else "REQUEST"
            message.add_alternative(mail.calendar, subtype="calendar",
                                    params={"method": method})
        return message

    def send(self, mail: OutgoingMail) -> None:
        where = self.location
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if where.tls:
            server = smtplib.SMTP_SSL(where.host, where.port, timeout=self.timeout,
                                      context=context)
        else:
            server = smtplib.SMTP(where.host, where.port, timeout=self.timeout)
        with server:
            if where.starttls:
                server.starttls(context=context)
            if where.user:
                server.login(where.user, where.password)
            server.send_message(self.message(mail))


class Mail:
    """The district's outgoing email: the queue, and the sender when one is set up."""

    def __init__(self, queue: MailQueue, sender: MailSender | None,
                 clock: Callable[[], datetime], describe: str | None = None) -> None:
        self.queue = queue
        self.sender = sender
        self.clock = clock
        self.describe = describe
        self.wake = threading.Event()

    @property
    def configured(self) -> bool:
        return self.sender is not None

    def send(self, recipient: str, subject: str, body: str,
             expires_at: datetime | None = None, key: str | None = None,
             calendar: str | None = None) -> str:
        """Keep a message for sending (at once, in the background); its queue id. With a
        key, the same message asked for again is kept once."""
        if self.sender is None:
            raise MailNotConfigured()
        mail_id = self.queue.enqueue(recipient, subject, body, self.clock(), expires_at,
                                     key, calendar)
        self.wake.set()
        return mail_id

    def deliver_due(self) -> int:
        """Send what is due now; how many were sent."""
        if self.sender is None:
            return 0
        sent = 0
        for mail in self.queue.claim_due(self.clock()):
            try:
                self.sender.send(mail)
            except SendingErrors as exc:
                error = f"{type(exc).__name__}: {exc}"
                next_at = self.queue.failed(mail, error, self.clock())
                log.warning("mail %s not sent (attempt %d): %s; %s", mail.id,
                            mail.attempts + 1, error,
                            "given up" if next_at is None else f"next try at {next_at}")
                continue
            self.queue.sent(mail.id, self.clock())
            sent += 1
        return sent

    def keep_delivering(self, stopping: threading.Event,
                        interval: float = POLL_SECONDS,
                        notices: Callable[[], object] | None = None,
                        notice_interval: float = NOTICE_SECONDS) -> None:
        """The sender thread: queue the notices that are due (invitations, reminders: at
        most every `notice_interval`), deliver what is due, then wait to be woken or for
        the next round, until `stopping` is set. A store that is away only delays a round."""
        noticed_at = -notice_interval
        while not stopping.is_set():
            try:
                if notices is not None and time.monotonic() - noticed_at >= notice_interval:
                    noticed_at = time.monotonic()
                    notices()
                self.deliver_due()
            except PersistenceError:
                log.warning("mail delivery round failed (store unavailable); retrying",
                            exc_info=True)
            self.wake.wait(interval)
            self.wake.clear()
