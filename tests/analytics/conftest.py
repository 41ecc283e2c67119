"""Analysts' tests run on each storage backend; helpers to add events to the demo."""

from __future__ import annotations

import pytest

from projections.pseudonyms import Pseudonymiser

SECRET = b"a test deployment's secret, 32+ bytes"



@pytest.fixture
def pseudonyms() -> Pseudonymiser:
    return Pseudonymiser(SECRET)
