"""A district's OneRoster export (1.1 or 1.2 CSV) as changes to its schools and people.

Pure: files in (name -> bytes, from a zip or a folder), a plan out - the directory
events that bring the district in line with the files, each school's staff names, and
a report of what will change. `walkthrough roster import` and the organizers' screen
share it; applying the plan is one `Walkthrough.administer` (all or nothing) and a
replacement of each school's staff roster.

What is read, and what never is:
- `orgs.csv`: schools (keyed by sourcedId), and the district's name.
- administrators become people (1.1 `role=administrator`; 1.2 `roles.csv` principal,
  siteAdministrator: host of their school and coach; administrators of the district
  org, 1.2 districtAdministrator: organizers). The same email is the same person.
- teachers and aides: their names go into `RosterPlan.staff` only - never into an
  event, the report or an error message (errors name a file, a row and a column,
  never a value).
- students, parents, guardians: counted and skipped; their names are not read.

A re-import is a diff: what the district already holds appends nothing; a changed row
is one change event; `status=tobedeleted` or `enabledUser=false` deactivates; a person
the files do not mention is reported and kept.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Literal, get_args
from uuid import UUID

import msgspec

from walkthrough.district import (
    DISTRICT_ID,
    District,
    check_registration,
    evolve_district,
    unique_user_id,
)
from walkthrough.errors import DomainError
from walkthrough.events import (
    DirectoryPayload,
    DistrictNamed,
    Email,
    Event,
    PersonChanged,
    PersonDeactivated,
    PersonRegistered,
    SchoolChanged,
    SchoolLevel,
    SchoolRegistered,
)
from walkthrough.roles import Role

# --- limits -----------------------------------------------------------------------------

MAX_FILE_BYTES = 64 * 1024 * 1024  # one CSV, uncompressed
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024  # all of a zip's members, uncompressed
MAX_MEMBERS = 200
MAX_RATIO = 200  # uncompressed / compressed, beyond which a member is a bomb
MAX_PROBLEMS = 20  # problems listed in one refusal

READ = ("manifest.csv", "orgs.csv", "users.csv", "roles.csv", "classes.csv")
LEVELS: tuple[str, ...] = get_args(SchoolLevel)
SCHOOL_ROLES = frozenset({"principal", "siteadministrator"})
SKIPPED_ROLES = {"student": "students are not read", "parent": "parents are not read",
                 "guardian": "guardians are not read", "relative": "relatives are not read"}
STAFF_ROLES = frozenset({"teacher", "aide"})
ROSTER_ROLES: tuple[Role, ...] = ("host", "coach", "organizer")  # what an import decides
Version = Literal["1.1", "1.2"]


# --- problems ---------------------------------------------------------------------------


class Problem(msgspec.Struct, frozen=True):
    """What is wrong, where: a file, a row (1 is the header) and a column. Never a
    value of the file: a cell may hold a teacher's or a student's name."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class RosterRefused(DomainError):
    """The files cannot be imported; nothing was applied."""

    code = "bad_roster"

    def __init__(self, problems: Sequence[Problem]) -> None:
        shown = list(problems[:MAX_PROBLEMS])
        more = len(problems) - len(shown)
        text = "; ".join(str(p) for p in shown) + (f"; and {more} more" if more else "")
        super().__init__(f"the roster was not imported (nothing was applied): {text}")
        self.problems = tuple(shown)

    @classmethod
    def one(cls, file: str, message: str, row: int | None = None,
            column: str | None = None) -> RosterRefused:
        return cls([Problem(file=file, message=message, row=row, column=column)])


_refuse = RosterRefused.one


# --- reading the files ------------------------------------------------------------------


def files_in_zip(archive: bytes) -> dict[str, bytes]:
    """The OneRoster files of a zip (by file name, any folder), read within limits:
    a member over MAX_FILE_BYTES, an archive over MAX_ARCHIVE_BYTES or a member that
    expands beyond MAX_RATIO is refused before it is expanded."""
    try:
        opened = zipfile.ZipFile(io.BytesIO(archive))
    except zipfile.BadZipFile:
        raise _refuse("the upload", "not a zip file (export the roster as a .zip of "
                      "CSV files)") from None
    with opened:
        members = [info for info in opened.infolist() if not info.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise _refuse("the zip", f"more than {MAX_MEMBERS} files")
        total = sum(info.file_size for info in members)
        if total > MAX_ARCHIVE_BYTES:
            raise _refuse("the zip", f"expands to more than {MAX_ARCHIVE_BYTES} bytes")
        found: dict[str, bytes] = {}
        for info in members:
            name = info.filename.rsplit("/", 1)[-1].lower()
            if name not in READ:
                continue  # other OneRoster files (enrollments, demographics...): unread
            if name in found:
                raise _refuse(name, "is in the zip twice")
            if info.file_size > MAX_FILE_BYTES:
                raise _refuse(name, f"is over {MAX_FILE_BYTES} bytes")
            if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1):
                raise _refuse(name, "expands far beyond its compressed size (a zip bomb?)")
            try:
                with opened.open(info) as member:
                    data = member.read(MAX_FILE_BYTES + 1)  # never trust the header alone
            except (zipfile.BadZipFile, NotImplementedError, EOFError, RuntimeError):
                raise _refuse(name, "cannot be read from the zip (damaged or "
                              "encrypted)") from None
            if len(data) > MAX_FILE_BYTES:
                raise _refuse(name, f"is over {MAX_FILE_BYTES} bytes")
            found[name] = data
        return found


class Table:
    """One CSV file: its columns and its rows (row numbers as a spreadsheet shows them:
    the header is row 1)."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        if len(data) > MAX_FILE_BYTES:
            raise _refuse(name, f"is over {MAX_FILE_BYTES} bytes")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            row = data.count(b"\n", 0, exc.start) + 1
            raise _refuse(name, "is not UTF-8 text (save it as CSV UTF-8)", row=row) from None
        if "\x00" in text:
            raise _refuse(name, "holds NUL characters: not a CSV file")
        self._reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(self._reader, [])
        except csv.Error as exc:
            raise _refuse(name, f"is not valid CSV ({exc})", row=1) from None
        self.columns = [column.strip() for column in header]

    def require(self, *columns: str) -> None:
        missing = [c for c in columns if c not in self.columns]
        if missing:
            raise RosterRefused([Problem(file=self.name, row=1, column=c,
                                         message="this required column is missing")
                                 for c in missing])

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        number = 1
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _refuse(self.name, f"is not valid CSV ({exc})", row=number + 1) from None
            number += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(self.columns):
                raise _refuse(self.name, f"has {len(cells)} cells where the header has "
                              f"{len(self.columns)}", row=number)
            yield number, {column: cell.strip() for column, cell in zip(self.columns, cells,
                                                                        strict=False)}


# --- the plan -----------------------------------------------------------------------------


LevelFrom = Literal["grades", "given", "name", "kept", "needed"]


class SchoolLine(msgspec.Struct, frozen=True):
    source_id: str
    name: str
    level: str | None
    level_from: LevelFrom  # from the grades, given by the organizer, guessed from the name
    changes: tuple[str, ...] = ()


class PersonLine(msgspec.Struct, frozen=True):
    name: str
    roles: tuple[str, ...]
    email: str | None = None
    school: str | None = None  # the school's name
    user_id: str | None = None
    changes: tuple[str, ...] = ()


class Skipped(msgspec.Struct, frozen=True):
    reason: str
    rows: int


class StaffLine(msgspec.Struct, frozen=True):
    """How many staff names a school's roster will hold: a count, never the names."""

    school: str
    source_id: str
    school_id: str
    names: int
    changed: bool = True  # False: the school's roster already holds exactly these names


class RosterReport(msgspec.Struct, frozen=True):
    version: Version
    district: str | None  # the district's new name, when it changes
    schools_added: tuple[SchoolLine, ...]
    schools_changed: tuple[SchoolLine, ...]
    schools_unchanged: int
    levels_needed: tuple[SchoolLine, ...]  # no grades, no --level: the organizer sets it
    people_added: tuple[PersonLine, ...]
    people_changed: tuple[PersonLine, ...]
    people_deactivated: tuple[PersonLine, ...]
    people_unchanged: int
    not_in_files: tuple[PersonLine, ...]  # in the district, not in the files: kept
    skipped: tuple[Skipped, ...]
    staff: tuple[StaffLine, ...]
    notes: tuple[str, ...]
    changes: int  # events the import appends

    @property
    def can_apply(self) -> bool:
        return not self.levels_needed


class RosterPlan(msgspec.Struct, frozen=True):
    """What an import does: `payloads` for one administer(), then each school's staff
    roster replaced by `staff` (school id -> names; never shown, logged or stored)."""

    payloads: tuple[DirectoryPayload, ...]
    staff: Mapping[str, tuple[str, ...]]
    report: RosterReport

    def __repr__(self) -> str:  # staff names stay out of tracebacks and logs
        return f"RosterPlan({len(self.payloads)} changes, {len(self.staff)} staff rosters)"

    def check_applicable(self) -> None:
        if self.report.levels_needed:
            needed = ", ".join(f"{s.name} ({s.source_id})" for s in self.report.levels_needed)
            raise DomainError(f"set the level of {needed}: their grades are not in the files "
                              "(--level SOURCEDID=elementary|middle|high|k8|other)",
                              code="level_needed")


class _Org(msgspec.Struct):
    source_id: str
    name: str
    type: str
    identifier: str | None
    deleted: bool
    row: int


class _Admin(msgspec.Struct):
    source_id: str
    given: str
    family: str
    email: str | None
    school: str | None  # org sourcedId of their school
    organizer: bool
    disabled: bool
    row: int


def plan_import(files: Mapping[str, bytes], district: District,
                levels: Mapping[str, str] | None = None) -> RosterPlan:
    """The plan that brings `district` in line with the files (see the module)."""
    levels = dict(levels or {})
    if "orgs.csv" not in files or "users.csv" not in files:
        missing = [n for n in ("orgs.csv", "users.csv") if n not in files]
        raise RosterRefused([Problem(file=n, message="is missing: a OneRoster export has "
                                     "orgs.csv and users.csv") for n in missing])
    version = _version(files)
    orgs, district_org = _orgs(Table("orgs.csv", files["orgs.csv"]))
    for source_id, level in levels.items():
        if source_id not in orgs or orgs[source_id].type != "school":
            raise _refuse("--level", f"no school with sourcedId {source_id!r} in orgs.csv")
        if level not in LEVELS:
            raise _refuse("--level", f"{level!r} is not a level ({', '.join(LEVELS)})")
    reading = _Reading(orgs)
    if "classes.csv" in files:
        reading.classes(Table("classes.csv", files["classes.csv"]))
    if version == "1.1":
        reading.users_11(Table("users.csv", files["users.csv"]))
    else:
        if "roles.csv" not in files:
            raise _refuse("roles.csv", "is missing: a OneRoster 1.2 export gives each "
                          "person's roles in roles.csv")
        reading.roles_12(Table("roles.csv", files["roles.csv"]))
        reading.users_12(Table("users.csv", files["users.csv"]))
    if reading.problems:
        raise RosterRefused(reading.problems)
    return _Planner(district, version, orgs, district_org, reading, levels).plan()


def _version(files: Mapping[str, bytes]) -> Version:
    if "manifest.csv" in files:
        table = Table("manifest.csv", files["manifest.csv"])
        table.require("propertyName", "value")
        for row, cells in table.rows():
            if cells.get("propertyName") == "oneroster.version":
                stated = cells.get("value", "")
                if stated.startswith("1.1"):
                    return "1.1"
                if stated.startswith("1.2"):
                    return "1.2"
                raise _refuse("manifest.csv", "oneroster.version is neither 1.1 nor 1.2",
                              row=row, column="value")
    return "1.2" if "roles.csv" in files else "1.1"


def _orgs(table: Table) -> tuple[dict[str, _Org], _Org | None]:
    table.require("sourcedId", "name", "type")
    orgs: dict[str, _Org] = {}
    problems: list[Problem] = []
    for row, cells in table.rows():
        source_id = cells["sourcedId"]
        if not source_id or len(source_id) > 255:
            problems.append(Problem(file=table.name, row=row, column="sourcedId",
                                    message="empty or over 255 characters"))
            continue
        if source_id in orgs:
            problems.append(Problem(file=table.name, row=row, column="sourcedId",
                                    message=f"the same sourcedId as row {orgs[source_id].row}"))
            continue
        kind = cells["type"].lower()
        name = cells["name"]
        if kind in ("school", "district") and not 1 <= len(name) <= 60:
            problems.append(Problem(file=table.name, row=row, column="name",
                                    message="a school or district name of 1 to 60 characters"))
            continue
        identifier = cells.get("identifier") or None
        if identifier is not None and len(identifier) > 200:
            problems.append(Problem(file=table.name, row=row, column="identifier",
                                    message="over 200 characters"))
            continue
        orgs[source_id] = _Org(source_id=source_id, name=name, type=kind, identifier=identifier,
                               deleted=_deleted(cells), row=row)
    if problems:
        raise RosterRefused(problems)
    districts = [org for org in orgs.values() if org.type == "district" and not org.deleted]
    return orgs, districts[0] if districts else None


def _deleted(cells: Mapping[str, str]) -> bool:
    return cells.get("status", "").lower() in ("tobedeleted", "inactive")


def _disabled(cells: Mapping[str, str]) -> bool:
    return _deleted(cells) or cells.get("enabledUser", "").lower() == "false"


_GRADES = {"IT": 0, "PR": 0, "PK": 0, "TK": 0, "KG": 0, "K": 0}


def _grade(code: str) -> int | None:
    code = code.strip().upper()
    if code in _GRADES:
        return _GRADES[code]
    return int(code) if code.isdigit() and 1 <= int(code) <= 12 else None


def level_of_grades(grades: set[int]) -> SchoolLevel | None:
    """A school's level from the grades it teaches (0 is kindergarten and before)."""
    if not grades:
        return None
    low, high = min(grades), max(grades)
    if high <= 5 or (low <= 2 and high <= 6):
        return "elementary"
    if low >= 5 and high <= 8:
        return "middle"
    if low >= 9 or (low >= 8 and high >= 11):
        return "high"
    if low <= 2 and high <= 8:
        return "k8"
    return "other"


def level_of_name(name: str) -> SchoolLevel | None:
    words = set(re.findall(r"[a-z]+", name.lower()))
    if words & {"elementary", "primary"}:
        return "elementary"
    if words & {"middle", "intermediate"} or "junior high" in name.lower():
        return "middle"
    if "high" in words:
        return "high"
    return None


class _Reading:
    """The rows of users.csv (and roles.csv) that matter, and the problems found."""

    def __init__(self, orgs: dict[str, _Org]) -> None:
        self.orgs = orgs
        self.admins: list[_Admin] = []
        self.staff: dict[str, list[str]] = {}  # school sourcedId -> names
        self.grades: dict[str, set[int]] = {}
        self.skipped: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.roles: dict[str, list[tuple[str, str, int]]] = {}  # user -> (role, org, row)
        self.disabled_roles: set[str] = set()

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def problem(self, file: str, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(file=file, row=row, column=column, message=message))

    def known_org(self, file: str, row: int, column: str, source_id: str) -> bool:
        if source_id in self.orgs:
            return True
        self.problem(file, row, column, "refers to an org that is not in orgs.csv")
        return False

    def add_grades(self, org: str, cell: str) -> None:
        found = {g for code in cell.split(",") if (g := _grade(code)) is not None}
        if found:
            self.grades.setdefault(org, set()).update(found)

    def classes(self, table: Table) -> None:
        if "schoolSourcedId" not in table.columns or "grades" not in table.columns:
            return  # classes.csv is read for grades only
        for row, cells in table.rows():
            school = cells["schoolSourcedId"]
            if school and self.known_org(table.name, row, "schoolSourcedId", school):
                self.add_grades(school, cells["grades"])

    def _seen(self, table: Table, seen: dict[str, int], row: int, cells: Mapping[str, str],
              ) -> str | None:
        source_id = cells["sourcedId"]
        if not source_id or len(source_id) > 255:
            self.problem(table.name, row, "sourcedId", "empty or over 255 characters")
            return None
        if source_id in seen:
            self.problem(table.name, row, "sourcedId",
                         f"the same sourcedId as row {seen[source_id]}")
            return None
        seen[source_id] = row
        return source_id

    def users_11(self, table: Table) -> None:
        table.require("sourcedId", "orgSourcedIds", "role", "givenName", "familyName")
        seen: dict[str, int] = {}
        for row, cells in table.rows():
            source_id = self._seen(table, seen, row, cells)
            if source_id is None:
                continue
            role = cells["role"].lower()
            if role in SKIPPED_ROLES:
                self.skip(SKIPPED_ROLES[role])
                continue
            if role not in STAFF_ROLES and role != "administrator":
                self.skip(f"role {role or '(empty)'} is not used here")
                continue
            orgs = [o.strip() for o in cells["orgSourcedIds"].split(",") if o.strip()]
            if not orgs:
                self.problem(table.name, row, "orgSourcedIds", "empty")
                continue
            if not all(self.known_org(table.name, row, "orgSourcedIds", o) for o in orgs):
                continue
            schools = [o for o in orgs if self.orgs[o].type == "school"]
            if role in STAFF_ROLES:
                self.staff_member(table, row, cells, schools, disabled=_disabled(cells))
                continue
            organizer = any(self.orgs[o].type == "district" for o in orgs)
            if not schools and not organizer:
                self.skip("administrators of neither a school nor the district")
                continue
            for school in schools:
                self.add_grades(school, cells.get("grades", ""))
            self.admin(table, row, cells, source_id, schools[0] if schools else None,
                       organizer)

    def roles_12(self, table: Table) -> None:
        table.require("userSourcedId", "role", "orgSourcedId")
        seen: dict[str, int] = {}
        check_ids = "sourcedId" in table.columns
        for row, cells in table.rows():
            if check_ids and self._seen(table, seen, row, cells) is None:
                continue
            user, role, org = cells["userSourcedId"], cells["role"], cells["orgSourcedId"]
            if not user:
                self.problem(table.name, row, "userSourcedId", "empty")
                continue
            if role.lower() in SKIPPED_ROLES:
                self.roles.setdefault(user, []).append((role.lower(), org, row))
                continue
            if not self.known_org(table.name, row, "orgSourcedId", org):
                continue
            if _deleted(cells):
                self.disabled_roles.add(user)
                continue
            primary = cells.get("roleType", "").lower() == "primary"
            entry = (role.lower(), org, row)
            listed = self.roles.setdefault(user, [])
            listed.insert(0, entry) if primary else listed.append(entry)

    def users_12(self, table: Table) -> None:
        table.require("sourcedId", "givenName", "familyName")
        seen: dict[str, int] = {}
        for row, cells in table.rows():
            source_id = self._seen(table, seen, row, cells)
            if source_id is None:
                continue
            roles = self.roles.get(source_id, [])
            kinds = {role for role, _, _ in roles}
            schools = [org for role, org, _ in roles
                       if role in SCHOOL_ROLES and self.orgs[org].type == "school"]
            organizer = "districtadministrator" in kinds
            if schools or organizer:
                for school in schools:
                    self.add_grades(school, cells.get("grades", ""))
                self.admin(table, row, cells, source_id, schools[0] if schools else None,
                           organizer)
            elif kinds & STAFF_ROLES:
                staff_at = [org for role, org, _ in roles
                            if role in STAFF_ROLES and self.orgs[org].type == "school"]
                self.staff_member(table, row, cells, staff_at, disabled=_disabled(cells))
            elif kinds & set(SKIPPED_ROLES):
                self.skip(SKIPPED_ROLES[sorted(kinds & set(SKIPPED_ROLES))[0]])
            elif source_id in self.disabled_roles:
                self.skip("roles marked tobedeleted")
            elif not kinds:
                self.skip("no role in roles.csv")
            else:
                self.skip(f"role {sorted(kinds)[0]} is not used here")

    def staff_member(self, table: Table, row: int, cells: Mapping[str, str],
                     schools: list[str], *, disabled: bool) -> None:
        if disabled:
            self.skip("teachers and aides marked tobedeleted or disabled")
            return
        names = [f"{cells.get('givenName', '')} {cells.get('familyName', '')}".strip(),
                 f"{cells.get('preferredGivenName', '')} "
                 f"{cells.get('preferredFamilyName', '')}".strip()]
        names = [name for name in names if name]
        if any(len(name) > 120 for name in names):
            self.problem(table.name, row, "familyName", "a name over 120 characters")
            return
        for school in schools:
            self.add_grades(school, cells.get("grades", ""))
            self.staff.setdefault(school, []).extend(names)

    def admin(self, table: Table, row: int, cells: Mapping[str, str], source_id: str,
              school: str | None, organizer: bool) -> None:
        given, family = cells["givenName"], cells["familyName"]
        if not given and not family:
            self.problem(table.name, row, "givenName", "an administrator needs a name")
            return
        if len(f"{given} {family}") > 60:
            self.problem(table.name, row, "familyName",
                         "an administrator's name is at most 60 characters")
            return
        email = cells.get("email", "").strip().lower() or None
        if email is not None:
            try:
                msgspec.convert(email, Email)
            except msgspec.ValidationError:
                self.problem(table.name, row, "email", "not an email address")
                return
        self.admins.append(_Admin(source_id=source_id, given=given, family=family, email=email,
                                  school=school, organizer=organizer,
                                  disabled=_disabled(cells), row=row))


def school_slug(name: str, taken: set[str]) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56] or "school"
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


class _Planner:
    def __init__(self, district: District, version: Version, orgs: dict[str, _Org],
                 district_org: _Org | None, reading: _Reading,
                 levels: dict[str, str]) -> None:
        self.start = district
        self.district = district
        self.version = version
        self.orgs = orgs
        self.district_org = district_org
        self.reading = reading
        self.levels = levels
        self.payloads: list[DirectoryPayload] = []
        self.school_ids: dict[str, str] = {}  # org sourcedId -> school id
        self.notes: list[str] = []

    def record(self, payload: DirectoryPayload) -> None:
        """Check the change as administer() will, and go on from the district after it."""
        try:  # built here, not decoded: held to the event's schema like any other
            msgspec.convert(msgspec.to_builtins(payload), type(payload))
        except msgspec.ValidationError as exc:
            raise DomainError(f"a value does not fit ({exc})", code="bad_roster") from None
        check_registration(self.district, payload)
        self.payloads.append(payload)
        self.district = evolve_district(self.district, _simulated(self.district, payload))

    def record_row(self, payload: DirectoryPayload, row: int, file: str = "users.csv") -> None:
        try:
            self.record(payload)
        except DomainError as exc:
            raise _refuse(file, exc.message, row=row) from None

    def plan(self) -> RosterPlan:
        named = self.name_district()
        added, changed, unchanged, needed = self.schools()
        problems = self.duplicate_emails()
        if problems:
            raise RosterRefused(problems)
        people = self.people()
        staff = {self.school_ids[org]: tuple(names)
                 for org, names in self.reading.staff.items() if org in self.school_ids}
        staff_lines = tuple(sorted(
            (StaffLine(school=self.orgs[org].name, source_id=org,
                       school_id=self.school_ids[org], names=len(names))
             for org, names in self.reading.staff.items() if org in self.school_ids),
            key=lambda line: line.school))
        report = RosterReport(
            version=self.version, district=named, schools_added=tuple(added),
            schools_changed=tuple(changed), schools_unchanged=unchanged,
            levels_needed=tuple(needed), people_added=people[0], people_changed=people[1],
            people_deactivated=people[2], people_unchanged=people[3],
            not_in_files=people[4],
            skipped=tuple(Skipped(reason=r, rows=n)
                          for r, n in sorted(self.reading.skipped.items())),
            staff=staff_lines, notes=tuple(self.notes), changes=len(self.payloads))
        return RosterPlan(payloads=tuple(self.payloads), staff=staff, report=report)

    def name_district(self) -> str | None:
        org = self.district_org
        if org is None or org.name == self.start.name:
            return None
        self.record_row(DistrictNamed(name=org.name, source_id=org.source_id), org.row,
                        "orgs.csv")
        return org.name

    def schools(self) -> tuple[list[SchoolLine], list[SchoolLine], int, list[SchoolLine]]:
        added: list[SchoolLine] = []
        changed: list[SchoolLine] = []
        needed: list[SchoolLine] = []
        unchanged = 0
        taken = set(self.district.schools)
        for org in sorted((o for o in self.orgs.values() if o.type == "school"),
                          key=lambda o: o.row):
            existing = self.district.school_by_source(org.source_id) or next(
                (s for s in self.district.schools.values()
                 if s.source_id is None and s.name.casefold() == org.name.casefold()), None)
            level, level_from = self.level(org)
            if existing is None:
                if org.deleted:
                    continue
                if level is None:
                    needed.append(SchoolLine(source_id=org.source_id, name=org.name,
                                             level=None, level_from="needed"))
                    continue
                school_id = school_slug(org.name, taken)
                taken.add(school_id)
                self.school_ids[org.source_id] = school_id
                self.record_row(SchoolRegistered(school_id=school_id, name=org.name,
                                                 level=level, source_id=org.source_id,
                                                 identifier=org.identifier), org.row, "orgs.csv")
                added.append(SchoolLine(source_id=org.source_id, name=org.name, level=level,
                                        level_from=level_from))
                continue
            self.school_ids[org.source_id] = existing.school_id
            if org.deleted:
                self.notes.append(f"{existing.name} is marked tobedeleted in orgs.csv: it is "
                                  "kept, with its history")
            change: dict[str, object] = {}
            if org.name != existing.name:
                change["name"] = org.name
            if level is not None and level_from != "name" and level != existing.level:
                change["level"] = level
            if org.identifier != existing.identifier and org.identifier is not None:
                change["identifier"] = org.identifier
            if not change:
                unchanged += 1
                continue
            self.record_row(SchoolChanged(school_id=existing.school_id, **change),  # type: ignore[arg-type]
                            org.row, "orgs.csv")
            changed.append(SchoolLine(source_id=org.source_id, name=org.name,
                                      level=str(change.get("level", existing.level)),
                                      level_from=level_from if "level" in change else "kept",
                                      changes=tuple(sorted(change))))
        return added, changed, unchanged, needed

    def level(self, org: _Org) -> tuple[SchoolLevel | None, LevelFrom]:
        given = self.levels.get(org.source_id)
        if given is not None:
            return msgspec.convert(given, SchoolLevel), "given"
        from_grades = level_of_grades(self.reading.grades.get(org.source_id, set()))
        if from_grades is not None:
            return from_grades, "grades"
        from_name = level_of_name(org.name)
        if from_name is not None:
            return from_name, "name"
        return None, "needed"

    def people(self) -> tuple[tuple[PersonLine, ...], tuple[PersonLine, ...],
                              tuple[PersonLine, ...], int, tuple[PersonLine, ...]]:
        added: list[PersonLine] = []
        changed: list[PersonLine] = []
        deactivated: list[PersonLine] = []
        unchanged = 0
        mentioned: set[str] = set()
        for admin in self.reading.admins:
            school_id = self.school_ids.get(admin.school) if admin.school else None
            if admin.school is not None and school_id is None:
                self.notes.append(f"users.csv row {admin.row}: their school needs a level "
                                  "first; they are added once it has one")
                continue
            name = f"{admin.given} {admin.family}".strip()
            roles: list[Role] = []
            if school_id is not None:
                roles += ["host", "coach"]
            if admin.organizer:
                roles.append("organizer")
            existing = self.district.person_by_source(admin.source_id) or (
                self.district.person_by_email(admin.email) if admin.email else None)
            if existing is None:
                if admin.disabled:
                    continue  # never registered, now gone: nothing to do
                if admin.email is None:
                    self.notes.append(f"{name} has no email: they sign in with a link an "
                                      "organizer makes")
                user_id = unique_user_id(self.district, admin.email or admin.source_id)
                mentioned.add(user_id)
                person = PersonRegistered(user_id=user_id, name=name, roles=tuple(roles),
                                          school_id=school_id, email=admin.email,
                                          source_id=admin.source_id)
                self.record_row(person, admin.row)
                added.append(self.line(person))
                continue
            mentioned.add(existing.user_id)
            if admin.disabled:
                if self.district.is_active(existing.user_id):
                    self.record_row(PersonDeactivated(user_id=existing.user_id,
                                                  reason="marked tobedeleted or disabled in "
                                                  "the roster"), admin.row)
                    deactivated.append(self.line(existing))
                else:
                    unchanged += 1
                continue
            # An organizer added by hand (or by init) keeps the role: an import that took
            # it away could lock the district out of its own screens.
            kept = [r for r in existing.roles if r not in ROSTER_ROLES
                    or (r == "organizer" and existing.source_id is None)]
            wanted = tuple(r for r in (*ROSTER_ROLES, "analyst")
                           if r in roles or r in kept)
            change: dict[str, object] = {}
            if name != existing.name:
                change["name"] = name
            if admin.email is not None and admin.email != existing.email:
                change["email"] = admin.email
            if school_id != existing.school_id and (school_id is not None
                                                    or existing.source_id is not None):
                change["school_id"] = school_id
            if set(wanted) != set(existing.roles):
                change["roles"] = wanted
            if not self.district.is_active(existing.user_id):
                self.notes.append(f"{existing.name} is deactivated here but active in the "
                                  "roster: reactivate them by hand if they are back")
            if not change:
                unchanged += 1
                continue
            self.record_row(PersonChanged(user_id=existing.user_id, **change),  # type: ignore[arg-type]
                            admin.row)
            changed.append(msgspec.structs.replace(
                self.line(self.district.people[existing.user_id]),
                changes=tuple(sorted(change))))
        absent = tuple(self.line(p) for p in sorted(self.start.people.values(),
                                                     key=lambda p: p.name.casefold())
                       if p.user_id not in mentioned and self.start.is_active(p.user_id))
        return tuple(added), tuple(changed), tuple(deactivated), unchanged, absent

    def duplicate_emails(self) -> list[Problem]:
        rows: dict[str, int] = {}
        problems: list[Problem] = []
        for admin in self.reading.admins:
            if admin.email is None:
                continue
            if admin.email in rows:
                problems.append(Problem(file="users.csv", row=admin.row, column="email",
                                        message=f"the same email as row {rows[admin.email]}"))
            rows.setdefault(admin.email, admin.row)
        return problems

    def line(self, person: PersonRegistered) -> PersonLine:
        school = self.district.schools.get(person.school_id) if person.school_id else None
        return PersonLine(name=person.name, roles=tuple(person.roles), email=person.email,
                          school=school.name if school else None, user_id=person.user_id)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def after(district: District, payloads: Sequence[DirectoryPayload]) -> District:
    """The district as it will be once these changes are recorded (never stored)."""
    for payload in payloads:
        district = evolve_district(district, _simulated(district, payload))
    return district


def _simulated(district: District, payload: DirectoryPayload) -> Event:
    """An event as administer() will record it, for planning (never stored)."""
    return Event(originator_id=DISTRICT_ID, originator_version=district.version + 1,
                 timestamp=_EPOCH, event_id=str(UUID(int=0)), actor="roster-import",
                 device_id="plan", occurred_at=_EPOCH, payload=payload)
