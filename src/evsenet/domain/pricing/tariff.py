"""The tariff model: OCPI 2.2.1 Tariffs (module Tariffs, §11) as frozen values.

A tariff is an ordered list of elements; each element has price components (one per
dimension: ENERGY per kWh, FLAT per session, TIME per hour charging, PARKING_TIME per hour
not charging) and optional restrictions that say when it is active. For each dimension the
*first* element whose restrictions match prices it (OCPI 2.2.1 §11.3.1). The tariff may set
a minimum and a maximum price.

One evsenet extension, for Next Generation Pricing: `min_duration_after_charging` and
`max_duration_after_charging` count seconds from the end of charging (a parking grace
period, a blocking fee counted from charging end), where OCPI's `min_duration` and
`max_duration` count from the session start. OCPI 2.2.1 cannot express them; the OCPI
writer says so when it meets them (docs/pricing.md).

Every value is checked when it is built: an invalid tariff raises `DomainError` with a
stable code (`tariff.*`), never prices to a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from evsenet.domain.errors import DomainError
from evsenet.domain.money import Currency


class TariffDimension(StrEnum):
    """What a price component prices (OCPI TariffDimensionType)."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"


class DayOfWeek(StrEnum):
    """OCPI DayOfWeek; `index` is Python's `date.weekday()`."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

    @property
    def weekday(self) -> int:
        return _WEEKDAY_INDEX[self]


_WEEKDAY_INDEX = {day: index for index, day in enumerate(DayOfWeek)}


class ReservationRestriction(StrEnum):
    """OCPI ReservationRestrictionType: the element prices a reservation (or an expired one)."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class TariffType(StrEnum):
    """OCPI TariffType (which sessions a tariff is for); informative for pricing."""

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


MAX_UNIT_PRICE = Decimal(1_000_000)
"""The largest price per unit (kWh, hour, session): larger is a typo, not a tariff."""
MAX_BOUND = Decimal(1_000_000_000)
"""The largest min_price or max_price."""
MAX_VAT = Decimal(100)
MAX_STEP_SIZE = 100_000_000
"""The largest step_size (Wh or seconds; 10⁸ s is over three years)."""


def _refuse(code: str, message: str, field_name: str) -> DomainError:
    return DomainError(code, message, field=field_name)


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceComponent:
    """The price of one dimension: `price` per unit excl. VAT, `vat` percent (None: no VAT
    applies, which OCPI distinguishes from 0 %), `step_size` in Wh (ENERGY) or seconds (TIME,
    PARKING_TIME); FLAT ignores its step size."""

    dimension: TariffDimension
    price: Decimal
    vat: Decimal | None = None
    step_size: int = 1

    def __post_init__(self) -> None:
        if not self.price.is_finite() or self.price < 0:
            raise _refuse(
                "tariff.price_negative",
                f"A {self.dimension} price must be a number of at least 0, not {self.price}",
                "price",
            )
        if self.price > MAX_UNIT_PRICE:
            raise _refuse(
                "tariff.price_too_large",
                f"A {self.dimension} price of {self.price} is above {MAX_UNIT_PRICE} per unit",
                "price",
            )
        if self.vat is not None and self.vat.is_finite() and self.vat > MAX_VAT:
            raise _refuse("tariff.vat_too_large", f"VAT {self.vat} % is above {MAX_VAT} %", "vat")
        if self.vat is not None and (not self.vat.is_finite() or self.vat < 0):
            raise _refuse(
                "tariff.vat_negative",
                f"VAT must be a percentage of at least 0, not {self.vat}",
                "vat",
            )
        if self.step_size > MAX_STEP_SIZE:
            raise _refuse(
                "tariff.step_size_too_large",
                f"step_size {self.step_size} is above {MAX_STEP_SIZE}",
                "step_size",
            )
        if self.dimension is not TariffDimension.FLAT and self.step_size <= 0:
            raise _refuse(
                "tariff.step_size_not_positive",
                f"The step_size of a {self.dimension} component must be at least 1 "
                f"({'Wh' if self.dimension is TariffDimension.ENERGY else 'second'}), "
                f"not {self.step_size}",
                "step_size",
            )


def _check_range(low: Decimal | int | None, high: Decimal | int | None, name: str) -> None:
    for value, side in ((low, "min"), (high, "max")):
        if value is not None and (
            value < 0 or (isinstance(value, Decimal) and not value.is_finite())
        ):
            raise _refuse(
                "tariff.restriction_invalid",
                f"Restriction {side}_{name} must be at least 0, not {value}",
                f"{side}_{name}",
            )
    if low is not None and high is not None and low > high:
        raise _refuse(
            "tariff.restriction_invalid",
            f"Restriction min_{name} ({low}) is above max_{name} ({high}): "
            "the element never applies",
            f"min_{name}",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Restrictions:
    """When an element is active (OCPI TariffRestrictions).

    Times of day and dates are local to the EVSE. `end_time` is exclusive; None and 00:00
    both mean the end of the day, and a window whose end is before its start runs across
    midnight. `end_date` is exclusive. kWh bounds are on the energy charged so far in the
    session, durations in seconds from the session start (min inclusive, max exclusive);
    current (A) and power (kW) bounds are on the values the CDR reports for the period.
    `day_of_week` empty means every day. The `*_after_charging` bounds are evsenet's
    extension: seconds since charging ended.
    """

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: frozenset[DayOfWeek] = field(default_factory=frozenset)
    reservation: ReservationRestriction | None = None
    min_duration_after_charging: int | None = None
    max_duration_after_charging: int | None = None

    def __post_init__(self) -> None:
        _check_range(self.min_kwh, self.max_kwh, "kwh")
        _check_range(self.min_current, self.max_current, "current")
        _check_range(self.min_power, self.max_power, "power")
        _check_range(self.min_duration, self.max_duration, "duration")
        _check_range(
            self.min_duration_after_charging,
            self.max_duration_after_charging,
            "duration_after_charging",
        )
        if self.start_date and self.end_date and self.start_date >= self.end_date:
            raise _refuse(
                "tariff.restriction_invalid",
                f"Restriction end_date {self.end_date} (exclusive) is not after start_date "
                f"{self.start_date}: the element never applies",
                "end_date",
            )

    @property
    def uses_local_time(self) -> bool:
        """True when the EVSE's time zone is needed to evaluate these restrictions."""
        return bool(
            self.start_time is not None
            or self.end_time is not None
            or self.start_date is not None
            or self.end_date is not None
            or self.day_of_week
        )

    @property
    def uses_extension(self) -> bool:
        """True when a restriction beyond OCPI 2.2.1 (evsenet's extension) is set."""
        return (
            self.min_duration_after_charging is not None
            or self.max_duration_after_charging is not None
        )


NO_RESTRICTIONS = Restrictions()


@dataclass(frozen=True, slots=True, kw_only=True)
class TariffElement:
    """Price components that apply together while `restrictions` hold."""

    components: tuple[PriceComponent, ...]
    restrictions: Restrictions = NO_RESTRICTIONS

    def __post_init__(self) -> None:
        if not self.components:
            raise _refuse(
                "tariff.element_without_components",
                "A tariff element needs at least one price component",
                "price_components",
            )
        dimensions = [component.dimension for component in self.components]
        if len(set(dimensions)) != len(dimensions):
            raise _refuse(
                "tariff.component_repeated",
                "An element has at most one price component per dimension "
                f"(found {', '.join(sorted(dimensions))})",
                "price_components",
            )
        if self.restrictions.reservation is not None:
            other = set(dimensions) - {TariffDimension.FLAT, TariffDimension.TIME}
            if other:
                raise _refuse(
                    "tariff.reservation_component",
                    "A reservation element can only have FLAT and TIME components "
                    f"(OCPI 2.2.1 §11.4.6), not {', '.join(sorted(other))}",
                    "reservation",
                )

    def component(self, dimension: TariffDimension) -> PriceComponent | None:
        """This element's component for `dimension`, if it has one."""
        for component in self.components:
            if component.dimension is dimension:
                return component
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceBound:
    """A tariff's min_price or max_price; OCPI requires excl_vat, evsenet also accepts a
    bound given only incl. VAT (compared on incl. VAT, docs/pricing.md)."""

    excl_vat: Decimal | None
    incl_vat: Decimal | None = None

    def __post_init__(self) -> None:
        if self.excl_vat is None and self.incl_vat is None:
            raise _refuse(
                "tariff.bound_without_amount",
                "A min_price or max_price needs excl_vat, incl_vat or both",
                "excl_vat",
            )
        for value, name in ((self.excl_vat, "excl_vat"), (self.incl_vat, "incl_vat")):
            if value is not None and (not value.is_finite() or value < 0):
                raise _refuse(
                    "tariff.bound_negative", f"{name} must be at least 0, not {value}", name
                )
            if value is not None and value > MAX_BOUND:
                raise _refuse(
                    "tariff.bound_too_large", f"{name} {value} is above {MAX_BOUND}", name
                )


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayText:
    """An OCPI DisplayText: a language code and a text."""

    language: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Tariff:
    """An OCPI 2.2.1 tariff: identity, currency, ordered elements, min/max price, validity."""

    id: str
    currency: Currency
    elements: tuple[TariffElement, ...]
    country_code: str = ""
    party_id: str = ""
    type: TariffType | None = None
    alt_text: tuple[DisplayText, ...] = ()
    alt_url: str | None = None
    min_price: PriceBound | None = None
    max_price: PriceBound | None = None
    start: datetime | None = None
    end: datetime | None = None
    last_updated: datetime | None = None

    def __post_init__(self) -> None:
        if not self.elements:
            raise _refuse("tariff.no_elements", "A tariff needs at least one element", "elements")
        for instant, name in ((self.start, "start_date_time"), (self.end, "end_date_time")):
            if instant is not None and instant.utcoffset() is None:
                raise _refuse("tariff.naive_datetime", f"{name} must carry a time zone (UTC)", name)
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise _refuse(
                "tariff.validity_reversed",
                f"end_date_time {self.end.isoformat()} is not after start_date_time "
                f"{self.start.isoformat()}",
                "end_date_time",
            )
        bounds = (self.min_price, self.max_price)
        if all(bounds):
            low, high = bounds
            assert low is not None
            assert high is not None
            for side in ("excl_vat", "incl_vat"):
                a, b = getattr(low, side), getattr(high, side)
                if a is not None and b is not None and a > b:
                    raise _refuse(
                        "tariff.min_above_max",
                        f"min_price {side} {a} is above max_price {side} {b}",
                        "min_price",
                    )

    @property
    def uses_local_time(self) -> bool:
        """True when some element needs the EVSE's local time (time, date or weekday)."""
        return any(element.restrictions.uses_local_time for element in self.elements)

    def in_force_at(self, instant: datetime) -> bool:
        """True when `instant` is within start_date_time (incl.) … end_date_time (excl.)."""
        return (self.start is None or self.start <= instant) and (
            self.end is None or instant < self.end
        )
