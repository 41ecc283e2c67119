"""Partnership and Critical Friends Group meetings through the API: a meeting ends with
one or two next steps, and the next agenda starts with progress on them; a meeting
cannot be recorded before every step of the last one has progress.

In the demo, cfg-talk (host1, coach2, coach3, host2; monthly, rotating facilitator)
met once, facilitated by host1, and talk-norms has progress (talk-walk has none);
llp-lincoln-roosevelt (host1, coach1; bi-weekly, started 70 days ago) has not met yet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.builders import batch, event
from tests.conftest import NOW
from walkthrough.district import growth_id
from web.demo.district import PAST_VISIT

Headers = dict[str, dict[str, str]]
Fresh = Callable[[dict[str, str]], dict[str, str]]  # tests/conftest.py after_writes
TODAY = NOW.date()
CFG = "/api/partnerships/cfg-talk"
LLP = "/api/partnerships/llp-lincoln-roosevelt"


def step(step_id: str, days: int = 21) -> dict[str, Any]:
    return {"step_id": step_id, "text": f"Step {step_id}", "owner": "Sam Okafor",
            "due": (TODAY + timedelta(days=days)).isoformat(),
            "success": "Every member brings a tally"}


def meeting(meeting_id: str, *steps: dict[str, Any], facilitator: str | None = "coach2",
            day: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"meeting_id": meeting_id,
                            "date": (TODAY + timedelta(days=day)).isoformat(),
                            "next_steps": list(steps)}
    if facilitator is not None:
        body["facilitator"] = facilitator
    return body


def agenda(client: TestClient, user: dict[str, str], path: str = CFG) -> dict[str, Any]:
    response = client.get(f"{path}/agenda", headers=user)
    assert response.status_code == 200, response.text
    return {s["kind"]: s for s in response.json()["sections"]}


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def progress(client: TestClient, user: dict[str, str], meeting_id: str, step_id: str,
             status: str = "done", path: str = CFG) -> None:
    response = client.post(f"{path}/step-progress", headers=user, json={
        "meeting_id": meeting_id, "step_id": step_id, "status": status,
        "progress": "Four tallies shared"})
    assert response.status_code == 201, response.text


def test_the_demo_agenda_opens_with_the_last_meetings_next_steps(client: TestClient,
                                                                 auth: Headers) -> None:
    response = client.get(f"{CFG}/agenda", headers=auth["coach2"])
    assert [s["kind"] for s in response.json()["sections"]] == [
        "progress", "next_meeting", "next_steps"]
    sections = agenda(client, auth["coach2"])
    progress = sections["progress"]
    assert progress["meeting"]["meeting_id"] == "cfg-talk-1"
    assert [(s["step_id"], s["overdue"]) for s in progress["steps"]] == [
        ("talk-walk", True), ("talk-norms", False)]
    assert sections["next_meeting"]["facilitator"]["id"] == "coach2"  # after host1
    assert sections["next_meeting"]["date"] >= TODAY.isoformat()
    assert sections["next_steps"]["steps"] == []
    assert sections["next_steps"]["max_steps"] == 2


def test_a_meetings_next_steps_come_first_at_the_next_agenda(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    progress(client, auth["coach3"], "cfg-talk-1", "talk-walk")
    recorded = client.post(f"{CFG}/meetings", headers=auth["coach3"],
                           json=meeting("cfg-talk-2", step("tally"), step("norms-test")))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["type"] == "PartnershipMeetingHeld"
    sections = agenda(client, after_writes(auth["host2"]))
    assert sections["progress"]["meeting"]["meeting_id"] == "cfg-talk-2"
    assert [s["step_id"] for s in sections["progress"]["steps"]] == ["tally", "norms-test"]
    assert sections["next_meeting"]["facilitator"]["id"] == "coach3"  # rotates on
    assert sections["next_meeting"]["date"] > TODAY.isoformat()

    empty = agenda(client, auth["coach1"], LLP)
    assert empty["progress"]["meeting"] is None
    assert empty["progress"]["steps"] == []
    assert "exit-tickets" in {s["step_id"] for s in empty["progress"]["action_plans"]}
    pair = client.post(f"{LLP}/meetings", headers=auth["host1"],
                       json=meeting("llp-1", step("peer-walk"), facilitator=None))
    assert pair.status_code == 201, pair.text
    sections = agenda(client, after_writes(auth["coach1"]), LLP)
    assert [s["step_id"] for s in sections["progress"]["steps"]] == ["peer-walk"]
    assert sections["next_meeting"]["date"] == (TODAY + timedelta(weeks=2)).isoformat()
    assert sections["next_meeting"]["cadence"] == "bi-weekly"
    assert sections["next_meeting"]["facilitator"] is None


@pytest.mark.parametrize(("body", "status", "code"), [
    (meeting("m", step("a"), step("b"), step("c")), 422, "too_many_steps"),
    (meeting("m"), 422, "no_next_steps"),
    (meeting("m", step("a"), step("a")), 422, "step_exists"),
    (meeting("m", step("a"), facilitator="host1"), 422, "facilitator_rotates"),
    (meeting("m", step("a"), facilitator="coach1"), 422, "invalid_facilitator"),
    (meeting("m", step("a"), facilitator=None), 422, "invalid_facilitator"),
    (meeting("m", step("a"), day=-45), 422, "invalid_date"),  # before the last meeting
    (meeting("m", step("a", days=-1)), 422, "invalid_due"),
    (meeting("cfg-talk-1", step("a")), 409, "meeting_exists"),
    ({**meeting("m", step("a")), "teacher": "x"}, 422, "invalid_request"),
])
def test_a_meeting_keeps_its_rules(client: TestClient, auth: Headers, body: dict[str, Any],
                                   status: int, code: str) -> None:
    progress(client, auth["host1"], "cfg-talk-1", "talk-walk")
    response = client.post(f"{CFG}/meetings", headers=auth["host1"], json=body)
    assert error(response) == (status, code), response.text
    assert agenda(client, auth["host1"])["progress"]["meeting"]["meeting_id"] == "cfg-talk-1"


def test_non_members_are_told_nothing(client: TestClient, auth: Headers) -> None:
    body = meeting("m", step("a"))
    assert error(client.post(f"{CFG}/meetings", headers=auth["coach1"], json=body)) == (
        404, "partnership_not_found")
    assert error(client.get(f"{CFG}/agenda", headers=auth["analyst1"])) == (
        404, "partnership_not_found")
    assert error(client.get(f"{CFG}/agenda", headers=auth["coach1"])) == (
        404, "partnership_not_found")
    assert client.post(f"{CFG}/meetings", content=b"not json").status_code == 401
    assert error(client.post(f"{CFG}/step-progress", headers=auth["coach1"], json={
        "meeting_id": "cfg-talk-1", "step_id": "talk-walk", "status": "done"})) == (
        404, "partnership_not_found")
    progress(client, auth["organizer1"], "cfg-talk-1", "talk-walk")
    organizer = client.post(f"{CFG}/meetings", headers=auth["organizer1"], json=body)
    assert organizer.status_code == 201, organizer.text


def test_openapi_describes_the_meeting_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/partnerships/{partnership_id}/meetings"]
    assert "get" in paths["/api/partnerships/{partnership_id}/agenda"]


def test_the_agenda_carries_progress_the_protocols_and_the_members_other_steps(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    response = client.get(f"{CFG}/agenda", headers=auth["host2"]).json()
    assert response["waiting_for_progress"] == ["talk-walk"]
    steps = {s["step_id"]: s for s in response["sections"][0]["steps"]}
    assert (steps["talk-norms"]["status"], steps["talk-norms"]["check_ins"]) == ("on_track", 1)
    assert steps["talk-walk"]["status"] is None
    consultancy = next(p for p in response["protocols"] if p["key"] == "consultancy")
    assert [s["minutes"] for s in consultancy["steps"]] == [10, 5, 10, 15, 5, 5]
    assert {p["key"] for p in response["protocols"]} == {
        "consultancy", "tuning", "success_analysis"}
    # host1 (Morgan Blake) owns the Lincoln plan's overdue exit-ticket step
    owned = {(s["source"], s["step_id"], s["overdue"]) for s in response["members_steps"]}
    assert ("visit", "exit-tickets", True) in owned

    progress(client, auth["coach3"], "cfg-talk-1", "talk-walk", status="done")
    after = client.get(f"{CFG}/agenda", headers=after_writes(auth["host2"])).json()
    assert after["waiting_for_progress"] == []
    walk = next(s for s in after["sections"][0]["steps"] if s["step_id"] == "talk-walk")
    assert (walk["status"], walk["overdue"], walk["progress"]) == (
        "done", False, "Four tallies shared")


def test_progress_on_a_step_nobody_agreed_is_refused(client: TestClient,
                                                     auth: Headers) -> None:
    response = client.post(f"{CFG}/step-progress", headers=auth["host1"], json={
        "meeting_id": "cfg-talk-1", "step_id": "nope", "status": "done"})
    assert error(response) == (422, "unknown_step")
    named = client.post(f"{CFG}/step-progress", headers=auth["host1"], json={
        "meeting_id": "cfg-talk-1", "step_id": "talk-walk", "status": "done",
        "note": "Mr. Alvarez did not share his tally"})
    assert error(named) == (422, "names_a_person")


def test_what_is_open_lists_overdue_steps_and_visits_to_close(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    assert client.get("/api/open", headers=auth["host1"]).status_code == 403
    work = client.get("/api/open", headers=auth["organizer1"]).json()
    rows = {(s["source"], s["step_id"]): s for s in work["steps"]}
    assert rows[("meeting", "talk-walk")]["overdue"] is True
    assert rows[("meeting", "talk-walk")]["partnership_id"] == "cfg-talk"
    assert rows[("visit", "exit-tickets")]["overdue"] is True
    assert work["overdue"] == sum(s["overdue"] for s in work["steps"]) >= 2
    assert [s["overdue"] for s in work["steps"]] == sorted(
        (s["overdue"] for s in work["steps"]), reverse=True)  # the overdue first
    assert work["visits_to_close"] == []

    progress(client, auth["host1"], "cfg-talk-1", "talk-walk", status="done")
    for step_id in ("exit-tickets", "talk-protocol"):
        synced = client.post("/api/sync", headers=auth["host1"], json=batch(event(
            PAST_VISIT, "CheckInRecorded", {"step_id": step_id, "status": "done"})))
        assert synced.json()["results"][0]["status"] == "accepted", synced.text
    work = client.get("/api/open", headers=after_writes(auth["organizer1"])).json()
    assert ("meeting", "talk-walk") not in {(s["source"], s["step_id"]) for s in work["steps"]}
    assert [v["visit_id"] for v in work["visits_to_close"]] == [str(PAST_VISIT)]
    closed = client.post("/api/sync", headers=auth["organizer1"], json=batch(event(
        PAST_VISIT, "VisitClosed", {})))
    assert closed.json()["results"][0]["status"] == "accepted", closed.text
    assert client.get("/api/open", headers=auth["organizer1"]).json()["visits_to_close"] == []


def test_a_pairs_agenda_guides_its_first_conversations_then_asks_for_reflection(
        client: TestClient, auth: Headers) -> None:
    guides = client.get("/api/conversation-guides", headers=auth["coach1"]).json()
    assert (guides["latest"], len(guides["versions"][0]["guides"])) == (1, 3)
    first = client.get(f"{LLP}/agenda", headers=auth["coach1"]).json()
    assert (first["guide"]["conversation"], first["guide"]["version"]) == (1, 1)
    assert first["reflection_due"] is False
    assert client.get(f"{CFG}/agenda", headers=auth["host1"]).json()["guide"] is None
    edited = client.post("/api/conversation-guides", headers=auth["organizer1"], json={
        "guides": [{"title": "Our schools", "prompts": ["Describe your school."]}]})
    assert edited.status_code == 201, edited.text
    for number in (1, 2, 3):
        if number > 1:
            progress(client, auth["host1"], f"llp-{number - 1}", f"s{number - 1}", path=LLP)
        body = {**meeting(f"llp-{number}", step(f"s{number}"), facilitator=None, day=number),
                "reading": "Exit tickets that shape the next warm-up", "guides_version": 2}
        held = client.post(f"{LLP}/meetings", headers=auth["coach1"], json=body)
        assert held.status_code == 201, held.text
        agenda_now = client.get(f"{LLP}/agenda", headers=auth["coach1"]).json()
        assert agenda_now["guide"] is None  # version 2 guides one conversation only
        assert agenda_now["reflection_due"] is (number == 3)


def test_a_leader_fills_in_their_own_inventory_with_leadership_skills(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    skills = client.get("/api/skills", headers=auth["host1"]).json()
    assert "managing_resistance" in {s["key"] for s in skills["skills"]}
    own = client.post("/api/people/host2/skill-inventory", headers=auth["host2"], json={
        "role": "principal", "strengths": ["target_posted", "budget_management"],
        "growth_areas": ["managing_resistance", "cfu"]})
    assert own.status_code == 201, own.text
    assert client.post("/api/people/host2/skill-inventory", headers=auth["host1"], json={
        "role": "principal"}).status_code == 403
    assert error(client.post("/api/people/host2/skill-inventory", headers=auth["host2"],
                             json={"role": "principal", "strengths": ["charisma"]})) == (
        422, "unknown_item")
    # Lincoln's needs include cfu: host2 shares it (a peer for a CFG), and the reason says so
    matches = client.get("/api/schools/lincoln-middle/matches",
                         headers=after_writes(auth["organizer1"])).json()["matches"]
    host2 = next(m for m in matches if m["user_id"] == "host2")
    assert (host2["needs_met"], host2["shared_needs"]) == ([], ["cfu"])
    assert "a shared need, for a Critical Friends Group or a network" in host2["reason"]
    assert matches[0]["user_id"] == "coach1"  # strengths that meet the needs come first
    # a growth goal can now name a leadership skill of the inventory
    goal = client.post("/api/sync", headers=auth["host2"], json=batch(event(
        str(growth_id("host2")), "GoalSet", {
            "goal_id": "g-resist", "area": "managing_resistance",
            "text": "Lead the grade teams through the new schedule.",
            "steps": [step("listen")]})))
    assert goal.json()["results"][0]["status"] == "accepted", goal.text


def test_a_meeting_opens_with_the_members_growth_goal_steps_a_networks_with_ones_own(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    """A pair and a group of growth peers see each other's goal steps; in a cross-role
    network (not growth peers) each member sees their own, organizers everyone's."""
    pair = client.get(f"{LLP}/agenda", headers=auth["coach1"]).json()
    goals = [s for s in pair["members_steps"] if s["source"] == "goal"]
    assert {(s["goal_id"], s["goal_of"]["id"]) for s in goals} >= {("act-on-cfu", "host1")}
    formed = client.post("/api/partnerships", headers=auth["organizer1"], json={
        "partnership_id": "net-api", "kind": "network", "members": ["host1", "coach4", "coach2"],
        "starts": TODAY.isoformat(), "capability": "data_use"})
    assert formed.status_code == 201, formed.text
    network = client.get("/api/partnerships/net-api/agenda",
                         headers=after_writes(auth["coach4"])).json()
    assert [s for s in network["members_steps"] if s["source"] == "goal"] == []
    for own in ("host1", "organizer1"):
        mine = client.get("/api/partnerships/net-api/agenda",
                          headers=after_writes(auth[own])).json()
        assert {s["goal_of"]["id"] for s in mine["members_steps"] if s["source"] == "goal"} \
            == {"host1"}, own
        # and the steps they own from visits and other meetings (by name)
        assert {s["source"] for s in mine["members_steps"]} == {"visit", "meeting", "goal"}
    assert network["network"]["capability"]["key"] == "data_use"
    assert network["network"]["roles"] == {
        "host1": "principal", "coach4": "assistant_principal", "coach2": "principal"}
    assert network["network"]["acknowledged"] == []
    assert pair["network"] is None
    ack = client.post("/api/partnerships/net-api/ground-rules", headers=auth["coach4"], json={})
    assert ack.status_code == 201, ack.text
    assert client.get("/api/partnerships/net-api/agenda",
                      headers=auth["coach4"]).json()["network"]["acknowledged"] == ["coach4"]


def test_the_list_schedules_the_next_facilitators_from_the_turns_taken(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    """cfg-talk met once under host1; coach3 then takes coach2's turn (coach2 is away):
    coach2 is due next, then host2 (coach3's own turn went to coach2), then host1."""
    progress(client, auth["coach3"], "cfg-talk-1", "talk-walk")
    swapped = client.post(f"{CFG}/meetings", headers=auth["coach3"],
                          json=meeting("cfg-talk-2", step("tally"), facilitator="coach3"))
    assert swapped.status_code == 201, swapped.text
    listed = client.get("/api/partnerships",
                        headers=after_writes(auth["coach2"])).json()["partnerships"]
    cfg = next(p for p in listed if p["partnership_id"] == "cfg-talk")
    assert [m["facilitator"] for m in cfg["next_meetings"]] == ["coach2", "host2", "host1"]
    sections = agenda(client, after_writes(auth["coach2"]))
    assert sections["next_meeting"]["facilitator"]["id"] == "coach2"


def test_organizers_publish_leadership_skills_and_matching_reads_them_across_roles(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    skills = client.get("/api/leadership-skills", headers=auth["host1"]).json()
    assert (skills["latest"], len(skills["versions"][0]["skills"])) == (1, 7)
    body = {"skills": [*skills["versions"][0]["skills"],
                       {"key": "coaching_teams", "name": "Coaching grade-level teams"}]}
    assert client.post("/api/leadership-skills", json=body,
                       headers=auth["host1"]).status_code == 403
    published = client.post("/api/leadership-skills", json=body, headers=auth["organizer1"])
    assert published.status_code == 201, published.text
    skills_now = client.get("/api/skills", headers=after_writes(auth["coach1"])).json()
    assert skills_now["version"] == 2
    saved = client.post("/api/people/host2/skill-inventory", headers=auth["host2"], json={
        "role": "principal", "growth_areas": ["coaching_teams"]})
    assert saved.json()["data"]["skills_version"] == 2, saved.text
    matched = client.get("/api/skills/coaching_teams/matches",
                         headers=after_writes(auth["organizer1"]))
    assert [m["user_id"] for m in matched.json()["matches"]] == ["host2"]
    assert client.get("/api/skills/coaching_teams/matches",
                      headers=auth["host1"]).status_code == 403
    group = client.get("/api/schools/lincoln-middle/matches?purpose=group",
                       headers=auth["organizer1"]).json()["matches"]
    assert {m["role"] for m in group} == {"principal", "assistant_principal"}
    bad = client.get("/api/schools/lincoln-middle/matches?purpose=any",
                     headers=auth["organizer1"])
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_purpose")


def test_a_step_the_whole_group_owns_opens_each_members_other_meetings(
        client: TestClient, auth: Headers) -> None:
    """cfg-talk's talk-walk is owned by "Every member": host1, in cfg-talk, owns it too,
    so host1's pair conversation opens with it; talk-norms is Sam Okafor's, not the
    pair's."""
    pair = client.get(f"{LLP}/agenda", headers=auth["coach1"]).json()
    owned = {(s["source"], s["step_id"]) for s in pair["members_steps"]}
    assert ("meeting", "talk-walk") in owned
    assert ("meeting", "talk-norms") not in owned
