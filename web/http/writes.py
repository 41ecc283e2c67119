"""Writes from the event loop: a job handed to the application's writer thread
(walkthrough.writer.Writer.submit) and awaited there, with no thread of the pool in
between: one hand-off to the writer and one wake-up back per request."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from walkthrough.group_commit import Job
from walkthrough.writer import Writer

R = TypeVar("R")


async def committed(writer: Writer, job: Job[R]) -> R:
    """The job's outcome once the writer decided and stored it (its error raised here)."""
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[None] = loop.create_future()

    def settle(_: asyncio.Future[None] = finished) -> None:
        if not finished.done():  # the request may have been cancelled meanwhile
            finished.set_result(None)

    writer.submit(job, lambda _: loop.call_soon_threadsafe(settle))
    await finished
    return job.outcome()
