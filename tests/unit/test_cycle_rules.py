"""The visit cycle's rules, decided without storage: phases, the action plan of at
most two steps, check-ins, and what organizers record on the district."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from tests.unit.rules import (
    COACH,
    DISTRICT,
    HOST,
    ORGANIZER,
    OTHER_COACH,
    PLANNED,
    TEAMMATE,
    record,
    refused,
)
from walkthrough.catalog import DEFAULT_CATALOG, Catalog, LookFor
from walkthrough.district import District, decide_district
from walkthrough.errors import DomainError
from walkthrough.events import (
    ActionPlanAgreed,
    CatalogPublished,
    CheckInRecorded,
    ClassroomEntered,
    DebriefStarted,
    LookForObserved,
    NeedsAssessmentRecorded,
    NextStepProposed,
    NextStepWithdrawn,
    PartnershipFormed,
    PersonRegistered,
    RootCauseNoted,
    SchoolRegistered,
    SkillInventoryRecorded,
    TeachersNotified,
    VisitClosed,
    VisitStarted,
)
from walkthrough.matching import match_peers
from walkthrough.visit import Visit, decide


def step(step_id: str, due: date = date(2026, 12, 20)) -> NextStepProposed:
    return NextStepProposed(step_id=step_id, text=f"Step {step_id}", owner="Morgan Blake",
                            due=due, success="Seen in 4 of 5 rooms")


@pytest.fixture
def observed() -> Visit:
    visit = record(None, ORGANIZER, PLANNED)
    visit = record(visit, HOST, TeachersNotified())
    visit = record(visit, HOST, VisitStarted())
    return record(visit, COACH, ClassroomEntered(classroom_id="c1", label="Room A",
                                                 grade_band="6-8", subject="math"))


@pytest.fixture
def debriefing(observed: Visit) -> Visit:
    return record(observed, HOST, DebriefStarted())


def test_the_phases_move_forward_through_explicit_events(observed: Visit) -> None:
    assert observed.phase == "observation"
    visit = record(observed, COACH, DebriefStarted())
    assert visit.phase == "analysis"
    visit = record(visit, COACH, step("s1"))
    visit = record(visit, HOST, ActionPlanAgreed(step_ids=("s1",)))
    assert visit.phase == "support"
    visit = record(visit, HOST, CheckInRecorded(step_id="s1", status="on_track"))
    visit = record(visit, HOST, VisitClosed())
    assert visit.phase == "closed"


def test_no_phase_is_skipped(observed: Visit) -> None:
    planned = record(None, ORGANIZER, PLANNED)
    assert refused(planned, HOST, DebriefStarted()) == "invalid_phase"
    assert refused(observed, COACH, step("s1")) == "invalid_phase"
    assert refused(observed, HOST, ActionPlanAgreed(step_ids=("s1",))) == "invalid_phase"
    assert refused(observed, HOST, VisitClosed()) == "invalid_phase"
    assert refused(observed, HOST, CheckInRecorded(step_id="s1", status="done")) \
        == "invalid_phase"
    assert refused(observed, HOST, RootCauseNoted(text="why")) == "invalid_phase"


def test_the_debrief_needs_a_classroom_visited() -> None:
    visit = record(None, ORGANIZER, PLANNED)
    visit = record(visit, HOST, TeachersNotified())
    visit = record(visit, HOST, VisitStarted())
    assert refused(visit, HOST, DebriefStarted()) == "nothing_observed"


def test_at_most_two_steps_and_a_withdrawn_one_frees_its_place(debriefing: Visit) -> None:
    visit = record(debriefing, COACH, step("s1"))
    visit = record(visit, HOST, step("s2"))
    assert refused(visit, COACH, step("s3")) == "too_many_steps"
    assert refused(visit, COACH, step("s1")) == "step_exists"
    visit = record(visit, COACH, NextStepWithdrawn(step_id="s2", reason="merged"))
    assert refused(visit, COACH, NextStepWithdrawn(step_id="s2")) == "already_withdrawn"
    visit = record(visit, COACH, step("s3"))
    assert visit.active_steps() == ["s1", "s3"]
    assert refused(visit, HOST, ActionPlanAgreed(step_ids=("s1", "s2"))) == "unknown_step"


def test_a_step_is_due_after_the_visit(debriefing: Visit) -> None:
    assert refused(debriefing, COACH, step("s1", due=date(2026, 1, 1))) == "invalid_due"


def test_only_host_or_organizer_agree_the_plan(debriefing: Visit) -> None:
    visit = record(debriefing, COACH, step("s1"))
    assert refused(visit, COACH, ActionPlanAgreed(step_ids=("s1",))) == "forbidden"
    visit = record(visit, HOST, ActionPlanAgreed(step_ids=("s1",)))
    assert refused(visit, HOST, CheckInRecorded(step_id="zz", status="done")) == "unknown_step"


def test_the_host_organizer_and_the_visits_coaches_check_in(debriefing: Visit) -> None:
    visit = record(debriefing, COACH, step("s1"))
    visit = record(visit, HOST, ActionPlanAgreed(step_ids=("s1",)))
    visit = record(visit, HOST, CheckInRecorded(step_id="s1", status="on_track"))
    visit = record(visit, ORGANIZER, CheckInRecorded(step_id="s1", status="on_track"))
    visit = record(visit, COACH, CheckInRecorded(step_id="s1", status="on_track",
                                                 progress="Met the AP: 3 of 5 rooms",
                                                 note="Weekly meeting, week 1"))
    visit = record(visit, TEAMMATE, CheckInRecorded(step_id="s1", status="at_risk"))
    assert refused(visit, OTHER_COACH, CheckInRecorded(step_id="s1", status="done")) \
        == "forbidden"
    assert refused(visit, COACH, CheckInRecorded(step_id="zz", status="done")) \
        == "unknown_step"


def test_a_closed_visit_takes_no_check_ins(debriefing: Visit) -> None:
    visit = record(debriefing, COACH, step("s1"))
    visit = record(visit, HOST, ActionPlanAgreed(step_ids=("s1",)))
    visit = record(visit, HOST, VisitClosed())
    assert refused(visit, HOST, CheckInRecorded(step_id="s1", status="done")) == "visit_closed"


def test_root_causes_name_a_look_for_of_the_visits_catalog(debriefing: Visit) -> None:
    record(debriefing, COACH, RootCauseNoted(text="No shared routine", item="cfu"))
    assert refused(debriefing, COACH, RootCauseNoted(text="x", item="charisma")) \
        == "unknown_item"


def test_progress_is_a_number_or_text() -> None:
    raw = b'{"step_id":"s1","status":"on_track","progress":0.5}'
    assert msgspec.json.decode(raw, type=CheckInRecorded).progress == 0.5
    raw = b'{"step_id":"s1","status":"at_risk","progress":"2 of 5 rooms"}'
    assert msgspec.json.decode(raw, type=CheckInRecorded).progress == "2 of 5 rooms"
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"step_id":"s1","status":"late"}', type=CheckInRecorded)


# --- the district ---------------------------------------------------------------------

PEOPLE = {p.user_id: p for p in (
    *DISTRICT.people.values(),
    PersonRegistered(user_id="coach3", name="E", roles=("coach",), school_id="adams-middle"),
    PersonRegistered(user_id="coach4", name="F", roles=("coach",),
                     school_id="roosevelt-middle"),
    PersonRegistered(user_id="organizer1", name="G", roles=("organizer",)),
)}
PREPARED = msgspec.structs.replace(DISTRICT, people=PEOPLE)


def decided(payload: object, roles: tuple[str, ...] = ("organizer",),
            district: District = PREPARED) -> str | None:
    try:
        decide_district(district, roles, payload)  # type: ignore[arg-type]
    except DomainError as error:
        return error.code
    return None


def test_only_organizers_prepare() -> None:
    needs = NeedsAssessmentRecorded(school_id="lincoln-middle", catalog_version=1,
                                    focus_areas=("cfu",))
    assert decided(needs) is None
    assert decided(needs, roles=("host",)) == "forbidden"


def test_needs_and_strengths_are_look_fors_of_the_catalog() -> None:
    assert decided(NeedsAssessmentRecorded(school_id="lincoln-middle", catalog_version=1,
                                           focus_areas=("charisma",))) == "unknown_item"
    assert decided(NeedsAssessmentRecorded(school_id="nowhere", catalog_version=1,
                                           focus_areas=("cfu",))) == "unknown_school"
    assert decided(SkillInventoryRecorded(user_id="coach1", role="principal",
                                          catalog_version=9, strengths=("cfu",))) \
        == "unknown_catalog"
    assert decided(SkillInventoryRecorded(user_id="organizer1", role="other",
                                          catalog_version=1)) == "not_an_administrator"


@pytest.mark.parametrize(("kind", "members", "code"), [
    ("leadership_learning", ("coach1", "coach2"), None),
    ("leadership_learning", ("coach1", "coach2", "host1"), "invalid_partnership"),
    ("leadership_learning", ("coach1", "coach4"), "same_campus"),
    ("critical_friends", ("coach1", "coach2", "host1"), "invalid_partnership"),
    ("critical_friends", ("coach1", "coach2", "host1", "coach4"), "same_campus"),
    ("leadership_learning", ("coach1", "organizer1"), "invalid_partnership"),
])
def test_partnership_sizes_and_campuses(kind: str, members: tuple[str, ...],
                                        code: str | None) -> None:
    payload = msgspec.convert({"partnership_id": "p1", "kind": kind, "members": members,
                               "starts": "2026-12-01"}, PartnershipFormed)
    assert decided(payload) == code


def test_a_critical_friends_group_of_four_campuses() -> None:
    district = msgspec.structs.replace(PREPARED, schools={
        **PREPARED.schools, "x": SchoolRegistered(school_id="x", name="X", level="high")},
        people={**PEOPLE, "p4": PersonRegistered(user_id="p4", name="H", roles=("host",),
                                                 school_id="x")})
    group = PartnershipFormed(partnership_id="cfg", kind="critical_friends",
                              members=("coach1", "coach2", "host1", "p4"),
                              starts=date(2026, 12, 1))
    assert decided(group, district=district) is None


def test_catalog_versions_are_published_in_order_and_coherent() -> None:
    items = (*DEFAULT_CATALOG.items, LookFor(key="exit_ticket_used", prompt="Exit ticket",
                                             kind="yes_no"))
    assert decided(CatalogPublished(version=2, items=items)) is None
    assert decided(CatalogPublished(version=3, items=items)) == "catalog_version_taken"
    twice = (*items, LookFor(key="cfu", prompt="again", kind="yes_no"))
    assert decided(CatalogPublished(version=2, items=twice)) == "invalid_catalog"
    bad_scale = (LookFor(key="x", prompt="x", kind="scale"),)
    assert decided(CatalogPublished(version=2, items=bad_scale)) == "invalid_catalog"


def test_a_visit_on_a_published_version_taps_its_items(observed: Visit) -> None:
    items = (*DEFAULT_CATALOG.items, LookFor(key="exit_ticket_used", prompt="Exit ticket",
                                             kind="yes_no"))
    district = msgspec.structs.replace(DISTRICT, catalogs={2: Catalog(version=2, items=items)})
    plan = msgspec.structs.replace(PLANNED, catalog_version=2)
    decide(None, ORGANIZER, plan, district)
    assert refused(None, ORGANIZER, plan) == "unknown_catalog"  # not published there
    tap = LookForObserved(classroom_id="c1", item="exit_ticket_used", value="yes")
    assert refused(observed, COACH, tap) == "unknown_item"  # version 1 keeps its items
    observed.catalog_version = 2
    decide(observed, COACH, tap, district)


def test_matching_ranks_same_role_peers_from_other_campuses() -> None:
    schools = {**PREPARED.schools}
    lincoln = schools["lincoln-middle"]
    needs = NeedsAssessmentRecorded(school_id="lincoln-middle", catalog_version=1,
                                    focus_areas=("cfu", "student_talk", "target_explained"))
    skills = {s.user_id: s for s in (
        SkillInventoryRecorded(user_id="host1", role="principal", catalog_version=1,
                               strengths=("routines",)),
        SkillInventoryRecorded(user_id="coach1", role="principal", catalog_version=1,
                               strengths=("cfu",), growth_areas=("routines",)),
        SkillInventoryRecorded(user_id="coach2", role="principal", catalog_version=1,
                               strengths=("cfu", "student_talk")),
        SkillInventoryRecorded(user_id="coach3", role="assistant_principal",
                               catalog_version=1, strengths=("cfu", "student_talk",
                                                             "target_explained")),
        SkillInventoryRecorded(user_id="coach5", role="principal", catalog_version=1,
                               strengths=("cfu",)),  # same campus as the school
        SkillInventoryRecorded(user_id="coach4", role="principal", catalog_version=1,
                               strengths=("rigor",)),  # meets no need
    )}
    found = match_peers(lincoln, needs, DEFAULT_CATALOG, schools, PEOPLE, skills)
    assert [m.user_id for m in found] == ["coach2", "coach1"]
    assert found[0].needs_met == ["cfu", "student_talk"]
    assert "2 of the 3 focus areas" in found[0].reason
    assert found[1].reciprocal == ["routines"]
    assert "in return" in found[1].reason
    other_role = match_peers(lincoln, needs, DEFAULT_CATALOG, schools, PEOPLE, skills,
                             role="assistant_principal")
    assert [m.user_id for m in other_role] == ["coach3"]
