"""The organizers' view of outgoing email (web.composition.mail): is a mail server set up, and how
the queue stands - so a mail server that refuses is noticed before people say their
sign-in links never came."""

from __future__ import annotations

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from walkthrough.adapters.mail_queue import MailQueueStatus
from web.http.context import services
from web.http.responses import JSON
from web.http.routing import Endpoint


class MailState(msgspec.Struct):
    """Whether email is set up, where it goes, and the queue's counts and last error."""

    configured: bool
    server: str | None
    queue: MailQueueStatus


async def mail_state(request: Request) -> Response:
    found = services(request)
    status = await run_in_threadpool(found.mail.queue.status)
    return JSON(MailState(configured=found.mail.configured, server=found.mail.describe,
                          queue=status))


ENDPOINTS = [
    Endpoint("get", "/api/mail", mail_state, "Outgoing email: whether a mail server is set "
             "up, and the queue - messages waiting, sent, being retried after a failure, "
             "given up - with the last error and when it happened (organizers)",
             roles=("organizer",), answer=MailState),
]
