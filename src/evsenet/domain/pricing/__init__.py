"""Pricing: OCPI 2.2.1 tariffs, sessions and the one engine that prices them.

`price_session(tariff, session)` is the entry point; docs/pricing.md explains the model
and every choice the engine makes where OCPI 2.2.1 is ambiguous.
"""

from evsenet.domain.pricing.breakdown import (
    Cost,
    PriceAdjustment,
    PriceBreakdown,
    PricedDimension,
    PricedLine,
    PricingWarning,
)
from evsenet.domain.pricing.compiled import CompiledTariff, compile_tariff
from evsenet.domain.pricing.engine import price_session
from evsenet.domain.pricing.selection import price_in_force, tariff_in_force
from evsenet.domain.pricing.session import ChargingPeriod, Session
from evsenet.domain.pricing.tariff import (
    DayOfWeek,
    DisplayText,
    PriceBound,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffDimension,
    TariffElement,
    TariffType,
)

__all__ = [
    "ChargingPeriod",
    "CompiledTariff",
    "Cost",
    "DayOfWeek",
    "DisplayText",
    "PriceAdjustment",
    "PriceBound",
    "PriceBreakdown",
    "PriceComponent",
    "PricedDimension",
    "PricedLine",
    "PricingWarning",
    "ReservationRestriction",
    "Restrictions",
    "Session",
    "Tariff",
    "TariffDimension",
    "TariffElement",
    "TariffType",
    "compile_tariff",
    "price_in_force",
    "price_session",
    "tariff_in_force",
]
