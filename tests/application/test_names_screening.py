"""No name reaches the log: every free-text field is screened by the title rule and by
the school's staff roster when it is recorded, on every backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tests.builders import enter, event, record, tap
from tests.conftest import FakeClock
from walkthrough.catalog import LookFor
from walkthrough.district import PreparationPayload
from walkthrough.errors import DomainError
from walkthrough.events import (
    CatalogPublished,
    LearningSessionOffered,
    MeetingStep,
    NeedsAssessmentRecorded,
    PartnershipMeetingHeld,
    SkillInventoryRecorded,
)
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_VISIT, JEFFERSON_VISIT

Send = Callable[..., list[tuple[str, str | None]]]
STAFF = ["Zofia Wiśniewska", "Seán O'Brien", "Will Grant"]


@pytest.fixture
def send(demo: Services, clock: FakeClock) -> Send:
    def sent(user: str, *events: dict[str, Any]) -> list[tuple[str, str | None]]:
        return [(o.status, o.error.code if o.error else None)
                for o in record(demo, user, *events)]

    return sent


@pytest.fixture
def roster(demo: Services) -> None:
    demo.roster.replace_names("lincoln-middle", STAFF)


def stored(demo: Services) -> int:
    return demo.app.recorder.max_notification_id() or 0


def note(text: str, room: str = "c-demo-101") -> dict[str, Any]:
    return event(CURRENT_VISIT, "EvidenceNoted", {"classroom_id": room, "text": text})


REFUSED = ("rejected", "names_a_person")


def test_a_title_and_a_name_is_refused_in_labels_and_notes(demo: Services, send: Send) -> None:
    before = stored(demo)
    assert send("coach1", enter(CURRENT_VISIT, room="c-7", label="Mrs. Johnson 7th math"),
                note("Ms. Smith yelled at Jayden for talking"),
                note("students miss the bus on Fridays"),
                tap(CURRENT_VISIT, "students_doing", "dr smith read aloud",
                    room="c-demo-101")) == [REFUSED, REFUSED, ("accepted", None), REFUSED]
    assert stored(demo) == before + 1  # only the note without a name


@pytest.mark.usefixtures("roster")
def test_the_schools_roster_refuses_its_names_whatever_the_accents_and_case(
        demo: Services, send: Send) -> None:
    assert send("coach1", note("WISNIEWSKA modelled the warm-up"),
                note("obrien's class compared answers"),
                note("We talked with Grant after the lesson"),  # a word used as a name
                note("Students will compare answers"),  # "Will" is on it: a word here
                note("Students compared answers")) == [REFUSED, REFUSED, REFUSED,
                                                       ("accepted", None), ("accepted", None)]
    # Another school's visit is screened by its own (empty) roster only.
    room = f"c-{JEFFERSON_VISIT.hex[:8]}-0"  # coach3 entered it on the demo's visit
    assert send("coach3", event(JEFFERSON_VISIT, "EvidenceNoted", {
        "classroom_id": room, "text": "Wisniewska read aloud"})) == [("accepted", None)]


@pytest.mark.usefixtures("roster")
def test_every_free_text_of_the_cycle_is_screened(demo: Services, send: Send) -> None:
    visit = CURRENT_VISIT
    assert send("host1", event(visit, "SchoolUpdateRecorded",
                               {"text": "O'Brien's team piloted exit tickets"})) == [REFUSED]
    assert send("coach1", event(visit, "ThankYouNoteLeft", {
        "classroom_id": "c-demo-101", "text": "Thank you, Ms. Lee!"})) == [REFUSED]
    assert send("coach1", event(visit, "ClassroomCorrected", {
        "classroom_id": "c-demo-101", "label": "Mr Grant's room"})) == [REFUSED]
    assert send("host1", event(visit, "DebriefStarted", {})) == [("accepted", None)]
    assert send("coach1", event(visit, "RootCauseNoted", {
        "text": "Wiśniewska has no planning time"})) == [REFUSED]
    step = {"step_id": "s1", "text": "Exit tickets in every math room",
            "owner": "Grade 6-8 math team", "due": "2026-12-20",
            "success": "Seen in 4 of 5 rooms"}
    assert send("coach1", event(visit, "NextStepProposed", step)) == [("accepted", None)]
    assert send("coach1", event(visit, "NextStepProposed", {
        **step, "step_id": "s2", "success": "Mrs. Patel uses them daily"})) == [REFUSED]
    # The owner is screened too: a teacher by title or on the roster is refused; a
    # person registered in the district (the host, a coach) is accountable by design.
    for owner in ("Mrs Eleanor Whitfield (teacher)", "Seán O'Brien", "obrien"):
        assert send("coach1", event(visit, "NextStepProposed", {
            **step, "step_id": "s3", "owner": owner})) == [REFUSED], owner
    assert send("coach1", event(visit, "NextStepProposed", {
        **step, "step_id": "s3", "owner": "Morgan Blake"})) == [("accepted", None)]


@pytest.mark.usefixtures("roster")
def test_organizers_records_are_screened_against_the_schools_they_are_about(
        demo: Services, clock: FakeClock) -> None:
    organizer = demo.app.actor("organizer1")
    refused: list[PreparationPayload] = [
        NeedsAssessmentRecorded(school_id="lincoln-middle", catalog_version=1,
                                focus_areas=("cfu",), notes="Grant's team rarely checks"),
        SkillInventoryRecorded(user_id="host1", role="principal", catalog_version=1,
                               notes="Coaches Dr. Alvarez on feedback"),
        PartnershipMeetingHeld(partnership_id="llp-lincoln-roosevelt", meeting_id="m9",
                               date=date(2026, 11, 20), next_steps=(MeetingStep(
                                   step_id="x", text="Observe Wisniewska's PLC", owner="host1",
                                   due=date(2026, 12, 1), success="Notes shared"),)),
        PartnershipMeetingHeld(partnership_id="llp-lincoln-roosevelt", meeting_id="m9",
                               date=date(2026, 11, 20), next_steps=(MeetingStep(
                                   step_id="x", text="Observe a PLC", owner="Mr Whitfield",
                                   due=date(2026, 12, 1), success="Notes shared"),)),
        # A catalog and a session are for the whole district: every school's roster.
        CatalogPublished(version=2, items=(
            LookFor(key="target", prompt="Learning target posted", kind="yes_no"),
            LookFor(key="whitfield", prompt="Mrs Whitfield posts the target",
                    kind="yes_no"))),
        CatalogPublished(version=2, kind="leadership", items=(
            LookFor(key="norms", prompt="Norms as Wisniewska wrote them", kind="yes_no"),)),
        CatalogPublished(version=2, items=(  # a key is published as it is
            LookFor(key="obrien_posts_target", prompt="Target posted", kind="yes_no"),)),
        CatalogPublished(version=2, items=(
            LookFor(key="grouping", prompt="Grouping", kind="choice",
                    options=("pairs", "wisniewska_group")),)),
        LearningSessionOffered(session_id="s9", title="Exit tickets with Will Grant",
                               date=date(2026, 12, 3)),
    ]
    for payload in refused:
        with pytest.raises(DomainError) as error:
            demo.app.prepare(organizer, payload)
        assert error.value.code == "names_a_person", payload
        clock.advance(timedelta(days=1))  # each under the day's bound of roster refusals
    demo.app.prepare(organizer, NeedsAssessmentRecorded(
        school_id="lincoln-middle", catalog_version=1, focus_areas=("cfu",),
        notes="Grade 7 teams rarely check for understanding"))
