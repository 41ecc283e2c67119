"""Every event type survives encode -> decode, through the mapper eventsourcing uses."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given

from tests.strategies import events, payloads
from walkthrough.events import PAYLOAD_TYPES, Event, event_decoder, event_encoder
from walkthrough.persistence import EventMapper, UnusedTranscoder

mapper = EventMapper(transcoder=UnusedTranscoder())


@given(events)
def test_every_event_round_trips_through_the_mapper(event: Event) -> None:
    stored = mapper.to_stored_event(event)
    assert stored.topic == event.type  # the stable tag, not a Python path
    assert mapper.to_domain_event(stored) == event


@given(events)
def test_encoding_is_deterministic(event: Event) -> None:
    assert event_encoder.encode(event_decoder.decode(event_encoder.encode(event))) \
        == event_encoder.encode(event)


@pytest.mark.parametrize("type_name", sorted(PAYLOAD_TYPES))
def test_each_payload_type_round_trips_on_its_own(type_name: str) -> None:
    cls = PAYLOAD_TYPES[type_name]

    @given(payloads(cls))
    def check(payload: msgspec.Struct) -> None:
        raw = msgspec.json.encode(payload)
        assert msgspec.json.decode(raw, type=cls) == payload

    check()


def test_tags_are_stable() -> None:
    """Renaming a tag would orphan stored events: this list only ever grows."""
    assert set(PAYLOAD_TYPES) >= {
        "SchoolRegistered", "PersonRegistered", "VisitPlanned", "TeachersNotified",
        "VisitStarted", "SchoolUpdateRecorded", "VisitClosed", "ClassroomEntered",
        "LookForObserved", "EvidenceNoted", "ThankYouNoteLeft", "ClassroomExited",
        "ObservationRetracted",
    }
