"""The tablet's title rule (web/static/js/names.js) in real Chromium, against the same
case table as the server's (tests/cases/names.json, tests/unit/test_names.py): the
same verdict, the same phrase and the same message for every case. And the other half
of the rule, the staff roster, never reaches the running server's log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import Server
from walkthrough.names import names_a_person, title_message

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

CASES: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "cases" / "names.json").read_text(encoding="utf-8"))

# Every case through the module as the app serves it, in a page of the running app.
RUN_CASES = """async (texts) => {
    const names = await import('/static/js/names.js');
    return texts.map((text) => {
        const phrase = names.namesAPerson(text);
        return {
            phrase,
            message: phrase === null ? null : names.namesAPersonMessage(phrase),
            warning: names.titleWarning(text),
        };
    });
}"""


@pytest.fixture(scope="module")
def verdicts(browser: Browser, server: Server) -> dict[str, dict[str, Any]]:
    """What names.js says of every text in the table, by text."""
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.url + "/")
        texts = [case["text"] for case in CASES["rejected"] + CASES["passed"]]
        answers: list[dict[str, Any]] = page.evaluate(RUN_CASES, texts)
        assert not errors, errors
    finally:
        context.close()
    return dict(zip(texts, answers, strict=True))


@pytest.mark.parametrize("case", CASES["rejected"], ids=[c["reason"] for c in CASES["rejected"]])
def test_the_tablet_refuses_what_the_server_refuses(verdicts: dict[str, dict[str, Any]],
                                                    case: dict[str, str]) -> None:
    got = verdicts[case["text"]]
    assert got["phrase"] == case["phrase"] == names_a_person(case["text"])
    assert got["message"] == got["warning"] == title_message(case["phrase"])


@pytest.mark.parametrize("case", CASES["passed"], ids=[c["reason"] for c in CASES["passed"]])
def test_the_tablet_passes_what_the_server_passes(verdicts: dict[str, dict[str, Any]],
                                                  case: dict[str, str]) -> None:
    got = verdicts[case["text"]]
    assert got == {"phrase": None, "message": None, "warning": None}
    assert names_a_person(case["text"]) is None


def test_the_running_server_never_logs_a_roster(server: Server) -> None:
    names = ["Zbigniewa Quillfeather", "Anselm Vandersloot"]
    route = "/api/schools/lincoln-middle/staff-names"
    try:
        status, answer = server.call("PUT", route, "host1", {"names": names})
        assert (status, answer["tokens"]) == (200, 4)
        status, _ = server.call("PUT", route, "host1", {"names": [*names, "x" * 121]})
        assert status == 422
    finally:  # the server is shared: leave no roster to screen other tests' notes
        assert server.call("PUT", route, "host1", {"names": []})[0] == 200
    log = server.log.read_text(encoding="utf-8", errors="replace").casefold()
    assert "staff-names" in log  # requests are logged...
    for word in ("zbigniewa", "quillfeather", "anselm", "vandersloot"):
        assert word not in log  # ...names are not
