"""Reprice an OCPI 2.2.1 CDR: read it (and a tariff), choose the tariff, price it.

No database is involved: the CDR carries everything. Without a tariff file the CDR's own
embedded `tariffs` are used, and of those the one in force at the session start
(pricing-scenario 23).
"""

from __future__ import annotations

from dataclasses import dataclass

from evsenet.domain.geography import time_zone
from evsenet.domain.pricing import (
    PriceBound,
    PriceBreakdown,
    PricingWarning,
    compile_tariff,
    price_session,
    tariff_in_force,
)
from evsenet.formats.ocpi import read_cdr, read_tariff


@dataclass(frozen=True, slots=True)
class RepricedCdr:
    """The CDR's ID, the price evsenet finds, what the CDR itself states, and warnings
    from reading (the breakdown carries the engine's)."""

    cdr_id: str
    breakdown: PriceBreakdown
    stated_costs: dict[str, PriceBound]
    reading_warnings: tuple[PricingWarning, ...]


def reprice_cdr(
    cdr_text: str | bytes, tariff_text: str | bytes | None, zone_name: str | None
) -> RepricedCdr:
    """Price the CDR's charging periods under the tariff (or the CDR's own tariffs).

    Raises `InvalidRecord` (every problem of the JSON, with paths) or `DomainError`
    (`time_zone.unknown`, `tariff.none_in_force`, `session.*`).
    """
    zone = time_zone(zone_name) if zone_name else None
    cdr = read_cdr(cdr_text, time_zone=zone)
    warnings = list(cdr.warnings)
    if tariff_text is not None:
        parsed = read_tariff(tariff_text)
        warnings.extend(parsed.warnings)
        tariff = parsed.tariff
    else:
        tariff = tariff_in_force(cdr.tariffs, cdr.session.start)
    breakdown = price_session(compile_tariff(tariff), cdr.session)
    return RepricedCdr(cdr.id, breakdown, dict(cdr.stated_costs), tuple(warnings))
