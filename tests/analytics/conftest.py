"""Analysts' tests run on each storage backend; helpers to add events to the demo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid5

import pytest

from projections.pseudonyms import Pseudonymiser
from tests.builders import record_payload
from tests.conftest import FakeClock
from walkthrough.district import growth_id
from walkthrough.events import (
    ActionPlanAgreed,
    CheckInRecorded,
    ClassroomEntered,
    DebriefStarted,
    LookForObserved,
    NextStepProposed,
    PartnershipFormed,
    PersonRegistered,
    PulseAnswered,
    PulseMoment,
    PulseScores,
    SchoolRegistered,
    TeachersNotified,
    VisitPlanned,
    VisitStarted,
)
from web.composition.bootstrap import Services
from web.demo.district import ROOSEVELT_VISIT

SECRET = b"a test deployment's secret, 32+ bytes"
# Rooms of a visit: room id -> look-for -> (coach, value) taps, in order.
Rooms = dict[str, dict[str, list[tuple[str, str]]]]
# The demo's people with a pulse (their hosted visits have no completed step) and,
# added below, five principals whose visits each had a step checked in `done`.
COMPLETERS = ("host3", "host5", "host6", "host7", "host8")
NEW_SCHOOLS = {"host5": "grant-high", "host6": "hayes-high", "host7": "polk-k8",
               "host8": "tyler-k8"}
CFG_COMPLETERS = "cfg-completers"


@pytest.fixture
def pseudonyms() -> Pseudonymiser:
    return Pseudonymiser(SECRET)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def visit_cycle(services: Services, school: str, host: str, team: tuple[str, str],
                day: date, rooms: Rooms, *, done: bool | None) -> UUID:
    """A visit recorded as tablets would: planned, started, its rooms tapped; with
    `done` not None, debriefed with one agreed step, checked in done or on track."""
    visit_id = uuid5(ROOSEVELT_VISIT, f"{school}/{day}")
    moment = _at(day, 8)

    def send(user: str, payload: object) -> None:
        nonlocal moment
        moment += timedelta(minutes=1)
        record_payload(services, user, visit_id, moment, payload)  # type: ignore[arg-type]

    send("organizer1", VisitPlanned(school_id=school, host=host, team=team,
                                    focus="Checking for understanding", catalog_version=1,
                                    date=day))
    send(host, TeachersNotified())
    send(host, VisitStarted())
    for room_id, taps in rooms.items():
        coaches = dict.fromkeys(coach for found in taps.values() for coach, _ in found)
        for coach in coaches or team[:1]:
            send(coach, ClassroomEntered(classroom_id=room_id, label=f"Room {room_id}",
                                         grade_band="6-8", subject="math"))
        for item, found in taps.items():
            for coach, value in found:
                send(coach, LookForObserved(classroom_id=room_id, item=item, value=value))
    if done is None:
        return visit_id
    send(host, DebriefStarted())
    send(team[0], NextStepProposed(step_id="exit-tickets", text="Exit tickets daily.",
                                   owner="Math team leads", due=day + timedelta(days=28),
                                   success="Seen in most rooms."))
    send(host, ActionPlanAgreed(step_ids=("exit-tickets",)))
    send(host, CheckInRecorded(step_id="exit-tickets", status="done" if done else "on_track",
                               progress=1.0))
    return visit_id


def pulse(services: Services, user: str, partnership: str, moment: PulseMoment,
          day: date, scores: tuple[int, int, int, int, int]) -> None:
    efficacy, isolation, value, focus, protected = scores
    record_payload(services, user, growth_id(user), _at(day, 19), PulseAnswered(
        partnership_id=partnership, moment=moment, scores=PulseScores(
            self_efficacy=efficacy, isolation=isolation, partnership_value=value,
            focus_confidence=focus, protected_time=protected)))


@pytest.fixture
def effectiveness(demo: Services, clock: FakeClock) -> Services:
    """The demo, plus what it takes to answer the effectiveness questions: a visit to
    Roosevelt Middle after its completed plan (Lincoln's next visit follows a plan
    with no step done), four more principals whose visits had a step done, and pulses
    from enough people that both groups show at the start and the end."""
    today = clock().date()
    app = demo.app
    app.register([
        *(SchoolRegistered(school_id=school, name=school.replace("-", " ").title(),
                           level="high" if school.endswith("high") else "k8")
          for school in NEW_SCHOOLS.values()),
        *(PersonRegistered(user_id=host, name=f"Principal {host[-1]}", roles=("host",),
                           school_id=school) for host, school in NEW_SCHOOLS.items()),
    ])
    yes_no = ("yes", "no")
    later: Rooms = {
        f"r{number}": {"cfu": [("coach2", yes_no[number % 2])],
                       "target_posted": [("coach3", "yes")],
                       "student_talk": [("coach2", yes_no[number % 3 == 0])]}
        for number in range(5)}
    later["r0"]["cfu"].append(("coach3", "no"))  # the team differs on this room
    later["r1"]["target_posted"] = [("coach3", "not_observed")]
    visit_cycle(demo, "roosevelt-middle", "host3", ("coach2", "coach3"),
                today - timedelta(days=3), later, done=None)
    for host, school in NEW_SCHOOLS.items():
        visit_cycle(demo, school, host, ("coach1", "coach4"), today - timedelta(days=40),
                    {"r0": {"cfu": [("coach1", "yes")]}}, done=True)
    app.prepare(app.actor("organizer1"), PartnershipFormed(
        partnership_id=CFG_COMPLETERS, kind="critical_friends", members=COMPLETERS,
        starts=today - timedelta(days=50)))
    for number, user in enumerate(COMPLETERS):
        pulse(demo, user, CFG_COMPLETERS, "start", today - timedelta(days=49),
              (2, 4, 3, 2 + number % 2, 1))
        pulse(demo, user, CFG_COMPLETERS, "end", today - timedelta(days=1),
              (4, 2, 5, 3 + number % 2, 3 - number % 2))
    # The demo's other people answer at the end too (host1 already has).
    demo_peers = {"coach1": "llp-lincoln-roosevelt", "coach2": "cfg-talk",
                  "coach3": "cfg-talk", "host2": "cfg-talk"}
    for number, (user, partnership) in enumerate(demo_peers.items()):
        pulse(demo, user, partnership, "end", today - timedelta(days=1),
              (3, 3, 4, 3, 2 + number % 3))
    demo.projector.catch_up()
    return demo
