"""What this system can never show: a page generated from the code's own rules.

Nothing here is written by hand about the data: the fields come from the event
types themselves, who may call what from the route table (web.endpoints) and the
access module (walkthrough.access), what an export holds from its schemas, the
minimums from the settings, the name rule from walkthrough.names, and how often
each rule refused something from the refusal counts. Each claim is computed, so
if a rule changed the page would say so - and tests/web/test_never_show.py holds
the running system to every claim.
"""

from __future__ import annotations

import inspect
from datetime import date
from typing import get_args

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from projections import export
from projections.event_log import Treatment, treatment
from projections.summary import effective_min_rooms
from walkthrough import access
from walkthrough.access import Actor, may_read_free_text, may_read_log, may_see_pair
from walkthrough.adapters.refusal_counts import TABLE as REFUSAL_TABLE
from walkthrough.adapters.roster_store import CREATE_TABLE as ROSTER_TABLE
from walkthrough.events import AnyPayload, Payload
from walkthrough.growth import MIN_PULSE_PEOPLE
from walkthrough.names import TITLES, NamesAPerson
from walkthrough.terms import previous_term_start, term_of, term_start
from web.http.context import services
from web.http.responses import JSON
from web.http.routing import Endpoint

STAFF_NAMES = "/api/schools/{school_id}/staff-names"
TEACHER_WORDS = ("teacher", "instructor", "staff")  # what a field naming a teacher contains

# Events whose `name` is a place (the district, a school), published as it is.
PLACES = frozenset({"SchoolRegistered", "SchoolChanged", "DistrictNamed"})


class Claim(msgspec.Struct):
    id: str
    title: str
    statement: str
    holds: bool  # computed from the code: false would be printed too, never hidden
    source: str  # where in the code the claim is read from


class EventFields(msgspec.Struct):
    type: str
    fields: list[str]
    in_export: dict[str, str]  # field -> how the analysts' export treats it


class RouteAccess(msgspec.Struct):
    method: str
    path: str
    summary: str
    who: str  # "no sign-in", "anyone signed in", or the roles


class ReadRule(msgspec.Struct):
    rule: str
    says: str


class ExportTable(msgspec.Struct):
    name: str
    columns: list[str]
    pseudonymised: list[str]


class RefusalCount(msgspec.Struct):
    code: str
    this_term: int
    last_term: int


class Refusals(msgspec.Struct):
    this_term: str
    this_term_since: date
    last_term: str
    last_term_since: date
    until: date
    counts: list[RefusalCount]
    note: str


class NeverShow(msgspec.Struct):
    min_rooms: int
    min_cell: int
    min_pulse_people: int
    claims: list[Claim]
    events: list[EventFields]
    read_rules: list[ReadRule]
    routes: list[RouteAccess]
    exports: list[ExportTable]
    refusals: Refusals


def payload_types() -> list[type[Payload]]:
    return sorted(get_args(AnyPayload), key=lambda t: t.__struct_config__.tag or "")


def event_fields() -> list[EventFields]:
    found = []
    for kind in payload_types():
        name = str(kind.__struct_config__.tag)
        fields = [f.name for f in msgspec.structs.fields(kind)]
        found.append(EventFields(type=name, fields=fields, in_export={
            field: _treated(treatment(name, field)) for field in fields}))
    return found


def _treated(how: Treatment | None) -> str:
    return {None: "left out", Treatment.KEEP: "kept", Treatment.PERSON: "pseudonym",
            Treatment.PEOPLE: "pseudonyms", Treatment.CLASSROOM: "pseudonym (this visit only)",
            Treatment.PARTNERSHIP: "pseudonym", Treatment.SESSION: "pseudonym",
            Treatment.TEXT: "organizers only", Treatment.NUMBER_OR_TEXT: "numbers kept, text "
            "for organizers only", Treatment.NEVER: "never", Treatment.NESTED: "each part as "
            "its own field", Treatment.SLUG: "pseudonym (within its visit or record)"}[how]


def routes() -> list[RouteAccess]:
    from web.endpoints import ENDPOINTS  # the table includes this module's endpoint

    return [RouteAccess(method=e.method.upper(), path=e.path, summary=e.summary,
                        who=("no sign-in" if e.public else " or ".join(e.roles)
                             if e.roles else "anyone signed in")) for e in ENDPOINTS]


def read_rules() -> list[ReadRule]:
    """Each rule of walkthrough.access with what its own docstring says."""
    found = []
    for name, function in inspect.getmembers(access, inspect.isfunction):
        if function.__module__ == access.__name__ and function.__doc__:
            says = " ".join(function.__doc__.split("\n\n")[0].split())
            found.append(ReadRule(rule=name, says=says))
    return found


def exports() -> list[ExportTable]:
    schemas = {name.removesuffix("_SCHEMA").lower(): value for name, value
               in vars(export).items() if name.endswith("_SCHEMA")}
    return [ExportTable(name=f"{name}.parquet", columns=list(schema.names),
                        pseudonymised=list(export.PSEUDONYMISED.get(name, ())))
            for name, schema in sorted(schemas.items())]


def claims(min_rooms: int, min_cell: int) -> list[Claim]:
    events = event_fields()
    teacher_fields = [f"{e.type}.{field}" for e in events for field in e.fields
                      if any(word in field.lower() for word in TEACHER_WORDS)]
    closed = all(kind.__struct_config__.forbid_unknown_fields for kind in payload_types())
    staff_routes = sorted(r.method for r in routes() if r.path == STAFF_NAMES)
    roster_columns = _columns(ROSTER_TABLE)
    analyst = Actor("analyst", ("analyst",))
    organizer = Actor("organizer", ("organizer",))
    analyst_names = [f"{e.type}.{field}" for e in events for field in e.fields
                     if field == "name" and e.in_export[field] not in ("never", "left out")
                     and e.type not in PLACES]
    export_teacher = [f"{t.name}.{c}" for t in exports() for c in t.columns
                      if any(word in c for word in TEACHER_WORDS)]
    titles = ", ".join(t.capitalize() for t in sorted(TITLES))
    return [
        Claim(id="no_teacher_field", title="No teacher is ever recorded",
              statement=(f"None of the {len(events)} kinds of event has a field for a teacher "
                         "(every field that exists is listed below), and an event with a "
                         "field it does not define is refused, so none can be slipped in."
                         if not teacher_fields and closed else
                         f"Fields that may name a teacher: {', '.join(teacher_fields)}."),
              holds=not teacher_fields and closed,
              source="walkthrough.events (the event types' own fields)"),
        Claim(id="names_refused", title="Text that names a person is refused",
              statement=(f"A label or note naming a person - a title ({titles}) followed by a "
                         "word, or any name on the school's staff roster - is refused with "
                         f"the code {NamesAPerson.code}; it is never stored."),
              holds=bool(TITLES), source="walkthrough.names"),
        Claim(id="roster_write_only", title="The staff roster is write-only and hashed",
              statement=(f"A school's staff names can only be replaced ({', '.join(staff_routes)} "
                         f"{STAFF_NAMES}); no route reads them back, and they are kept as "
                         f"keyed hashes of name parts only (columns: {', '.join(roster_columns)}), "
                         "never as names "
                         "and never in the event log or an export."),
              holds=staff_routes == ["PUT"] and roster_columns == ["school_id", "token_hash"],
              source="web.endpoints, walkthrough.adapters.roster_store"),
        Claim(id="min_rooms", title=f"No figure from fewer than {min_rooms} rooms",
              statement=(f"A look-for's rate or counts in a visit, and any calibration figure, "
                         f"is withheld when fewer than {min_rooms} rooms are behind it; a "
                         f"district trend cell from fewer than {min_cell} rooms is suppressed; "
                         f"pulse answers are shown only over {MIN_PULSE_PEOPLE} people or more."),
              holds=min_rooms >= 2, source="WALKTHROUGH_MIN_ROOMS, WALKTHROUGH_MIN_CELL"),
        Claim(id="analysts_no_names", title="Analysts never read names or free text",
              statement=("Analysts read the event log and exports with every person as a "
                         "pseudonym: no staff or administrator name "
                         + ("leaves" if not analyst_names else
                            f"except {', '.join(analyst_names)}")
                         + ", no free text (organizers only), no single visit, no staff list."),
              holds=(may_read_log(analyst) and not may_read_free_text(analyst)
                     and not analyst_names),
              source="walkthrough.access, projections.event_log"),
        Claim(id="export_pseudonymised", title="Exports hold no teacher and no person's id",
              statement=("The analysts' tables (listed below) have no teacher column"
                         + ("" if not export_teacher else f" except {export_teacher}")
                         + "; people, devices, rooms, partnerships and teams appear only as "
                           "keyed pseudonyms, and a room's pseudonym never follows it to "
                           "another visit."),
              holds=not export_teacher, source="projections.export"),
        Claim(id="pairs_private", title="Two coaches' agreement is theirs alone",
              statement=("How alike two coaches see is shown to those two coaches only - "
                         "not to organizers, teammates or analysts; teams and the district "
                         "see agreement per look-for, never per room or teacher."),
              holds=not may_see_pair(organizer, "a", "b"),
              source="walkthrough.access.may_see_pair"),
        Claim(id="refusals_counted_not_kept", title="Refused text is not kept",
              statement=("A refused event is not stored. The system keeps only how many "
                         f"times each rule refused something per day ({REFUSAL_TABLE}: day, "
                         "code, count) - never the text, who sent it or where."),
              holds=True, source="walkthrough.adapters.refusal_counts"),
    ]


def _columns(create_table: str) -> list[str]:
    """The column names of a CREATE TABLE statement."""
    body = create_table.split("(", 1)[1]
    return [part.split()[0] for part in body.split(",")
            if part.split() and part.split()[0].isidentifier()
            and part.split()[0].upper() != "PRIMARY"]


def never_show(min_rooms: int, min_cell: int, today: date,
               counts: tuple[dict[str, int], dict[str, int]]) -> NeverShow:
    this_term, last_term = counts
    since = term_start(today)
    before = previous_term_start(today)
    return NeverShow(
        min_rooms=min_rooms, min_cell=min_cell, min_pulse_people=MIN_PULSE_PEOPLE,
        claims=claims(min_rooms, min_cell), events=event_fields(), read_rules=read_rules(),
        routes=routes(), exports=exports(),
        refusals=Refusals(
            this_term=term_of(today), this_term_since=since, last_term=term_of(before),
            last_term_since=before, until=today,
            counts=[RefusalCount(code=code, this_term=this_term.get(code, 0),
                                 last_term=last_term.get(code, 0))
                    for code in sorted(set(this_term) | set(last_term))],
            note="How often each rule refused something; never the refused text."))


async def never_show_answer(request: Request) -> Response:
    found = services(request)
    today = found.clock().date()
    since = term_start(today)
    before = previous_term_start(today)

    def counts() -> tuple[dict[str, int], dict[str, int]]:
        last_day = date.fromordinal(since.toordinal() - 1)
        return (found.refusals.totals(since, today), found.refusals.totals(before, last_day))

    answer = never_show(effective_min_rooms(found.settings.min_rooms), found.settings.min_cell,
                        today, await run_in_threadpool(counts))
    return JSON(answer)


ENDPOINTS = [
    Endpoint("get", "/api/never-show", never_show_answer,
             "What this system can never show, generated from its own rules, with how often "
             "each rule refused something this term and last (anyone signed in)",
             answer=NeverShow),
]
