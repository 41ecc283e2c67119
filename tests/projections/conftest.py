"""A demo district on disk, for the laws that replay a team's scripts many times."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NOW, FakeClock
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """A demo district on disk (SQLite), copied for every run (loading it each time is
    slow)."""
    directory = Path(tempfile.mkdtemp(prefix="walkthrough-convergence-"))
    services = bootstrap(Settings(data_dir=directory), clock=FakeClock())
    try:
        load_demo(services.app, today=NOW.date())
        services.projector.catch_up()
    finally:
        services.close()
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
