"""Every setting the server reads from its environment is in the district IT guide's
configuration table, so a new WALKTHROUGH_* variable cannot go undocumented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\bWALKTHROUGH_[A-Z_]*[A-Z]\b")


def variables_read() -> set[str]:
    return {name for package in ("walkthrough", "projections", "web")
            for path in (ROOT / package).rglob("*.py")
            for name in VARIABLE.findall(path.read_text())}


def test_every_setting_is_in_the_configuration_table() -> None:
    guide = (ROOT / "docs" / "district-it.md").read_text()
    table = guide[guide.index("## Configuration"):]
    read = variables_read()
    assert "WALKTHROUGH_DATA_DIR" in read, "the settings are found where they are read"
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert not missing, f"docs/district-it.md (Configuration) does not describe {missing}"
