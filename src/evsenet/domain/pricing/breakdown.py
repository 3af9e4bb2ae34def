"""The answer of the engine: itemised lines, warnings and the CDR totals.

Amounts on lines keep four decimals (`LINE_DECIMALS`); totals are computed from the exact
amounts and rounded once, half-up, to the currency's minor unit. Expected outcomes ("no
element applied", "capped by max_price", "restriction on data the CDR lacks") are lines,
adjustments and warnings here, never exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from evsenet.domain.money import Currency


class PricedDimension(StrEnum):
    """What a line prices: a tariff dimension, or reservation time (priced by TIME)."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"
    RESERVATION_TIME = "RESERVATION_TIME"


UNITS = {
    PricedDimension.ENERGY: "kWh",
    PricedDimension.FLAT: "session",
    PricedDimension.TIME: "h",
    PricedDimension.PARKING_TIME: "h",
    PricedDimension.RESERVATION_TIME: "h",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PricedLine:
    """One slice × dimension: quantity, unit price, amounts (4 decimals), and why.

    `element` is the index of the tariff element that applied (None: no element applied,
    the amount is zero and `reason` says so); `step_rounding` marks the extra quantity a
    step_size added.
    """

    start: datetime
    end: datetime
    dimension: PricedDimension
    quantity: Decimal
    unit_price: Decimal
    vat: Decimal | None
    amount_excl_vat: Decimal
    amount_incl_vat: Decimal
    element: int | None
    reason: str
    step_rounding: bool = False

    @property
    def unit(self) -> str:
        return UNITS[self.dimension]


@dataclass(frozen=True, slots=True, kw_only=True)
class PricingWarning:
    """Something the engine noticed and priced around; `code` is stable."""

    code: str
    message: str
    path: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Cost:
    """An amount excl. and incl. VAT."""

    excl_vat: Decimal
    incl_vat: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceAdjustment:
    """What min_price or max_price changed: `kind` is `min_price` or `max_price`."""

    kind: str
    before: Cost
    after: Cost
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceBreakdown:
    """The priced session: CDR totals (rounded), itemised lines and warnings.

    The per-dimension costs are the sums of their lines; `total_cost` is their exact sum
    after min/max price, rounded once (so it can differ by a minor unit from the sum of
    the rounded dimension costs, and it differs by the adjustment when a bound applied).
    """

    tariff_id: str
    currency: Currency
    total_cost: Cost
    total_energy_cost: Cost
    total_time_cost: Cost
    total_parking_cost: Cost
    total_fixed_cost: Cost
    total_reservation_cost: Cost
    total_energy: Decimal
    total_time: Decimal
    total_parking_time: Decimal
    total_reservation_time: Decimal
    lines: tuple[PricedLine, ...]
    warnings: tuple[PricingWarning, ...]
    adjustment: PriceAdjustment | None = None
