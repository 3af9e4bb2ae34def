"""A priced session as OCPI CDR totals plus evsenet's itemised breakdown (JSON-ready).

Money and quantities stay `Decimal` (write them with `dumps`, which never goes through
float); totals are rounded to the currency's minor unit, line amounts keep 4 decimals,
quantities are shown to 6 decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evsenet.domain.pricing import Cost, PriceBound, PriceBreakdown, PricingWarning

QUANTITY = Decimal("0.000001")


def _quantity(value: Decimal) -> Decimal:
    shown = value.quantize(QUANTITY, rounding=ROUND_HALF_UP).normalize()
    return shown.quantize(Decimal(1)) if shown == shown.to_integral_value() else shown


def _cost(cost: Cost) -> dict[str, Decimal]:
    return {"excl_vat": cost.excl_vat, "incl_vat": cost.incl_vat}


def warning_json(warning: PricingWarning) -> dict[str, Any]:
    return {"code": warning.code, "message": warning.message, "path": warning.path}


def cdr_totals_json(
    priced: PriceBreakdown,
    *,
    cdr_id: str | None = None,
    stated: dict[str, PriceBound] | None = None,
    reading_warnings: tuple[PricingWarning, ...] = (),
) -> dict[str, Any]:
    """The CDR totals OCPI names, the breakdown, the adjustment and every warning."""
    body: dict[str, Any] = {
        "cdr_id": cdr_id,
        "tariff_id": priced.tariff_id,
        "currency": priced.currency.code,
        "total_cost": _cost(priced.total_cost),
        "total_energy_cost": _cost(priced.total_energy_cost),
        "total_time_cost": _cost(priced.total_time_cost),
        "total_parking_cost": _cost(priced.total_parking_cost),
        "total_fixed_cost": _cost(priced.total_fixed_cost),
        "total_reservation_cost": _cost(priced.total_reservation_cost),
        "total_energy": _quantity(priced.total_energy),
        "total_time": _quantity(priced.total_time),
        "total_parking_time": _quantity(priced.total_parking_time),
        "breakdown": [
            {
                "start": line.start.isoformat(),
                "end": line.end.isoformat(),
                "dimension": line.dimension.value,
                "quantity": _quantity(line.quantity),
                "unit": line.unit,
                "unit_price": line.unit_price,
                "vat": line.vat,
                "amount_excl_vat": line.amount_excl_vat,
                "amount_incl_vat": line.amount_incl_vat,
                "element": line.element,
                "step_rounding": line.step_rounding,
                "reason": line.reason,
            }
            for line in priced.lines
        ],
        "adjustment": None
        if priced.adjustment is None
        else {
            "kind": priced.adjustment.kind,
            "before": _cost(priced.adjustment.before),
            "after": _cost(priced.adjustment.after),
            "reason": priced.adjustment.reason,
        },
        "warnings": [warning_json(w) for w in (*reading_warnings, *priced.warnings)],
    }
    if stated:
        body["cdr_stated"] = {
            name: {"excl_vat": bound.excl_vat, "incl_vat": bound.incl_vat}
            for name, bound in stated.items()
        }
    return body
