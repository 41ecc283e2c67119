"""Tests of what only a shared PostgreSQL store does: several server processes,
the store going away and coming back."""

from __future__ import annotations

import pytest


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    param: str = request.param
    return param
