"""Analysts' tests run on each storage backend; helpers to add events to the demo."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

import pytest

from projections.pseudonyms import Pseudonymiser
from tests.conftest import BACKENDS
from walkthrough.events import AnyPayload
from walkthrough.sync import Submission, content_digest
from web.bootstrap import Services

SECRET = b"a test deployment's secret, 32+ bytes"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    param: str = request.param
    return param


@pytest.fixture
def pseudonyms() -> Pseudonymiser:
    return Pseudonymiser(SECRET)


def record(services: Services, user_id: str, visit_id: UUID, at: datetime,
           payload: AnyPayload) -> UUID:
    """Record one event as a tablet's sync would; its event id."""
    event_id = uuid4()
    submission = Submission(event_id=event_id, visit_id=visit_id, occurred_at=at,
                            payload=payload, digest=content_digest(visit_id, at, payload))
    (outcome,) = services.app.record(services.app.actor(user_id), "tablet-9", [submission])
    assert outcome.status == "accepted", outcome
    return event_id
