"""Ids a tablet makes up (step, goal, observation, support entry and request ids) may
spell a name ("mrs-whitfield-reteach"): everything published carries pseudonyms for
them - the NDJSON log (also /api/events) and every Parquet table - still joinable
within their visit or record (a plan's step_ids meet the proposed steps, a goal's link
meets the linked visit's step)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pyarrow.parquet as pq

from projections.event_log import last_position, read_log
from projections.export import export_ndjson, export_parquet
from projections.pseudonyms import Pseudonymiser
from tests.builders import record_payload
from tests.conftest import NOW
from walkthrough.district import growth_id
from walkthrough.events import (
    ActionPlanAgreed,
    Event,
    GoalSet,
    NextStepProposed,
    PracticeObservationStarted,
)
from web.composition.bootstrap import Services

SLUG_FIELDS = {"step_id", "step_ids", "goal_id", "observation_id", "entry_id", "request_id"}


def slugs(value: Any) -> set[str]:
    """Every client-chosen id in a payload (nested steps and links included)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for field, inner in value.items():
            if field in SLUG_FIELDS:
                found |= {inner} if isinstance(inner, str) else set(inner)
            else:
                found |= slugs(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= slugs(inner)
    return found


def stored(services: Services) -> list[Event]:
    return [entry.event for entry in read_log(services.app)]


def test_no_client_chosen_id_is_published_and_they_still_join(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    record = growth_id("host1")
    record_payload(demo, "coach1", record, NOW - timedelta(minutes=5),
                   PracticeObservationStarted(observation_id="mrs-whitfield-plc",
                                              setting="plc_meeting", catalog_version=1))
    events = stored(demo)
    chosen = set().union(*(slugs(msgspec.to_builtins(e.payload)) for e in events))
    assert "mrs-whitfield-plc" in chosen
    assert len(chosen) > 5  # the demo's steps, goals, observations, entries, requests
    until = last_position(demo.app)
    for include_text in (False, True):
        ndjson = tmp_path / f"log-{include_text}.ndjson"
        export_ndjson(demo.app, pseudonyms, ndjson, after=0, until=until,
                      include_text=include_text)
        out = export_parquet(demo.app, pseudonyms, tmp_path / f"parquet-{include_text}",
                             after=0, until=until, include_text=include_text)
        assert out.events > 0
        published = [ndjson.read_bytes()] + [
            msgspec.json.encode(pq.read_table(path).to_pylist())
            for path in sorted((tmp_path / f"parquet-{include_text}").glob("*.parquet"))]
        for slug in chosen:
            for body in published:
                assert msgspec.json.encode(slug) not in body, slug
    lines = [msgspec.json.decode(line) for line in
             (tmp_path / "log-False.ndjson").read_bytes().splitlines()]
    by_id = {str(e.event_id): e for e in events}
    for line in lines:
        event = by_id[line["id"]]
        scope = str(event.originator_id)
        if isinstance(event.payload, NextStepProposed):
            assert line["data"]["step_id"] == pseudonyms.slug(
                "step", scope, event.payload.step_id)
        if isinstance(event.payload, ActionPlanAgreed):
            assert line["data"]["step_ids"] == [pseudonyms.slug("step", scope, step)
                                                for step in event.payload.step_ids]
        if isinstance(event.payload, GoalSet):
            for link, published_link in zip(event.payload.plan_steps,
                                            line["data"]["plan_steps"], strict=True):
                assert published_link["step_id"] == pseudonyms.slug(
                    "step", str(link.visit_id), link.step_id)
    steps = pq.read_table(tmp_path / "parquet-False" / "steps.parquet").to_pylist()
    assert all(row["step_id"].startswith("n_") for row in steps)
    proposed = {(row["visit_id"], row["step_id"]) for row in steps
                if row["type"] == "NextStepProposed"}
    agreed = {(row["visit_id"], row["step_id"]) for row in steps
              if row["type"] == "ActionPlanAgreed"}
    assert agreed
    assert agreed <= proposed  # an agreed step is one of the proposed ones, by pseudonym
