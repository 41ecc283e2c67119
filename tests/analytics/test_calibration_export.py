"""calibration.parquet and the calibration recipe of docs/analysts.md: generated visits with a
known agreement pattern, exported, give exactly that pattern, and the recipe agrees
with the API's district report."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from projections.calibration import Calibrations
from projections.event_log import last_position
from projections.export import CALIBRATION_SCHEMA, SCHEMA_VERSION, export_parquet
from projections.pseudonyms import Pseudonymiser
from projections.queries import Reader
from tests.projections.test_calibration import Taps, visit
from walkthrough.access import Actor
from web.composition.bootstrap import Services

GUIDE = Path(__file__).parents[2] / "docs" / "analysts.md"
SPRING: list[Taps] = [{"cfu": ("yes", "yes")}, {"cfu": ("yes", "no")},
                      {"cfu": ("no", "yes")}, {"cfu": ("yes", "yes")}]
FALL: list[Taps] = [{"cfu": ("yes", "yes")}, {"cfu": ("no", "no")}, {"cfu": ("yes", "yes")}]


def exported(services: Services, pseudonyms: Pseudonymiser, out: Path) -> Path:
    export_parquet(services.app, pseudonyms, out, after=0,
                   until=last_position(services.app), include_text=False)
    return out


def test_the_team_rows_hold_the_known_pattern(demo: Services, pseudonyms: Pseudonymiser,
                                              tmp_path: Path) -> None:
    visit(demo, date(2026, 4, 20), SPRING, debrief=True)
    visit(demo, date(2026, 11, 16), FALL, debrief=False)
    out = exported(demo, pseudonyms, tmp_path / "export")
    table = pq.read_table(out / "calibration.parquet")
    assert table.schema.remove_metadata() == CALIBRATION_SCHEMA
    assert table.schema.metadata[b"walkthrough.schema_version"] == SCHEMA_VERSION.encode()
    team = pseudonyms.team(("coach4", "coach3"))
    rows = {(r["term"], r["discussion"]): (r["rooms"], r["agreed"], r["agreement"],
                                           r["suppressed"])
            for r in table.to_pylist() if r["team"] == team and r["item"] == "cfu"}
    assert rows == {(None, "all"): (7, 5, 0.714, False),
                    (None, "before"): (4, 2, 0.5, False),
                    (None, "after"): (3, 3, 1.0, False),
                    ("2025-26 spring", "all"): (4, 2, 0.5, False),
                    ("2026-27 fall", "all"): (3, 3, 1.0, False)}
    for row in table.to_pylist():
        assert row["suppressed"] == (row["rooms"] < 3)
        assert (row["agreed"] is None) == row["suppressed"]
        assert row["team"] is None or row["team"].startswith("t_")


def test_the_guide_recipe_agrees_with_the_district_report(
        demo: Services, pseudonyms: Pseudonymiser, tmp_path: Path) -> None:
    visit(demo, date(2026, 4, 20), SPRING, debrief=True)
    visit(demo, date(2026, 11, 16), FALL, debrief=False)
    out = exported(demo, pseudonyms, tmp_path / "export")
    (sql,) = re.findall(r"<!-- calibration-discussed -->\s*```sql\n(.*?)```",
                        GUIDE.read_text(), re.S)
    answer = duckdb.connect().execute(sql.replace("'export/", f"'{out}/")).fetchall()
    demo.projector.catch_up()
    report = Calibrations(demo.read_models, 3, Reader(demo.read_models).catalog).district(
        Actor("organizer1", ("organizer",)))
    expected = sorted(
        ((i.key, i.overall.rooms, i.overall.agreement, i.before_discussion.agreement,
          i.after_discussion.agreement, i.change) for i in report.items
         if i.overall.rooms > 0),
        key=lambda row: (row[2] is None, row[2] or 0, row[0]))
    assert answer == expected
    cfu = next(row for row in answer if row[0] == "cfu")
    # before: the known pattern's 4 rooms (2 alike) and the demo's current visit, 3
    # rooms (2 alike), not debriefed yet; after: the known pattern's 3 rooms, all alike
    assert cfu[1:] == (10, 0.7, 0.571, 1.0, 0.429)
