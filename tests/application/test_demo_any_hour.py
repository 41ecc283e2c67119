"""`walkthrough demo` (make run) loads at any hour in any district time zone: the
current visit starts on its own day, as every visit must (it was refused between
midnight and 01:30, and all evening west of UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FakeClock
from walkthrough.events import Event, VisitPlanned, VisitStarted
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, load_demo


@pytest.mark.parametrize(("zone", "moment"), [
    ("UTC", datetime(2026, 12, 7, 0, 5, tzinfo=UTC)),  # just after midnight
    ("UTC", datetime(2026, 12, 7, 23, 55, tzinfo=UTC)),
    ("America/Chicago", datetime(2026, 12, 7, 2, 0, tzinfo=UTC)),  # evening there
    ("Asia/Tokyo", datetime(2026, 12, 6, 16, 0, tzinfo=UTC)),  # 01:00 there
])
@pytest.mark.backends("sqlite")
def test_the_demo_loads_at_any_hour(tmp_path: Path, zone: str, moment: datetime) -> None:
    services = bootstrap(Settings(data_dir=tmp_path / "data"), clock=FakeClock(moment))
    try:
        services.app.use_time_zone(ZoneInfo(zone))
        assert load_demo(services.app)
        events = cast(list[Event], list(services.app.events.get(CURRENT_VISIT)))
        planned = next(e.payload for e in events if isinstance(e.payload, VisitPlanned))
        started = next(e for e in events if isinstance(e.payload, VisitStarted))
        assert services.app.local_date(started.timestamp) == planned.date
        assert started.timestamp < moment  # a visit under way, not one still to come
    finally:
        services.close()
