"""The published log: every event once, in order, pseudonymised, text only on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from projections.event_log import (
    LogLine,
    Treatment,
    last_position,
    parse_point,
    position_at,
    position_before,
    read_log,
    treatment,
)
from projections.export import export_ndjson
from projections.pseudonyms import Pseudonymiser, SecretTooShort
from tests.conftest import NOW, FakeClock
from walkthrough.events import PAYLOAD_TYPES, Event, MeetingStep, PersonRegistered
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import PAST_VISIT

LINE_KEYS = list(LogLine.__struct_fields__)


def export_lines(services: Services, pseudonyms: Pseudonymiser, out: Path, *,
                 include_text: bool = False) -> bytes:
    export_ndjson(services.app, pseudonyms, out, after=0, until=last_position(services.app),
                  include_text=include_text)
    return out.read_bytes()


def parse(ndjson: bytes) -> list[dict[str, Any]]:
    return [msgspec.json.decode(line) for line in ndjson.splitlines()]


def stored(services: Services) -> list[Event]:
    return [entry.event for entry in read_log(services.app)]


def free_texts(events: list[Event]) -> set[str]:
    """Every free-text value and person name in the stored events."""
    found: set[str] = set()
    for event in events:
        raw = msgspec.to_builtins(event.payload)
        for field, value in raw.items():
            if treatment(event.type, field) in (Treatment.TEXT, Treatment.NEVER) \
                    and isinstance(value, str):
                found.add(value)
    return found


def test_every_stored_event_appears_once_in_log_order(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    lines = parse(export_lines(demo, pseudonyms, tmp_path / "log.ndjson"))
    events = stored(demo)
    assert len(lines) == len(events) == last_position(demo.app) > 50
    assert [line["position"] for line in lines] == list(range(1, len(events) + 1))
    assert [line["id"] for line in lines] == [str(e.event_id) for e in events]
    assert [line["type"] for line in lines] == [e.type for e in events]
    assert all(list(line) == LINE_KEYS for line in lines)
    past = [line for line in lines if line["visit_id"] == str(PAST_VISIT)]
    assert past[0]["type"] == "VisitPlanned"
    assert {line["school"] for line in past} == {"lincoln-middle"}
    assert {line["catalog_version"] for line in past} == {1}
    assessment = next(line for line in lines if line["type"] == "NeedsAssessmentRecorded")
    assert assessment["visit_id"] is None
    assert assessment["school"] == assessment["data"]["school_id"]


def test_people_rooms_and_devices_appear_only_as_pseudonyms(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    events = stored(demo)
    published = export_lines(demo, pseudonyms, tmp_path / "log.ndjson", include_text=True)
    people = [e.payload for e in events if isinstance(e.payload, PersonRegistered)]
    rooms = {getattr(e.payload, "classroom_id", None) for e in events} - {None}
    secrets = {e.actor for e in events} | {e.device_id for e in events} | rooms
    secrets |= {p.user_id for p in people}
    for raw in secrets | {p.name for p in people}:
        assert msgspec.json.encode(raw) not in published, raw
    lines = parse(published)
    planned = next(line for line in lines if line["visit_id"] == str(PAST_VISIT))
    assert planned["data"]["team"] == [pseudonyms.person("coach1"), pseudonyms.person("coach2")]
    assert planned["data"]["host"] == pseudonyms.person("host1")
    assert planned["actor"] == pseudonyms.person("organizer1")
    assert "name" not in next(line for line in lines if line["type"] == "PersonRegistered")["data"]
    school = next(line for line in lines if line["type"] == "SchoolRegistered")
    assert school["data"]["name"]  # schools are not persons


def test_a_room_is_a_pseudonym_of_its_visit_only(pseudonyms: Pseudonymiser) -> None:
    assert pseudonyms.classroom("visit-a", "room-1") != pseudonyms.classroom("visit-b", "room-1")
    assert pseudonyms.person("coach1").startswith("p_")
    assert pseudonyms.person("coach1") != pseudonyms.device("coach1")


def test_pseudonyms_are_stable_across_exports_and_differ_between_deployments(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    first = export_lines(demo, pseudonyms, tmp_path / "1.ndjson")
    again = export_lines(demo, Pseudonymiser(b"a test deployment's secret, 32+ bytes"),
                         tmp_path / "2.ndjson")
    other = export_lines(demo, Pseudonymiser(b"another deployment's secret, 32+ b"),
                         tmp_path / "3.ndjson")
    assert first == again
    ours, theirs = parse(first), parse(other)
    assert [line["id"] for line in ours] == [line["id"] for line in theirs]
    assert {line["actor"] for line in ours}.isdisjoint({line["actor"] for line in theirs})


def test_no_free_text_without_the_flag(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    texts = free_texts(stored(demo))
    assert len(texts) > 5
    without = export_lines(demo, pseudonyms, tmp_path / "plain.ndjson")
    with_text = export_lines(demo, pseudonyms, tmp_path / "text.ndjson", include_text=True)
    people = [e.payload for e in stored(demo) if isinstance(e.payload, PersonRegistered)]
    # People's names and emails are never published, with the flag or without.
    personal = {p.name for p in people} | {p.email for p in people if p.email}
    for text in texts:
        assert msgspec.json.encode(text) not in without, text
        if text not in personal:
            assert msgspec.json.encode(text) in with_text, text


@pytest.mark.parametrize("type_name", sorted(PAYLOAD_TYPES))
def test_every_payload_field_has_a_decided_treatment(type_name: str) -> None:
    """A new field is left out of the log until someone decides how to publish it."""
    undecided = [field for field in PAYLOAD_TYPES[type_name].__struct_fields__
                 if treatment(type_name, field) is None]
    assert undecided == []


def test_a_meetings_next_steps_are_decided_field_by_field() -> None:
    assert [field for field in MeetingStep.__struct_fields__
            if treatment("PartnershipMeetingHeld", field) is None] == []


def test_a_partnership_meeting_is_published_without_names_or_text(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    def held(ndjson: bytes) -> dict[str, Any]:
        return next(line for line in parse(ndjson) if line["type"] == "PartnershipMeetingHeld")

    without = export_lines(demo, pseudonyms, tmp_path / "log.ndjson")
    line = held(without)["data"]
    assert line["facilitator"] == pseudonyms.person("host1")
    assert line["partnership_id"] == pseudonyms.partnership("cfg-talk")
    assert [set(step) for step in line["next_steps"]] == [{"step_id", "owner", "due"}] * 2
    assert line["next_steps"][1]["owner"] == pseudonyms.person("Sam Okafor")
    assert b"Sam Okafor" not in without
    assert b"accountable-talk" not in without
    assert b"Consultancy protocol" not in without
    with_text = held(export_lines(demo, pseudonyms, tmp_path / "text.ndjson",
                                  include_text=True))["data"]
    assert "accountable-talk" in with_text["next_steps"][1]["text"]
    assert with_text["notes"].startswith("Consultancy protocol")


def test_the_secret_is_made_once_per_deployment_or_taken_from_the_settings(
        services: Services, settings: Settings, clock: FakeClock) -> None:
    made = services.storage.secret(services.app)
    assert len(made) == 32
    assert services.storage.secret(services.app) == made  # kept, not made again
    again = bootstrap(settings, clock=clock)  # another process of the deployment
    try:
        assert again.pseudonyms.person("coach1") == services.pseudonyms.person("coach1")
    finally:
        again.close()
    configured = msgspec.structs.replace(settings, pseudonym_secret="x" * 40)
    chosen = bootstrap(configured, clock=clock)
    try:
        assert chosen.pseudonyms.person("coach1") != services.pseudonyms.person("coach1")
        assert chosen.pseudonyms.person("coach1") == Pseudonymiser(b"x" * 40).person("coach1")
    finally:
        chosen.close()
    with pytest.raises(SecretTooShort):
        bootstrap(msgspec.structs.replace(settings, pseudonym_secret="short"), clock=clock)


def test_points_are_positions_or_moments(services: Services, clock: FakeClock) -> None:
    assert parse_point("42", end_of_day=True) == 42
    assert parse_point("2026-11-23", end_of_day=False) == NOW.replace(hour=0)
    assert str(parse_point("2026-11-23", end_of_day=True)) \
        == "2026-11-23 23:59:59.999999+00:00"
    assert parse_point("2026-11-23T10:00:00", end_of_day=True) == NOW
    assert position_at(services.app, 10) == 0  # an empty log
    assert position_before(services.app, 10) == 9
