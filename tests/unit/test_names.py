"""No names in free text: the title rule against the shared case table (the tablet's
JavaScript runs the same table in tests/browser/test_names.py), the roster's
normalisation and matching, and `screen` over a payload's fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from walkthrough.errors import DomainError
from walkthrough.names import (
    NamesAPerson,
    Roster,
    check_titles,
    name_tokens,
    names_a_person,
    roster_key,
    roster_tokens,
    screen,
    title_message,
)

CASES: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "cases" / "names.json").read_text(encoding="utf-8"))
KEY = roster_key(b"a test deployment's secret, 32+ bytes")


def test_the_table_is_big_enough_on_both_sides() -> None:
    assert len(CASES["rejected"]) >= 30
    assert len(CASES["passed"]) >= 30
    assert all(case["reason"] for case in CASES["rejected"] + CASES["passed"])


@pytest.mark.parametrize("case", CASES["rejected"], ids=[c["reason"] for c in CASES["rejected"]])
def test_a_title_followed_by_a_name_is_refused(case: dict[str, str]) -> None:
    assert names_a_person(case["text"]) == case["phrase"]
    with pytest.raises(NamesAPerson) as refused:
        check_titles(case["text"])
    assert refused.value.code == "names_a_person"
    assert refused.value.phrase == case["phrase"]
    assert refused.value.message == title_message(case["phrase"])


@pytest.mark.parametrize("case", CASES["passed"], ids=[c["reason"] for c in CASES["passed"]])
def test_text_without_a_title_and_a_name_passes(case: dict[str, str]) -> None:
    assert names_a_person(case["text"]) is None
    check_titles(case["text"])


def test_the_message_quotes_the_phrase_and_says_what_to_write_instead() -> None:
    with pytest.raises(NamesAPerson) as refused:
        check_titles("Students read Dr. Seuss")
    assert isinstance(refused.value, DomainError)
    assert str(refused.value) == (
        'this names a person ("Dr. Seuss"): describe what students and the teacher did, '
        "without names (an author? name the book instead)")


NAMES = st.text(st.characters(categories=["Lu", "Ll"]), min_size=1, max_size=12)


@given(title=st.sampled_from(["Mr", "Mrs", "Ms", "Dr", "Mx", "MR", "MS", "mrs", "dr"]),
       dot=st.sampled_from(["", "."]), space=st.sampled_from([" ", "\n", "\t", "  "]),
       name=NAMES)
def test_any_title_but_miss_before_any_name_is_refused(title: str, dot: str, space: str,
                                                       name: str) -> None:
    before = f"In the room {title}{dot}{space}{name} asked"
    if title == "MS" and not dot and name[0].islower():
        return
    assert names_a_person(before) is not None


@given(text=st.text(st.characters(codec="utf-8"), max_size=200))
def test_any_text_gets_an_answer(text: str) -> None:
    found = names_a_person(text)
    assert found is None or found.split()[0].rstrip(".").casefold() in {
        "mr", "mrs", "ms", "miss", "dr", "mx"}


# --- roster normalisation ----------------------------------------------------------


@pytest.mark.parametrize(("text", "tokens"), [
    ("Wiśniewski", ["wisniewski"]),
    ("WIŚNIEWSKI", ["wisniewski"]),
    ("wisniewski", ["wisniewski"]),
    ("Wis\u0301niewski", ["wisniewski"]),  # decomposed accent: one word still
    ("Łukasz Ødegård", ["lukasz", "odegard"]),
    ("Đorđe Þórsdóttir", ["dorde", "thorsdottir"]),
    ("Straße ẞ", ["strasse", "ss"]),
    ("Æsa Cœur", ["aesa", "coeur"]),
    ("Y\u0131ld\u0131z", ["yildiz"]),  # dotless i
    ("İpek", ["ipek"]),
    ("Nguyễn Thị", ["nguyen", "thi"]),
    ("O'Brien", ["obrien"]),
    ("O\u2019Brien\u2019s room", ["obrien", "room"]),  # typographic apostrophes
    ("Smith's", ["smith"]),
    ("don't", ["dont"]),
    ("Smith-Jones", ["smith", "jones", "smithjones"]),
    ("«Smith», (Jones); Lee!", ["smith", "jones", "lee"]),
    ("J. R. Li", ["li"]),
    ("Room 12b", ["room", "12b"]),
    ("", []),
])
def test_name_tokens_ignore_case_accents_and_punctuation(text: str, tokens: list[str]) -> None:
    assert name_tokens(text) == tokens


def test_a_roster_name_screens_its_parts_but_not_its_title() -> None:
    assert roster_tokens("Dr. Amelia O'Brien") == ["amelia", "obrien", "brien"]
    assert roster_tokens("Ms Zofia Wiśniewska-Kowalczyk") == [
        "zofia", "wisniewska", "kowalczyk", "wisniewskakowalczyk"]
    assert roster_tokens("Miss Rose") == ["rose"]


# --- the roster ---------------------------------------------------------------------


STAFF = ["Zofia Wiśniewska-Kowalczyk", "Seán O'Brien", "Will Grant", "Ng"]


@pytest.mark.parametrize(("text", "word"), [
    ("we saw wisniewska's slides", "wisniewska's"),
    ("WIŚNIEWSKA-KOWALCZYK", "WIŚNIEWSKA-KOWALCZYK"),
    ("with Kowalczyk", "Kowalczyk"),
    ("sean asked", "sean"),
    ("SEAN asked", "SEAN"),
    ("O'Brien", "O'Brien"),
    ("obrien", "obrien"),
    ("O Brien", "Brien"),
    ("NG led the lesson", "NG"),
    ("“Grant” wrote it", "Grant"),
    ("students will present", "will"),  # a roster name that is also a word
])
def test_a_note_with_a_roster_name_is_refused_naming_the_word_as_typed(text: str,
                                                                      word: str) -> None:
    roster = Roster.from_names(STAFF, KEY)
    assert roster.match(text) == word
    with pytest.raises(NamesAPerson) as refused:
        roster.check(text)
    assert refused.value.phrase == word
    assert f'"{word}" is on the school\'s staff list' in refused.value.message
    assert "say it another way" in refused.value.message


@pytest.mark.parametrize("text", [
    "6 of 24 students explained the target",
    "students granted extra time",  # "granted" is not "grant"
    "Wisniewsk",  # part of a name is not the name
    "seance", "brian", "angle",
    "ng",  # "Ng" is not on this roster
])
def test_a_note_without_roster_names_passes(text: str) -> None:
    roster = Roster.from_names(STAFF[:3], KEY)
    assert roster.match(text) is None
    roster.check(text)


def test_the_roster_keeps_keyed_hashes_only() -> None:
    roster = Roster.from_names(STAFF, KEY)
    assert len(roster) == len({t for name in STAFF for t in roster_tokens(name)})
    assert all(len(h) == 32 for h in roster.hashes)
    assert not any(b"wisniewska" in h or b"grant" in h for h in roster.hashes)
    assert "grant" not in repr(roster).casefold()
    other = Roster.from_names(STAFF, roster_key(b"another deployment's secret, 32+ b"))
    assert not roster.hashes & other.hashes  # another key, unrelated hashes
    assert roster_key(b"a test deployment's secret, 32+ bytes") == KEY


def test_an_empty_roster_refuses_nothing() -> None:
    assert Roster.empty().match("Will Grant") is None
    assert len(Roster.empty()) == 0
    assert Roster.from_names([], KEY).match("Will Grant") is None
    assert Roster.from_names(["J.", "-", "  "], KEY).hashes == frozenset()


# --- screen ---------------------------------------------------------------------------


def test_screen_names_the_field_and_applies_both_rules() -> None:
    roster = Roster.from_names(STAFF, KEY)
    screen({"label": "Room B", "text": "6 of 24 students explained", "note": None}, roster)
    with pytest.raises(NamesAPerson) as titled:
        screen({"label": "Room B", "text": "Ms. Park asked why"}, roster)
    assert titled.value.field == "text"
    assert titled.value.message.startswith('text: this names a person ("Ms. Park")')
    with pytest.raises(NamesAPerson) as listed:
        screen({"label": "Kowalczyk's room", "text": "fine"}, roster)
    assert listed.value.field == "label"
    assert listed.value.phrase == "Kowalczyk's"
    assert listed.value.message.startswith('label: this names a person ("Kowalczyk\'s"')


def test_screen_without_a_roster_applies_the_title_rule_only() -> None:
    screen({"text": "Will Grant"})
    with pytest.raises(NamesAPerson):
        screen({"text": "Dr Grant"})
