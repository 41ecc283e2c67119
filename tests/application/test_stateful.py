"""Stateful property: tablets with outboxes against the application service.

Several devices capture taps into their outboxes and send them in random
batches: some responses are lost after the commit (the device resends), some
batches arrive twice or late (network duplicates, reordering across devices),
some events are permanently invalid. Within a device the outbox order holds.
Whatever happens: the log holds exactly the valid events, once each; every
outcome is the one the protocol promises; the projections equal a rebuild.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from projections.queries import Reader
from projections.rebuild import rebuild
from tests.builders import enter, event, tap
from tests.conftest import FakeClock
from tests.faults.exactly_once import logged_events
from walkthrough.sync import decode_client_event
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, load_demo

DEVICES = {"tablet-a": "coach1", "tablet-b": "coach2", "tablet-c": "coach1"}
Tap = tuple[str, str | int]
VALID_TAPS: list[Tap] = [("cfu", "yes"), ("cfu", "no"), ("engagement", 4), ("on_task", 17),
                         ("target_posted", "not_observed")]
INVALID_TAPS: list[Tap] = [("cfu", "maybe"), ("engagement", 9), ("charisma", "yes")]


@dataclass
class Device:
    user: str
    outbox: list[dict[str, Any]] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)
    taps: list[str] = field(default_factory=list)  # own accepted-to-be taps, not retracted
    retracted: list[str] = field(default_factory=list)


class _Template:
    """The demo district, loaded once; each run starts from a copy of its files."""

    directory: Path | None = None

    @classmethod
    def copy(cls) -> Path:
        if cls.directory is None:
            cls.directory = Path(tempfile.mkdtemp(prefix="walkthrough-stateful-template-"))
            services = bootstrap(Settings(data_dir=cls.directory), clock=FakeClock())
            try:
                load_demo(services.app, today=FakeClock()().date())
                services.projector.catch_up()
            finally:
                services.close()
        target = Path(tempfile.mkdtemp(prefix="walkthrough-stateful-"))
        shutil.copytree(cls.directory, target, dirs_exist_ok=True)
        return target


class Tablets(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = _Template.copy()
        self.clock = FakeClock()
        self.services: Services = bootstrap(Settings(data_dir=self.directory),
                                             clock=self.clock)
        self.start = self.services.app.recorder.max_notification_id() or 0
        self.devices = {name: Device(user) for name, user in DEVICES.items()}
        self.valid: dict[str, bool] = {}
        self.stored: set[str] = set()
        self.delivered: list[tuple[str, list[dict[str, Any]]]] = []
        self.rooms = 0

    def teardown(self) -> None:
        try:
            self.projections_equal_a_rebuild()
        finally:
            self.services.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    # --- capturing into an outbox ---------------------------------------------------

    def _capture(self, device: str, client_event: dict[str, Any], valid: bool) -> None:
        self.valid[client_event["id"]] = valid
        self.devices[device].outbox.append(client_event)

    @rule(device=st.sampled_from(sorted(DEVICES)))
    def enter_a_classroom(self, device: str) -> None:
        self.rooms += 1
        room = f"c-{device}-{self.rooms}"
        self.devices[device].rooms.append(room)
        self._capture(device, enter(CURRENT_VISIT, room=room), valid=True)

    @rule(device=st.sampled_from(sorted(DEVICES)), data=st.data())
    def tap_a_look_for(self, device: str, data: st.DataObject) -> None:
        rooms = self.devices[device].rooms
        if not rooms:
            self._capture(device, tap(CURRENT_VISIT, "cfu", "yes", room="c-nowhere"),
                          valid=False)
            return
        room = data.draw(st.sampled_from(rooms))
        valid = data.draw(st.booleans())
        item, value = data.draw(st.sampled_from(VALID_TAPS if valid else INVALID_TAPS))
        client_event = tap(CURRENT_VISIT, item, value, room=room)
        if valid:
            self.devices[device].taps.append(client_event["id"])
        self._capture(device, client_event, valid)

    @rule(device=st.sampled_from(sorted(DEVICES)), data=st.data())
    def retract_a_tap(self, device: str, data: st.DataObject) -> None:
        own = self.devices[device]
        choice = data.draw(st.sampled_from(["own", "again", "unknown"]))
        if choice == "own" and own.taps:
            target, valid = data.draw(st.sampled_from(own.taps)), True
            own.taps.remove(target)
            own.retracted.append(target)
        elif choice == "again" and own.retracted:
            target, valid = data.draw(st.sampled_from(own.retracted)), False
        else:  # a target that has not arrived (yet): held, so it never counts
            target, valid = str(uuid4()), True
            own.retracted.append(target)
        self._capture(device, event(CURRENT_VISIT, "ObservationRetracted",
                                    {"event_id": target, "reason": "mis-tap"}), valid)

    # --- delivering -----------------------------------------------------------------

    @rule(device=st.sampled_from(sorted(DEVICES)), size=st.integers(1, 6),
          response_lost=st.booleans(), duplicate_inside=st.booleans())
    def send_the_outbox(self, device: str, size: int, response_lost: bool,
                        duplicate_inside: bool) -> None:
        outbox = self.devices[device].outbox
        batch = outbox[:size]
        if not batch:
            return
        if duplicate_inside:
            batch = [*batch, batch[0]]
        self._deliver(device, batch)
        if not response_lost:  # else the device never heard, and will resend
            del outbox[:size]
            self.delivered.append((device, batch))

    @rule(data=st.data())
    def a_delivered_batch_arrives_again(self, data: st.DataObject) -> None:
        if self.delivered:
            device, batch = data.draw(st.sampled_from(self.delivered))
            self._deliver(device, batch)

    @rule(minutes=st.integers(1, 120))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    def _deliver(self, device: str, batch: list[dict[str, Any]]) -> None:
        items = [decode_client_event(msgspec.json.encode(e), self.clock()) for e in batch]
        app = self.services.app
        outcomes = app.record(app.actor(self.devices[device].user), device, items)
        expected = []
        for client_event in batch:
            event_id = client_event["id"]
            if not self.valid[event_id]:
                expected.append("rejected")
            elif event_id in self.stored:
                expected.append("duplicate")
            else:
                expected.append("accepted")
                self.stored.add(event_id)
        got = [o.status for o in outcomes]
        assert got == expected, [msgspec.to_builtins(o) for o in outcomes]
        assert [o.id for o in outcomes] == [e["id"] for e in batch]

    # --- what must always hold ------------------------------------------------------

    @invariant()
    def the_log_holds_the_valid_events_once_each(self) -> None:
        app = self.services.app
        counts = Counter(str(e.event_id) for e in logged_events(app, after=self.start))
        doubled = {event_id for event_id, count in counts.items() if count > 1}
        assert not doubled, f"doubled: {doubled}"
        assert set(counts) == self.stored, (
            f"lost: {self.stored - set(counts)}; unexpected: {set(counts) - self.stored}")

    @rule()
    def projections_equal_a_rebuild(self) -> None:
        services = self.services
        services.projector.catch_up()
        with services.storage.scratch_read_models() as scratch:
            rebuild(services.app, scratch)
            assert scratch.dump() == services.read_models.dump()
            organizer = services.app.actor("organizer1")
            live = Reader(services.read_models).summary(organizer, str(CURRENT_VISIT))
            rebuilt = Reader(scratch).summary(organizer, str(CURRENT_VISIT))
            assert msgspec.to_builtins(live) == msgspec.to_builtins(rebuilt)


TestTablets = Tablets.TestCase
TestTablets.settings = settings(max_examples=20, stateful_step_count=25, deadline=None,
                                suppress_health_check=[HealthCheck.too_slow])
