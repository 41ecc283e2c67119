"""A roster import applied, on every backend: through the organizers' routes (preview,
apply with an Idempotency-Key) and by hand (people and schools); all or nothing; the
same files again append nothing; a deactivated person's tablet is signed out (401)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from projections.event_log import read_log
from tests.conftest import FakeClock
from tests.oneroster import (
    EXPORTS,
    MAPLE,
    PRIVATE_NAMES,
    Files,
    Roster,
    as_zip,
    oneroster_11,
    oneroster_12,
    rosters,
)
from walkthrough.errors import Unauthorized
from walkthrough.events import DistrictNamed, PersonRegistered
from walkthrough.names import NamesAPerson
from walkthrough.roster_import import RosterRefused, plan_import
from web.app import create_app
from web.composition.bootstrap import Services
from web.routes.directory import apply_plan

ORGANIZER = PersonRegistered(user_id="priya", name="Priya Natarajan", roles=("organizer",),
                             email="priya.natarajan@maple.example")


@pytest.fixture
def started(services: Services) -> Services:
    """A district as `walkthrough init` leaves it: a name and one organizer."""
    services.app.administer([DistrictNamed(name="Maple Valley"), ORGANIZER])
    return services


@pytest.fixture
def client(started: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=started)) as test_client:
        yield test_client


@pytest.fixture
def organizer(started: Services, clock: FakeClock) -> dict[str, str]:
    return {"Authorization": f"Bearer {started.tokens.issue('priya', clock())}"}


def log_size(services: Services) -> int:
    return sum(1 for _ in read_log(services.app))


def form(files: Files, **levels: str) -> dict[str, object]:
    return {"archive": base64.b64encode(as_zip(files)).decode(), "levels": levels}


@pytest.mark.parametrize("export", [oneroster_11, oneroster_12])
def test_an_import_brings_the_district_in_and_again_appends_nothing(
        started: Services, export: object) -> None:
    files = export(MAPLE)  # type: ignore[operator]
    recorded = apply_plan(started, plan_import(files, started.app.district()))
    assert len(recorded) == 8  # the organizer is already in
    district = started.app.district()
    principal = district.person_by_email("ingrid.lindqvist@maple.example")
    assert principal is not None
    assert started.app.actor(principal.user_id).roles == ("host", "coach")
    # the teacher's surname is on their school's roster: a note naming them is refused
    with pytest.raises(NamesAPerson):
        started.roster.roster(principal.school_id or "").check("Whitfield asked the class")
    before = log_size(started)
    assert apply_plan(started, plan_import(files, started.app.district())) == []
    assert log_size(started) == before


def test_a_bad_file_applies_nothing(started: Services) -> None:
    files = oneroster_12(MAPLE.with_member("t-whitfield", org="org-nowhere"))
    before = log_size(started)
    with pytest.raises(RosterRefused):
        apply_plan(started, plan_import(files, started.app.district()))
    assert log_size(started) == before
    assert started.app.district().schools == {}


def test_preview_changes_nothing_and_apply_is_once(
        started: Services, client: TestClient, organizer: dict[str, str]) -> None:
    body = form(oneroster_12(MAPLE))
    preview = client.post("/api/roster/preview", json=body, headers=organizer)
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert [p["name"] for p in report["people_added"]] == [
        "Kwame Osei", "Ingrid Lindqvist", "Remy Baptiste", "Celine Moreau"]
    assert log_size(started) == 2
    key = {**organizer, "Idempotency-Key": str(uuid.uuid4())}
    applied = client.post("/api/roster/apply", json=body, headers=key)
    assert applied.status_code == 201, applied.text
    assert applied.json()["recorded"] == 8
    size = log_size(started)
    again = client.post("/api/roster/apply", json=body, headers=key)  # a lost answer resent
    assert again.status_code == 201
    assert log_size(started) == size
    for response in (preview, applied, again):
        for name in PRIVATE_NAMES:
            assert name not in response.text


def test_a_bad_roster_is_a_422_naming_file_row_and_column(
        client: TestClient, organizer: dict[str, str]) -> None:
    files = oneroster_11(MAPLE)
    files["users.csv"] = files["users.csv"].replace(b",familyName,", b",surname,")
    refused = client.post("/api/roster/preview", json=form(files), headers=organizer)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "bad_roster"
    assert "users.csv, row 1, column familyName" in refused.json()["error"]["message"]
    not_zip = client.post("/api/roster/apply", json={"archive": "aGVsbG8="},
                          headers=organizer)
    assert not_zip.status_code == 422


def test_a_deactivated_person_is_signed_out_and_their_links_revoked(
        started: Services, client: TestClient, clock: FakeClock) -> None:
    apply_plan(started, plan_import(oneroster_12(MAPLE), started.app.district()))
    coach = started.app.district().person_by_email("kwame.osei@maple.example")
    assert coach is not None
    token = started.tokens.issue(coach.user_id, clock())
    signed_in = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=signed_in).status_code == 200
    link = started.signin_links.make(coach.user_id, "http://testserver", clock())
    gone = MAPLE.with_member("u-osei", status="tobedeleted")
    plan = plan_import(oneroster_12(gone), started.app.district())
    assert [type(p).__name__ for p in plan.payloads] == ["PersonDeactivated"]
    apply_plan(started, plan)
    answer = client.get("/api/me", headers=signed_in)
    assert answer.status_code == 401
    with pytest.raises(Unauthorized):
        started.app.actor(coach.user_id)
    redeemed = client.post("/api/signin/link", json={"code": link.url.rpartition("=")[2]})
    assert redeemed.status_code in (401, 410), redeemed.text
    # their history stays: they are still a person of the district, inactive
    assert coach.user_id in started.app.district().inactive


def test_organizers_keep_people_and_schools_by_hand(
        started: Services, client: TestClient, organizer: dict[str, str],
        clock: FakeClock) -> None:
    def write(method: str, path: str, body: dict[str, object]) -> dict[str, object]:
        answer = client.request(method, path, json=body, headers={
            **organizer, "Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code == 201, answer.text
        result: dict[str, object] = answer.json()
        return result

    school = write("POST", "/api/schools", {"name": "Juniper Middle", "level": "middle"})
    assert school["id"] == "juniper-middle"
    write("PATCH", "/api/schools/juniper-middle", {"name": "Juniper Middle School"})
    person = write("POST", "/api/people", {"name": "Ada Park", "email": "Ada.Park@maple.example",
                                           "roles": ["coach", "host"],
                                           "school_id": "juniper-middle"})
    user_id = str(person["id"])
    write("PATCH", f"/api/people/{user_id}", {"roles": ["coach"], "name": "Ada Park-Lee"})
    listed = {p["id"]: p for p in client.get("/api/people", headers=organizer).json()["people"]}
    assert listed[user_id]["name"] == "Ada Park-Lee"
    assert listed[user_id]["roles"] == ["coach"]
    assert listed[user_id]["email"] == "ada.park@maple.example"
    assert listed[user_id]["active"] is True
    token = started.tokens.issue(user_id, clock())
    write("POST", f"/api/people/{user_id}/deactivate", {"reason": "left the district"})
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401
    listed = {p["id"]: p for p in client.get("/api/people", headers=organizer).json()["people"]}
    assert listed[user_id]["active"] is False
    write("POST", f"/api/people/{user_id}/reactivate", {})
    assert started.app.actor(user_id).roles == ("coach",)
    taken = client.post("/api/people", json={"name": "Someone", "roles": ["coach"],
                                             "email": "ada.park@maple.example"},
                        headers=organizer)
    assert taken.status_code == 422
    assert taken.json()["error"]["code"] == "email_taken"
    unchanged = client.patch("/api/schools/juniper-middle",
                             json={"name": "Juniper Middle School"}, headers=organizer)
    assert unchanged.status_code == 422
    assert unchanged.json()["error"]["code"] == "no_change"


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roster=rosters(), version=st.sampled_from(["1.1", "1.2"]))
def test_any_roster_imported_again_leaves_the_log_unchanged(
        started: Services, roster: Roster, version: str) -> None:
    """One store for all examples: each roster lands on what the ones before it left."""
    files = EXPORTS[version](roster)
    apply_plan(started, plan_import(files, started.app.district()))
    before = log_size(started)
    assert apply_plan(started, plan_import(files, started.app.district())) == []
    assert log_size(started) == before
