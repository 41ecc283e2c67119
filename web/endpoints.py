"""Every API endpoint, in one list: the app's routes and /openapi.json are built
from it (web.http.routing)."""

from __future__ import annotations

from web.http.routing import Endpoint
from web.routes import (
    calendar,
    calibration,
    cycle,
    directory,
    events,
    growth,
    mail,
    never_show,
    people,
    plans,
    roster,
    signin,
    signin_email,
    visits,
)

ENDPOINTS: list[Endpoint] = [
    *visits.ENDPOINTS,
    *events.ENDPOINTS,
    *cycle.ENDPOINTS,
    *plans.ENDPOINTS,
    *roster.ENDPOINTS,
    *people.ENDPOINTS,
    *directory.ENDPOINTS,
    *growth.ENDPOINTS,
    *signin.ENDPOINTS,
    *mail.ENDPOINTS,
    *signin_email.ENDPOINTS,
    *calibration.ENDPOINTS,
    *never_show.ENDPOINTS,
    *calendar.ENDPOINTS,
]
