"""The tablet's title rule and singling-out rule (web/static/js/names.js) in real
Chromium, against the same case tables as the server's (tests/cases/names.json,
tests/cases/singling_out.json, tests/unit/test_names.py): the same normal form, the same
verdict, the same phrase and the same message for every case. And the other half of
the name rule, the staff roster, never reaches the running server's log."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import Server
from walkthrough.names import (
    fold,
    names_a_person,
    singles_out_a_teacher,
    singles_out_message,
    title_message,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

CASES: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "cases" / "names.json").read_text(encoding="utf-8"))
SINGLING: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "cases" / "singling_out.json").read_text(encoding="utf-8"))
# Look-alikes, invisible characters and marks, beside the tables' texts: folded alike.
FOLDED = ["\u041c\u0405\u0456\u0406\u03bf\u0430\u0435\u0440\u0441\u0445\u0443",
          "a\u200bb\u200cc\u200dd\u00ade\u2060f\ufeffg\u200eh\u200fi\u202aj\u2066k",
          "e\u0301 n\u0303 \u1e9b\u0323 \U0001d400\U0001d7ce \uff21 \u2460 \u2167 \ufb01",
          "\u0417\u0416 \ud55c\uae00 \u0928\u092e\u0938\u094d\u0924\u0947 \u0661\u0662"]

# Texts made at random from the pieces both rules look at (seeded: the same every run).
PIECES = ["Mrs", "mr", "Ms", "MS", "Dr.", "Miss", "Coach", "Teacher", "Prof.", "Sra", "the",
          "The", "a", "each", "grade", "7", "7th", "science", "math", "PE", "teacher",
          "teachers", "teacher's", "room", "Room", "12", "B", "in", "of", "for", "PLC",
          "team", "Smith", "lee", "Lopez", "asked", "students", "\u0405mith", "\u041crs",
          "\u200b", "\u00ad", "\u0301", "(", ")", "_", "-", "'", "\u2019", ".", ",", ":",
          "\n", "\u00a0", "\uff2d", "\U0001d40c", "\u0417"]
SEPARATORS = [" ", " ", " ", "", "\t"]
RANDOM = random.Random(24)
MIXED = ["".join(RANDOM.choice(PIECES) + RANDOM.choice(SEPARATORS)
                 for _ in range(RANDOM.randint(2, 9))) for _ in range(400)]

# Every case through the module as the app serves it, in a page of the running app.
RUN_CASES = """async (texts) => {
    const names = await import('/static/js/names.js');
    return texts.map((text) => {
        const phrase = names.namesAPerson(text);
        const singled = names.singlesOutATeacher(text);
        return {
            phrase,
            message: phrase === null ? null : names.namesAPersonMessage(phrase),
            singled,
            singledMessage: singled === null ? null : names.singlesOutMessage(singled),
            warning: names.titleWarning(text),
            folded: names.fold(text).text,
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
        texts = list(dict.fromkeys(
            [case["text"] for case in CASES["rejected"] + CASES["passed"]]
            + [case["text"] for case in SINGLING["rejected"] + SINGLING["passed"]] + FOLDED
            + MIXED))
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
    assert (got["phrase"], got["message"], got["warning"]) == (None, None, None)
    assert names_a_person(case["text"]) is None


@pytest.mark.parametrize("case", SINGLING["rejected"],
                         ids=[c["reason"] for c in SINGLING["rejected"]])
def test_the_tablet_refuses_what_singles_out_a_teacher(verdicts: dict[str, dict[str, Any]],
                                                        case: dict[str, str]) -> None:
    got = verdicts[case["text"]]
    assert got["singled"] == case["phrase"] == singles_out_a_teacher(case["text"])
    assert got["singledMessage"] == got["warning"] == singles_out_message(case["phrase"])


@pytest.mark.parametrize("case", SINGLING["passed"], ids=[c["reason"] for c in SINGLING["passed"]])
def test_the_tablet_passes_text_about_rooms(verdicts: dict[str, dict[str, Any]],
                                            case: dict[str, str]) -> None:
    got = verdicts[case["text"]]
    assert (got["singled"], got["warning"]) == (None, None)
    assert singles_out_a_teacher(case["text"]) is None


def test_the_tablet_and_the_server_agree_on_texts_made_at_random(
        verdicts: dict[str, dict[str, Any]]) -> None:
    refused = 0
    for text in MIXED:
        got = verdicts[text]
        assert (got["phrase"], got["singled"]) == (
            names_a_person(text), singles_out_a_teacher(text)), text
        refused += got["warning"] is not None
    assert 0 < refused < len(MIXED)  # the pieces make both kinds of text


def test_the_tablet_reads_every_text_in_the_servers_normal_form(
        verdicts: dict[str, dict[str, Any]]) -> None:
    for text, got in verdicts.items():
        assert got["folded"] == fold(text).text, text


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
