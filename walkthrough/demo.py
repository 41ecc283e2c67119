"""A realistic demo district: schools, people, a visit in progress and past visits.

Loaded through the same application calls a tablet's sync uses. Idempotent:
a district that already has schools is left as it is.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from walkthrough.application import Walkthrough
from walkthrough.catalog import DEFAULT_CATALOG
from walkthrough.events import (
    AnyPayload,
    ClassroomEntered,
    ClassroomExited,
    EvidenceNoted,
    LookForObserved,
    PersonRegistered,
    SchoolRegistered,
    SchoolUpdateRecorded,
    TeachersNotified,
    ThankYouNoteLeft,
    VisitClosed,
    VisitPlanned,
    VisitStarted,
)
from walkthrough.sync import Submission, content_digest

DEMO_USERS = ("coach1", "coach2", "coach3", "host1", "organizer1", "analyst1")
CURRENT_VISIT = uuid5(NAMESPACE_URL, "walkthrough-demo/lincoln-middle/current")
PAST_VISIT = uuid5(NAMESPACE_URL, "walkthrough-demo/lincoln-middle/previous")
JEFFERSON_VISIT = uuid5(NAMESPACE_URL, "walkthrough-demo/jefferson-elementary/current")

SCHOOLS = [
    SchoolRegistered(school_id="lincoln-middle", name="Lincoln Middle", level="middle"),
    SchoolRegistered(school_id="roosevelt-middle", name="Roosevelt Middle", level="middle"),
    SchoolRegistered(school_id="adams-middle", name="Adams Middle", level="middle"),
    SchoolRegistered(school_id="jefferson-elementary", name="Jefferson Elementary",
                     level="elementary"),
    SchoolRegistered(school_id="madison-elementary", name="Madison Elementary",
                     level="elementary"),
]
PEOPLE = [
    PersonRegistered(user_id="coach1", name="Dana Reyes", roles=("coach",),
                     school_id="roosevelt-middle"),
    PersonRegistered(user_id="coach2", name="Sam Okafor", roles=("coach",),
                     school_id="adams-middle"),
    PersonRegistered(user_id="coach3", name="Lee Park", roles=("coach",),
                     school_id="madison-elementary"),
    PersonRegistered(user_id="coach4", name="Ari Costa", roles=("coach",),
                     school_id="roosevelt-middle"),
    PersonRegistered(user_id="host1", name="Morgan Blake", roles=("host",),
                     school_id="lincoln-middle"),
    PersonRegistered(user_id="host2", name="Jordan Ellis", roles=("host",),
                     school_id="jefferson-elementary"),
    PersonRegistered(user_id="organizer1", name="Pat Quinn", roles=("organizer",)),
    PersonRegistered(user_id="analyst1", name="Robin Hale", roles=("analyst",)),
]


def load_demo(app: Walkthrough, today: date | None = None) -> bool:
    """Load the demo district; False when a district is already there."""
    if app.district().schools:
        return False
    today = today or app.clock().date()
    app.register([*SCHOOLS, *PEOPLE])
    rng = random.Random(20261123)
    _past_visit(app, rng, PAST_VISIT, today - timedelta(days=63), "lincoln-middle", "host1",
                ("coach1", "coach2"), "6-8", close=True)
    _past_visit(app, rng, JEFFERSON_VISIT, today - timedelta(days=2), "jefferson-elementary",
                "host2", ("coach3", "coach4"), "3-5", close=False)
    _plan_and_start(app, CURRENT_VISIT, today, "lincoln-middle", "host1", ("coach1", "coach2"))
    return True


def _plan_and_start(app: Walkthrough, visit_id: UUID, day: date, school_id: str, host: str,
                    team: tuple[str, ...]) -> datetime:
    start = datetime.combine(day, time(8, 30), tzinfo=UTC)
    focus = "Checking for understanding in grades 6-8 math"
    _send(app, "organizer1", visit_id, start - timedelta(days=14), VisitPlanned(
        school_id=school_id, host=host, team=team, focus=focus,
        catalog_version=DEFAULT_CATALOG.version, date=day))
    _send(app, host, visit_id, start - timedelta(days=7), TeachersNotified(
        note="Staff meeting: the visit looks at school-wide trends, not at individuals."))
    _send(app, host, visit_id, start, VisitStarted())
    _send(app, host, visit_id, start + timedelta(minutes=5), SchoolUpdateRecorded(
        text="Since the last visit every math team plans one check for understanding per "
             "lesson; exit tickets started in grade 7."))
    return start


def _past_visit(app: Walkthrough, rng: random.Random, visit_id: UUID, day: date,
                school_id: str, host: str, team: tuple[str, ...], band: str,
                *, close: bool) -> None:
    moment = _plan_and_start(app, visit_id, day, school_id, host, team)
    rooms = [("Room A", "math", 24), ("Room B", "science", 22), ("Room C", "ela", 26)]
    for number, (label, subject, present) in enumerate(rooms):
        coach = team[number % len(team)]
        room_id = f"c-{visit_id.hex[:8]}-{number}"
        moment += timedelta(minutes=20)
        _send(app, coach, visit_id, moment, ClassroomEntered(
            classroom_id=room_id, label=label, grade_band=band,  # type: ignore[arg-type]
            subject=subject, students_present=present))  # type: ignore[arg-type]
        for payload in _taps(rng, room_id, present):
            moment += timedelta(seconds=40)
            _send(app, coach, visit_id, moment, payload)
        _send(app, coach, visit_id, moment, EvidenceNoted(
            classroom_id=room_id, item="cfu",
            text=f"{rng.randint(4, 12)} of {present} students explained the target "
                 "in their own words."))
        _send(app, coach, visit_id, moment, ThankYouNoteLeft(classroom_id=room_id))
        _send(app, coach, visit_id, moment + timedelta(minutes=12),
              ClassroomExited(classroom_id=room_id))
    if close:
        _send(app, host, visit_id, moment + timedelta(days=30), VisitClosed())


def _taps(rng: random.Random, room_id: str, present: int) -> list[AnyPayload]:
    def yes_no(weight: float) -> str:
        return rng.choices(["yes", "no", "not_observed"], [weight, 1 - weight, 0.15])[0]

    cfu = yes_no(0.5)
    return [
        LookForObserved(classroom_id=room_id, item="target_posted", value=yes_no(0.9)),
        LookForObserved(classroom_id=room_id, item="target_explained", value=yes_no(0.4)),
        LookForObserved(classroom_id=room_id, item="on_task",
                        value=rng.randint(present // 2, present)),
        LookForObserved(classroom_id=room_id, item="engagement", value=rng.randint(2, 6)),
        LookForObserved(classroom_id=room_id, item="rigor",
                        value=rng.choice(["remember", "understand", "apply", "analyze"])),
        LookForObserved(classroom_id=room_id, item="cfu", value=cfu,
                        method=rng.choice(["questioning", "whiteboards", "exit_ticket"])
                        if cfu == "yes" else None),
        LookForObserved(classroom_id=room_id, item="student_talk", value=yes_no(0.3)),
        LookForObserved(classroom_id=room_id, item="monitoring", value=yes_no(0.8)),
        LookForObserved(classroom_id=room_id, item="grouping",
                        value=rng.choice(["whole_class", "small_groups", "pairs"])),
        LookForObserved(classroom_id=room_id, item="routines", value=rng.randint(1, 3)),
    ]


def _send(app: Walkthrough, user_id: str, visit_id: UUID, at: datetime,
          payload: AnyPayload) -> None:
    submission = Submission(event_id=uuid4(), visit_id=visit_id, occurred_at=at,
                            payload=payload,
                            digest=content_digest(visit_id, at, payload))
    (outcome,) = app.record(app.actor(user_id), "demo-loader", [submission])
    if outcome.status != "accepted":
        raise RuntimeError(f"demo event refused: {outcome}")
