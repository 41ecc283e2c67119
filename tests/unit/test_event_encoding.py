"""Every event type survives encode -> decode, through the mapper eventsourcing uses."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from hypothesis import given

from tests.strategies import events, payloads
from walkthrough.events import PAYLOAD_TYPES, Event, event_decoder, event_encoder
from walkthrough.persistence import EventMapper, UnusedTranscoder

SNAPSHOT = Path(__file__).with_name("event_tags.txt")

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


def recorded_shapes() -> dict[str, list[str]]:
    """The snapshot: each tag's fields, `?` for optional ones."""
    shapes = {}
    for line in SNAPSHOT.read_text().splitlines():
        if line and not line.startswith("#"):
            tag, _, fields = line.partition(":")
            shapes[tag] = [f.strip() for f in fields.split(",") if f.strip()]
    return shapes


def current_shapes() -> dict[str, list[str]]:
    return {tag: [f.encode_name + ("" if f.required else "?")
                  for f in msgspec.inspect.type_info(cls).fields]  # type: ignore[attr-defined]
            for tag, cls in PAYLOAD_TYPES.items()}


def test_tags_and_fields_only_ever_grow() -> None:
    """Renaming a tag or a field would orphan stored events: every tag in the snapshot
    (tests/unit/event_tags.txt) is still here with all its fields, none newly required;
    a new tag, or a new optional field, is added to the snapshot in the same change."""
    recorded, current = recorded_shapes(), current_shapes()
    for tag, fields in recorded.items():
        assert tag in current, f"tag {tag} was removed or renamed"
        now = current[tag]
        lost = [f for f in fields if f.rstrip("?") not in {n.rstrip("?") for n in now}]
        assert not lost, f"{tag} lost fields {lost}"
        required = [f for f in now if not f.endswith("?") and f not in fields]
        assert not required, f"{tag} gained required fields {required}: add them optional"
    assert current == recorded, (
        "event shapes changed: add to tests/unit/event_tags.txt\n" + "\n".join(
            f"{tag}: {', '.join(fields)}" for tag, fields in sorted(current.items())))
