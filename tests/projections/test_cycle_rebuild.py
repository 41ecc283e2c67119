"""The cycle's read models (visit debriefs and plans, district documents) are a
function of the log: after a whole cycle, a rebuild gives the same rows, and the
same answers to the debrief, action-plan and trend queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec

from projections.projector import Projector
from projections.queries import Reader
from projections.rebuild import rebuild
from tests.builders import enter, event, record, tap
from walkthrough.catalog import DEFAULT_CATALOG
from walkthrough.events import (
    MeetingStep,
    MeetingStepCheckedIn,
    NeedsAssessmentRecorded,
    PartnershipMeetingHeld,
)
from web.composition.bootstrap import Services
from web.demo.district import CURRENT_VISIT, PAST_VISIT

VISIT = str(CURRENT_VISIT)


def send(services: Services, user: str, *events: dict[str, Any]) -> None:
    outcomes = record(services, user, *events, device=f"tablet-{user}")
    assert {o.status for o in outcomes} == {"accepted"}, outcomes


def a_whole_cycle(services: Services) -> None:
    today = services.clock().date()
    organizer = services.app.actor("organizer1")
    services.app.prepare(organizer, NeedsAssessmentRecorded(
        school_id="adams-middle", catalog_version=1, focus_areas=("cfu",)))
    services.app.publish_catalog(organizer, DEFAULT_CATALOG.items, "same items, renumbered")
    services.app.prepare(services.app.actor("coach3"), MeetingStepCheckedIn(
        partnership_id="cfg-talk", meeting_id="cfg-talk-1", step_id="talk-walk",
        status="done", progress="four tallies"))
    services.app.prepare(services.app.actor("coach3"), PartnershipMeetingHeld(
        partnership_id="cfg-talk", meeting_id="cfg-talk-2", date=today, facilitator="coach2",
        next_steps=(MeetingStep(step_id="tally", text="Bring talk tallies", owner="Sam Okafor",
                                due=today + timedelta(days=14), success="Four tallies"),)))
    send(services, "coach1", enter(VISIT, room="c-a"), tap(VISIT, "cfu", "yes", room="c-a"),
         enter(VISIT, room="c-b"), tap(VISIT, "cfu", "no", room="c-b"))
    send(services, "coach2", event(VISIT, "DebriefStarted", {}),
         event(VISIT, "RootCauseNoted", {"text": "No shared routine", "item": "cfu"}),
         event(VISIT, "NextStepProposed", {
             "step_id": "s1", "text": "Exit tickets", "owner": "Morgan Blake",
             "due": (today + timedelta(days=21)).isoformat(), "success": "4 of 5 rooms"}))
    send(services, "host1", event(VISIT, "ActionPlanAgreed", {"step_ids": ["s1"]}),
         event(VISIT, "CheckInRecorded", {"step_id": "s1", "status": "on_track",
                                          "progress": 0.4}),
         event(PAST_VISIT, "CheckInRecorded", {"step_id": "talk-protocol",
                                               "status": "done", "progress": "all rooms"}))


def answers(reader: Reader, services: Services) -> dict[str, Any]:
    today = services.clock().date()
    organizer = services.app.actor("organizer1")
    built: dict[str, Any] = msgspec.to_builtins({
        "debrief": reader.debrief(organizer, VISIT, today),
        "past": reader.debrief(organizer, str(PAST_VISIT), today),
        "plans": reader.action_plans(organizer, today),
        "school": reader.school_trends(organizer, "lincoln-middle"),
        "district": reader.district_trends(organizer, 3),
        "matches": reader.matches("lincoln-middle", None),
        "partnerships": reader.partnerships(organizer, today),
        "cfg_agenda": reader.partnership_agenda(organizer, "cfg-talk", today),
        "llp_agenda": reader.partnership_agenda(organizer, "llp-lincoln-roosevelt", today),
        "catalogs": reader.catalogs(),
        "catalog2": reader.catalog(2),
    })
    return built


def test_a_rebuild_after_a_whole_cycle_equals_the_live_models(demo: Services) -> None:
    a_whole_cycle(demo)
    Projector(demo.app, demo.read_models, page_size=7).catch_up()
    live = answers(Reader(demo.read_models), demo)
    assert live["debrief"]["sections"][0]["kind"] == "progress"
    progress = live["cfg_agenda"]["sections"][0]
    assert progress["kind"] == "progress"
    assert [step["step_id"] for step in progress["steps"]] == ["tally"]
    assert live["catalogs"]["catalogs"] == [{"version": 1, "items": 15},
                                        {"version": 2, "items": 15}]
    with demo.storage.scratch_read_models() as scratch:
        rebuild(demo.app, scratch)
        assert scratch.dump() == demo.read_models.dump()
        assert answers(Reader(scratch), demo) == live
