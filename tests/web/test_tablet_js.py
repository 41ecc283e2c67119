"""The tablet's JavaScript, held to the server without a browser.

- web/static/js/generated/schema.js is exactly what `python -m web.http.tablet_schema` writes
  from the server's types, so a new kind, role or limit cannot be forgotten on the tablet.
- The pure modules (capture and growth state, school days, names, the outbox's rules,
  the route table, the capture widgets' registry) pass their `node --test` suite in
  tests/js/. Without node the test skips, unless WALKTHROUGH_REQUIRE_BROWSER=1
  (CI), where it fails as the browser tests do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from web.http.tablet_schema import COMMAND, JS_PATH, build, render_js

JS_TESTS = Path(__file__).parents[1] / "js"
NODE_SECONDS = 120


def test_the_tablets_schema_module_is_generated_from_the_servers_types() -> None:
    committed = JS_PATH.read_text(encoding="utf-8")
    assert committed == render_js(build()), (
        f"{JS_PATH.name} is stale: the server's kinds, roles or limits changed. "
        f"Regenerate it with `{COMMAND}` and commit it.")


def test_the_pure_tablet_modules_pass_their_node_tests() -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("WALKTHROUGH_REQUIRE_BROWSER") == "1":
            pytest.fail("node not found (WALKTHROUGH_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip("node not found (apt-get install nodejs)")
    files = sorted(str(path) for path in JS_TESTS.glob("*.test.js"))
    assert files, f"no *.test.js in {JS_TESTS}"
    done = subprocess.run([node, "--test", *files], capture_output=True, text=True,
                          timeout=NODE_SECONDS, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
