"""A realistic demo district: schools, people, a visit in progress and past visits.

The past Lincoln Middle visit went through its debrief to an agreed action plan of
two steps, with check-ins (one step overdue), so the current visit's debrief opens
with that progress. Needs assessments, skill inventories and two partnerships
show the preparation (the Critical Friends Group has met once, so its next
agenda opens with progress on that meeting's next steps); four observed visits
over two quarters feed the trends. Morgan Blake's (host1's) growth over the
semester is told in web.demo.growth.

Loaded through the same application calls a tablet's sync uses, in time order,
each event recorded at its own moment (the server's clock is set to it while it
is recorded), so replaying the log to a past date shows the district as it was
then. Idempotent: a district that already has schools is left as it is.
"""

from __future__ import annotations

import contextlib
import itertools
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import msgspec

from walkthrough.application import Walkthrough
from walkthrough.catalog import DEFAULT_CATALOG
from walkthrough.district import PreparationPayload
from walkthrough.events import (
    ActionPlanAgreed,
    CheckInRecorded,
    CheckInStatus,
    ClassroomEntered,
    ClassroomExited,
    DebriefStarted,
    DistrictNamed,
    EvidenceNoted,
    LookForObserved,
    MeetingStep,
    MeetingStepCheckedIn,
    NeedsAssessmentRecorded,
    NextStepProposed,
    PartnershipFormed,
    PartnershipMeetingHeld,
    PersonRegistered,
    RootCauseNoted,
    SchoolRegistered,
    SchoolUpdateRecorded,
    SkillInventoryRecorded,
    Subject,
    SyncPayload,
    TeachersNotified,
    ThankYouNoteLeft,
    VisitClosed,
    VisitPayload,
    VisitPlanned,
    VisitStarted,
)
from walkthrough.sync import Submission, content_digest
from web.demo.growth import growth_story

DEMO_USERS = ("coach1", "coach2", "coach3", "host1", "organizer1", "analyst1")
CURRENT_VISIT = uuid5(NAMESPACE_URL, "walkthrough-demo/lincoln-middle/current")
PAST_VISIT = uuid5(NAMESPACE_URL, "walkthrough-demo/lincoln-middle/previous")
JEFFERSON_VISIT = uuid5(NAMESPACE_URL, "walkthrough-demo/jefferson-elementary/current")
ROOSEVELT_VISIT = uuid5(NAMESPACE_URL, "walkthrough-demo/roosevelt-middle/previous")
MADISON_VISIT = uuid5(NAMESPACE_URL, "walkthrough-demo/madison-elementary/current")

DISTRICT = DistrictNamed(name="Riverside Unified (demo)")
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
                     school_id="roosevelt-middle", email="dana.reyes@demo-district.example"),
    PersonRegistered(user_id="coach2", name="Sam Okafor", roles=("coach",),
                     school_id="adams-middle", email="sam.okafor@demo-district.example"),
    PersonRegistered(user_id="coach3", name="Lee Park", roles=("coach",),
                     school_id="madison-elementary", email="lee.park@demo-district.example"),
    PersonRegistered(user_id="coach4", name="Ari Costa", roles=("coach",),
                     school_id="roosevelt-middle", email="ari.costa@demo-district.example"),
    PersonRegistered(user_id="host1", name="Morgan Blake", roles=("host",),
                     school_id="lincoln-middle", email="morgan.blake@demo-district.example"),
    PersonRegistered(user_id="host2", name="Jordan Ellis", roles=("host",),
                     school_id="jefferson-elementary", email="jordan.ellis@demo-district.example"),
    PersonRegistered(user_id="host3", name="Casey Nguyen", roles=("host",),
                     school_id="roosevelt-middle", email="casey.nguyen@demo-district.example"),
    # A principal hosts their own campus and coaches on others' visits (one person, both).
    PersonRegistered(user_id="host4", name="Riley Adebayo", roles=("host", "coach"),
                     school_id="madison-elementary", email="riley.adebayo@demo-district.example"),
    PersonRegistered(user_id="organizer1", name="Pat Quinn", roles=("organizer",),
                     email="pat.quinn@demo-district.example"),
    PersonRegistered(user_id="analyst1", name="Robin Hale", roles=("analyst",),
                     email="robin.hale@demo-district.example"),
]


# What each school's visits look at, and what its host says at the start.
FOCUS = {
    "lincoln-middle": "Checking for understanding in grades 6-8 math",
    "roosevelt-middle": "Learning targets students can explain, grades 6-8",
    "jefferson-elementary": "Small-group reading instruction in grades 3-5",
    "madison-elementary": "Student-to-student talk in grades 3-5 math",
}
SCHOOL_UPDATES = {
    "lincoln-middle": "Since the last visit every math team plans one check for "
                      "understanding per lesson; exit tickets started in grade 7.",
    "roosevelt-middle": "Targets are now written in student language on every board; "
                        "teachers are trying to have students restate them.",
    "jefferson-elementary": "Reading blocks were rebuilt in September: two teacher-led "
                            "groups a day, the rest rotate through stations.",
    "madison-elementary": "Math lessons added a five-minute partner talk after the "
                          "launch; teachers are unsure it leads anywhere.",
}
SEMESTER_DAYS = 90  # the district was set up this long before today


class Story:
    """The demo's events, told in time order: each is recorded with the server's
    clock set to its moment, so its server time is when it happened."""

    def __init__(self, app: Walkthrough) -> None:
        self.app = app
        self._steps: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        self._steps.append((moment, next(self._order), action))

    def send(self, user_id: str, visit_id: UUID, at: datetime, payload: SyncPayload) -> None:
        def record() -> None:
            visit = str(visit_id)
            submission = Submission(event_id=str(uuid4()), visit_id=visit, occurred_at=at,
                                    payload=payload, digest=content_digest(visit, at, payload))
            (outcome,) = self.app.record(self.app.actor(user_id), "demo-loader", [submission])
            if outcome.status != "accepted":
                raise RuntimeError(f"demo event refused: {outcome}")

        self.at(at, record)

    def prepare(self, user_id: str, at: datetime, payload: PreparationPayload) -> None:
        def record() -> None:
            self.app.prepare(self.app.actor(user_id), payload)

        self.at(at, record)

    def tell(self) -> None:
        for moment, _, action in sorted(self._steps, key=lambda step: step[:2]):
            with _clock_at(self.app, moment):
                action()


@contextlib.contextmanager
def _clock_at(app: Walkthrough, moment: datetime) -> Iterator[None]:
    """The application's clock reads `moment` (the demo loader runs alone)."""
    running = app.clock
    app.clock = lambda: moment
    try:
        yield
    finally:
        app.clock = running


def load_demo(app: Walkthrough, today: date | None = None) -> bool:
    """Load the demo district; False when a district is already there."""
    if app.district().is_set_up():
        return False
    now = app.clock()
    today = today or app.local_date(now)
    story = Story(app)
    opening = datetime.combine(today - timedelta(days=SEMESTER_DAYS), time(8), tzinfo=UTC)
    story.at(opening, lambda: app.register([DISTRICT, *SCHOOLS, *PEOPLE]))
    _prepare(story, today)
    rng = random.Random(20261123)
    past = today - timedelta(days=63)
    _past_visit(story, rng, PAST_VISIT, past, "lincoln-middle", "host1",
                ("coach1", "coach2"), "6-8")
    _past_visit(story, rng, JEFFERSON_VISIT, today - timedelta(days=2), "jefferson-elementary",
                "host2", ("coach3", "coach4"), "3-5")
    _past_visit(story, rng, ROOSEVELT_VISIT, today - timedelta(days=61), "roosevelt-middle",
                "host3", ("coach2", "coach3"), "6-8", rooms=4)
    _past_visit(story, rng, MADISON_VISIT, today - timedelta(days=5), "madison-elementary",
                "host4", ("coach1", "coach2"), "3-5", rooms=4)
    _lincoln_action_plan(story, past, today)
    _roosevelt_action_plan(story, today - timedelta(days=61))
    growth_story(story, today, PAST_VISIT)
    # Today's visit started an hour and a half ago (08:30 when that is earlier). Just
    # after midnight that was yesterday evening: then yesterday is the visit's day (a
    # visit starts on its own day).
    started = min(datetime.combine(today, time(8, 30), tzinfo=app.time_zone),
                  now - timedelta(minutes=90))
    _plan_and_start(story, CURRENT_VISIT, app.local_date(started), "lincoln-middle", "host1",
                    ("coach1", "coach2"), started)
    _team_capture(story, started)
    story.tell()
    return True


def _prepare(story: Story, today: date) -> None:
    """What the organizer recorded before matching partners and planning visits."""
    prepared = datetime.combine(today - timedelta(days=SEMESTER_DAYS - 1), time(9),
                                tzinfo=UTC)
    version = DEFAULT_CATALOG.version
    payloads: list[PreparationPayload] = [
        NeedsAssessmentRecorded(
            school_id="lincoln-middle", catalog_version=version,
            focus_areas=("cfu", "target_explained", "student_talk"),
            notes="Grades 6-8 math: lessons rarely check what students understood before "
                  "moving on."),
        NeedsAssessmentRecorded(
            school_id="jefferson-elementary", catalog_version=version,
            focus_areas=("small_group_instruction", "student_talk"),
            notes="Reading blocks: small groups meet, but mostly for independent work."),
        SkillInventoryRecorded(user_id="host1", role="principal", catalog_version=version,
                               strengths=("routines", "target_posted"),
                               growth_areas=("cfu", "student_talk", "facilitating_plcs")),
        SkillInventoryRecorded(user_id="coach1", role="principal", catalog_version=version,
                               strengths=("cfu", "target_explained", "monitoring"),
                               growth_areas=("routines",)),
        SkillInventoryRecorded(user_id="coach2", role="principal", catalog_version=version,
                               strengths=("student_talk", "grouping"),
                               growth_areas=("target_posted",)),
        SkillInventoryRecorded(user_id="coach3", role="principal", catalog_version=version,
                               strengths=("cfu", "small_group_instruction"),
                               growth_areas=("rigor",)),
        SkillInventoryRecorded(user_id="coach4", role="assistant_principal",
                               catalog_version=version, strengths=("cfu", "student_talk"),
                               growth_areas=("grade_level",)),
        SkillInventoryRecorded(user_id="host2", role="principal", catalog_version=version,
                               strengths=("target_posted",),
                               growth_areas=("small_group_instruction", "facilitating_plcs")),
        PartnershipFormed(partnership_id="llp-lincoln-roosevelt", kind="leadership_learning",
                          members=("host1", "coach1"), starts=today - timedelta(days=70),
                          focus="Checking for understanding in middle-school math"),
        PartnershipFormed(partnership_id="cfg-talk", kind="critical_friends",
                          members=("host1", "coach2", "coach3", "host2"),
                          starts=today - timedelta(days=60),
                          focus="Student-to-student academic talk"),
    ]
    for number, payload in enumerate(payloads):
        at = prepared + timedelta(minutes=number)
        if isinstance(payload, PartnershipFormed):  # formed on the day it starts
            at = datetime.combine(payload.starts, time(9), tzinfo=UTC)
        story.prepare("organizer1", at, payload)
    held = today - timedelta(days=30)
    story.prepare("host1", datetime.combine(held, time(16), tzinfo=UTC), PartnershipMeetingHeld(
        partnership_id="cfg-talk", meeting_id="cfg-talk-1", date=held, facilitator="host1",
        notes="Consultancy protocol on host1's dilemma: talk structures fade after launch.",
        next_steps=(
            MeetingStep(step_id="talk-walk", text="Each member walks three classrooms "
                        "looking only for student-to-student talk and brings the tally.",
                        owner="Every member", due=today - timedelta(days=3),
                        success="Four tallies shared before the next meeting."),
            MeetingStep(step_id="talk-norms", text="Draft shared accountable-talk norms "
                        "for grades 6-8.", owner="Sam Okafor", due=today + timedelta(days=10),
                        success="A one-page draft the group can test in one school."),
        )))
    story.prepare("coach2", datetime.combine(today - timedelta(days=9), time(17), tzinfo=UTC),
                  MeetingStepCheckedIn(partnership_id="cfg-talk", meeting_id="cfg-talk-1",
                                       step_id="talk-norms", status="on_track",
                                       progress="Half of the one-page draft written"))


def _lincoln_action_plan(story: Story, day: date, today: date) -> None:
    """The previous visit's debrief and plan: the exit-ticket step is overdue and at
    risk, the talk-protocol step is on track."""
    debrief = datetime.combine(day, time(12, 0), tzinfo=UTC)
    story.send("host1", PAST_VISIT, debrief, DebriefStarted())
    story.send("coach1", PAST_VISIT, debrief + timedelta(minutes=10), RootCauseNoted(
        item="cfu", text="Lesson plans name a check for understanding, but there is no shared "
                         "routine for acting on what it shows."))
    story.send("coach2", PAST_VISIT, debrief + timedelta(minutes=12), RootCauseNoted(
        item="student_talk", text="Talk structures were introduced in August and not "
                                  "revisited since."))
    story.send("coach1", PAST_VISIT, debrief + timedelta(minutes=20), NextStepProposed(
        step_id="exit-tickets", text="Every grade 6-8 math lesson ends with a two-question "
                                     "exit ticket that shapes the next day's warm-up.",
        owner="Morgan Blake", due=today - timedelta(days=21),
        success="Exit tickets seen in 4 of 5 math rooms on a walkthrough."))
    story.send("host1", PAST_VISIT, debrief + timedelta(minutes=25), NextStepProposed(
        step_id="talk-protocol", text="Teams model one turn-and-talk protocol at each "
                                      "weekly planning meeting.",
        owner="Math team leads", due=today + timedelta(days=14),
        success="Student-to-student talk seen in half of the rooms visited."))
    story.send("host1", PAST_VISIT, debrief + timedelta(minutes=40),
          ActionPlanAgreed(step_ids=("exit-tickets", "talk-protocol")))
    check_ins: list[tuple[int, str, CheckInStatus, float | str, str | None]] = [
        (7, "exit-tickets", "on_track", 0.4, "Two of five teachers use them daily."),
        (14, "talk-protocol", "on_track", "Modelled at 2 of 2 planning meetings", None),
        (30, "exit-tickets", "at_risk", 0.4, "Testing weeks pushed exit tickets aside."),
        (60, "talk-protocol", "on_track", 0.5, "Seen in half of the rooms on a walkthrough."),
    ]
    for days, step_id, status, progress, note in check_ins:
        story.send("host1", PAST_VISIT, debrief + timedelta(days=days), CheckInRecorded(
            step_id=step_id, status=status, progress=progress, note=note))


def _roosevelt_action_plan(story: Story, day: date) -> None:
    """A whole cycle, closed: debrief, one step, done, visit closed."""
    debrief = datetime.combine(day, time(12, 0), tzinfo=UTC)
    story.send("host3", ROOSEVELT_VISIT, debrief, DebriefStarted())
    story.send("coach2", ROOSEVELT_VISIT, debrief + timedelta(minutes=15), NextStepProposed(
        step_id="post-targets", text="Learning targets posted and read aloud in every room.",
        owner="Casey Nguyen", due=day + timedelta(days=28),
        success="Targets posted in every room on the next walkthrough."))
    story.send("host3", ROOSEVELT_VISIT, debrief + timedelta(minutes=30),
          ActionPlanAgreed(step_ids=("post-targets",)))
    story.send("host3", ROOSEVELT_VISIT, debrief + timedelta(days=21), CheckInRecorded(
        step_id="post-targets", status="done", progress=1.0,
        note="Seen in every room this week."))
    story.send("host3", ROOSEVELT_VISIT, debrief + timedelta(days=30), VisitClosed())


def _plan_and_start(story: Story, visit_id: UUID, day: date, school_id: str, host: str,
                    team: tuple[str, ...], start: datetime | None = None) -> datetime:
    start = start or datetime.combine(day, time(8, 30), tzinfo=UTC)
    story.send("organizer1", visit_id, start - timedelta(days=14), VisitPlanned(
        school_id=school_id, host=host, team=team, focus=FOCUS[school_id],
        catalog_version=DEFAULT_CATALOG.version, date=day))
    story.send(host, visit_id, start - timedelta(days=7), TeachersNotified(
        note="Staff meeting: the visit looks at school-wide trends, not at individuals."))
    story.send(host, visit_id, start, VisitStarted())
    story.send(host, visit_id, start + timedelta(minutes=5), SchoolUpdateRecorded(
        text=SCHOOL_UPDATES[school_id]))
    return start


ROOMS = [("Room A", "math", 24), ("Room B", "science", 22), ("Room C", "ela", 26),
         ("Room D", "math", 25)]


def _past_visit(story: Story, rng: random.Random, visit_id: UUID, day: date,
                school_id: str, host: str, team: tuple[str, ...], band: str,
                rooms: int = 3) -> None:
    moment = _plan_and_start(story, visit_id, day, school_id, host, team)
    for number, (label, subject, present) in enumerate(ROOMS[:rooms]):
        coach = team[number % len(team)]
        room_id = f"c-{visit_id.hex[:8]}-{number}"
        moment += timedelta(minutes=20)
        story.send(coach, visit_id, moment, ClassroomEntered(
            classroom_id=room_id, label=label, grade_band=band,  # type: ignore[arg-type]
            subject=subject, students_present=present))  # type: ignore[arg-type]
        for payload in _taps(rng, room_id, present):
            moment += timedelta(seconds=40)
            story.send(coach, visit_id, moment, payload)
        story.send(coach, visit_id, moment, EvidenceNoted(
            classroom_id=room_id, item="cfu",
            text=f"{rng.randint(4, 12)} of {present} students explained the target "
                 "in their own words."))
        story.send(coach, visit_id, moment, ThankYouNoteLeft(classroom_id=room_id))
        story.send(coach, visit_id, moment + timedelta(minutes=12),
              ClassroomExited(classroom_id=room_id))


CURRENT_ROOMS = ("c-demo-101", "c-demo-204", "c-demo-310")


def _team_capture(story: Story, start: datetime) -> None:
    """Today's visit so far: coach1 and coach2 walked three rooms together. coach2 joined
    Room 101 from the list, entered Room 204 on a tablet with no network (its own id,
    the same label: one room), and saw checks for understanding there differently
    from coach1, so the debrief opens with a calibration question."""
    room_101, room_204, room_310 = CURRENT_ROOMS
    at = start + timedelta(minutes=15)
    rooms: list[tuple[str, str, str, Subject, int, dict[str, str | int], str]] = [
        (room_101, "Room 101", "c-demo-101", "math", 26,
         {"cfu": "yes", "target_posted": "yes", "on_task": 22, "engagement": 4,
          "rigor": "apply", "grade_level": "yes", "student_talk": "yes",
          "target_explained": "yes", "open_questions": 3, "grouping": "pairs",
          "small_group_instruction": "no", "monitoring": "yes", "routines": 3},
         "9 of 26 students held up a whiteboard answer; the teacher re-explained step 2."),
        (room_204, "Room 204", "c-demo-204-tablet2", "math", 24,
         {"cfu": "yes", "target_posted": "yes", "on_task": 19, "engagement": 3,
          "rigor": "understand", "grade_level": "yes", "student_talk": "no",
          "target_explained": "no", "open_questions": 1, "grouping": "whole_class",
          "small_group_instruction": "no", "monitoring": "yes", "routines": 2},
         "Students compared answers with a partner before the whole class moved on."),
        (room_310, "Room 310", "c-demo-310", "science", 22,
         {"cfu": "no", "target_posted": "no", "on_task": 15, "engagement": 3,
          "rigor": "remember", "grade_level": "no", "student_talk": "no",
          "target_explained": "no", "open_questions": 0, "grouping": "individual",
          "small_group_instruction": "yes", "monitoring": "no", "routines": 2},
         "Students copied the lab steps from the board; no one was asked to explain."),
    ]
    for room_id, label, joined_as, subject, present, seen, note in rooms:
        entered = ClassroomEntered(classroom_id=room_id, label=label, grade_band="6-8",
                                   subject=subject, students_present=present)
        story.send("coach1", CURRENT_VISIT, at, entered)
        joined = msgspec.structs.replace(entered, classroom_id=joined_as,
                                         label=label.lower() if joined_as != room_id else label)
        story.send("coach2", CURRENT_VISIT, at + timedelta(seconds=20), joined)
        for minute, (item, value) in enumerate(seen.items(), start=1):
            method = "whiteboards" if item == "cfu" and value == "yes" else None
            story.send("coach1", CURRENT_VISIT, at + timedelta(minutes=minute),
                  LookForObserved(classroom_id=room_id, item=item, value=value, method=method))
            theirs = "no" if (room_id, item) == (room_204, "cfu") else value
            story.send("coach2", CURRENT_VISIT, at + timedelta(minutes=minute, seconds=30),
                  LookForObserved(classroom_id=joined_as, item=item, value=theirs,
                                  method=method if theirs == value else None))
        story.send("coach1", CURRENT_VISIT, at + timedelta(minutes=8), EvidenceNoted(
            classroom_id=room_id, item="cfu", text=note))
        story.send("coach2", CURRENT_VISIT, at + timedelta(minutes=9),
              ThankYouNoteLeft(classroom_id=joined_as))
        at += timedelta(minutes=20)


def _taps(rng: random.Random, room_id: str, present: int) -> list[VisitPayload]:
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


