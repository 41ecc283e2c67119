"""Law: a team's tablets converge. Whatever the batching, interleaving, duplication
and retries of the events of several devices (each device's own order kept), the
visit's summary, debrief and rooms are the same, byte for byte, and the same again
after a rebuild from the log.

The scripts are drawn: coaches share rooms (joined by id, and by label while
offline with their own ids), merge rooms recorded under different labels, correct
and withdraw rooms, tap with clocks hours apart, change their minds, withdraw
taps, notes and thank-you notes, and a coach's second device withdraws taps of
the first before they arrive (held retractions).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.projector import PAGE_SIZE, VISIT, Projector, view_decoder
from projections.queries import Reader
from projections.rebuild import rebuild
from projections.rooms import (
    QUOTE,
    ROOM,
    RoomLog,
    VisitRooms,
    load_index,
    log_decoder,
    room_doc_id,
)
from projections.store import ReadModelStore
from tests.builders import event, record
from tests.conftest import NOW, FakeClock
from walkthrough.access import Actor
from walkthrough.catalog import DEFAULT_CATALOG
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT

START = NOW - timedelta(hours=2)
# device -> the coach using it; coach1 also has a phone, used to withdraw taps made on
# the tablet (its retractions may arrive before their targets).
DEVICES = {"tablet-a": "coach1", "tablet-b": "coach2", "phone-a": "coach1"}
LABELS = ["Room 301", "room301", "ROOM 301 ", "Rm 12", "Lab", "Library"]
SKEWS = [timedelta(0), timedelta(hours=5), -timedelta(hours=3), timedelta(minutes=20)]
TAPS: list[tuple[str, list[Any]]] = [
    ("cfu", ["yes", "no", "not_observed"]), ("target_posted", ["yes", "no"]),
    ("engagement", [1, 2, 3, 5, 6]), ("grouping", ["pairs", "whole_class"]),
    ("on_task", [5, 12, 18]), ("routines", [1, 3]),
    ("students_doing", ["Pairs explained their method", "Students read silently"]),
]


# What a coach does next, weighted: mostly taps.
ACTIONS = ["enter", "join", "join", *["tap"] * 8, "note", "thanks", "correct", "merge",
           "undo", "undo", "withdraw_room", "withdraw_note"]


@dataclass
class Script:
    """One device's outbox, in its own order, with a clock of its own."""

    device: str
    skew: timedelta
    events: list[dict[str, Any]] = field(default_factory=list)
    minute: int = 0

    def add(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        self.minute += 1
        at = START + self.skew + timedelta(minutes=self.minute)
        sent = event(CURRENT_VISIT, type_, data, at=at)
        self.events.append(sent)
        return sent


@st.composite
def team_scripts(draw: st.DrawFn) -> list[Script]:
    tablets = [Script(d, draw(st.sampled_from(SKEWS))) for d in ("tablet-a", "tablet-b")]
    phone = Script("phone-a", draw(st.sampled_from(SKEWS)))
    rooms: dict[str, str] = {}  # classroom id -> label it was made with
    taps_a: list[str] = []
    for step in range(draw(st.integers(10, 40))):
        script = tablets[draw(st.integers(0, 1))]
        own = [cid for cid in rooms if cid in entered(script)]
        action = draw(st.sampled_from(ACTIONS if own else ["enter", "join"]))
        if action == "join" and rooms:  # a teammate's room, from the tablet's list
            cid = draw(st.sampled_from(sorted(rooms)))
            if cid not in ever_entered(script):
                script.add("ClassroomEntered", room_data(cid, rooms[cid], draw))
            continue
        if action in ("enter", "join"):
            cid = f"{script.device}-{step}"
            rooms[cid] = draw(st.sampled_from(LABELS))
            script.add("ClassroomEntered", room_data(cid, rooms[cid], draw))
            continue
        cid = draw(st.sampled_from(own))
        if action == "tap":
            item, values = draw(st.sampled_from(TAPS))
            sent = script.add("LookForObserved",
                              {"classroom_id": cid, "item": item,
                               "value": draw(st.sampled_from(values))})
            if script.device == "tablet-a":
                taps_a.append(sent["id"])
        elif action == "note":
            script.add("EvidenceNoted", {"classroom_id": cid, "text": f"note {step}"})
        elif action == "thanks":
            script.add("ThankYouNoteLeft", {"classroom_id": cid})
        elif action == "correct":
            details: dict[str, Any] = draw(st.sampled_from([
                {"label": "Rm 12"}, {"students_present": 19}, {"grade_band": "3-5"},
                {"subject": "science"}]))
            script.add("ClassroomCorrected", {"classroom_id": cid, **details})
        elif action == "merge":
            other = draw(st.sampled_from(sorted(rooms)))
            if other != cid:
                script.add("ClassroomsMerged", {"classroom_id": cid, "into": other})
        elif action == "undo":
            mine = [e for e in script.events if e["type"] in (
                "LookForObserved", "ThankYouNoteLeft") and e["data"]["classroom_id"] == cid
                and not withdrawn(script, e["id"])]
            if mine:
                target = draw(st.sampled_from(mine))["id"]
                script.add("ObservationRetracted", {"event_id": target, "reason": "undo"})
                if target in taps_a:
                    taps_a.remove(target)
        elif action == "withdraw_note":
            notes = [e for e in script.events if e["type"] == "EvidenceNoted"
                     and not withdrawn(script, e["id"])]
            if notes:
                script.add("ObservationRetracted", {"event_id": notes[-1]["id"],
                                                    "reason": "not low-inference"})
        elif action == "withdraw_room":
            script.add("ClassroomRetracted", {"classroom_id": cid, "reason": "wrong room"})
    for target in draw(st.lists(st.sampled_from(taps_a), unique=True, max_size=3)
                       if taps_a else st.just([])):
        phone.add("ObservationRetracted", {"event_id": target, "reason": "mis-tap"})
    return [*tablets, phone]


def room_data(cid: str, label: str, draw: st.DrawFn) -> dict[str, Any]:
    return {"classroom_id": cid, "label": label,
            "grade_band": draw(st.sampled_from(["6-8", "9-12"])), "subject": "math",
            "students_present": draw(st.sampled_from([20, 24, 30]))}


def ever_entered(script: Script) -> set[str]:
    return {e["data"]["classroom_id"] for e in script.events if e["type"] == "ClassroomEntered"}


def entered(script: Script) -> set[str]:
    """The rooms this device can record in: entered here, not withdrawn here."""
    withdrawn_rooms = {e["data"]["classroom_id"] for e in script.events
                       if e["type"] == "ClassroomRetracted"}
    return ever_entered(script) - withdrawn_rooms


def withdrawn(script: Script, event_id: str) -> bool:
    return any(e["type"] == "ObservationRetracted" and e["data"]["event_id"] == event_id
               for e in script.events)


@st.composite
def deliveries(draw: st.DrawFn, scripts: list[Script]) -> list[tuple[str, list[Any]]]:
    """Each device sends its outbox in order, in batches of any size, retrying some
    batches (a lost response); the devices' batches interleave freely."""
    per_device = {}
    for script in scripts:
        events = script.events
        if not events:
            continue
        cuts = sorted(draw(st.sets(st.integers(1, max(1, len(events) - 1)), max_size=5)))
        bounds = sorted({0, *cuts, len(events)})
        batches = [events[a:b] for a, b in itertools.pairwise(bounds)]
        retried = []
        for number, chunk in enumerate(batches):
            retried.append(chunk)
            if draw(st.booleans()):
                retried.append(batches[draw(st.integers(0, number))])
        per_device[script.device] = retried
    schedule: list[tuple[str, list[Any]]] = []
    while any(per_device.values()):
        device = draw(st.sampled_from(sorted(d for d, b in per_device.items() if b)))
        schedule.append((device, per_device[device].pop(0)))
    return schedule


# --- stores ---------------------------------------------------------------------------


class Store:
    def __init__(self, template: Path) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="walkthrough-convergence-run-"))
        shutil.copytree(template, self.directory, dirs_exist_ok=True)
        self.services: Services = bootstrap(Settings(data_dir=self.directory),
                                            clock=FakeClock())

    def send(self, device: str, events: list[dict[str, Any]]) -> None:
        outcomes = record(self.services, DEVICES[device], *events, device=device)
        assert all(o.status in ("accepted", "duplicate") for o in outcomes), [
            (o.status, o.error) for o in outcomes if o.status not in ("accepted", "duplicate")]

    def answers(self, scratch: bool = False) -> bytes:
        """The summary, debrief and rooms an organizer reads, as JSON bytes."""
        services = self.services
        services.projector.catch_up()
        store = services.read_models
        if scratch:
            with services.storage.scratch_read_models() as rebuilt:
                rebuild(services.app, rebuilt)
                assert rebuilt.dump() == store.dump()
                return answers(Reader(rebuilt))
        return answers(Reader(store))

    def close(self) -> None:
        self.services.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def answers(reader: Reader) -> bytes:
    organizer = reader_actor()
    visit_id = str(CURRENT_VISIT)
    return msgspec.json.encode({
        "summary": reader.summary(organizer, visit_id),
        "debrief": reader.debrief(organizer, visit_id, NOW.date()),
        "rooms": reader.rooms(visit_id),
    })


def reader_actor() -> Actor:
    return Actor("organizer1", ("organizer",))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_delivery_of_a_teams_scripts_gives_the_same_answers(
        template: Path, data: st.DataObject) -> None:
    scripts = data.draw(team_scripts())
    schedule = data.draw(deliveries(scripts))
    reference, delivered = Store(template), Store(template)
    try:
        for script in scripts:  # every device in turn, each in one go
            if script.events:
                reference.send(script.device, script.events)
        for device, batch in schedule:
            delivered.send(device, batch)
        delivered.services.projector.catch_up()
        assert_tallies_add_up(delivered.services.read_models)
        expected = reference.answers()
        assert delivered.answers() == expected
        assert delivered.answers(scratch=True) == expected
    finally:
        reference.close()
        delivered.close()


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_pages_of_any_size_give_the_same_read_models(template: Path,
                                                     data: st.DataObject) -> None:
    """Taps settle once per page, so a page's size must not show: the team's events
    folded a few at a time (as live traffic comes) give the same documents, byte for
    byte, as all of them in one page (as a rebuild folds them)."""
    scripts = data.draw(team_scripts())
    schedule = data.draw(deliveries(scripts))
    size = data.draw(st.integers(1, 7))
    delivered = Store(template)
    try:
        services = delivered.services
        demo = services.projector.catch_up()
        for device, batch in schedule:
            delivered.send(device, batch)
        with services.storage.scratch_read_models() as whole, \
                services.storage.scratch_read_models() as paged:
            for store, page_size in ((whole, PAGE_SIZE), (paged, size)):
                Projector(services.app, store, PAGE_SIZE, check_version=False).catch_up(
                    until=demo)
                Projector(services.app, store, page_size, check_version=False).catch_up()
            assert_tallies_add_up(paged)
            assert paged.dump() == whole.dump()
    finally:
        delivered.close()


def assert_tallies_add_up(store: ReadModelStore) -> None:
    """The visit's tallies, kept one event at a time, equal the sum of every room's
    contribution counted afresh from the rooms' documents."""
    visit_id = str(CURRENT_VISIT)
    view_doc, index = store.get(VISIT, visit_id), load_index(store, visit_id)
    assert view_doc is not None
    assert index.rooms
    view = view_decoder.decode(view_doc)
    afresh = msgspec.structs.replace(view, rooms=0, thanked=0, tallies={})

    def load_logs(visit: str, ids: Sequence[str]) -> dict[str, RoomLog]:
        found = store.get_many(ROOM, [room_doc_id(visit, cid) for cid in ids])
        return {doc_id.split("/", 1)[1]: log_decoder.decode(doc)
                for doc_id, doc in found.items()}

    rooms = VisitRooms(afresh, index, DEFAULT_CATALOG, load_logs)
    for members in rooms.partition.groups():
        found = rooms.contribution(members)
        if found is not None:
            afresh.rooms += 1
            afresh.thanked += found.thanked
            for item, outcome in found.outcomes.items():
                afresh.tally(found.band, item).apply(outcome, 1)
    afresh.prune()
    assert (afresh.rooms, afresh.thanked, afresh.tallies) == (
        view.rooms, view.thanked, view.tallies)
    assert view.quotes == len(store.first(QUOTE, f"{visit_id}/", 10_000))


# --- the reference itself must be right (a guard against a vacuous law) -----------------


def at(minutes: int, skew: timedelta = timedelta(0)) -> datetime:
    return START + skew + timedelta(minutes=minutes)


def test_two_coaches_in_one_room_count_it_once_and_show_where_they_differ(
        template: Path) -> None:
    """coach1's tablet runs five hours fast; coach2 taps later by the wall clock."""
    store = Store(template)
    fast = timedelta(hours=5)
    a1, b1, a2 = "a-301", "b-301", "a-12"
    before = msgspec.json.decode(store.answers())
    try:
        store.send("tablet-a", [
            event(CURRENT_VISIT, "ClassroomEntered", {
                "classroom_id": a1, "label": "Room 301", "grade_band": "6-8",
                "subject": "math", "students_present": 20}, at=at(1, fast)),
            event(CURRENT_VISIT, "LookForObserved", {
                "classroom_id": a1, "item": "cfu", "value": "yes"}, at=at(2, fast)),
            event(CURRENT_VISIT, "LookForObserved", {
                "classroom_id": a1, "item": "on_task", "value": 18}, at=at(3, fast)),
            event(CURRENT_VISIT, "ThankYouNoteLeft", {"classroom_id": a1}, at=at(4, fast)),
            event(CURRENT_VISIT, "ClassroomEntered", {
                "classroom_id": a2, "label": "Rm 12", "grade_band": "6-8",
                "subject": "math", "students_present": 25}, at=at(20, fast)),
        ])
        store.send("tablet-b", [  # offline, its own id, the same label
            event(CURRENT_VISIT, "ClassroomEntered", {
                "classroom_id": b1, "label": "room 301", "grade_band": "6-8",
                "subject": "math", "students_present": 30}, at=at(1)),
            event(CURRENT_VISIT, "LookForObserved", {
                "classroom_id": b1, "item": "cfu", "value": "no"}, at=at(5)),
            event(CURRENT_VISIT, "LookForObserved", {
                "classroom_id": b1, "item": "on_task", "value": 28}, at=at(6)),
            event(CURRENT_VISIT, "ThankYouNoteLeft", {"classroom_id": b1}, at=at(7)),
        ])
        result = msgspec.json.decode(store.answers())
    finally:
        store.close()
    rooms = [r for r in result["rooms"] if r not in before["rooms"]]
    assert [(r["label"], r["ids"], r["coaches"]) for r in rooms] == [
        ("Rm 12", [a2], ["coach1"]), ("Room 301", [a1, b1], ["coach1", "coach2"])]
    summary, earlier = result["summary"], before["summary"]
    assert summary["rooms"] - earlier["rooms"] == 2
    assert summary["thank_you_notes"] - earlier["thank_you_notes"] == 1
    items = {item["key"]: item for item in summary["items"]}
    was = {item["key"]: item for item in earlier["items"]}
    # yes against no: neither tablet's clock decides; the room is differed
    assert items["cfu"]["differed"] - was["cfu"]["differed"] == 1
    assert items["cfu"]["counts"] == was["cfu"]["counts"]
    # 18 of 20 and 28 of 30 agree (0.90 and 0.93): the room counts once, as 0.917
    assert items["on_task"]["rooms_observed"] - was["on_task"]["rooms_observed"] == 1
    assert 0 <= items["on_task"]["rate"] <= 1
    trends = next(s for s in result["debrief"]["sections"] if s["kind"] == "trends")
    cfu = next(p for p in trends["calibration"] if p["key"] == "cfu")
    assert f"differently in {items['cfu']['differed']} of" in cfu["question"]
