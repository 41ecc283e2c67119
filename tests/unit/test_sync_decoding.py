"""The one-call decoding of a whole sync request agrees with decoding it event by event,
and gives way to the per-event path whenever anything in the batch is malformed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import payloads, utc_datetimes
from walkthrough.events import PAYLOAD_TYPES, SYNCABLE_TYPES
from walkthrough.sync import Rejection, Submission, decode_client_event, decode_typed_batch

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
client_events = st.sampled_from(sorted(SYNCABLE_TYPES)).flatmap(
    lambda tag: st.builds(
        lambda payload, at: {"id": str(uuid4()), "visit_id": str(uuid4()), "type": tag,
                             "occurred_at": at, "data": payload},
        payloads(PAYLOAD_TYPES[tag]), utc_datetimes))


def body(events: list[dict[str, object]], device: str = "tablet-1") -> bytes:
    return msgspec.json.encode({"device_id": device, "events": events})


def one_by_one(events: list[dict[str, object]]) -> list[Submission | Rejection]:
    return [decode_client_event(msgspec.json.encode(e), NOW) for e in events]


@settings(max_examples=150, deadline=None)
@given(st.lists(client_events, max_size=8))
def test_a_well_formed_batch_decodes_as_it_would_event_by_event(
    events: list[dict[str, object]],
) -> None:
    typed = decode_typed_batch(body(events), NOW)
    assert typed is not None
    device, items = typed
    assert device == "tablet-1"
    assert items == one_by_one(events)


def test_a_future_event_is_rejected_on_the_fast_path_too() -> None:
    event: dict[str, object] = {
        "id": str(uuid4()), "visit_id": str(uuid4()), "type": "VisitStarted",
        "occurred_at": (NOW + timedelta(days=2)).isoformat(), "data": {}}
    typed = decode_typed_batch(body([event]), NOW)
    assert typed is not None
    [item] = typed[1]
    assert isinstance(item, Rejection)
    assert item.code == "future_event"
    assert typed[1] == one_by_one([event])


def test_anything_malformed_leaves_the_batch_to_the_per_event_path() -> None:
    good: dict[str, object] = {
        "id": str(uuid4()), "visit_id": str(uuid4()), "type": "VisitStarted",
        "occurred_at": NOW.isoformat(), "data": {}}
    bad: dict[str, object]
    for bad in (
        {**good, "type": "TeacherRated"},  # unknown type
        {**good, "teacher": "Ms X"},  # a field nobody may send
        {**good, "data": {"unexpected": 1}},  # bad data
        {**good, "id": "not-a-uuid"},
    ):
        assert decode_typed_batch(body([good, bad]), NOW) is None
    assert decode_typed_batch(body([good], device="bad device id!"), NOW) is None
    assert decode_typed_batch(b"{not json", NOW) is None


def test_ids_are_kept_as_canonical_text_whatever_uuid_spelling_the_client_sent() -> None:
    """The fast path takes only msgspec's own spelling of a UUID as text; any other
    spelling a UUID may have goes event by event and comes out in that spelling, so a
    receipt, a stored event and a retry name one id one way."""
    event_id, visit_id = uuid4(), uuid4()
    canonical: dict[str, object] = {
        "id": str(event_id), "visit_id": str(visit_id), "type": "VisitStarted",
        "occurred_at": NOW.isoformat(), "data": {}}
    typed = decode_typed_batch(body([canonical]), NOW)
    assert typed is not None
    [fast] = typed[1]
    assert isinstance(fast, Submission)
    assert (fast.event_id, fast.visit_id) == (str(event_id), str(visit_id))
    for spelling in (str(event_id).upper(), event_id.hex, f"{{{event_id}}}".upper()[1:-1]):
        other = {**canonical, "id": spelling, "visit_id": str(visit_id).upper()}
        assert decode_typed_batch(body([other]), NOW) is None
        assert one_by_one([other]) == [fast]


def test_a_batch_whose_ids_only_line_up_when_run_together_is_not_fast() -> None:
    """A batch's ids are checked in one match over all of them: an id one character short
    followed by one a character long (together two canonical UUIDs) is not taken as
    text; event by event, both are refused as not UUIDs."""
    first, second = str(uuid4()), str(uuid4())
    event: dict[str, object] = {
        "id": first[:-1], "visit_id": first[-1] + second, "type": "VisitStarted",
        "occurred_at": NOW.isoformat(), "data": {}}
    assert decode_typed_batch(body([event]), NOW) is None
    [rejected] = one_by_one([event])
    assert isinstance(rejected, Rejection)
    assert rejected.code == "invalid_event"
