"""Short builders for tariffs and sessions in pricing tests (times are local to `tz`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from evsenet.domain.money import currency
from evsenet.domain.pricing import (
    ChargingPeriod,
    DayOfWeek,
    PriceBound,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Session,
    Tariff,
    TariffDimension,
    TariffElement,
)

D = Decimal


def _component(kind: TariffDimension, price: str, vat: str | None, step: int) -> PriceComponent:
    return PriceComponent(
        dimension=kind, price=D(price), vat=None if vat is None else D(vat), step_size=step
    )


def energy(price: str, *, vat: str | None = None, step: int = 1) -> PriceComponent:
    return _component(TariffDimension.ENERGY, price, vat, step)


def charging_time(price: str, *, vat: str | None = None, step: int = 1) -> PriceComponent:
    return _component(TariffDimension.TIME, price, vat, step)


def parking(price: str, *, vat: str | None = None, step: int = 1) -> PriceComponent:
    return _component(TariffDimension.PARKING_TIME, price, vat, step)


def flat(price: str, *, vat: str | None = None) -> PriceComponent:
    return _component(TariffDimension.FLAT, price, vat, 1)


def element(*components: PriceComponent, **restrictions: object) -> TariffElement:
    """An element; restrictions by OCPI name (`start_time="17:00"`, `day_of_week="MONDAY"`)."""
    values: dict[str, object] = {}
    for name, value in restrictions.items():
        if name in ("start_time", "end_time"):
            assert isinstance(value, str)
            values[name] = time.fromisoformat(value)
        elif name in ("start_date", "end_date"):
            assert isinstance(value, str)
            values[name] = date.fromisoformat(value)
        elif name == "day_of_week":
            assert isinstance(value, str)
            values[name] = frozenset(DayOfWeek(day) for day in value.split(","))
        elif name == "reservation":
            assert isinstance(value, str)
            values[name] = ReservationRestriction(value)
        elif isinstance(value, str):
            values[name] = D(value)
        else:
            values[name] = value
    return TariffElement(components=components, restrictions=Restrictions(**values))  # type: ignore[arg-type]


def tariff(
    *elements: TariffElement,
    code: str = "EUR",
    min_price: tuple[str | None, str | None] | None = None,
    max_price: tuple[str | None, str | None] | None = None,
    tariff_id: str = "T1",
    start: str | None = None,
    end: str | None = None,
) -> Tariff:
    def bound(pair: tuple[str | None, str | None] | None) -> PriceBound | None:
        if pair is None:
            return None
        return PriceBound(
            excl_vat=None if pair[0] is None else D(pair[0]),
            incl_vat=None if pair[1] is None else D(pair[1]),
        )

    return Tariff(
        id=tariff_id,
        currency=currency(code),
        elements=elements,
        min_price=bound(min_price),
        max_price=bound(max_price),
        start=None if start is None else datetime.fromisoformat(start),
        end=None if end is None else datetime.fromisoformat(end),
    )


@dataclass(frozen=True)
class P:
    """A period: `kind` is charge, park or reserve; start/end local ("2025-01-06 16:54")
    or UTC with a trailing Z; an end of "HH:MM" is on the start's day."""

    kind: str
    start: str
    end: str
    kwh: str = "0"
    current: str | None = None
    power: str | None = None


def charge(start: str, end: str, kwh: str = "0", **extra: str) -> P:
    return P("charge", start, end, kwh, **extra)


def park(start: str, end: str) -> P:
    return P("park", start, end)


def reserve(start: str, end: str) -> P:
    return P("reserve", start, end)


def _instant(text: str, zone: ZoneInfo, day: str | None = None) -> datetime:
    if len(text) in (5, 8) and day is not None:
        text = f"{day} {text}"
    if text.endswith("Z"):
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


HOUR = D(3600)


def session(*periods: P, tz: str | None = "Europe/Berlin", **extra: object) -> Session:
    zone = ZoneInfo(tz) if tz else ZoneInfo("UTC")
    built = []
    for period in periods:
        start = _instant(period.start, zone)
        end = _instant(period.end, zone, period.start[:10])
        hours = D((end - start).total_seconds()) / HOUR
        built.append(
            ChargingPeriod(
                start=start,
                end=end,
                energy_kwh=D(period.kwh),
                charging_hours=hours if period.kind == "charge" else D(0),
                parking_hours=hours if period.kind == "park" else D(0),
                reservation_hours=hours if period.kind == "reserve" else D(0),
                current=None if period.current is None else D(period.current),
                power=None if period.power is None else D(period.power),
            )
        )
    return Session(
        start=built[0].start,
        end=built[-1].end,
        time_zone=ZoneInfo(tz) if tz else None,
        periods=tuple(built),
        **extra,  # type: ignore[arg-type]
    )
