"""OneRoster exports of our own making, in 1.1 and 1.2 CSV shape: a district, its schools,
administrators, teachers, aides, students and a guardian, as a student information
system writes them (every column of the spec's files, blank where a SIS leaves them)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import strategies as st

Files = dict[str, bytes]

ORGS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
        "parentSourcedId"]
USERS_11 = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
            "username", "userIds", "givenName", "familyName", "middleName", "identifier",
            "email", "sms", "phone", "agentSourcedIds", "grades", "password"]
USERS_12 = ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
            "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
            "agentSourcedIds", "grades", "password", "userMasterIdentifier",
            "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
            "preferredFamilyName", "primaryOrgSourcedId", "pronouns"]
ROLES_12 = ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
            "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"]
CLASSES = ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
           "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
           "subjects", "subjectCodes", "periods"]


@dataclass(frozen=True)
class School:
    source_id: str
    name: str
    identifier: str
    grades: str = ""  # "06,07,08": written on a class of the school when given
    status: str = ""


@dataclass(frozen=True)
class Member:
    """A person of the export. `role` in 1.2 words (principal, siteAdministrator,
    districtAdministrator, teacher, aide, student, guardian); 1.1 files say
    administrator for the first three."""

    source_id: str
    given: str
    family: str
    role: str
    org: str
    email: str = ""
    status: str = ""
    enabled: str = "true"
    grades: str = ""


@dataclass(frozen=True)
class Roster:
    district_id: str
    district_name: str
    schools: tuple[School, ...]
    members: tuple[Member, ...]

    def member(self, source_id: str) -> Member:
        return next(m for m in self.members if m.source_id == source_id)

    def with_member(self, which: str, /, **changes: str) -> Roster:
        return replace(self, members=tuple(replace(m, **changes) if m.source_id == which
                                           else m for m in self.members))


def _csv(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def _orgs(roster: Roster) -> bytes:
    rows = [{"sourcedId": roster.district_id, "name": roster.district_name, "type": "district",
             "identifier": "D-001"}]
    rows += [{"sourcedId": s.source_id, "status": s.status, "name": s.name, "type": "school",
              "identifier": s.identifier, "parentSourcedId": roster.district_id}
             for s in roster.schools]
    return _csv(ORGS, rows)


def _classes(roster: Roster) -> bytes:
    return _csv(CLASSES, [{"sourcedId": f"class-{s.source_id}", "title": "Homeroom",
                           "grades": s.grades, "schoolSourcedId": s.source_id,
                           "classType": "homeroom"}
                          for s in roster.schools if s.grades])


ADMIN_11 = {"principal", "siteAdministrator", "districtAdministrator"}


def oneroster_11(roster: Roster) -> Files:
    users = [{"sourcedId": m.source_id, "status": m.status, "enabledUser": m.enabled,
              "orgSourcedIds": m.org, "role": "administrator" if m.role in ADMIN_11 else m.role,
              "username": m.email.partition("@")[0], "givenName": m.given,
              "familyName": m.family, "email": m.email, "grades": m.grades}
             for m in roster.members]
    return {"orgs.csv": _orgs(roster), "users.csv": _csv(USERS_11, users),
            "classes.csv": _classes(roster)}


def oneroster_12(roster: Roster) -> Files:
    users = [{"sourcedId": m.source_id, "status": m.status, "enabledUser": m.enabled,
              "username": m.email.partition("@")[0], "givenName": m.given,
              "familyName": m.family, "email": m.email, "grades": m.grades,
              "primaryOrgSourcedId": m.org}
             for m in roster.members]
    roles = [{"sourcedId": f"role-{m.source_id}", "userSourcedId": m.source_id,
              "roleType": "primary", "role": m.role, "orgSourcedId": m.org}
             for m in roster.members]
    manifest = _csv(["propertyName", "value"], [
        {"propertyName": "manifest.version", "value": "1.0"},
        {"propertyName": "oneroster.version", "value": "1.2"},
        {"propertyName": "file.orgs", "value": "bulk"},
        {"propertyName": "file.users", "value": "bulk"},
        {"propertyName": "file.roles", "value": "bulk"}])
    return {"manifest.csv": manifest, "orgs.csv": _orgs(roster),
            "users.csv": _csv(USERS_12, users), "roles.csv": _csv(ROLES_12, roles),
            "classes.csv": _classes(roster)}


def as_zip(files: Mapping[str, bytes], folder: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{folder}{name}", data)
        archive.writestr(f"{folder}enrollments.csv", b"sourcedId,classSourcedId\r\n")
    return out.getvalue()


def write_folder(files: Mapping[str, bytes], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


# --- the district every roster test starts from ----------------------------------------------

MAPLE = Roster(
    district_id="org-district",
    district_name="Maple Valley Unified",
    schools=(
        School("org-whitman", "Whitman Elementary", "0101", grades="KG,01,02,03,04,05"),
        School("org-carver", "Carver Middle", "0201", grades="06,07,08"),
        School("org-eastside", "Eastside High", "0301", grades="09,10,11,12"),
    ),
    members=(
        Member("u-natarajan", "Priya", "Natarajan", "districtAdministrator", "org-district",
               "priya.natarajan@maple.example"),
        Member("u-osei", "Kwame", "Osei", "principal", "org-whitman", "kwame.osei@maple.example"),
        Member("u-lindqvist", "Ingrid", "Lindqvist", "principal", "org-carver",
               "ingrid.lindqvist@maple.example"),
        Member("u-baptiste", "Remy", "Baptiste", "siteAdministrator", "org-carver",
               "remy.baptiste@maple.example"),
        Member("u-moreau", "Celine", "Moreau", "principal", "org-eastside",
               "celine.moreau@maple.example"),
        Member("t-whitfield", "Harriet", "Whitfield", "teacher", "org-carver",
               "harriet.whitfield@maple.example", grades="07"),
        Member("t-okonkwo", "Obiageli", "Okonkwo", "teacher", "org-whitman",
               "obiageli.okonkwo@maple.example", grades="03"),
        Member("t-szymanski", "Bartholomew", "Szymanski", "teacher", "org-eastside",
               "bartholomew.szymanski@maple.example", grades="10"),
        Member("a-thistlewood", "Marigold", "Thistlewood", "aide", "org-whitman",
               "marigold.thistlewood@maple.example"),
        Member("s-quartermaine", "Zebulon", "Quartermaine", "student", "org-carver",
               "zq@students.maple.example", grades="07"),
        Member("s-featherstonehaugh", "Ottoline", "Featherstonehaugh", "student",
               "org-eastside", grades="11"),
        Member("g-quartermaine", "Araminta", "Quartermaine", "guardian", "org-carver"),
    ),
)
# Names that must never leave the files: teachers', aides', students', guardians'.
PRIVATE_NAMES = ("Whitfield", "Harriet", "Okonkwo", "Obiageli", "Szymanski", "Bartholomew",
                 "Thistlewood", "Marigold", "Quartermaine", "Zebulon", "Featherstonehaugh",
                 "Ottoline", "Araminta")


EXPORTS: dict[str, Callable[[Roster], Files]] = {"1.1": oneroster_11, "1.2": oneroster_12}

# --- any roster, for the laws of the import ---------------------------------------------------

ADMIN_ROLES = ("principal", "siteAdministrator", "districtAdministrator")
SCHOOLS = (School("org-a", "Alder Elementary", "1", grades="KG,01,02"),
           School("org-b", "Birch Middle", "2", grades="06,07,08"),
           School("org-c", "Cedar High", "3", grades="09,10"))


@st.composite
def rosters(draw: st.DrawFn) -> Roster:
    schools = tuple(
        School(s.source_id, draw(st.sampled_from([s.name, f"{s.name} Campus"])), s.identifier,
               s.grades)
        for s in SCHOOLS)
    members = []
    for number in draw(st.sets(st.integers(0, 7), max_size=8)):
        role = draw(st.sampled_from([*ADMIN_ROLES, "teacher", "student"]))
        org = "org-d" if role == "districtAdministrator" else draw(
            st.sampled_from([s.source_id for s in SCHOOLS]))
        members.append(Member(
            f"u{number}", draw(st.sampled_from(["Ana", "Ben"])), f"Family{number}", role, org,
            email=f"{draw(st.sampled_from(['a', 'b']))}.person{number}@d.example",
            status=draw(st.sampled_from(["", "", "", "tobedeleted"]))))
    return Roster("org-d", draw(st.sampled_from(["Dale District", "Dale USD"])), schools,
                  tuple(members))
