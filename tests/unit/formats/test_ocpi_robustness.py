"""Whatever JSON arrives, the OCPI readers answer with a domain error or a value, never
another exception (which the CLI would report as `internal.error`)."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing import price_session
from evsenet.formats.ocpi import read_cdr, read_tariff
from tests.unit.formats.test_ocpi import CDR, TARIFF

EDGES = st.sampled_from(
    [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-10:00",
        "0001-01-01T00:00:00+10:00",
        "2025-03-30T01:30:00Z",
        1e308,
        -1e308,
        10**40,
        0.1,
        "23:59",
        "24:00",
        ["MONDAY", "MONDAY"],
    ]
)
json_values = st.recursive(
    EDGES
    | st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutated(base: dict[str, Any], data: st.DataObject) -> str:
    document = copy.deepcopy(base)
    path = data.draw(st.sampled_from(_paths(document)))
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = data.draw(json_values)
    return json.dumps(document)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_tariff_with_any_field_replaced_prices_or_is_refused_cleanly(
    data: st.DataObject,
) -> None:
    with contextlib.suppress(DomainError):
        tariff = read_tariff(_mutated(TARIFF, data)).tariff
        cdr = read_cdr(json.dumps(CDR), time_zone=ZoneInfo("Europe/Berlin"))
        price_session(tariff, cdr.session)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_tariff_with_any_field_replaced_reads_or_is_refused_cleanly(data: st.DataObject) -> None:
    with contextlib.suppress(DomainError):
        read_tariff(_mutated(TARIFF, data))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_cdr_with_any_field_replaced_prices_or_is_refused_cleanly(data: st.DataObject) -> None:
    with contextlib.suppress(DomainError):
        cdr = read_cdr(_mutated(CDR, data), time_zone=ZoneInfo("Europe/Berlin"))
        price_session(read_tariff(json.dumps(TARIFF)).tariff, cdr.session)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_any_json_document_is_refused_cleanly(value: object) -> None:
    for read in (lambda text: read_tariff(text), lambda text: read_cdr(text, time_zone=None)):
        with contextlib.suppress(DomainError):
            read(json.dumps(value))
