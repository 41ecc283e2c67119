"""Roster matching, measured (issue 21): with a roster of a few hundred staff names, many
of them ordinary words (tests/cases/staff_roster.txt), every note naming one of them is
refused, and fewer than 1 % of a few hundred ordinary evidence notes are refused by any
screen (tests/cases/evidence_notes.txt). `python -m benchmarks.screening` prints the
figures and the notes refused."""

from __future__ import annotations

import pytest

from benchmarks.screening import Figures, measure


@pytest.fixture(scope="module")
def figures() -> Figures:
    return measure()


def test_the_fixtures_are_a_few_hundred_each(figures: Figures) -> None:
    assert figures.roster_names >= 300
    assert figures.ordinary_notes >= 300
    assert figures.naming_notes + figures.pronoun_notes == figures.roster_names * 9


def test_every_note_naming_a_roster_person_is_refused(figures: Figures) -> None:
    assert figures.naming_refused == figures.naming_notes


def test_a_surname_that_is_a_pronoun_is_let_through_only_as_a_pronoun(
        figures: Figures) -> None:
    """Only "He asked..." for a Mr He: left out of the figure above, and few."""
    assert figures.pronoun_notes <= 4
    assert figures.pronoun_refused == 0


def test_fewer_than_one_percent_of_ordinary_notes_are_refused(figures: Figures) -> None:
    assert figures.false_refusal_rate < 0.01, figures.ordinary_refused
