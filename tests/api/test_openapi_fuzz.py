"""Property-based fuzzing of every operation of the OpenAPI document (Schemathesis).

Schemathesis generates requests from the app's own OpenAPI document, schema-valid ones
(positive) and schema-breaking ones (negative), and sends them to the app in-process
(ASGI transport, no network) with a valid bearer token, on SQLite and PostgreSQL.
Whatever the input, the answer is never a server error (a 5xx is a bug), its status code
and content type are documented, a 2xx body fits its schema, and schema-breaking input
is refused.

Random data rarely gets past the first check of an operation (an unknown EVSE ID
country, a body naming another operator), so schema-valid cases are steered deeper: a
push names the caller and lays each fuzzed record over a valid one of the caller's
EVSEs (some of which exist), so that the fuzzed fields reach record validation and the
database; a read asks now and then for an EVSE that exists, in any spelling.

Schemathesis' own pytest loader (`schemathesis.pytest.from_fixture`) does not run under
pytest 9 (it sets a private node attribute that no longer exists), so each operation's
Schemathesis strategy is driven by Hypothesis directly. Examples are bounded so that the
whole module runs in well under a minute on two cores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
    from tests.api.conftest import Api

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
READS = [None, "DE*ABC*E1", "deabce2", "DE*ABC*E404", "NL*EVN*E1"]
"""EVSE IDs a read is steered to now and then (None: the fuzzed one): A's own, in two
spellings, a missing one and B's."""


def _over(base: dict[str, Any], fuzzed: dict[str, Any]) -> dict[str, Any]:
    """`base` with the fuzzed values laid over it, nested objects merged key by key."""
    merged = dict(base)
    for key, value in fuzzed.items():
        below = merged.get(key)
        both_objects = isinstance(below, dict) and isinstance(value, dict)
        merged[key] = _over(below, value) if both_objects else value  # type: ignore[arg-type]
    return merged


def _steered(api: Api, case: Case[Any], read: str | None) -> Case[Any]:
    """`case`, aimed at the caller's inventory (see the module's docstring)."""
    if read is not None and "evse_id" in (case.path_parameters or {}):
        case.path_parameters = {**(case.path_parameters or {}), "evse_id": read}
    body = case.body
    if isinstance(body, str) and case.path.endswith("/import"):
        case.body = _under_a_header(api, (case.query or {}).get("format"), body)
    data = body.get("OperatorEvseData") if isinstance(body, dict) else None
    if isinstance(data, dict):
        data["OperatorID"] = api.A
        records = data.get("EvseDataRecord")
        if isinstance(records, list):
            data["EvseDataRecord"] = [
                _over(api.record(f"DE*ABC*E{n % 5 + 1}"), record)
                | {"EvseID": f"DE*ABC*E{n % 5 + 1}"}
                if isinstance(record, dict)
                else record
                for n, record in enumerate(records)
            ]
    return case


def _under_a_header(api: Api, file_format: object, fuzzed: str) -> str:
    """The fuzzed text as rows below a valid file's header and first row."""
    if file_format == "bnetza":
        head = api.bnetza_file()
    elif file_format == "afdc":
        head = api.afdc_file()
    else:
        head = api.csv_file(api.csv_row("DE*ABC*E4"))
    return head.decode("utf-8") + fuzzed


def test_every_route_is_fuzzed() -> None:
    app = create_app(Store("sqlite://"))
    routes = [
        context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]
    operations = {(method, route.path) for route in routes for method in route.methods or ()}
    assert operations == {(method, path) for method, path, _ in CASES}


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
    # An OICP push names the caller in its path, so that the fuzzed body is read; other
    # operators on that path are covered by test_tenancy.
    fixed = {"operator_id": "DE*ABC"} if "{operator_id}" in path else None
    checks = CHECKS
    if fixed and mode.is_negative:
        # OICP acknowledges a push it refused with HTTP 200 and Result false: checked below.
        checks = [check for check in CHECKS if check is not negative_data_rejection]
    strategy = operation.as_strategy(
        generation_mode=mode, headers=fuzzed.auth(fuzzed.A), path_parameters=fixed
    )
    if mode.is_positive:
        strategy = st.tuples(strategy, st.sampled_from(READS)).map(
            lambda drawn: _steered(fuzzed, *drawn)
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
        case.validate_response(response, checks=checks)
        if checks is not CHECKS and response.status_code == 200:
            assert response.json()["Result"] is False, "schema-breaking push acknowledged"

    answers_without_server_error()
