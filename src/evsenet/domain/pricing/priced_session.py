"""A priced NGP session as a value: the request, the itemised lines, the totals, and the
stacked-bar data of a simulation. Built by `evsenet.services.pricing`, written by
`evsenet.formats.price_sessions`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from evsenet.domain.pricing.breakdown import Cost, PricingWarning
from evsenet.domain.pricing.ngp_session import NgpSession

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRequest:
    """A session to price: where, for whom, and what happened."""

    evse_id: str
    provider_id: str
    session: NgpSession
    id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceLine:
    """One slice × component of the breakdown (amounts with four decimals)."""

    component: str
    start: datetime
    end: datetime
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_percent: Decimal | None
    amount_excl_vat: Decimal
    amount_incl_vat: Decimal
    tariff: str | None
    slot: str | None
    reason: str
    step_rounding: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPrice:
    """A priced session: totals rounded once to the currency's minor unit, and why."""

    id: str | None
    evse_id: str
    provider_id: str
    currency: str | None
    total: Cost
    components: dict[str, Cost]
    lines: tuple[PriceLine, ...]
    warnings: tuple[PricingWarning, ...]
    offer_id: int | None = None
    offer_version: int | None = None
    group_id: int | None = None
    group_name: str | None = None
    zero_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartBar:
    """One stacked-bar segment: a slice (slot) and component with its amounts."""

    slot: str
    component: str
    amount_excl_vat: Decimal
    amount_incl_vat: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Simulation:
    """A simulated session's price and the data of a stacked bar per slot and component;
    `session` is what was priced, at an EVSE in `time_zone`."""

    price: SessionPrice
    chart: tuple[ChartBar, ...]
    session: NgpSession | None = None
    time_zone: str | None = None


def chart_of(price: SessionPrice) -> tuple[ChartBar, ...]:
    """The breakdown summed per (slot, component), in the order slots first appear."""
    sums: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for line in price.lines:
        key = (line.slot or "not priced", line.component)
        excl, incl = sums.get(key, (ZERO, ZERO))
        sums[key] = (excl + line.amount_excl_vat, incl + line.amount_incl_vat)
    return tuple(
        ChartBar(slot=slot, component=component, amount_excl_vat=excl, amount_incl_vat=incl)
        for (slot, component), (excl, incl) in sums.items()
    )
