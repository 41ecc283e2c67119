"""`walkthrough roster import PATH [--dry-run] [--level SOURCEDID=LEVEL]`: an empty store
to a district with its schools and people, from a zip or a folder; all or nothing; the
same files again change nothing; and no teacher's or student's name is anywhere in the
data directory or the command's output afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.oneroster import (
    MAPLE,
    PRIVATE_NAMES,
    Roster,
    School,
    as_zip,
    oneroster_11,
    oneroster_12,
    write_folder,
)
from web.cli import cli
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings

INIT = ["init", "--district", "Maple Valley", "--organizer-email",
        "Priya.Natarajan@maple.example", "--organizer-name", "Priya Natarajan"]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("WALKTHROUGH_DATABASE_URL", raising=False)
    monkeypatch.setenv("WALKTHROUGH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    made = runner.invoke(cli, INIT)
    assert made.exit_code == 0, made.output
    return runner


def people() -> dict[str, tuple[str, ...]]:
    services = bootstrap(Settings.from_env())
    try:
        return {p.email or p.user_id: p.roles for p in services.app.district().people.values()}
    finally:
        services.close()


def test_a_zip_is_imported_once_and_again_changes_nothing(
        runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "maple-oneroster.zip"
    export.write_bytes(as_zip(oneroster_12(MAPLE)))
    dry = runner.invoke(cli, ["roster", "import", str(export), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "+ Ingrid Lindqvist <ingrid.lindqvist@maple.example>: host, coach at Carver " \
           "Middle" in dry.stdout
    assert "skipped 2 row(s): students are not read" in dry.stdout
    assert "staff roster of Carver Middle: 1 name(s)" in dry.stdout
    assert len(people()) == 1
    done = runner.invoke(cli, ["roster", "import", str(export)])
    assert done.exit_code == 0, done.output
    assert "imported: 8 change(s) recorded" in done.stdout
    found = people()
    assert found["ingrid.lindqvist@maple.example"] == ("host", "coach")
    assert found["priya.natarajan@maple.example"] == ("organizer",)  # init's organizer
    again = runner.invoke(cli, ["roster", "import", str(export)])
    assert again.exit_code == 0
    assert "nothing to change" in again.stdout
    data = tmp_path / "data"
    stored = b"".join(f.read_bytes() for f in data.rglob("*") if f.is_file())
    said = (dry.output + done.output + again.output).encode()
    for name in PRIVATE_NAMES:
        for form in (name, name.lower(), name.upper()):
            assert form.encode() not in stored, form
            assert form.encode("utf-16-le") not in stored, form
            assert form.encode() not in said, form


def test_a_folder_of_1_1_files_with_a_level_set_by_hand(
        runner: CliRunner, tmp_path: Path) -> None:
    roster = Roster(MAPLE.district_id, MAPLE.district_name,
                    (*MAPLE.schools, School("org-harbor", "Harbor Academy", "0401")),
                    MAPLE.members)
    folder = write_folder(oneroster_11(roster), tmp_path / "export")
    needed = runner.invoke(cli, ["roster", "import", str(folder)])
    assert needed.exit_code == 1
    assert "--level org-harbor=" in needed.stdout
    assert len(people()) == 1  # nothing applied
    done = runner.invoke(cli, ["roster", "import", str(folder), "--level", "org-harbor=k8"])
    assert done.exit_code == 0, done.output
    assert "+ school Harbor Academy (org-harbor), k8 (level from given)" in done.stdout


def test_a_bad_file_names_file_row_and_column_and_applies_nothing(
        runner: CliRunner, tmp_path: Path) -> None:
    files = oneroster_11(MAPLE.with_member("t-szymanski", org="org-nowhere"))
    folder = write_folder(files, tmp_path / "bad")
    refused = runner.invoke(cli, ["roster", "import", str(folder)])
    assert refused.exit_code == 1
    assert "users.csv, row 9, column orgSourcedIds: refers to an org that is not in " \
           "orgs.csv" in refused.stderr
    assert "Szymanski" not in refused.output
    assert len(people()) == 1
    bad_level = runner.invoke(cli, ["roster", "import", str(folder), "--level", "harbor"])
    assert bad_level.exit_code == 2
