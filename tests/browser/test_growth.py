"""The administrator's growth in the app (issue 18), on the demo district: a peer observes
host1 leading a PLC and keeps the support log with the tablet offline, and the server's
record has it all once the tablet is back; host1 reads their own record (the adjusted
step with its original, the pulse over time) and writes to it; a coach with no relation to
host1 gets a clear not-found; the organizer reads the district's view and offers a
session offline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Tablet
from tests.browser.support import unique
from web.demo.district import PAST_VISIT

pytestmark = pytest.mark.browser


def record(server: Server, user: str = "coach1", of: str = "host1") -> dict[str, Any]:
    found: dict[str, Any] = server.get(f"/api/people/{of}/growth", user)
    return found


def observation(answer: dict[str, Any], label: str) -> dict[str, Any]:
    return next(o for o in answer["leadership_observations"]["observations"] if o["label"] == label)


def test_a_peer_observes_leadership_practice_and_logs_support_offline(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    coach = tablet("coach1").sign_in()
    coach.wait_for_service_worker()
    expect(coach.by("growth-links")).to_contain_text("Morgan Blake")
    coach.by("growth-host1").click()
    expect(coach.by("growth-title")).to_have_text("Growth of Morgan Blake")
    expect(coach.by("practice-start")).to_be_visible()  # the look-fors are now kept here

    coach.context.set_offline(True)
    coach.page.reload()  # the shell and the record open with no network
    expect(coach.by("growth-stale")).to_be_visible()
    expect(coach.by("observation-plc-2")).to_contain_text("Seen differently")
    label = unique("Grade 8 math PLC")
    coach.by("practice-setting").select_option("plc_meeting")
    coach.by("practice-label").fill(label)
    coach.by("start-practice").click()
    expect(coach.by("practice-title")).to_have_text(f"Observing: {label}")
    taps = [("purpose_and_data", "yes"), ("teachers_talk", "yes"), ("teachers_talk", "no")]
    for item, value in taps:
        button = coach.by(f"practice-{item}-{value}")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
    expect(coach.by("practice-teachers_talk-yes")).to_have_attribute("aria-pressed", "false")
    expect(coach.by("practice-teachers_talk")).to_contain_text("pending")
    coach.by("practice-voices-inc").click()
    expect(coach.by("practice-voices-value")).to_have_value("1")
    coach.by("practice-voices-inc").click()
    expect(coach.by("practice-voices-value")).to_have_value("2")
    # The title rule refuses a note that names a person before it is queued.
    coach.by("practice-evidence-text").fill("Dr. Jones asked the team to sort the tickets")
    coach.by("practice-add-evidence").click()
    expect(coach.by("practice-evidence-error")).to_contain_text('names a person ("Dr. Jones")')
    evidence = unique("Teachers spoke for 14 of 20 minutes")
    coach.by("practice-evidence-text").fill(evidence)
    coach.by("practice-evidence-item").select_option("teachers_talk")
    coach.by("practice-add-evidence").click()
    expect(coach.by("practice-evidence-list")).to_contain_text(evidence)
    expect(coach.by("pending-count")).to_have_text("7")  # started, 3 taps, 2 counts, a note

    coach.by("practice-done").click()
    expect(coach.by("growth-title")).to_be_visible()
    expect(coach.by("observation-list")).to_contain_text(label)
    expect(coach.by("observation-list")).to_contain_text(evidence)
    line = unique("Weekly meeting 5: grade 8 exit tickets")
    coach.by("support-kind").select_option("coaching_meeting")
    coach.by("support-line").fill(line)
    coach.by("support-measure").fill("Grade 7 exit tickets at mastery")
    coach.by("support-value").fill("0.71")
    coach.by("log-support").click()
    expect(coach.by("flash")).to_contain_text("Saved on this tablet")
    entry = coach.by("support-log").locator("li", has_text=line)
    expect(entry).to_contain_text("waiting to send")
    expect(entry).to_contain_text("Grade 7 exit tickets at mastery: 0.71")
    expect(coach.by("data-trend")).to_contain_text("0.66 → 0.71")
    expect(coach.by("pending-count")).to_have_text("8")

    coach.context.set_offline(False)
    expect(coach.by("pending-count")).to_have_text("0")
    expect(coach.by("rejected-list")).to_be_hidden()
    answer = record(server)
    seen = observation(answer, label)
    assert seen["setting"] == "plc_meeting"
    values = {look_for["item"]: look_for["value"] for look_for in seen["look_fors"]}
    assert values == {"purpose_and_data": "yes", "teachers_talk": "no", "voices": 2}
    assert [note["text"] for note in seen["evidence"]] == [evidence]
    logged = next(e for e in answer["support_log"] if e["line"] == line)
    assert logged["data_point"] == {"measure": "Grade 7 exit tickets at mastery", "value": 0.71}
    assert logged["by"]["id"] == "coach1"

    coach.page.reload()
    shown = coach.by(f"observation-{seen['observation_id']}")
    expect(shown).to_contain_text("Teachers do most of the talking")
    expect(shown).not_to_contain_text("waiting to send")
    expect(coach.by("support-log").locator("li", has_text=line)).not_to_contain_text(
        "waiting to send")
    assert coach.csp_violations() == []


def test_a_peer_withdraws_an_observation_started_by_mistake(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    coach = tablet("coach1").sign_in()
    coach.page.goto(server.url + "/people/host1/growth")
    label = unique("Wrong meeting")
    coach.by("practice-label").fill(label)
    coach.by("start-practice").click()
    coach.by("practice-protocol-yes").click()
    coach.by("practice-withdraw").click()
    coach.by("practice-withdraw-confirm").click()
    expect(coach.by("growth-title")).to_be_visible()
    expect(coach.by("pending-count")).to_have_text("0")
    expect(coach.by("observation-list")).not_to_contain_text(label)
    assert all(o["label"] != label
               for o in record(server)["leadership_observations"]["observations"])


def test_the_administrator_reads_and_writes_their_own_growth_record(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    host = tablet("host1").sign_in()
    host.by("my-growth").click()
    expect(host.by("growth-title")).to_have_text("My growth")
    # The step adjusted in the demo: as it stands, as first agreed, and why it changed.
    expect(host.by("adjusted-plc-protocol")).to_be_visible()
    expect(host.by("step-plc-protocol")).to_contain_text("grade 7 and 8 math PLCs first")
    expect(host.by("step-original-plc-protocol")).to_contain_text("in every grade 6-8 math PLC")
    expect(host.by("step-history-plc-protocol")).to_contain_text(
        "Grade 6 PLC meets every other week during testing")
    expect(host.by("step-history-plc-protocol")).to_contain_text("by Morgan Blake")
    # The second PLC observation: two peers saw one look-for differently.
    expect(host.by("differed-plc-2-questions_not_answers")).to_contain_text("Seen differently")
    expect(host.by("practice-trend-protocol")).to_contain_text("Yes in 1 of 2")
    expect(host.by("data-trend")).to_contain_text("0.48 → 0.55 → 0.61 → 0.66")
    # The pulse over time, the administrator's own eyes only.
    expect(host.by("pulse-self_efficacy-over-time")).to_contain_text("Start 2")
    expect(host.by("pulse-self_efficacy-over-time")).to_contain_text("End 5")

    reason = unique("The staff meeting moved to Thursdays")
    host.by("adjust-student-talk-talk-modelling").click()
    host.by("adjust-due-student-talk-talk-modelling").fill("2027-01-15")
    host.by("adjust-reason-student-talk-talk-modelling").fill(reason)
    host.by("save-adjust-student-talk-talk-modelling").click()
    expect(host.by("flash")).to_have_text("Step adjusted.")
    expect(host.by("step-history-talk-modelling")).to_contain_text(reason)
    expect(host.by("step-original-talk-modelling")).to_be_visible()

    goal = unique("Hand the PLC agenda to teacher leads")
    host.by("new-goal").click()
    host.by("goal-area").select_option("student_talk")
    host.by("goal-text").fill(goal)
    host.by("goal-step1-text").fill("Co-plan the first two PLC agendas with the leads.")
    host.by("goal-step1-success").fill("Leads run the third PLC on their own.")
    host.by(f"goal-links-{PAST_VISIT}/talk-protocol").check()  # a step of the plan they hosted
    host.by("set-goal").click()
    expect(host.by("flash")).to_have_text("Goal set.")
    expect(host.by("growth-goals")).to_contain_text(goal)

    host.by("open-pulse").click()
    host.by("pulse-partnership").select_option("cfg-talk")
    host.by("pulse-moment-start").check()
    for question, score in [("self_efficacy", 3), ("isolation", 2), ("partnership_value", 4),
                            ("focus_confidence", 3), ("protected_time", 2)]:
        host.by(f"pulse-{question}-{score}").check()
    host.by("answer-pulse").click()
    expect(host.by("flash")).to_have_text("Pulse saved.")
    wanted = unique("Coaching on running a notice-wonder protocol")
    host.by("request-text").fill(wanted)
    host.by("request-support").click()
    expect(host.by("request-list")).to_contain_text(wanted)
    host.by("attend-talk-structures").click()
    expect(host.by("attended-talk-structures")).to_be_visible()
    expect(host.by("flash")).to_have_text("Attendance recorded.")
    expect(host.by("pending-count")).to_have_text("0")
    expect(host.by("rejected-list")).to_be_hidden()

    answer = record(server, "host1")
    step = next(g for g in answer["goals"] if g["goal_id"] == "student-talk")["steps"][0]
    assert step["due"] == "2027-01-15"
    assert step["original"]["due"] != "2027-01-15"
    assert step["adjustments"][-1]["reason"] == reason
    (set_now,) = [g for g in answer["goals"] if g["text"] == goal]
    assert (set_now["area"], len(set_now["steps"]), set_now["set_by"]["id"]) == (
        "student_talk", 1, "host1")
    # The link shows the step as its plan stands (other tests may have checked in on it).
    plan = server.get(f"/api/visits/{PAST_VISIT}/plan", "host1")
    (standing,) = [s["status"] for s in plan["steps"] if s["step_id"] == "talk-protocol"]
    assert [(link["visit_id"], link["step_id"], link["status"])
            for link in set_now["plan_steps"]] == [(str(PAST_VISIT), "talk-protocol", standing)]
    expect(host.by(f"goal-links-{set_now['goal_id']}")).to_contain_text(
        "Teams model one turn-and-talk protocol")
    answered = [(a["partnership_id"], a["moment"]) for a in answer["pulse"]["answers"]]
    assert ("cfg-talk", "start") in answered
    assert wanted in [r["text"] for r in answer["support_requests"]]
    assert next(s for s in answer["learning_sessions"]
                if s["session_id"] == "talk-structures")["attended"] is True
    # A peer does not see the pulse, and the screen says why.
    assert record(server, "coach1")["pulse"]["shown"] is False


def test_a_peer_sees_why_the_pulse_is_not_shown(tablet: Callable[..., Tablet],
                                                server: Server) -> None:
    coach = tablet("coach2").sign_in()
    coach.page.goto(server.url + "/people/host1/growth")
    expect(coach.by("pulse-why")).to_contain_text("aggregated over at least 5 people")
    expect(coach.by("growth-pulse")).not_to_contain_text("Start 2")


def test_someone_with_no_relation_gets_a_clear_not_found(tablet: Callable[..., Tablet]) -> None:
    stranger = tablet("coach4").sign_in_by_link()
    expect(stranger.by("growth-links")).not_to_contain_text("Morgan Blake")
    stranger.page.goto(stranger.server.url + "/people/host1/growth")
    expect(stranger.page.locator("main h1")).to_have_text("Growth record not found")
    expect(stranger.by("growth-not-found")).to_contain_text("no growth record of host1")
    expect(stranger.by("growth-not-found")).not_to_contain_text("Lincoln")


def test_the_organizer_reads_the_district_and_offers_a_session_offline(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    organizer = tablet("organizer1").sign_in()
    organizer.by("district-growth-link").click()
    expect(organizer.page.locator("main h1")).to_have_text("District growth")
    expect(organizer.by("district-areas").locator("li").first).to_contain_text(
        "Teacher checks for understanding")
    expect(organizer.by("district-requests")).to_contain_text("Teacher checks for understanding")
    expect(organizer.by("pulse-cell-start")).to_contain_text("5 people answered")
    expect(organizer.by("pulse-suppressed-end")).to_contain_text("fewer than 5 people answered")
    expect(organizer.by("district-session-data-conversations")).to_contain_text(
        "attended by 1 administrator")

    organizer.context.set_offline(True)
    title = unique("Facilitating data protocols with PLC leads")
    organizer.by("session-title").fill(title)
    organizer.by("session-areas-cfu").check()
    organizer.by("offer-session").click()
    offered = organizer.by("district-sessions").locator("li", has_text=title)
    expect(offered).to_contain_text("waiting to send")
    expect(organizer.by("pending-count")).to_have_text("1")
    organizer.context.set_offline(False)
    expect(organizer.by("pending-count")).to_have_text("0")
    expect(organizer.by("district-sessions").locator("li", has_text=title)).to_contain_text(
        "attended by 0 administrators")
    sessions = server.get("/api/growth", "organizer1")["sessions"]
    assert [s["areas"] for s in sessions if s["title"] == title] == [["cfu"]]


def test_a_refused_entry_is_listed_with_its_reason_and_leaves_the_record(
    tablet: Callable[..., Tablet], server: Server
) -> None:
    route = "/api/schools/lincoln-middle/staff-names"
    assert server.call("PUT", route, "host1", {"names": ["Zbigniewa Quillfeather"]})[0] == 200
    try:
        coach = tablet("coach1").sign_in()
        coach.page.goto(server.url + "/people/host1/growth")
        line = unique("Call with Quillfeather about the protocol")
        coach.by("support-kind").select_option("call")
        coach.by("support-line").fill(line)  # no title: only the server's roster finds it
        coach.by("log-support").click()
        expect(coach.by("flash")).to_contain_text("Not accepted by the server")
        expect(coach.by("rejected-item")).to_contain_text("names_a_person")
        expect(coach.by("support-line")).to_have_value(line)  # given back to be mended
        expect(coach.by("support-log")).not_to_contain_text(line)
        expect(coach.by("pending-count")).to_have_text("0")
    finally:  # the server is shared: leave no roster to screen other tests' notes
        assert server.call("PUT", route, "host1", {"names": []})[0] == 200
    assert line not in [e["line"] for e in record(server)["support_log"]]
