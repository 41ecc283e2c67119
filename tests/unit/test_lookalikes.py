"""The fold table is Unicode's data, not ours: the committed walkthrough/lookalikes.json
and the tablet's copy in web/static/js/screening-data.js are exactly what ICU's spoof
checker (PyICU) gives today, with the word lists of walkthrough/names.py. When this
fails after an ICU upgrade or a word-list change: `python -m walkthrough.lookalikes`."""

from __future__ import annotations

from typing import Any

import pytest

from walkthrough.lookalikes import JS_PATH, TABLE_PATH, build, render_js, render_json, table
from walkthrough.names import shared_words


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return build()


def test_the_servers_table_is_generated_from_icu(generated: dict[str, Any]) -> None:
    assert TABLE_PATH.read_text(encoding="utf-8") == render_json(generated)


def test_the_tablets_table_is_the_same_data(generated: dict[str, Any]) -> None:
    assert JS_PATH.read_text(encoding="utf-8") == render_js(generated, shared_words())


def test_the_table_folds_what_the_name_rule_was_dodged_with() -> None:
    folds = table()
    assert folds["\u041c"] == "M"
    assert folds["\u0405"] == "S"
    assert folds["\u0456"] == "i"
    for invisible in "\u200b\u200c\u200d\u00ad\u2060\ufeff\u200e\u200f\u202a\u202e\u2066":
        assert folds[invisible] == ""
    assert folds["\u0301"] == ""  # a combining accent
    assert all(fold.isascii() for fold in folds.values())
    assert not any(char.isascii() for char in folds)  # ASCII is read as written
