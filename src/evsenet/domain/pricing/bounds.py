"""A tariff's min_price and max_price applied to a session's exact total.

OCPI 2.2.1 (§11.3.1, the notes on min_price and max_price): both sides apply on their own —
the total excl. VAT is never below min_price.excl_vat nor above max_price.excl_vat, and
likewise incl. VAT. When a bound gives one side only, the other side moves in the same
proportion as the side it gives (the session's own VAT ratio); with a computed total of
zero that ratio is unknown, so the missing side takes the given amount and a warning says
so (docs/pricing.md, scenarios 19 and 20).
"""

from __future__ import annotations

from decimal import Decimal

from evsenet.domain.pricing.breakdown import Cost, PriceAdjustment
from evsenet.domain.pricing.tariff import PriceBound

ZERO = Decimal(0)


def _move(total: Cost, excl: Decimal | None, incl: Decimal | None) -> tuple[Cost, bool]:
    """`total` with the sides that are given replaced; a missing side follows in proportion."""
    guessed = False
    if excl is not None and incl is not None:
        return Cost(excl_vat=excl, incl_vat=incl), guessed
    if excl is not None:
        if total.excl_vat > 0:
            incl = total.incl_vat * excl / total.excl_vat
        else:
            incl, guessed = excl, True
        return Cost(excl_vat=excl, incl_vat=incl), guessed
    assert incl is not None
    if total.incl_vat > 0:
        excl = total.excl_vat * incl / total.incl_vat
    else:
        excl, guessed = incl, True
    return Cost(excl_vat=excl, incl_vat=incl), guessed


def apply_bounds(
    total: Cost, min_price: PriceBound | None, max_price: PriceBound | None
) -> tuple[Cost, PriceAdjustment | None, list[tuple[str, str]]]:
    """The total after min_price then max_price, what changed, and warnings to give."""
    notes: list[tuple[str, str]] = []
    adjustment: PriceAdjustment | None = None
    for kind, bound in (("min_price", min_price), ("max_price", max_price)):
        if bound is None:
            continue
        if kind == "min_price":
            excl = (
                bound.excl_vat
                if bound.excl_vat is not None and total.excl_vat < bound.excl_vat
                else None
            )
            incl = (
                bound.incl_vat
                if bound.incl_vat is not None and total.incl_vat < bound.incl_vat
                else None
            )
            verb = "raised to"
        else:
            excl = (
                bound.excl_vat
                if bound.excl_vat is not None and total.excl_vat > bound.excl_vat
                else None
            )
            incl = (
                bound.incl_vat
                if bound.incl_vat is not None and total.incl_vat > bound.incl_vat
                else None
            )
            verb = "capped by"
        if excl is None and incl is None:
            continue
        one_sided = bound.excl_vat is None or bound.incl_vat is None
        if one_sided:
            # The side the bound does not give moves with the side it gives.
            moved, guessed = _move(total, excl, incl)
        else:
            moved, guessed = (
                Cost(
                    excl_vat=total.excl_vat if excl is None else excl,
                    incl_vat=total.incl_vat if incl is None else incl,
                ),
                False,
            )
        if guessed:
            notes.append(
                (
                    "price.bound_vat_unknown",
                    f"{kind} gives one side only and the computed price is zero, so its "
                    "VAT is unknown: both sides take the given amount",
                )
            )
        adjustment = PriceAdjustment(
            kind=kind,
            before=total,
            after=moved,
            reason=f"{verb} the tariff's {kind} "
            f"(excl. VAT {bound.excl_vat if bound.excl_vat is not None else '—'}, "
            f"incl. VAT {bound.incl_vat if bound.incl_vat is not None else '—'})",
        )
        total = moved
    return total, adjustment, notes
