"""Every API endpoint, in one list: the app's routes and /openapi.json are built
from it (web.routing)."""

from __future__ import annotations

from web import (
    api,
    calendar,
    calibration,
    cycle,
    events_api,
    growth,
    never_show,
    people,
    plans,
    roster,
    signin,
)
from web.routing import Endpoint

ENDPOINTS: list[Endpoint] = [
    *api.ENDPOINTS,
    *events_api.ENDPOINTS,
    *cycle.ENDPOINTS,
    *plans.ENDPOINTS,
    *roster.ENDPOINTS,
    *people.ENDPOINTS,
    *growth.ENDPOINTS,
    *signin.ENDPOINTS,
    *calibration.ENDPOINTS,
    *never_show.ENDPOINTS,
    *calendar.ENDPOINTS,
]
