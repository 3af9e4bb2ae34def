"""Review: list filters on SQLite and PostgreSQL must agree and must not fail with 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.inventory import Page, PushAction
from evsenet.services.inventory import evse_filter, list_evses
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store
from tests.integration.test_inventory_service import evse, push

A = "DE*ABC"


def ids(store: Store, **criteria: Any) -> list[str]:
    listed = list_evses(store, A, evse_filter(**criteria), Page(limit=100))
    return [item.record.evse_id.normalised for item in listed.items]


@pytest.mark.parametrize("city", ["ΠΕΙΡΑΙΑΣ", "İzmir"])
def test_city_filter_finds_a_city_typed_exactly_as_stored(store: Store, city: str) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse("DE*ABC*E1", city=city), evse("DE*ABC*E2"))
    assert ids(store, city=city) == ["DEABCE1"]


def test_postal_code_filter_agrees_on_letter_case(store: Store) -> None:
    register_operator(store, A)
    push(
        store,
        A,
        PushAction.UPSERT,
        evse("DE*ABC*E1", country="GBR", postal_code="SW1A 1AA", city="London"),
        evse("DE*ABC*E2"),
    )
    assert ids(store, postal_code="SW1A") == ["DEABCE1"]
    assert ids(store, postal_code="sw1a") == ["DEABCE1"]


def _answer(store: Store, low: str | None, high: str | None) -> str:
    """The filter's refusal code, or how many EVSEs it finds."""
    try:
        criteria = evse_filter(min_output_kw=low, max_output_kw=high)
    except DomainError as error:
        return error.code
    return str(list_evses(store, A, criteria, Page()).total)


@pytest.mark.parametrize(
    ("low", "high", "found"),
    [("1E+1000000", None, "0"), (None, "-1E+1000000", "0"), ("1E-1000000", None, "1")],
)
def test_an_absurd_output_bound_is_refused_or_answered_never_a_database_error(
    store: Store, low: str | None, high: str | None, found: str
) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse("DE*ABC*E1"))
    assert _answer(store, low, high) in {"filter.output_range", found}
