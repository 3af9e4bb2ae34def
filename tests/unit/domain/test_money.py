"""Currencies come from ISO 4217 with their minor unit; money rounds once, half-up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.money import Money, currency, with_vat


@pytest.mark.parametrize(
    ("code", "minor_unit"),
    [
        pytest.param("EUR", 2, id="euro-cents"),
        pytest.param("eur", 2, id="letter-case-ignored"),
        pytest.param("JPY", 0, id="yen-has-no-minor-unit-digits"),
        pytest.param("KWD", 3, id="dinar-has-three"),
        pytest.param("CHF", 2, id="franc"),
    ],
)
def test_a_currency_knows_its_minor_unit(code: str, minor_unit: int) -> None:
    assert currency(code).minor_unit == minor_unit
    assert currency(code).code == code.upper()


@pytest.mark.parametrize(
    ("code", "error"),
    [
        pytest.param("EURO", "currency.unknown", id="four-letters"),
        pytest.param("QQQ", "currency.unknown", id="not-in-iso-4217"),
        pytest.param("€", "currency.unknown", id="a-symbol"),
        pytest.param("ÉUR", "currency.unknown", id="not-ascii"),
        pytest.param("XAU", "currency.no_minor_unit", id="gold-cannot-price"),
    ],
)
def test_a_code_that_cannot_price_is_refused_with_its_reason(code: str, error: str) -> None:
    with pytest.raises(DomainError) as raised:
        currency(code)
    assert raised.value.code == error


def test_rounding_is_half_up_to_the_minor_unit_once() -> None:
    eur, jpy = currency("EUR"), currency("JPY")
    assert Money(Decimal("0.125"), eur).rounded().amount == Decimal("0.13")
    assert Money(Decimal("0.1249"), eur).rounded().amount == Decimal("0.12")
    assert Money(Decimal("10.5"), jpy).rounded().amount == Decimal("11")
    assert Money(Decimal("1.23456"), eur).line().amount == Decimal("1.2346")


def test_money_of_two_currencies_does_not_add() -> None:
    with pytest.raises(DomainError) as raised:
        Money(Decimal(1), currency("EUR")) + Money(Decimal(1), currency("CHF"))
    assert raised.value.code == "currency.mismatch"


def test_vat_is_added_exactly() -> None:
    assert with_vat(Decimal("0.35"), Decimal("19")) == Decimal("0.4165")
