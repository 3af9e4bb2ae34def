"""Property-based fuzzing of every operation of the OpenAPI document (Schemathesis).

Schemathesis generates requests from the app's own OpenAPI document, schema-valid ones
(positive) and schema-breaking ones (negative), and sends them to the app in-process
(ASGI transport, no network) with a valid bearer token, on SQLite and PostgreSQL.
Whatever the input, the answer is never a server error (a 5xx is a bug), its status code
and content type are documented, a 2xx body fits its schema, and schema-breaking input
is refused.

Schemathesis' own pytest loader (`schemathesis.pytest.from_fixture`) does not run under
pytest 9 (it sets a private node attribute that no longer exists), so each operation's
Schemathesis strategy is driven by Hypothesis directly. Examples are bounded so that the
whole module runs in well under a minute on two cores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.openapi import from_asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from evsenet.api import create_app
from evsenet.store.engine import Store

if TYPE_CHECKING:
    from conftest import Api

MAX_EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) to fuzz: every operation with schema-valid input, and with
    schema-breaking input where it has a query or a body to break (a free-text path
    parameter and the fixed token leave nothing else). No database is needed for this."""
    document: dict[str, Any] = create_app(Store("sqlite://")).openapi()
    cases = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            cases.append((method.upper(), path, GenerationMode.POSITIVE))
            breakable = "requestBody" in operation or any(
                parameter["in"] == "query" for parameter in operation.get("parameters", [])
            )
            if breakable:
                cases.append((method.upper(), path, GenerationMode.NEGATIVE))
    return cases


CASES = _cases()


@pytest.fixture
def fuzzed(api: Api) -> Api:
    """A owns EVSEs the fuzzer can read, update and delete (DE*ABC*E1…E3)."""
    assert api.push([api.record(f"DE*ABC*E{n}") for n in range(1, 4)]).status_code == 200
    return api


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_operation_answers_a_server_error(
    fuzzed: Api, method: str, path: str, mode: GenerationMode
) -> None:
    schema = from_asgi("/openapi.json", fuzzed.client.app)
    operation = schema[path][method]
    # A schema-valid OICP push names the caller, so that the fuzzed body is read and
    # applied; other operators on that path are covered by test_tenancy.
    fixed = {"operator_id": "DE*ABC"} if "{operator_id}" in path and mode.is_positive else None
    strategy = operation.as_strategy(
        generation_mode=mode, headers=fuzzed.auth(fuzzed.A), path_parameters=fixed
    )

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def answers_without_server_error(case: Case[Any]) -> None:
        response = case.call()
        case.validate_response(response, checks=CHECKS)

    answers_without_server_error()
