"""Closed sets lead a change: a new look-for kind or role is named by mypy at every place
that must decide about it (walkthrough.kinds, walkthrough.roles describe the recipe).

The test copies the packages, adds a fake member to each closed set - a kind, a role,
and a new answer of each of the kinds' decisions - runs mypy on the copy (with a cache
of its own, so later runs are quick) and compares the functions it names with
DISPATCH_SITES. A new dispatch site joins that list; a site that no longer fails has
lost its `assert_never`. The tablet's side of a new kind: tests/web/test_tablet_js.py
asks for web/static/js/generated/schema.js to be regenerated, then
tests/js/capture-widgets.test.js names the kind that has no capture widget.
"""

from __future__ import annotations

import ast
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("walkthrough", "projections", "web")

# (file, function) where mypy must stop a change, by what is added.
DISPATCH_SITES = {
    "a kind": {
        ("walkthrough/kinds.py", "validate"),
        ("walkthrough/kinds.py", "shape_problems"),
        ("walkthrough/kinds.py", "combination"),
        ("walkthrough/kinds.py", "is_free_text"),
        ("walkthrough/kinds.py", "trend"),
        ("walkthrough/kinds.py", "published"),
        ("projections/calibration.py", "exercise_steps"),
    },
    "a role": {("walkthrough/access.py", "grants")},
    "a way to combine": {
        ("walkthrough/consensus.py", "combine"),
        ("walkthrough/consensus.py", "observing"),
    },
    "a way to trend": {
        ("projections/summary.py", "rooms_rated"),
        ("projections/summary.py", "rate"),
        ("projections/trends.py", "rated"),
    },
    "a way to publish": {
        ("projections/event_log.py", "_is_free_text"),
        ("projections/export.py", "row"),
    },
}

# What each addition edits: (file, the Literal's first line, its new first line).
ADDITIONS = {
    "a kind": ("walkthrough/kinds.py", "Kind = Literal[", 'Kind = Literal["photo",'),
    "a role": ("walkthrough/roles.py", "Role = Literal[", 'Role = Literal["mentor",'),
    "a way to combine": ("walkthrough/kinds.py", "Combination = Literal[",
                         'Combination = Literal["fake_combination",'),
    "a way to trend": ("walkthrough/kinds.py", "Trend = Literal[", 'Trend = Literal["fake_trend",'),
    "a way to publish": ("walkthrough/kinds.py", "Publication = Literal[",
                         'Publication = Literal["fake_publication",'),
}

ERROR = re.compile(r"^(?P<file>[\w/]+\.py):(?P<line>\d+): error: ")


def _copy(into: Path) -> None:
    for package in PACKAGES:
        target = into / package
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / package, target,
                        ignore=shutil.ignore_patterns("__pycache__", "static", "*.json"))


def _enclosing_function(source: str, line: int) -> str:
    found = "<module>"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) \
                and node.lineno <= line <= (node.end_lineno or node.lineno):
            found = node.name  # ast.walk is breadth first: the innermost comes last
    return found


def _named_sites(root: Path, output: str) -> set[tuple[str, str]]:
    sites = set()
    for line in output.splitlines():
        match = ERROR.match(line)
        if match:
            source = (root / match["file"]).read_text()
            sites.add((match["file"], _enclosing_function(source, int(match["line"]))))
    return sites


def test_mypy_names_every_place_a_new_kind_role_or_answer_must_be_decided() -> None:
    # One place per checkout, kept between runs: mypy's cache makes the next run quick.
    where = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / f"walkthrough-closed-sets-{where}"
    _copy(root)
    for file, before, after in ADDITIONS.values():
        path = root / file
        text = path.read_text()
        assert before in text, f"{file} no longer declares {before!r}"
        path.write_text(text.replace(before, after, 1))
    shutil.copy(ROOT / "pyproject.toml", root)  # the project's mypy settings (strict)
    packages = [arg for package in PACKAGES for arg in ("-p", package)]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(root / ".mypy_cache"),
         "--no-error-summary", "--no-pretty", *packages],
        cwd=root, capture_output=True, text=True, timeout=300, check=False)
    named = _named_sites(root, result.stdout)
    expected = set().union(*DISPATCH_SITES.values())
    assert named == expected, (
        f"mypy named {sorted(named - expected)} beyond the known dispatch sites and missed "
        f"{sorted(expected - named)}:\n{result.stdout}{result.stderr}")
