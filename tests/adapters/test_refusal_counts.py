"""Refusal counts on every backend: counts by code and day add up, a range sums its
days, and the table has no room for anything but a day, a code and a count."""

from __future__ import annotations

from datetime import date

import pytest

from walkthrough.adapters.refusal_counts import (
    PostgresRefusalCounts,
    RefusalCounts,
    SQLiteRefusalCounts,
)
from walkthrough.adapters.tokens import PostgresTokenStore, SQLiteTokenStore, TokenStore


@pytest.fixture
def refusals(tokens: TokenStore) -> RefusalCounts:
    """Beside the tokens, in the same datastore."""
    if isinstance(tokens, PostgresTokenStore):
        return PostgresRefusalCounts(tokens.datastore)
    assert isinstance(tokens, SQLiteTokenStore)
    return SQLiteRefusalCounts(tokens.datastore)


def test_counts_add_up_by_code_and_day(refusals: RefusalCounts) -> None:
    refusals.add(date(2026, 9, 1), {"names_a_person": 2, "not_on_team": 1})
    refusals.add(date(2026, 9, 1), {"names_a_person": 1, "unused": 0})
    refusals.add(date(2026, 12, 20), {"names_a_person": 4})
    refusals.add(date(2027, 1, 5), {"visit_closed": 1})
    assert refusals.totals(date(2026, 8, 1), date(2026, 12, 31)) == {
        "names_a_person": 7, "not_on_team": 1}
    assert refusals.totals(date(2026, 9, 2), date(2027, 1, 5)) == {
        "names_a_person": 4, "visit_closed": 1}
    assert refusals.totals(date(2025, 1, 1), date(2025, 12, 31)) == {}
