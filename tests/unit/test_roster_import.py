"""Planning a OneRoster import, without a store: the mapping (1.1 and 1.2), the diff on a
re-import, the refusals of bad files (naming file, row and column, never a value), and
the laws: the same roster twice changes nothing; A then B is B, apart from deactivations."""

from __future__ import annotations

import io
import zipfile

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oneroster import (
    ADMIN_ROLES,
    EXPORTS,
    MAPLE,
    PRIVATE_NAMES,
    Files,
    Roster,
    School,
    as_zip,
    oneroster_11,
    oneroster_12,
    rosters,
)
from walkthrough.district import EMPTY_DISTRICT, District
from walkthrough.events import (
    DistrictNamed,
    PersonChanged,
    PersonDeactivated,
    PersonRegistered,
)
from walkthrough.roster_import import (
    MAX_FILE_BYTES,
    RosterPlan,
    RosterRefused,
    after,
    files_in_zip,
    level_of_grades,
    plan_import,
)

INIT_ORGANIZER = PersonRegistered(user_id="priya.natarajan", name="Priya N.",
                                  roles=("organizer",), email="priya.natarajan@maple.example")
STARTED = after(EMPTY_DISTRICT, [DistrictNamed(name="Maple Valley"), INIT_ORGANIZER])


def imported(files: Files, district: District = STARTED) -> tuple[RosterPlan, District]:
    plan = plan_import(files, district)
    return plan, after(district, plan.payloads)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_schools_administrators_and_organizers_come_from_the_export(version: str) -> None:
    plan, district = imported(EXPORTS[version](MAPLE))
    assert plan.report.version == version
    assert district.name == "Maple Valley Unified"
    levels = {s.name: s.level for s in district.schools.values()}
    assert levels == {"Whitman Elementary": "elementary", "Carver Middle": "middle",
                      "Eastside High": "high"}
    carver = district.school_by_source("org-carver")
    assert carver is not None
    assert carver.identifier == "0201"
    principal = district.person_by_email("ingrid.lindqvist@maple.example")
    assert principal is not None
    assert set(principal.roles) == {"host", "coach"}
    assert principal.school_id == carver.school_id
    assert principal.source_id == "u-lindqvist"
    # the organizer made by init is the district administrator of the export: one person
    organizer = district.person_by_email("priya.natarajan@maple.example")
    assert organizer is not None
    assert organizer.user_id == INIT_ORGANIZER.user_id
    assert organizer.roles == ("organizer",)
    assert len(district.people) == 5
    # teachers, aides, students and guardians are never people
    assert {p.source_id for p in district.people.values()} == {
        None, "u-osei", "u-lindqvist", "u-baptiste", "u-moreau"}


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_teachers_names_go_to_their_school_s_staff_roster_and_nowhere_else(
        version: str) -> None:
    plan, district = imported(EXPORTS[version](MAPLE))
    carver = district.school_by_source("org-carver")
    whitman = district.school_by_source("org-whitman")
    assert carver is not None
    assert whitman is not None
    assert plan.staff[carver.school_id] == ("Harriet Whitfield",)
    assert sorted(plan.staff[whitman.school_id]) == ["Marigold Thistlewood",
                                                     "Obiageli Okonkwo"]
    shown = msgspec.json.encode(plan.report) + repr(plan).encode() + msgspec.json.encode(
        plan.payloads)
    for name in PRIVATE_NAMES:
        assert name.encode() not in shown
    skipped = {s.reason: s.rows for s in plan.report.skipped}
    assert skipped == {"students are not read": 2, "guardians are not read": 1}
    assert {s.school: s.names for s in plan.report.staff} == {
        "Carver Middle": 1, "Whitman Elementary": 2, "Eastside High": 1}


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_same_export_again_changes_nothing(version: str) -> None:
    files = EXPORTS[version](MAPLE)
    _, district = imported(files)
    again = plan_import(files, district)
    assert again.payloads == ()
    assert again.report.people_unchanged == 5
    assert again.report.schools_unchanged == 3


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_changed_row_is_one_change_and_a_deleted_one_deactivates(version: str) -> None:
    _, district = imported(EXPORTS[version](MAPLE))
    changed = MAPLE.with_member("u-lindqvist", family="Lindqvist-Berg",
                                email="ingrid.berg@maple.example")
    changed = changed.with_member("u-moreau", status="tobedeleted")
    changed = changed.with_member("u-osei", org="org-carver")
    plan = plan_import(EXPORTS[version](changed), district)
    by_type = [type(p) for p in plan.payloads]
    assert by_type.count(PersonChanged) == 2
    assert by_type.count(PersonDeactivated) == 1
    renamed = next(p for p in plan.payloads if isinstance(p, PersonChanged)
                   and p.name is not msgspec.UNSET)
    assert renamed.name == "Ingrid Lindqvist-Berg"
    assert renamed.email == "ingrid.berg@maple.example"
    moved = next(p for p in plan.payloads if isinstance(p, PersonChanged)
                 and p.school_id is not msgspec.UNSET)
    assert moved.name is msgspec.UNSET
    later = after(district, plan.payloads)
    moreau = later.person_by_email("celine.moreau@maple.example")
    assert moreau is not None
    assert not later.is_active(moreau.user_id)
    # enabledUser=false deactivates too
    disabled = plan_import(EXPORTS[version](MAPLE.with_member("u-osei", enabled="false")),
                           district)
    assert [type(p) for p in disabled.payloads] == [PersonDeactivated]


def test_a_person_missing_from_the_files_is_reported_and_kept() -> None:
    _, district = imported(oneroster_12(MAPLE))
    without = Roster(MAPLE.district_id, MAPLE.district_name, MAPLE.schools,
                     tuple(m for m in MAPLE.members if m.source_id != "u-baptiste"))
    plan = plan_import(oneroster_12(without), district)
    assert plan.payloads == ()
    assert [p.name for p in plan.report.not_in_files] == ["Remy Baptiste"]


def test_a_school_without_grades_needs_its_level() -> None:
    roster = Roster(MAPLE.district_id, MAPLE.district_name,
                    (*MAPLE.schools, School("org-harbor", "Harbor Academy", "0401")),
                    MAPLE.members)
    plan = plan_import(oneroster_11(roster), STARTED)
    assert [s.source_id for s in plan.report.levels_needed] == ["org-harbor"]
    assert not plan.report.can_apply
    given = plan_import(oneroster_11(roster), STARTED, {"org-harbor": "k8"})
    assert given.report.can_apply
    harbor = next(s for s in given.report.schools_added if s.source_id == "org-harbor")
    assert (harbor.level, harbor.level_from) == ("k8", "given")
    # a level from the name when there are no grades: "Eastside High" without classes
    bare = {**oneroster_11(MAPLE)}
    del bare["classes.csv"]
    line = next(s for s in plan_import(bare, STARTED).report.schools_added
                if s.source_id == "org-eastside")
    assert (line.level, line.level_from) == ("high", "grades")  # teachers' grades


@pytest.mark.parametrize(("grades", "level"), [
    ({0, 1, 2, 3, 4, 5}, "elementary"), ({6, 7, 8}, "middle"), ({9, 10, 11, 12}, "high"),
    ({0, 4, 8}, "k8"), ({6, 12}, "other"), (set(), None)])
def test_levels_from_grades(grades: set[int], level: str | None) -> None:
    assert level_of_grades(grades) == level


# --- bad files ------------------------------------------------------------------------------


def _refusal(files: Files) -> str:
    with pytest.raises(RosterRefused) as refused:
        plan_import(files, STARTED)
    message = refused.value.message
    for name in PRIVATE_NAMES:
        assert name not in message
    return message


def _edit(files: Files, name: str, old: bytes, new: bytes) -> Files:
    assert old in files[name]
    return {**files, name: files[name].replace(old, new, 1)}


def test_a_missing_required_column_is_named() -> None:
    files = _edit(oneroster_11(MAPLE), "users.csv", b",familyName,", b",surname,")
    assert _refusal(files) == ("the roster was not imported (nothing was applied): "
                               "users.csv, row 1, column familyName: this required column "
                               "is missing")


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_an_unknown_org_reference_names_its_row_and_column(version: str) -> None:
    roster = MAPLE.with_member("t-whitfield", org="org-nowhere")
    message = _refusal(EXPORTS[version](roster))
    column = "orgSourcedIds" if version == "1.1" else "orgSourcedId"
    file = "users.csv" if version == "1.1" else "roles.csv"
    assert f"{file}, row 7, column {column}: refers to an org that is not in orgs.csv" \
        in message


def test_a_duplicate_sourced_id_names_both_rows() -> None:
    roster = MAPLE.with_member("t-okonkwo", source_id="t-whitfield")
    assert "users.csv, row 8, column sourcedId: the same sourcedId as row 7" in _refusal(
        oneroster_11(roster))


def test_a_file_that_is_not_utf8_is_refused_but_a_bom_is_fine() -> None:
    files = oneroster_11(MAPLE)
    latin = _edit(files, "users.csv", b"Szymanski", "Szyma\u0144ski".encode("cp1250"))
    assert "users.csv, row 9: is not UTF-8 text" in _refusal(latin)
    bom = {**files, "users.csv": b"\xef\xbb\xbf" + files["users.csv"]}
    assert plan_import(bom, STARTED).report.changes == 9


def test_a_zip_bomb_and_an_over_limit_file_are_refused_before_expanding() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("orgs.csv", b"0" * (MAX_FILE_BYTES + 1))
    with pytest.raises(RosterRefused) as refused:
        files_in_zip(out.getvalue())
    assert "orgs.csv: is over" in refused.value.message
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", b"a" * 20_000_000)
    with pytest.raises(RosterRefused) as refused:
        files_in_zip(bomb.getvalue())
    assert "users.csv: expands far beyond its compressed size" in refused.value.message
    with pytest.raises(RosterRefused):
        files_in_zip(b"PK\x03\x04 not really a zip")


def test_a_zip_in_a_folder_is_read_and_other_files_are_not() -> None:
    files = files_in_zip(as_zip(oneroster_12(MAPLE), "export-2026/"))
    assert sorted(files) == ["classes.csv", "manifest.csv", "orgs.csv", "roles.csv",
                             "users.csv"]


# --- the laws -------------------------------------------------------------------------------

def _people_and_schools(district: District, roster: Roster) -> tuple[object, object]:
    """What B says, as the district holds it, by roster id: B's active administrators
    (people B does not list as administrators are reported and kept, as deactivations are
    recorded: both are left out)."""
    in_b = {m.source_id for m in roster.members if not m.status and m.role in ADMIN_ROLES}
    people = {p.source_id: (p.name, p.email, p.school_id and district.schools[
        p.school_id].source_id, frozenset(p.roles))
              for p in district.people.values()
              if p.source_id in in_b and district.is_active(p.user_id)}
    schools = {s.source_id: (s.name, s.level, s.identifier) for s in district.schools.values()}
    return people, schools


@settings(max_examples=60, deadline=None)
@given(rosters(), st.sampled_from(["1.1", "1.2"]))
def test_importing_a_roster_twice_changes_nothing(roster: Roster, version: str) -> None:
    files = EXPORTS[version](roster)
    _, district = imported(files)
    assert plan_import(files, district).payloads == ()


@settings(max_examples=60, deadline=None)
@given(rosters(), rosters(), st.sampled_from(["1.1", "1.2"]))
def test_a_then_b_is_b_apart_from_deactivations(a: Roster, b: Roster, version: str) -> None:
    _, after_a = imported(EXPORTS[version](a))
    _, a_then_b = imported(EXPORTS[version](b), after_a)
    _, only_b = imported(EXPORTS[version](b))
    assert _people_and_schools(a_then_b, b) == _people_and_schools(only_b, b)
    assert a_then_b.name == only_b.name


def test_an_administrator_of_another_org_is_skipped_and_values_that_do_not_fit_refused(
) -> None:
    files = oneroster_11(MAPLE)
    department = b'org-dept,,,Counseling,department,,org-carver\r\n'
    files["orgs.csv"] += department
    files = _edit(files, "users.csv", b"org-whitman,administrator", b"org-dept,administrator")
    plan = plan_import(files, STARTED)
    assert {s.reason: s.rows for s in plan.report.skipped}[
        "administrators of neither a school nor the district"] == 1
    long_id = _edit(oneroster_11(MAPLE), "users.csv", b"u-osei,", b"u-" + b"x" * 300 + b",")
    assert "users.csv, row 3, column sourcedId: empty or over 255 characters" in _refusal(
        long_id)
