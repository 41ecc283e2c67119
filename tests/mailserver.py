"""A real SMTP server on loopback for tests (aiosmtpd): it keeps what it receives, and can
be stopped and started again on the same port, to play a mail server that is down."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.servers import free_port


class Inbox:
    """Every message the server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.arrived:
            self.messages.append(parsed)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 10.0) -> list[EmailMessage]:
        """The messages, once there are at least `count` (AssertionError after `seconds`)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, seconds):
                raise AssertionError(f"{len(self.messages)} message(s) arrived, not {count}")
            return list(self.messages)

    def wait_until(self, found: Callable[[list[EmailMessage]], bool],
                   seconds: float = 10.0) -> list[EmailMessage]:
        """The messages, once `found` says they hold what is waited for."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: found(self.messages), seconds):
                raise AssertionError(f"not among the {len(self.messages)} message(s) after "
                                     f"{seconds:.0f} s")
            return list(self.messages)

    def links_to(self, address: str) -> list[EmailMessage]:
        """The sign-in link emails to an address (reminders may share its inbox)."""
        return [m for m in self.to(address) if "sign-in link" in str(m["Subject"])]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class MailServer:
    """aiosmtpd on 127.0.0.1 and a port of its own; `stop` and `start` keep the port."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
