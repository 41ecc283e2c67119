"""The developer pages name the repository's files; each one they name must exist, so
"Where things live" follows the code when files move."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEVELOPER_PAGES = ("architecture.md", "where-things-live.md", "extending.md",
                   "evolving-events.md", "testing.md", "api-by-hand.md")
TOP = ("walkthrough", "projections", "web", "tests", "benchmarks", "deploy", "docs")
# A path in backticks: `web/routes/`, `projections/store.py`, `tests/unit/event_tags.txt`.
PATH = re.compile(r"`((?:" + "|".join(TOP) + r")/[\w./-]*)`")


def named_paths(text: str) -> set[str]:
    return set(PATH.findall(text))


def test_every_path_the_developer_pages_name_exists() -> None:
    missing = {}
    for page in DEVELOPER_PAGES:
        gone = sorted(p for p in named_paths((ROOT / "docs" / page).read_text())
                      if not (ROOT / p).exists())
        if gone:
            missing[page] = gone
    assert not missing, f"docs name paths that are not in the repository: {missing}"


def test_where_things_live_names_every_package_of_the_code() -> None:
    text = (ROOT / "docs" / "where-things-live.md").read_text()
    packages = [str(d.relative_to(ROOT)) + "/" for top in ("walkthrough", "projections", "web")
                for d in sorted((ROOT / top).iterdir())
                if d.is_dir() and (d / "__init__.py").exists()]
    unnamed = [p for p in packages if f"`{p}" not in text]
    assert not unnamed, f"where-things-live.md does not say what these hold: {unnamed}"


def test_named_paths_finds_paths_in_backticks_only() -> None:
    text = "`web/routes/` and `projections/store.py`, not web/app.py nor `walkthrough.access`"
    assert named_paths(text) == {"web/routes/", "projections/store.py"}
