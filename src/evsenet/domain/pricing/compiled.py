"""A tariff prepared for pricing many sessions: thresholds gathered, restrictions checked
against one slice of a session without re-reading the tariff.

`compile_tariff` is pure and cheap; the engine calls it when handed a plain `Tariff`, and a
caller pricing many sessions under one tariff compiles once (the benchmark does).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from enum import Enum

from evsenet.domain.pricing.breakdown import PricedDimension
from evsenet.domain.pricing.tariff import (
    NO_RESTRICTIONS,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffDimension,
)

MIDNIGHT = time(0, 0)
MICROS = 1_000_000


class Match(Enum):
    """The answer of one element's restrictions for one slice."""

    YES = "yes"
    NO = "no"
    NO_DATA = "no data"
    """A restriction on current or power, and the CDR reports neither for the period."""


@dataclass(slots=True, kw_only=True)
class SliceFacts:
    """What restrictions look at, at the start of a slice (local time in the EVSE's zone)."""

    local_time: time
    local_date: date
    weekday: int
    energy_before: Decimal
    micros_since_start: int
    micros_since_charging_end: int | None
    current: Decimal | None
    power: Decimal | None
    reservation: bool
    reservation_expired: bool


def _in_window(start: time | None, end: time | None, at: time) -> bool:
    """OCPI start_time/end_time: absent start is 00:00, absent or 00:00 end is the end of
    the day (scenarios 9, 10); an end before the start runs across midnight; equal start
    and end (other than 00:00) is a whole day."""
    low = start or MIDNIGHT
    if end is None or end == MIDNIGHT:
        return at >= low
    if low < end:
        return low <= at < end
    return at >= low or at < end


def restriction_match(r: Restrictions, facts: SliceFacts) -> Match:
    """Whether an element with restrictions `r` is active for a slice with `facts`."""
    if r.reservation is None:
        if facts.reservation:
            return Match.NO
    elif not facts.reservation or (
        r.reservation is ReservationRestriction.RESERVATION_EXPIRES
        and not facts.reservation_expired
    ):
        return Match.NO
    if (r.start_time is not None or r.end_time is not None) and not _in_window(
        r.start_time, r.end_time, facts.local_time
    ):
        return Match.NO
    if r.day_of_week and not any(day.weekday == facts.weekday for day in r.day_of_week):
        return Match.NO
    if r.start_date is not None and facts.local_date < r.start_date:
        return Match.NO
    if r.end_date is not None and facts.local_date >= r.end_date:
        return Match.NO
    if r.min_kwh is not None and facts.energy_before < r.min_kwh:
        return Match.NO
    if r.max_kwh is not None and facts.energy_before >= r.max_kwh:
        return Match.NO
    if r.min_duration is not None and facts.micros_since_start < r.min_duration * MICROS:
        return Match.NO
    if r.max_duration is not None and facts.micros_since_start >= r.max_duration * MICROS:
        return Match.NO
    if r.min_duration_after_charging is not None or r.max_duration_after_charging is not None:
        since = facts.micros_since_charging_end
        if since is None:
            return Match.NO
        low, high = r.min_duration_after_charging, r.max_duration_after_charging
        if (low is not None and since < low * MICROS) or (
            high is not None and since >= high * MICROS
        ):
            return Match.NO
    if r.min_current is not None or r.max_current is not None:
        if facts.current is None:
            return Match.NO_DATA
        if (r.min_current is not None and facts.current < r.min_current) or (
            r.max_current is not None and facts.current >= r.max_current
        ):
            return Match.NO
    if r.min_power is not None or r.max_power is not None:
        if facts.power is None:
            return Match.NO_DATA
        if (r.min_power is not None and facts.power < r.min_power) or (
            r.max_power is not None and facts.power >= r.max_power
        ):
            return Match.NO
    return Match.YES


@dataclass(frozen=True, slots=True)
class Candidate:
    """An element that can price a dimension: its index, restrictions and component."""

    index: int
    restrictions: Restrictions
    component: PriceComponent
    reason: str
    """Why this element prices its dimension, for the breakdown's lines."""
    restricted: bool
    """False for an element without restrictions: it matches every slice that is not
    reservation time, without looking at the slice."""


_PRICED_BY = {
    PricedDimension.ENERGY: TariffDimension.ENERGY,
    PricedDimension.FLAT: TariffDimension.FLAT,
    PricedDimension.TIME: TariffDimension.TIME,
    PricedDimension.PARKING_TIME: TariffDimension.PARKING_TIME,
    PricedDimension.RESERVATION_TIME: TariffDimension.TIME,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledTariff:
    """A tariff with, per priced dimension, its candidate elements in order, and the
    instants where the active element can change: times of day, durations, kWh."""

    tariff: Tariff
    candidates: dict[PricedDimension, tuple[Candidate, ...]]
    descriptions: tuple[str, ...]
    unrestricted_match: dict[PricedDimension, Candidate | None] | None
    """When no element has restrictions: what prices each dimension in every slice that
    is not reservation time."""
    times_of_day: tuple[time, ...]
    micros_of_day: tuple[int, ...]
    durations: tuple[int, ...]
    durations_after_charging: tuple[int, ...]
    kwh_thresholds: tuple[Decimal, ...]
    uses_local_time: bool
    uses_charging_end: bool
    has_reservation_elements: bool
    has_expiry_elements: bool


def _candidates(
    tariff: Tariff, dimension: TariffDimension, reservation: bool | None
) -> Iterator[Candidate]:
    """Elements with a `dimension` component, in order; `reservation` None: any element."""
    for index, element in enumerate(tariff.elements):
        if (
            reservation is not None
            and (element.restrictions.reservation is not None) != reservation
        ):
            continue
        component = element.component(dimension)
        if component is not None:
            reason = (
                f"element {index} is the first with {dimension.value} whose restrictions "
                f"match ({describe(element.restrictions)})"
            )
            restricted = element.restrictions != NO_RESTRICTIONS
            yield Candidate(index, element.restrictions, component, reason, restricted)


def describe(r: Restrictions) -> str:
    """The restrictions of an element in words, for the breakdown's reasons."""
    parts: list[str] = []
    for name in (
        "start_time",
        "end_time",
        "start_date",
        "end_date",
        "min_kwh",
        "max_kwh",
        "min_current",
        "max_current",
        "min_power",
        "max_power",
        "min_duration",
        "max_duration",
        "min_duration_after_charging",
        "max_duration_after_charging",
        "reservation",
    ):
        value = getattr(r, name)
        if value is not None:
            text = value.strftime("%H:%M") if isinstance(value, time) else str(value)
            parts.append(f"{name} {text}")
    if r.day_of_week:
        days = sorted(r.day_of_week, key=lambda day: day.weekday)
        parts.append("day_of_week " + "/".join(day.value for day in days))
    return ", ".join(parts) if parts else "no restrictions"


def compile_tariff(tariff: Tariff) -> CompiledTariff:
    """Prepare `tariff` for pricing (pure; compile once to price many sessions)."""
    restrictions = [element.restrictions for element in tariff.elements]
    times = {t for r in restrictions for t in (r.start_time, r.end_time) if t is not None}
    if tariff.uses_local_time:
        times.add(MIDNIGHT)
    candidates = {
        dimension: tuple(
            _candidates(
                tariff,
                _PRICED_BY[dimension],
                reservation=None
                if dimension is PricedDimension.FLAT
                else dimension is PricedDimension.RESERVATION_TIME,
            )
        )
        for dimension in PricedDimension
    }
    unrestricted = all(r == NO_RESTRICTIONS for r in restrictions)
    return CompiledTariff(
        tariff=tariff,
        candidates=candidates,
        unrestricted_match={
            dimension: next(iter(candidates[dimension]), None)
            if dimension is not PricedDimension.RESERVATION_TIME
            else None
            for dimension in PricedDimension
        }
        if unrestricted
        else None,
        descriptions=tuple(describe(r) for r in restrictions),
        times_of_day=tuple(sorted(times)),
        micros_of_day=tuple(
            ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond
            for t in sorted(times)
        ),
        durations=tuple(
            sorted({d for r in restrictions for d in (r.min_duration, r.max_duration) if d})
        ),
        durations_after_charging=tuple(
            sorted(
                {
                    d
                    for r in restrictions
                    for d in (r.min_duration_after_charging, r.max_duration_after_charging)
                    if d is not None
                }
            )
        ),
        kwh_thresholds=tuple(
            sorted({k for r in restrictions for k in (r.min_kwh, r.max_kwh) if k})
        ),
        uses_local_time=tariff.uses_local_time,
        uses_charging_end=any(r.uses_extension for r in restrictions),
        has_reservation_elements=any(r.reservation is not None for r in restrictions),
        has_expiry_elements=any(
            r.reservation is ReservationRestriction.RESERVATION_EXPIRES for r in restrictions
        ),
    )
