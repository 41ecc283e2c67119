"""Read-your-writes by log position, at the HTTP edge.

A read answers from what is projected, without waiting for anyone's backlog. A write
answers the log position it reached (`X-Walkthrough-Position`). A read waits for a
position only when its caller asks for one: `X-Walkthrough-After: <position>` (the
tablet sends the last position its writes were answered with), or, without it, the
position this server process last answered the caller's own writes with. It waits at
most `read_wait_seconds` (WALKTHROUGH_READ_WAIT_SECONDS); the answer then says how far
the read models got (`X-Walkthrough-Projected`): below the position asked for, the
answer does not hold all of it yet (never an error).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from walkthrough.access import Actor
from web.composition.bootstrap import Services
from web.http.errors import RequestError

AFTER_HEADER = "X-Walkthrough-After"
POSITION_HEADER = "X-Walkthrough-Position"
PROJECTED_HEADER = "X-Walkthrough-Projected"
MAX_POSITION = 2**63 - 1
_POSITION = re.compile(r"[0-9]{1,19}")  # ASCII digits only ("²" is a digit to isdigit)
AFTER = {"name": AFTER_HEADER, "in": "header", "required": False,
         "description": "read your writes: answer once the read models hold this log "
                        "position (a write's X-Walkthrough-Position), waiting a bounded "
                        "time (2 s by default); without it, the position this server last "
                        "answered your own writes with. X-Walkthrough-Projected in the "
                        "answer says how far the read models got: below the position "
                        "asked for when the wait ran out",
         "schema": {"type": "integer", "minimum": 0, "maximum": MAX_POSITION}}


def asked_position(request: Request, actor: Actor | None, found: Services) -> int:
    """The position the caller's read must see: the header's, or the caller's last
    write through this process (0: nothing to wait for). 400 for a header that is not
    a position."""
    text = request.headers.get(AFTER_HEADER)
    asked = 0
    if text is not None:
        if not _POSITION.fullmatch(text.strip()) or int(text) > MAX_POSITION:
            raise RequestError(400, "bad_position",
                               f"{AFTER_HEADER} is a log position: a whole number")
        asked = int(text)
    own = found.catchup.last_written(actor.user_id) if actor is not None else 0
    return max(asked, own)


async def wait_for_writes(request: Request, actor: Actor | None, found: Services) -> None:
    """Before a read: wait (bounded) until the read models hold what the caller asked
    for; the position they reached goes into the answer's headers (`stamp`)."""
    position = asked_position(request, actor, found)
    if position <= 0:
        return
    reached = await run_in_threadpool(found.catchup.wait, position,
                                      found.settings.read_wait_seconds)
    request.state.projected = reached


def record_write(actor: Actor, found: Services) -> int:
    """After a write: the log position it reached (what this process's writer decided
    and stored so far: no query, no thread hop), remembered for the caller's next reads
    in this process."""
    position = found.app.writer.reached
    found.catchup.written(actor.user_id, position)
    return position


def stamp(request: Request, response: Response, position: int | None = None) -> Response:
    """The write's position, or how far the read models got for a read that waited."""
    if position is not None:
        response.headers[POSITION_HEADER] = str(position)
    projected: Any = getattr(request.state, "projected", None)
    if isinstance(projected, int):
        response.headers[PROJECTED_HEADER] = str(projected)
    return response
