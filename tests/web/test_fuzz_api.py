"""schemathesis against /openapi.json: every documented operation, for each role
(a coach, a host, an organizer, an analyst), with generated (valid and invalid)
input. No 5xx, and every answer is one the description promises: status, content
type, body schema (every JSON answer has one, with its fields); auth not ignored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import BaseSchema, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from tests.conftest import FakeClock
from web.app import create_app
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import load_demo
from web.http.openapi import SPEC

EXAMPLES = 8  # per operation and role, valid and invalid input: bounded, to stay fast
ROLES = ("coach1", "host1", "organizer1", "analyst1")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, ignored_auth]
Headers = dict[str, str]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Starlette, dict[str, Headers]]]:
    """The app on the demo district, and each role's headers."""
    clock = FakeClock()
    settings_ = Settings(data_dir=Path(tmp_path_factory.mktemp("fuzz")),
                         sync_rate_per_minute=0)  # fuzz the handler, not the limiter
    services = bootstrap(settings_, clock=clock)
    load_demo(services.app, today=clock().date())
    services.projector.catch_up()
    headers = {user: {"Authorization": f"Bearer {services.tokens.issue(user, clock())}"}
               for user in ROLES}
    yield create_app(services=services), headers
    services.close()


@pytest.fixture(scope="module")
def api_schema(fuzzed: tuple[Starlette, dict[str, Headers]]) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed[0])


# One test per operation, driven through hypothesis directly: schemathesis's own
# lazy pytest loader (`from_fixture`) sets a node attribute pytest 9 no longer has.
OPERATIONS = [(method, path) for path, operations in SPEC["paths"].items()
              for method in operations]


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS,
                         ids=[f"{m.upper()} {p}" for m, p in OPERATIONS])
def test_the_api_keeps_its_description(api_schema: BaseSchema,
                                       fuzzed: tuple[Starlette, dict[str, Headers]],
                                       method: str, path: str, user: str) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(GenerationMode.POSITIVE)
           | operation.as_strategy(GenerationMode.NEGATIVE))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def keeps_it(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=fuzzed[1][user], checks=CHECKS)

    keeps_it()
