"""`SessionTotals` of the kernel: exact integers kept, each amount built when first read,
the same amounts as the reference engine's whatever is read first (costs to the digit);
`totals_each` answers every session of a batch, a refusal in place of a refused one."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing import Tariff, compile_tariff, price_session
from evsenet.domain.pricing.breakdown import PriceBreakdown
from evsenet.domain.pricing.kernel import (
    KernelTariff,
    SessionTotals,
    kernel_rows,
    prepare,
    totals_each,
    totals_of,
)
from evsenet.domain.pricing.session import Session
from tests.unit.pricing.test_kernel import sessions, tariffs
from tests.unit.pricing.test_kernel_after_charging import ngp_groups, ngp_sessions

AMOUNTS = [
    "total_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_fixed_cost",
    "total_reservation_cost",
    "total_energy",
    "total_time",
    "total_parking_time",
    "total_reservation_time",
]


def test_the_amounts_of_a_row_are_its_integers_in_the_currencys_unit() -> None:
    row = (1234, 1468, 1000, 1190, 0, 0, 0, 0, 234, 278, 1, 1695, -2, 5, -1, 0, 0, 0, 0)
    totals = SessionTotals(tariff_id="t", adjustment=None, by_kernel=True, row=row, exponent=-2)
    assert str(totals.total_parking_time) == "0"
    assert (str(totals.total_cost.excl_vat), str(totals.total_cost.incl_vat)) == (
        "12.34",
        "14.68",
    )
    assert str(totals.total_fixed_cost.incl_vat) == "2.78"
    assert str(totals.total_reservation_cost.excl_vat) == "0.00"
    assert (str(totals.total_energy), str(totals.total_time)) == ("16.95", "0.5")
    with pytest.raises(AttributeError):
        totals.total_costs  # type: ignore[attr-defined]  # noqa: B018


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tariffs(), sessions(), st.permutations(AMOUNTS))
def test_each_amount_read_in_any_order_is_the_reference_engines_to_the_digit(
    tariff: Tariff, session: Session, order: list[str]
) -> None:
    prepared = prepare(compile_tariff(tariff))
    (row,) = kernel_rows(prepared, [session])
    if row is None:
        return
    reference = price_session(prepared.compiled, session)
    totals = totals_of(prepared, row)
    for name in order:
        ours, theirs = getattr(totals, name), getattr(reference, name)
        # Costs to the digit (the API writes them); a quantity's value (the kernel may
        # write 0 where the engine writes 0.000, as before SessionTotals was lazy).
        assert (repr(ours) if name.endswith("cost") else ours) == (
            repr(theirs) if name.endswith("cost") else theirs
        ), name
    assert totals == SessionTotals.of(reference).with_kernel()
    assert replace(totals, by_kernel=False) == SessionTotals.of(reference)
    assert hash(totals) == hash(SessionTotals.of(reference).with_kernel())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ngp_groups(), ngp_sessions())
def test_an_ngp_sessions_amounts_with_graces_are_the_reference_engines_to_the_digit(
    tariff: Tariff, session: Session
) -> None:
    prepared = prepare(compile_tariff(tariff))
    (row,) = kernel_rows(prepared, [session])
    assert row is not None
    reference = price_session(prepared.compiled, session)
    totals = totals_of(prepared, row)
    for name in AMOUNTS:
        ours, theirs = getattr(totals, name), getattr(reference, name)
        assert (repr(ours) if name.endswith("cost") else ours) == (
            repr(theirs) if name.endswith("cost") else theirs
        ), name


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tariffs(), st.lists(sessions(), min_size=1, max_size=5))
def test_totals_each_answers_every_session_with_its_totals_or_its_refusal(
    tariff: Tariff, drawn: list[Session]
) -> None:
    prepared = prepare(compile_tariff(tariff))
    for session, answer in zip(drawn, totals_each(prepared, drawn), strict=True):
        reference = _reference(prepared, session)
        if isinstance(reference, DomainError):
            assert isinstance(answer, DomainError)
            assert (answer.code, answer.message) == (reference.code, reference.message)
            continue
        assert isinstance(answer, SessionTotals)
        assert replace(answer, by_kernel=False) == SessionTotals.of(reference)
        assert answer.warnings == reference.warnings


def _reference(prepared: KernelTariff, session: Session) -> PriceBreakdown | DomainError:
    try:
        return price_session(prepared.compiled, session)
    except DomainError as refused:
        return refused


def test_the_amounts_are_decimals() -> None:
    row = (0,) * 10 + (0, 7, 0, 0, 0, 0, 0, 0, 0)
    totals = SessionTotals(tariff_id="t", adjustment=None, by_kernel=True, row=row, exponent=0)
    assert isinstance(totals.total_energy, Decimal)
    assert totals.total_energy == 7
