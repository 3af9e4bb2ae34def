"""Money: ISO 4217 currencies with their minor unit, amounts as `Decimal`, one rounding rule.

The currency list is the maintained ISO 4217 table of the `iso4217` package (a pure data
package, no I/O at call time). A currency without a minor unit (gold, SDRs, testing codes)
cannot price anything and is refused. Amounts stay exact `Decimal`s until the very end:
`Money.rounded()` rounds once, half-up, to the currency's minor unit; itemised lines keep
`LINE_DECIMALS` decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from iso4217 import Currency as _Iso4217

from evsenet.domain.errors import DomainError

LINE_DECIMALS = 4
"""Decimals an itemised line keeps before the final rounding."""
LINE_QUANTUM = Decimal(1).scaleb(-LINE_DECIMALS)
ROUNDING = ROUND_HALF_UP
"""Half-up, as DESIGN.md says, unless a tariff states otherwise."""


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency that can price: its code, name and minor unit (decimals)."""

    code: str
    name: str
    minor_unit: int

    @property
    def quantum(self) -> Decimal:
        """The smallest amount of the currency: 0.01 for EUR, 1 for JPY, 0.001 for KWD."""
        return Decimal(1).scaleb(-self.minor_unit)

    def round(self, amount: Decimal) -> Decimal:
        """`amount` rounded half-up to the minor unit (the one rounding of a price)."""
        return amount.quantize(self.quantum, rounding=ROUNDING)

    def __str__(self) -> str:
        return self.code


@cache
def currency(code: str) -> Currency:
    """The currency with ISO 4217 alphabetic `code` (letter case ignored).

    Raises `DomainError` `currency.unknown` for a code that is not in ISO 4217, and
    `currency.no_minor_unit` for a code without a minor unit (XAU, XDR, XXX …).
    """
    text = code.strip() if isinstance(code, str) else ""
    if not (len(text) == 3 and text.isascii() and text.isalpha()):
        raise DomainError(
            "currency.unknown",
            f"Currency {code!r} is not an ISO 4217 code; use three letters such as EUR",
            field="currency",
        )
    try:
        entry = _Iso4217(text.upper())
    except ValueError:
        raise DomainError(
            "currency.unknown",
            f"Currency {text!r} is not in ISO 4217; use a code such as EUR, CHF or USD",
            field="currency",
        ) from None
    if entry.exponent is None:
        raise DomainError(
            "currency.no_minor_unit",
            f"Currency {entry.code} has no minor unit, so nothing can be priced in it",
            field="currency",
        )
    return Currency(entry.code, entry.currency_name, entry.exponent)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency; never a float."""

    amount: Decimal
    currency: Currency

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise DomainError(
                "currency.mismatch",
                f"Cannot add {other.currency} to {self.currency}",
                field="currency",
            )
        return Money(self.amount + other.amount, self.currency)

    def rounded(self) -> Money:
        """The amount rounded to the currency's minor unit."""
        return Money(self.currency.round(self.amount), self.currency)

    def line(self) -> Money:
        """The amount as an itemised line keeps it (`LINE_DECIMALS` decimals, half-up)."""
        return Money(self.amount.quantize(LINE_QUANTUM, rounding=ROUNDING), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.code}"


def with_vat(net: Decimal, vat_percent: Decimal) -> Decimal:
    """`net` plus VAT at `vat_percent` (19 for 19 %), exact: no rounding here."""
    return net + net * vat_percent / Decimal(100)
