"""A coach's own taps follow the coach: the visit as the server has it carries the
caller's live record (taps, notes, thank-you notes), so a second device shows them."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.testclient import TestClient

from tests.builders import batch, enter, event, tap
from web.demo.district import PAST_VISIT

Headers = dict[str, dict[str, str]]
Fresh = Callable[[dict[str, str]], dict[str, str]]  # tests/conftest.py after_writes


def test_the_visit_carries_the_coachs_own_latest_taps_and_notes(
        client: TestClient, auth: Headers, started_visit: str) -> None:
    visit = started_visit
    first = tap(visit, "cfu", "no", room="c-a")
    second = tap(visit, "cfu", "yes", room="c-a", method="whiteboards")
    withdrawn = tap(visit, "target_posted", "yes", room="c-a")
    note = event(visit, "EvidenceNoted", {"classroom_id": "c-a", "text": "6 of 24 explained"})
    thanks = event(visit, "ThankYouNoteLeft", {"classroom_id": "c-a"})
    retract = event(visit, "ObservationRetracted",
                    {"event_id": withdrawn["id"], "reason": "tapped again"})
    sent = client.post("/api/sync", headers=auth["coach1"], json=batch(
        enter(visit, room="c-a"), first, second, withdrawn, note, thanks, retract))
    assert {r["status"] for r in sent.json()["results"]} == {"accepted"}
    # a teammate in the same room: theirs are not coach1's
    client.post("/api/sync", headers=auth["coach2"], json=batch(
        enter(visit, room="c-a"), tap(visit, "rigor", "apply", room="c-a")))

    mine = client.get(f"/api/visits/{visit}", headers=auth["coach1"]).json()["mine"]
    assert [room["classroom_id"] for room in mine] == ["c-a"]
    room = mine[0]
    assert room["label"] == "Room a"
    assert [(t["event_id"], t["item"], t["value"], t["method"]) for t in room["taps"]] == [
        (first["id"], "cfu", "no", None), (second["id"], "cfu", "yes", "whiteboards")]
    assert [(n["event_id"], n["text"]) for n in room["notes"]] == [
        (note["id"], "6 of 24 explained")]
    assert room["thank_you"] == [thanks["id"]]
    theirs = client.get(f"/api/visits/{visit}", headers=auth["coach2"]).json()["mine"]
    assert [(t["item"], t["value"]) for t in theirs[0]["taps"]] == [("rigor", "apply")]
    # the host is not on the team: nothing of anyone's
    assert client.get(f"/api/visits/{visit}", headers=auth["host1"]).json()["mine"] == []


def test_a_withdrawn_room_is_not_the_coachs_any_more(client: TestClient, auth: Headers,
                                                      started_visit: str) -> None:
    visit = started_visit
    client.post("/api/sync", headers=auth["coach1"], json=batch(
        enter(visit, room="c-a"), tap(visit, "cfu", "yes", room="c-a"),
        event(visit, "ClassroomRetracted", {"classroom_id": "c-a", "reason": "mistake"})))
    assert client.get(f"/api/visits/{visit}", headers=auth["coach1"]).json()["mine"] == []


def test_the_visit_names_the_look_fors_its_focus_is_about(client: TestClient,
                                                          auth: Headers,
                                                          started_visit: str) -> None:
    # "Checking for understanding in grades 6-8 math": the cfu look-for
    visit = client.get(f"/api/visits/{started_visit}", headers=auth["coach1"]).json()
    assert "cfu" in visit["focus_items"]
    assert "routines" not in visit["focus_items"]


def test_a_root_cause_withdrawn_leaves_the_debrief(client: TestClient, auth: Headers,
                                                  started_visit: str,
                                                  after_writes: Fresh) -> None:
    visit = started_visit
    cause = event(visit, "RootCauseNoted", {"text": "Checks are not planned in lessons."})
    kept = event(visit, "RootCauseNoted", {"text": "No shared routine for exit tickets."})
    sent = client.post("/api/sync", headers=auth["coach1"], json=batch(
        enter(visit, room="c-a"), event(visit, "DebriefStarted", {}), cause, kept))
    assert {r["status"] for r in sent.json()["results"]} == {"accepted"}

    def noted() -> list[dict[str, str]]:
        debrief = client.get(f"/api/visits/{visit}/debrief",
                             headers=after_writes(auth["host1"])).json()
        section = next(s for s in debrief["sections"] if s["kind"] == "root_causes")
        return [{"text": n["text"], "event_id": n["event_id"]} for n in section["noted"]]

    assert [n["event_id"] for n in noted()] == [cause["id"], kept["id"]]
    withdraw = event(visit, "RootCauseWithdrawn", {"event_id": cause["id"], "reason": "merged"})
    again = event(visit, "RootCauseWithdrawn", {"event_id": cause["id"]})
    results = client.post("/api/sync", headers=auth["host1"], json=batch(withdraw, again)
                          ).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["error"]["code"] == "already_withdrawn"
    assert noted() == [{"text": "No shared routine for exit tickets.", "event_id": kept["id"]}]


def test_a_chart_is_drawn_for_the_width_the_page_has(client: TestClient, auth: Headers) -> None:
    path = "/api/schools/lincoln-middle/trends/chart.svg"
    wide = client.get(path, headers=auth["host1"]).text
    assert 'viewBox="0 0 720 ' in wide
    narrow = client.get(f"{path}?width=370", headers=auth["host1"]).text
    assert 'viewBox="0 0 370 ' in narrow
    sizes = {int(size) for size in re.findall(r'font-size="(\d+)"', narrow)}
    assert sizes
    assert min(sizes) >= 13  # shown at its own size on a phone: >= 13 px
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)"', narrow)]
    assert max(xs) <= 370
    assert 'viewBox="0 0 320 ' in client.get(f"{path}?width=100", headers=auth["host1"]).text
    for bad in ("wide", "-5", "9" * 9):
        response = client.get(f"{path}?width={bad}", headers=auth["host1"])
        assert response.status_code == 422
    bars = client.get("/api/trends/chart.svg?width=390", headers=auth["organizer1"]).text
    assert 'viewBox="0 0 390 ' in bars
    assert min(int(s) for s in re.findall(r'font-size="(\d+)"', bars)) >= 13


def test_a_later_check_in_by_another_person_shows_beside_the_first(
        client: TestClient, auth: Headers, after_writes: Fresh) -> None:
    visit = str(PAST_VISIT)
    # host1's latest on exit tickets is "at risk"; coach1 (on the team) says "done"
    results = client.post("/api/sync", headers=auth["coach1"], json=batch(event(
        visit, "CheckInRecorded", {"step_id": "exit-tickets", "status": "done",
                                   "progress": 1.0}))).json()["results"]
    assert [r["status"] for r in results] == ["accepted"]
    plan = client.get(f"/api/visits/{visit}/plan", headers=after_writes(auth["host1"])).json()
    step = next(s for s in plan["steps"] if s["step_id"] == "exit-tickets")
    assert step["status"] == "at_risk"  # the most cautious judgment, not the latest one
    assert step["differs"] is True
    assert {(j["by"], j["status"]) for j in step["judgments"]} == {
        ("host1", "at_risk"), ("coach1", "done")}
    assert step["latest_check_in"]["by"] == "coach1"  # kept, and shown as the latest
    assert step["check_ins"] == 3
    other = next(s for s in plan["steps"] if s["step_id"] == "talk-protocol")
    assert (other["status"], other["differs"]) == ("on_track", False)
