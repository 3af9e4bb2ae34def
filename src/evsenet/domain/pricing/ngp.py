"""Next Generation Pricing on the engine: a group's weekly schedule as ONE engine tariff.

`compile_group(prices, tariffs, vat_percent)` turns a group's time slots (local time of
the EVSE) and the offer's NGP tariffs into an OCPI-2.2.1-equivalent `Tariff`, which the
one engine prices and the OCPI writer exports. Each schedule interval (neighbouring slots
of one day naming the same tariff merged) becomes elements restricted by `day_of_week`
and `start_time`/`end_time`; an NGP slot's inclusive end `21:59:59` becomes the
exclusive `22:00:00`, `23:59:59` the end of the day (`00:00`).

Components (docs/pricing.md, "For NGP"):

| NGP                        | engine                                                     |
| -------------------------- | ---------------------------------------------------------- |
| `CHARGING_ENERGY` per kWh  | ENERGY, step 1 Wh                                          |
| `CHARGING_TIME` per minute | TIME, price × 60 per hour, step 60 s (started minutes)     |
| `CHARGING_TIME` per hour   | TIME, step 1 s                                             |
| `PARKING` after grace g    | PARKING_TIME, `min_duration_after_charging` g × 60         |
| `SESSION`                  | FLAT, charged once: in the slot holding the session start  |
| `BLOCKING_FEE` from end    | added to PARKING_TIME from g × 60 s after charging end     |
| `BLOCKING_FEE` from start  | added to TIME and PARKING_TIME from `min_duration` g × 60  |

A blocking fee is paid on top of charging or parking time, while the engine prices one
element per dimension; so each combination of "parking grace over", "blocking fee
running" becomes its own element whose price is the sum, most specific first. Every
price carries the offer's VAT rate.

`SESSION` is charged once per session (not once per slot the session crosses): when every
tariff of the schedule has the same session fee it is one unrestricted FLAT element;
otherwise each slot's FLAT element also has `max_duration` 1 s, so only the slot holding
the session start charges it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from itertools import product

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing.tariff import (
    DayOfWeek,
    PriceComponent,
    Restrictions,
    Tariff,
    TariffDimension,
    TariffElement,
)
from evsenet.domain.schedule import SECONDS_PER_DAY, TimeSlot, span
from evsenet.domain.schedule_lookup import ScheduleInterval, intervals
from evsenet.domain.tariff import (
    ComponentType,
    FeeInitiated,
    PricingComponent,
    ReferenceUnit,
    name_key,
)
from evsenet.domain.tariff import Tariff as NgpTariff

MINUTE_STEP = 60
"""A per-minute NGP price bills started minutes (step 60 s), as a per-minute meter does."""
SESSION_START_ONLY = 1
"""`max_duration` (seconds) that keeps a FLAT element to the slice at the session start."""
_DAYS = tuple(DayOfWeek)


@dataclass(frozen=True, slots=True)
class ElementSource:
    """Where a compiled element comes from: the NGP tariff and the schedule slot."""

    tariff: str
    slot: str


@dataclass(frozen=True, slots=True)
class CompiledGroup:
    """A group's prices as one engine tariff, and per element its NGP origin."""

    tariff: Tariff
    sources: tuple[ElementSource, ...]

    def source(self, element: int | None) -> ElementSource | None:
        """The NGP tariff and slot of engine element `element` (None: no element)."""
        return None if element is None else self.sources[element]


def _per_hour(component: PricingComponent) -> Decimal:
    return (
        component.cost * 60 if component.reference_unit is ReferenceUnit.MINUTE else component.cost
    )


def _step(parts: Iterable[PricingComponent]) -> int:
    return MINUTE_STEP if any(part.reference_unit is ReferenceUnit.MINUTE for part in parts) else 1


def _time_of_day(second: int) -> time:
    second %= SECONDS_PER_DAY
    return time(second // 3600, second // 60 % 60, second % 60)


def _window(interval: ScheduleInterval) -> dict[str, object]:
    after = interval.end + 1
    return {
        "day_of_week": frozenset({_DAYS[interval.day]}),
        "start_time": _time_of_day(interval.start) if interval.start else None,
        "end_time": _time_of_day(after) if after < SECONDS_PER_DAY else None,
    }


def _grace(component: PricingComponent | None) -> int:
    return (component.grace_minutes or 0) * 60 if component is not None else 0


_Row = tuple[int, TariffDimension, Restrictions, Decimal, int]


def _time_elements(ngp: NgpTariff, window: dict[str, object]) -> list[_Row]:
    """(parts, dimension, restrictions, price per hour, step) for TIME and PARKING_TIME.

    Every combination of running components is a row priced at their sum; rows with more
    parts come first. That order is right because the conditions of a row are the
    conjunction of its parts' conditions: whenever two rows match, the row of their union
    matches too and has more parts, so the first match is always the union of everything
    that runs.
    """
    charging = ngp.component(ComponentType.CHARGING_TIME)
    parking = ngp.component(ComponentType.PARKING)
    blocking = ngp.component(ComponentType.BLOCKING_FEE)
    from_start = (
        blocking if blocking and blocking.fee_initiated is FeeInitiated.SESSION_START else None
    )
    from_end = (
        blocking if blocking and blocking.fee_initiated is FeeInitiated.CHARGING_END else None
    )
    rows: list[_Row] = []
    # TIME: charging time, plus a blocking fee running since the session start.
    for start_on in (True, False):
        parts = [c for c in (charging, from_start if start_on else None) if c is not None]
        if not parts or (start_on and from_start is None):
            continue
        restrictions = Restrictions(
            min_duration=_grace(from_start) if start_on else None,
            **window,  # type: ignore[arg-type]
        )
        rows.append((len(parts), TariffDimension.TIME, restrictions, _sum(parts), _step(parts)))
    # PARKING_TIME: parking after its grace (from charging end), a blocking fee from
    # charging end after its grace, a blocking fee from session start after its grace.
    for parking_on, end_on, start_on in product((True, False), repeat=3):
        chosen = (
            (parking, parking_on),
            (from_end, end_on),
            (from_start, start_on),
        )
        if any(on and c is None for c, on in chosen):
            continue
        parts = [c for c, on in chosen if on and c is not None]
        if not parts:
            continue
        low_after: int | None = None
        if end_on:
            low_after = _grace(from_end)
        if parking_on and _grace(parking):
            low_after = max(low_after or 0, _grace(parking))
        restrictions = Restrictions(
            min_duration=_grace(from_start) if start_on else None,
            min_duration_after_charging=low_after,
            **window,  # type: ignore[arg-type]
        )
        rows.append(
            (len(parts), TariffDimension.PARKING_TIME, restrictions, _sum(parts), _step(parts))
        )
    return sorted(rows, key=lambda row: -row[0])


def _sum(parts: Iterable[PricingComponent]) -> Decimal:
    return sum((_per_hour(c) for c in parts), Decimal(0))


def compile_group(
    slots: Iterable[TimeSlot],
    tariffs: Mapping[str, NgpTariff],
    vat_percent: Decimal,
    *,
    tariff_id: str,
) -> CompiledGroup:
    """The group's weekly schedule under `tariffs` (keyed by `name_key`) as one engine
    tariff with VAT `vat_percent`. Raises `DomainError` `ngp.tariff_unknown` when a slot
    names a tariff that `tariffs` lacks, `ngp.schedule_empty` for a schedule without
    slots, `ngp.currency_mixed` when the schedule's tariffs use two currencies."""
    weekly = intervals(slots, merge=True)
    if not weekly:
        raise DomainError(
            "ngp.schedule_empty", "The group has no time slots, so nothing can be priced"
        )
    used: dict[str, NgpTariff] = {}
    for interval in weekly:
        found = tariffs.get(name_key(interval.tariff))
        if found is None:
            raise DomainError(
                "ngp.tariff_unknown",
                f"{span(interval.day, interval.start, interval.end)} names tariff "
                f"{interval.tariff!r}, which the offer does not have",
                field="slots",
            )
        used[found.key] = found
    currencies = {t.currency.code for t in used.values()}
    if len(currencies) != 1:
        raise DomainError(
            "ngp.currency_mixed",
            f"The group's schedule uses tariffs in {', '.join(sorted(currencies))}; a "
            "group is priced in one currency",
            field="slots",
        )
    fees = {(c.cost if (c := t.component(ComponentType.SESSION)) else None) for t in used.values()}
    one_fee = len(fees) == 1
    elements: list[TariffElement] = []
    sources: list[ElementSource] = []

    def add(components: tuple[PriceComponent, ...], r: Restrictions, source: ElementSource) -> None:
        elements.append(TariffElement(components=components, restrictions=r))
        sources.append(source)

    if one_fee and (fee := next(iter(fees))) is not None:
        names = ", ".join(sorted(t.name for t in used.values()))
        add(
            (PriceComponent(dimension=TariffDimension.FLAT, price=fee, vat=vat_percent),),
            Restrictions(),
            ElementSource(names, "every slot"),
        )
    for interval in weekly:
        ngp = used[name_key(interval.tariff)]
        window = _window(interval)
        source = ElementSource(ngp.name, span(interval.day, interval.start, interval.end))
        energy = ngp.component(ComponentType.CHARGING_ENERGY)
        session_fee = ngp.component(ComponentType.SESSION)
        if energy is not None:
            add(
                (
                    PriceComponent(
                        dimension=TariffDimension.ENERGY, price=energy.cost, vat=vat_percent
                    ),
                ),
                Restrictions(**window),  # type: ignore[arg-type]
                source,
            )
        if session_fee is not None and not one_fee:
            add(
                (
                    PriceComponent(
                        dimension=TariffDimension.FLAT, price=session_fee.cost, vat=vat_percent
                    ),
                ),
                Restrictions(max_duration=SESSION_START_ONLY, **window),  # type: ignore[arg-type]
                source,
            )
        for _, dimension, restrictions, price, step in _time_elements(ngp, window):
            add(
                (
                    PriceComponent(
                        dimension=dimension, price=price, vat=vat_percent, step_size=step
                    ),
                ),
                restrictions,
                source,
            )
    if not elements:
        raise DomainError("ngp.schedule_empty", "The group's tariffs price nothing", field="slots")
    money = next(iter(used.values())).currency
    return CompiledGroup(
        Tariff(id=tariff_id, currency=money, elements=tuple(elements)), tuple(sources)
    )
