"""Growth records in the published log, and the effectiveness tables of the export:
steps, partnerships and the pulse (aggregates only)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import duckdb
import msgspec
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.effectiveness import (
    GROUPS,
    PARTNERSHIPS_SCHEMA,
    PULSE_SCHEMA,
    STEPS_SCHEMA,
    PulseAnswer,
    pulse_cells,
)
from projections.event_log import Treatment, last_position, read_log, treatment
from projections.export import SCHEMA_VERSION, export_ndjson, export_parquet
from projections.projector import VISIT, view_decoder
from projections.pseudonyms import Pseudonymiser
from tests.builders import record_payload
from tests.conftest import NOW
from walkthrough.catalog import DEFAULT_CATALOG
from walkthrough.district import growth_id
from walkthrough.events import (
    GROWTH_TYPES,
    CheckInRecorded,
    DataPoint,
    Event,
    GoalSet,
    GoalStep,
    MeetingStep,
    PartnershipFormed,
    PersonRegistered,
    PlanStepLink,
    PracticeObserved,
    PulseAnswered,
    StepAmended,
    SupportLogged,
    VisitPlanned,
)
from walkthrough.growth import MIN_PULSE_PEOPLE, PULSE_MOMENTS, PULSE_QUESTIONS
from web.composition.bootstrap import Services
from web.demo.district import ROOSEVELT_VISIT


def stored(services: Services) -> list[Event]:
    return [entry.event for entry in read_log(services.app)]


def published(services: Services, pseudonyms: Pseudonymiser, out: Path, *,
              include_text: bool, after: int = 0) -> list[dict[str, Any]]:
    export_ndjson(services.app, pseudonyms, out, after=after,
                  until=last_position(services.app), include_text=include_text)
    return [msgspec.json.decode(line) for line in out.read_bytes().splitlines()]


def exported(services: Services, pseudonyms: Pseudonymiser, out: Path, *,
             include_text: bool = False) -> Path:
    export_parquet(services.app, pseudonyms, out, after=0, until=last_position(services.app),
                   include_text=include_text)
    return out


# --- the published log ---------------------------------------------------------------


@pytest.mark.parametrize(("type_name", "nested"), [
    ("PartnershipMeetingHeld", MeetingStep), ("GoalSet", GoalStep),
    ("GoalSet", PlanStepLink), ("SupportLogged", DataPoint)])
def test_nested_fields_are_decided_field_by_field(type_name: str,
                                                  nested: type[msgspec.Struct]) -> None:
    assert [field for field in nested.__struct_fields__
            if treatment(type_name, field) is None] == []


def test_pulse_scores_reach_no_reader(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    """Not analysts, not organizers (with text), not in events.parquet: one person's
    answers never leave; only pulse.parquet's aggregates do."""
    pulses = [e for e in stored(demo) if isinstance(e.payload, PulseAnswered)]
    assert len(pulses) >= MIN_PULSE_PEOPLE
    assert treatment("PulseAnswered", "scores") is Treatment.NEVER
    for include_text in (False, True):
        lines = published(demo, pseudonyms, tmp_path / f"{include_text}.ndjson",
                          include_text=include_text)
        answered = [line for line in lines if line["type"] == "PulseAnswered"]
        assert len(answered) == len(pulses)
        assert all(set(line["data"]) == {"administrator", "partnership_id", "moment"}
                   for line in answered)
        raw = (tmp_path / f"{include_text}.ndjson").read_bytes()
        assert not any(question.encode() in raw for question in PULSE_QUESTIONS)
        out = exported(demo, pseudonyms, tmp_path / f"pq-{include_text}",
                       include_text=include_text)
        data = pq.read_table(out / "events.parquet").column("data").to_pylist()
        assert not any(question in row for row in data for question in PULSE_QUESTIONS)


def test_growth_lines_name_the_administrator_by_pseudonym_never_by_id(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    events = stored(demo)
    people = {e.payload.user_id: e.payload for e in events
              if isinstance(e.payload, PersonRegistered)}
    owners = {growth_id(user): user for user in people}
    growth = [e for e in events if e.type in GROWTH_TYPES]
    assert {e.type for e in growth} >= {"GoalSet", "StepAmended", "PracticeObserved",
                                        "SupportLogged", "PulseAnswered"}
    lines = {line["id"]: line for line in published(
        demo, pseudonyms, tmp_path / "log.ndjson", include_text=True)}
    for event in growth:
        line = lines[str(event.event_id)]
        owner = owners[event.originator_id]
        assert line["visit_id"] is None
        assert line["data"]["administrator"] == pseudonyms.person(owner)
        assert line["school"] == people[owner].school_id
    text = (tmp_path / "log.ndjson").read_bytes()
    for user in people:
        record = growth_id(user)
        for raw in (user, str(record), record.hex):
            assert msgspec.json.encode(raw) not in text, raw
    visits = {line["visit_id"] for line in lines.values()} - {None}
    assert visits.isdisjoint({str(record) for record in owners})


def test_growth_free_text_only_with_the_flag(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    """Goal and step text, amendment reasons, support lines, data-point measures,
    requests, practice labels and notes and note-kind taps: organizers only."""
    record = growth_id("host1")
    note = "Two teachers compared exit tickets, then asked the group for a reteach move."
    record_payload(demo, "coach1", record, NOW - timedelta(minutes=5), PracticeObserved(
        observation_id="plc-2", item="what_was_said", value=note))
    events = stored(demo)
    goal = next(e.payload for e in events if isinstance(e.payload, GoalSet))
    amended = next(e.payload for e in events if isinstance(e.payload, StepAmended))
    measure = next(e.payload.data_point for e in events
                   if isinstance(e.payload, SupportLogged) and e.payload.data_point)
    assert measure is not None
    texts = [goal.text, goal.steps[0].text, goal.steps[0].success, amended.reason,
             measure.measure, note, "Grade 7 math PLC"]
    without = (tmp_path / "plain.ndjson")
    plain = published(demo, pseudonyms, without, include_text=False)
    with_text = tmp_path / "text.ndjson"
    published(demo, pseudonyms, with_text, include_text=True)
    for words in texts:
        assert msgspec.json.encode(words) not in without.read_bytes(), words
        assert msgspec.json.encode(words) in with_text.read_bytes(), words
    point = next(line for line in plain if line["type"] == "SupportLogged"
                 and "data_point" in line["data"])["data"]["data_point"]
    assert set(point) == {"value"}  # the number stays, what it measures is text
    (step,) = next(line for line in plain if line["type"] == "GoalSet")["data"]["steps"]
    assert step["owner"] == pseudonyms.person(goal.steps[0].owner)
    taps = [line["data"] for line in plain if line["type"] == "PracticeObserved"]
    assert {"item": "purpose_and_data", "value": "yes"}.items() <= taps[0].items()
    assert [tap for tap in taps if tap["item"] == "what_was_said"] == [
        {"administrator": pseudonyms.person("host1"),
         "observation_id": pseudonyms.slug("observation", str(record), "plc-2"),
         "item": "what_was_said"}]
    # Read from after the observation started: the note is still known as a note.
    last = last_position(demo.app)
    (late,) = published(demo, pseudonyms, tmp_path / "late.ndjson", include_text=False,
                        after=last - 1)
    assert late["type"] == "PracticeObserved"
    assert "value" not in late["data"]


# --- steps and partnerships ----------------------------------------------------------


def test_steps_table_has_every_step_event_with_pseudonymised_keys(
        effectiveness: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    out = exported(effectiveness, pseudonyms, tmp_path / "export")
    table = pq.read_table(out / "steps.parquet")
    assert table.schema.remove_metadata() == STEPS_SCHEMA
    assert table.schema.metadata[b"walkthrough.schema_version"] == SCHEMA_VERSION.encode()
    rows = table.to_pylist()
    expected: list[tuple[str, str, str]] = []
    for event in stored(effectiveness):
        payload = event.payload
        steps = {"NextStepProposed": 1, "NextStepWithdrawn": 1, "CheckInRecorded": 1,
                 "StepAmended": 1, "ActionPlanAgreed": len(getattr(payload, "step_ids", ())),
                 "GoalSet": len(getattr(payload, "steps", ())),
                 "PartnershipMeetingHeld": len(getattr(payload, "next_steps", ()))}
        expected += [(str(event.event_id), event.type, "")] * steps.get(event.type, 0)
    assert [(row["event_id"], row["type"], "") for row in rows] == expected
    done = [row for row in rows if row["status"] == "done"]
    roosevelt = [row for row in done if row["visit_id"] == str(ROOSEVELT_VISIT)]
    assert roosevelt
    assert roosevelt[0]["school"] == "roosevelt-middle"
    assert roosevelt[0]["administrator"] == pseudonyms.person("host3")
    assert roosevelt[0]["progress"] == 1.0
    assert roosevelt[0]["plan"] == "visit"
    proposed = next(row for row in rows if row["type"] == "NextStepProposed"
                    and row["visit_id"] == str(ROOSEVELT_VISIT))
    assert proposed["owner"] == pseudonyms.person("Casey Nguyen")
    assert proposed["visit_date"] == NOW.date() - timedelta(days=61)
    assert proposed["text"] is None  # text only with --include-text
    goals = [row for row in rows if row["plan"] == "goal"]
    assert {row["administrator"] for row in goals} == {pseudonyms.person("host1")}
    assert {row["school"] for row in goals} == {"lincoln-middle"}
    assert {row["area"] for row in goals if row["type"] == "GoalSet"} == {"cfu", "student_talk"}
    meetings = [row for row in rows if row["plan"] == "meeting"]
    assert {row["partnership"] for row in meetings} == {pseudonyms.partnership("cfg-talk")}
    raw = (out / "steps.parquet").read_bytes()
    for secret in (b"host1", b"Morgan Blake", b"Casey Nguyen", b"cfg-talk"):
        assert secret not in raw
    texts = pq.read_table(exported(effectiveness, pseudonyms, tmp_path / "text",
                                   include_text=True) / "steps.parquet").column("text")
    assert "Exit tickets daily." in texts.to_pylist()


def test_partnerships_table_has_one_row_per_member(
        effectiveness: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    out = exported(effectiveness, pseudonyms, tmp_path / "export")
    table = pq.read_table(out / "partnerships.parquet")
    assert table.schema.remove_metadata() == PARTNERSHIPS_SCHEMA
    district = effectiveness.app.district()
    formed = [e.payload for e in stored(effectiveness)
              if isinstance(e.payload, PartnershipFormed)]
    assert [(row["partnership"], row["kind"], row["member"], row["member_school"],
             row["starts"]) for row in table.to_pylist()] == [
        (pseudonyms.partnership(p.partnership_id), p.kind, pseudonyms.person(member),
         district.people[member].school_id, p.starts)
        for p in formed for member in p.members]


# --- the pulse, aggregated -----------------------------------------------------------


def expected_cells(answers: list[PulseAnswer],
                   completed: frozenset[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """What pulse.parquet should say, worked out from the answers another way."""
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for moment in PULSE_MOMENTS:
        people: dict[str, list[dict[str, int]]] = {}
        for answer in answers:
            if answer.moment == moment:
                people.setdefault(answer.person, []).append(answer.scores)
        means = {person: {q: sum(s[q] for s in found) / len(found) for q in PULSE_QUESTIONS}
                 for person, found in people.items()}
        groups = {"all": set(means), "some": set(means) & completed,
                  "none": set(means) - completed}
        both_split = min(len(groups["some"]), len(groups["none"])) >= MIN_PULSE_PEOPLE
        for group, members in groups.items():
            shown = len(members) >= MIN_PULSE_PEOPLE and (group == "all" or both_split)
            cells[moment, group] = {
                "people": len(members) if shown else None,
                **{q: sum(means[p][q] for p in members) / len(members) if shown else None
                   for q in PULSE_QUESTIONS}}
    return cells


scores = st.fixed_dictionaries({q: st.integers(1, 5) for q in PULSE_QUESTIONS})


# One person: their answers (a moment may be answered twice, in two partnerships) and
# whether their hosted visits had a completed step.
person = st.tuples(st.lists(st.tuples(st.sampled_from(PULSE_MOMENTS), scores), max_size=5),
                   st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(person, min_size=1, max_size=12))
def test_no_pulse_cell_shows_anything_from_fewer_than_the_minimum(
        people: list[tuple[list[tuple[Any, dict[str, int]]], bool]]) -> None:
    answers = [PulseAnswer(f"p{number}", moment, answer)
               for number, (found, _) in enumerate(people) for moment, answer in found]
    completed = frozenset(f"p{number}" for number, (_, done) in enumerate(people) if done)
    cells = pulse_cells(answers, completed)
    assert [(c.moment, c.completed_steps) for c in cells] == [
        (moment, group) for moment in PULSE_MOMENTS for group in GROUPS]
    for cell in cells:
        if cell.suppressed:
            assert cell.people is None
            assert set(cell.means.values()) == {None}
        else:
            assert cell.people is not None
            assert cell.people >= MIN_PULSE_PEOPLE
        split = [c for c in cells if c.moment == cell.moment and c.completed_steps != "all"]
        # One group shown and the other hidden would give the hidden one away.
        assert split[0].suppressed == split[1].suppressed
    expected = expected_cells(answers, completed)
    for cell in cells:
        want = expected[cell.moment, cell.completed_steps]
        assert cell.people == want["people"]
        for question in PULSE_QUESTIONS:
            assert cell.means[question] == pytest.approx(want[question])


def stored_answers(services: Services) -> list[PulseAnswer]:
    owners = services.app.district().growth_owners
    return [PulseAnswer(owners[e.originator_id], e.payload.moment,
                        msgspec.structs.asdict(e.payload.scores))
            for e in stored(services) if isinstance(e.payload, PulseAnswered)]


def completers(services: Services) -> frozenset[str]:
    """Hosts of visits with a step checked in done, from the stored events."""
    events = stored(services)
    hosts = {e.originator_id: e.payload.host for e in events
             if isinstance(e.payload, VisitPlanned)}
    return frozenset(hosts[e.originator_id] for e in events
                     if isinstance(e.payload, CheckInRecorded) and e.payload.status == "done")


def pulse_table_shows(services: Services, pseudonyms: Pseudonymiser,
                      out: Path) -> set[tuple[str, str]]:
    """Checks pulse.parquet against the stored answers; the cells it shows."""
    table = pq.read_table(exported(services, pseudonyms, out) / "pulse.parquet")
    assert table.schema.remove_metadata() == PULSE_SCHEMA
    rows = table.to_pylist()
    expected = expected_cells(stored_answers(services), completers(services))
    assert len(rows) == len(PULSE_MOMENTS) * len(GROUPS)
    for row in rows:
        want = expected[row["moment"], row["completed_steps"]]
        assert row["suppressed"] == (want["people"] is None)
        assert row["people"] == want["people"]
        for question in PULSE_QUESTIONS:
            assert row[question] == pytest.approx(want[question])
    return {(row["moment"], row["completed_steps"]) for row in rows if not row["suppressed"]}


def test_the_demos_pulse_shows_everyone_at_the_start_and_middle_only(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    # Five people at the start and the middle, host1 alone at the end; nobody whose
    # visits completed a step answered, so the groups hide each other.
    assert pulse_table_shows(demo, pseudonyms, tmp_path / "export") == {
        ("start", "all"), ("middle", "all")}


def test_pulse_groups_show_where_both_are_large_enough(
        effectiveness: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    # Five completers at the start and the end, none in the middle.
    assert pulse_table_shows(effectiveness, pseudonyms, tmp_path / "export") == {
        (moment, group) for moment in ("start", "end") for group in GROUPS} | {
        ("middle", "all")}


# --- the analysts' guide's DuckDB examples (docs/analysts.md) ---------------------

GUIDE = Path(__file__).parents[2] / "docs" / "analysts.md"


def guide_query(name: str, out: Path) -> str:
    """The guide's SQL between `<!-- name -->` markers, pointed at the export `out`."""
    (sql,) = re.findall(rf"<!-- {name} -->\s*```sql\n(.*?)```\s*<!-- /{name} -->",
                        GUIDE.read_text(), re.S)
    return str(sql).replace("'export/", f"'{out}/")


def plan_followups(services: Services, minimum: int) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The plans query's answer, from the stored events and the visits' read models."""
    events = stored(services)
    planned = {e.originator_id: e.payload for e in events
               if isinstance(e.payload, VisitPlanned)}
    agreed = {e.originator_id for e in events if e.type == "ActionPlanAgreed"}
    done = {e.originator_id for e in events
            if isinstance(e.payload, CheckInRecorded) and e.payload.status == "done"}
    observed = {e.originator_id for e in events if e.type == "LookForObserved"}
    yes_no = {item.key for item in DEFAULT_CATALOG.items if item.kind == "yes_no"}
    tallies = {UUID(visit_id): view_decoder.decode(doc).pooled()
               for visit_id, doc in services.read_models.all_of(VISIT).items()}

    def counts(visit: UUID, item: str) -> tuple[int, int]:
        tally = tallies[visit].get(item)
        found = tally.counts if tally else {}
        return found.get("yes", 0) + found.get("no", 0), found.get("yes", 0)

    sums: dict[tuple[str, str], list[int]] = {}
    for visit in sorted(agreed):
        plan = planned[visit]
        later = sorted((planned[v].date, str(v)) for v in observed
                       if planned[v].school_id == plan.school_id and planned[v].date > plan.date)
        if not later:
            continue
        following = UUID(later[0][1])
        for item in sorted(yes_no):
            before, after = counts(visit, item), counts(following, item)
            if before[0] and after[0]:
                key = ("some" if visit in done else "none", item)
                total = sums.setdefault(key, [0, 0, 0, 0, 0])
                for index, value in enumerate((1, *before, *after)):
                    total[index] += value

    def rate(seen: int, rooms: int) -> float | None:
        return round(seen / rooms, 3) if rooms >= minimum else None

    answer: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, (plans, rooms_before, seen_before, rooms_after, seen_after) in sums.items():
        before_rate, after_rate = rate(seen_before, rooms_before), rate(seen_after, rooms_after)
        change = None if before_rate is None or after_rate is None \
            else round(after_rate - before_rate, 3)
        answer[key] = (plans, rooms_before, before_rate, rooms_after, after_rate, change)
    return answer


def pulse_changes(services: Services) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The pulse query's answer, from the stored answers."""
    cells = expected_cells(stored_answers(services), completers(services))
    answer: dict[tuple[str, str], tuple[Any, ...]] = {}
    for group in GROUPS:
        for question in PULSE_QUESTIONS:
            start, middle, end = (cells[moment, group][question] for moment in PULSE_MOMENTS)
            if start is None and middle is None and end is None:
                continue
            answer[group, question] = (
                cells["start", group]["people"], None if start is None else round(start, 3),
                *(None if later is None or start is None else round(later - start, 3)
                  for later in (middle, end)))
    return answer


def assert_same(answer: dict[Any, tuple[Any, ...]], expected: dict[Any, tuple[Any, ...]]) -> None:
    """Row by row; numbers to within float noise (the queries round to 3 places)."""
    assert set(answer) == set(expected)
    for key, row in answer.items():
        assert [None if value is None else pytest.approx(value, abs=1e-9)
                for value in expected[key]] == list(row), key


def run_guide_queries(services: Services, pseudonyms: Pseudonymiser, out: Path) -> tuple[
        dict[tuple[str, str], tuple[Any, ...]], dict[tuple[str, str], tuple[Any, ...]]]:
    """Both of the guide's queries on an export of `services`, checked against the log; their
    answers."""
    exported(services, pseudonyms, out)
    duck = duckdb.connect()
    query = guide_query("effectiveness-plans", out)
    plans = {(group, item): tuple(rest)
             for group, item, *rest in duck.execute(query).fetchall()}
    assert_same(plans, plan_followups(services, minimum=5))
    unguarded = {(group, item): tuple(rest) for group, item, *rest
                 in duck.execute(query.replace(">= 5", ">= 1")).fetchall()}
    assert_same(unguarded, plan_followups(services, minimum=1))
    pulse = {(group, question): tuple(rest) for group, question, *rest
             in duck.execute(guide_query("effectiveness-pulse", out)).fetchall()}
    assert_same(pulse, pulse_changes(services))
    return unguarded, pulse


def test_the_guide_queries_answer_the_effectiveness_questions(
        effectiveness: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    plans, pulse = run_guide_queries(effectiveness, pseudonyms, tmp_path / "export")
    # Lincoln's plan had no step done, Roosevelt's had: both schools were visited again.
    assert {group for group, _ in plans} == {"none", "some"}
    assert plans["some", "cfu"][0] == 1
    # Both groups are large enough at the start and the end, not in the middle.
    assert {group for group, _ in pulse} == {"all", "none", "some"}
    assert all(row[2] is None for (group, _), row in pulse.items() if group != "all")
    assert all(row[3] is not None for row in pulse.values())


def test_the_guide_queries_run_on_the_demo(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    plans, pulse = run_guide_queries(demo, pseudonyms, tmp_path / "export")
    assert {group for group, _ in plans} == {"none"}  # no school visited after a done step
    assert {group for group, _ in pulse} == {"all"}
