"""A coach's own taps follow the coach: the visit as the server has it carries the
caller's live record (taps, notes, thank-you notes), so a second device shows them."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.builders import batch, enter, event, tap

Headers = dict[str, dict[str, str]]


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
