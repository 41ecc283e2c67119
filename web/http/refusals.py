"""Counting refusals by rule: the sync's rejected events and the routes' domain errors,
by error code and day (walkthrough.adapters.refusal_counts). Never the refused text,
who sent it or where; a count that cannot be written is logged, never turns an
answer into a failure."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from eventsourcing.persistence import PersistenceError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from web.composition.bootstrap import Services

log = logging.getLogger("walkthrough.web")


async def count_refusals(request: Request, codes: Iterable[str]) -> None:
    counts = Counter(codes)
    if not counts:
        return
    found: Services = request.app.state.services
    day = found.clock().date()
    try:
        await run_in_threadpool(found.refusals.add, day, counts)
    except PersistenceError as exc:
        log.warning("refusals not counted: %s", exc)
