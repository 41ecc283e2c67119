"""A body of any shape is never a 500: JSON nested thousands of levels deep inside
one event is that event's rejection (`too_deep`), the valid events beside it are
stored; nesting that never closes is a 422 for the envelope."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.builders import enter, tap
from tests.conftest import FakeClock
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, load_demo

Headers = dict[str, str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[TestClient, Services, Headers]]:
    clock = FakeClock()
    built = bootstrap(Settings(data_dir=Path(tmp_path_factory.mktemp("deep")),
                               sync_rate_per_minute=0), clock=clock)
    load_demo(built.app, today=clock().date())
    headers = {"Authorization": f"Bearer {built.tokens.issue('coach1', clock())}"}
    yield TestClient(create_app(services=built)), built, headers
    built.close()


def nested(depth: int, opener: str) -> str:
    """A value `depth` containers deep: arrays, objects or both in turn."""
    opens = {"[": ("[", "]"), "{": ('{"a":', "}")}
    kinds = [opens["[" if opener == "[" or (opener == "mix" and n % 2) else "{"]
             for n in range(depth)]
    return "".join(o for o, _ in kinds) + "1" + "".join(c for _, c in reversed(kinds))


def raw_event(data: str, event_id: str) -> str:
    return (f'{{"id":"{event_id}","visit_id":"{CURRENT_VISIT}","type":"EvidenceNoted",'
            f'"occurred_at":"2026-11-23T09:00:00Z","data":{data}}}')


@settings(max_examples=25, deadline=None)
@given(depth=st.one_of(st.integers(1, 40), st.integers(40, 20_000)),
       opener=st.sampled_from(["[", "{", "mix"]), where=st.sampled_from(["data", "event"]),
       first=st.booleans())
def test_deep_nesting_in_one_event_rejects_it_and_stores_the_valid_ones_beside_it(
    served: tuple[TestClient, Services, Headers], depth: int, opener: str, where: str,
    first: bool,
) -> None:
    client, services, headers = served
    room = f"c-{uuid.uuid4().hex[:8]}"
    valid = [enter(CURRENT_VISIT, room=room), tap(CURRENT_VISIT, "open_questions", 3,
                                                  room=room)]
    deep_id = str(uuid.uuid4())
    value = nested(depth, opener)
    deep = (raw_event(value, deep_id) if where == "data"
            else raw_event("{}", deep_id)[:-1] + f',"extra":{value}}}')
    texts = [json.dumps(e) for e in valid]
    events = [deep, *texts] if first else [*texts, deep]
    before = services.app.recorder.max_notification_id() or 0
    response = client.post("/api/sync", headers=headers,
                           content=f'{{"device_id":"t1","events":[{",".join(events)}]}}')
    assert response.status_code == 200, response.text[:300]
    results = response.json()["results"]
    rejected = results[0] if first else results[-1]
    assert rejected["status"] == "rejected"
    assert rejected["id"] == deep_id
    assert rejected["error"]["code"] in {"too_deep", "invalid_event"}
    if depth > 20:
        assert rejected["error"]["code"] == "too_deep"
    assert [r["status"] for r in results if r is not rejected] == ["accepted", "accepted"]
    assert (services.app.recorder.max_notification_id() or 0) == before + 2


@pytest.mark.parametrize("body", [
    "[" * 50_000,
    '{"device_id":"t1","events":' + "[" * 50_000 + "]" * 49_990,
    '{"device_id":' + nested(50_000, "[") + ',"events":[]}',
    '{"device_id":"t1","events":[],"more":' + nested(50_000, "{") + "}",
])
def test_nesting_outside_any_event_is_refused_for_the_envelope(
    served: tuple[TestClient, Services, Headers], body: str,
) -> None:
    client, _, headers = served
    response = client.post("/api/sync", headers=headers, content=body)
    assert response.status_code in {400, 422}, response.text[:300]
    assert response.json()["error"]["code"] in {"too_deep", "invalid_request", "bad_request"}
