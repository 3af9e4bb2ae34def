"""Split a session's periods at every instant where the active element can change.

A CDR's periods are not trusted to be split already (pricing-scenarios 8, 17). Each period
is cut at:

- every local time of day a restriction names, and local midnight (date and weekday
  changes), on every local day the period touches — both readings of a repeated local
  time at a DST fall-back, and the DST transition itself, found in the EVSE's IANA zone;
- every duration threshold (seconds from the session start; for evsenet's extension,
  from the charging end);
- every kWh threshold, at the point where the period's energy reaches it, the energy being
  taken as linear over the period (constant power: the only reading a single volume
  allows).

A slice's volumes are the period's volumes times its exact share of the period's duration
(the energy share for an energy cut), correctly rounded to 10⁻¹⁵ of their unit, and the
period's last slice takes the remainder, so the slices of a period add up to it exactly
and cutting a period in two beforehand changes no slice. An extra cut never changes a
price: restrictions are constant between cuts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from evsenet.domain.pricing.compiled import CompiledTariff
from evsenet.domain.pricing.session import ChargingPeriod

ZERO = Decimal(0)
PART_QUANTUM = Decimal("1e-15")
"""A slice's share of a period volume is kept to 10⁻¹⁵ kWh or hour."""
_NONE = Fraction(0)
_ALL = Fraction(1)
_ONE_DAY = timedelta(days=1)
_DAY_MICROS = 86_400_000_000
_FAST_SPAN = 20 * _DAY_MICROS
MIDNIGHT = time(0)
_SECOND = timedelta(seconds=1)


@dataclass(slots=True, kw_only=True)
class Slice:
    """A part of one period during which no restriction can change."""

    period: ChargingPeriod
    period_index: int
    start: datetime
    end: datetime
    energy_kwh: Decimal
    charging_hours: Decimal
    parking_hours: Decimal
    reservation_hours: Decimal
    energy_before: Decimal


Position = int | Fraction
"""Where a cut lies: microseconds after the period's start (a Fraction for an energy cut)."""


def _part(volume: Decimal, width: Position, total: int) -> Decimal:
    """`volume` × `width` / `total`, correctly rounded and kept to `PART_QUANTUM`: the same
    exact share of the same volume gives the same part however the period was cut."""
    if not volume or not width:
        return ZERO
    if isinstance(width, int):
        exact = volume * width / total
    else:
        exact = volume * width.numerator / (width.denominator * total)
    return exact.quantize(PART_QUANTUM, rounding=ROUND_HALF_EVEN)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _dst_transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The instants in [start, end) where `zone`'s UTC offset changes (to the second)."""
    found: list[datetime] = []
    low = start
    while low < end:
        high = min(low + _ONE_DAY, end)
        if low.astimezone(zone).utcoffset() != high.astimezone(zone).utcoffset():
            a, b = low, high
            while b - a > _SECOND:
                middle = a + (b - a) / 2
                if middle.astimezone(zone).utcoffset() == a.astimezone(zone).utcoffset():
                    a = middle
                else:
                    b = middle
            found.append(b.replace(microsecond=0) if b.microsecond else b)
        low = high
    return found


def _local_cuts(
    compiled: CompiledTariff, zone: ZoneInfo, start: datetime, end: datetime, total: int
) -> list[int]:
    """Where local time passes a time of day the tariff names, as positions in the period.

    Without a change of UTC offset in the period (the usual case: offsets change at most
    twice a year, and a period this short holds at most one change), local time is UTC
    plus one offset, so this is arithmetic. Otherwise every local time is converted
    through the zone, both readings of a repeated time, plus the change itself.
    """
    offset = start.astimezone(zone).utcoffset()
    if offset is not None and offset == end.astimezone(zone).utcoffset() and total < _FAST_SPAN:
        local = start.astimezone(UTC).replace(tzinfo=None) + offset
        since_midnight = _micros(local - datetime.combine(local.date(), MIDNIGHT))
        positions = []
        day = -since_midnight
        while day < total:
            for moment in compiled.micros_of_day:
                position = day + moment
                if 0 < position < total:
                    positions.append(position)
            day += _DAY_MICROS
        return positions
    instants: list[datetime] = []
    day_ = start.astimezone(zone).date() - _ONE_DAY
    last = end.astimezone(zone).date()
    while day_ <= last:
        for moment_ in compiled.times_of_day:
            for fold in (0, 1):
                wall = datetime.combine(day_, moment_).replace(tzinfo=zone, fold=fold)
                instants.append(wall.astimezone(UTC))
        day_ += _ONE_DAY
    instants.extend(_dst_transitions(zone, start, end))
    return [
        position
        for position in (_micros(instant - start) for instant in instants)
        if 0 < position < total
    ]


def slice_periods(
    compiled: CompiledTariff,
    periods: tuple[ChargingPeriod, ...],
    *,
    zone: ZoneInfo | None,
    session_start: datetime,
    charging_end: datetime | None,
) -> list[Slice]:
    """The periods cut at every instant where the active element can change (see above)."""
    slices: list[Slice] = []
    energy_before = ZERO
    for index, period in enumerate(periods):
        start, end = period.start, period.end
        total = _micros(end - start)
        cuts: set[Position] = set()
        if total > 0:
            if compiled.uses_local_time and zone is not None:
                cuts.update(_local_cuts(compiled, zone, start, end, total))
            if compiled.durations:
                since = _micros(start - session_start)
                for seconds in compiled.durations:
                    position = seconds * 1_000_000 - since
                    if 0 < position < total:
                        cuts.add(position)
            if charging_end is not None:
                since = _micros(start - charging_end)
                for seconds in compiled.durations_after_charging:
                    position = seconds * 1_000_000 - since
                    if 0 < position < total:
                        cuts.add(position)
            energy = period.energy_kwh
            if energy > 0 and compiled.kwh_thresholds:
                for threshold in compiled.kwh_thresholds:
                    if energy_before < threshold < energy_before + energy:
                        share = Fraction(threshold - energy_before) / Fraction(energy) * total
                        cuts.add(share.numerator if share.denominator == 1 else share)
        volumes = (
            period.energy_kwh,
            period.charging_hours,
            period.parking_hours,
            period.reservation_hours,
        )
        if not cuts:
            slices.append(
                Slice(
                    period=period,
                    period_index=index,
                    start=start,
                    end=end,
                    energy_kwh=volumes[0],
                    charging_hours=volumes[1],
                    parking_hours=volumes[2],
                    reservation_hours=volumes[3],
                    energy_before=energy_before,
                )
            )
            energy_before += volumes[0]
            continue
        positions: list[Position] = [0, *sorted(cuts)]
        used = [ZERO, ZERO, ZERO, ZERO]
        low_at = start
        for number, low in enumerate(positions):
            if number + 1 < len(positions):
                high = positions[number + 1]
                width = high - low
                parts = [_part(volume, width, total) for volume in volumes]
                used = [done + part for done, part in zip(used, parts, strict=True)]
                high_at = start + timedelta(microseconds=int(high))
            else:
                parts = [volume - done for volume, done in zip(volumes, used, strict=True)]
                high_at = end
            slices.append(
                Slice(
                    period=period,
                    period_index=index,
                    start=low_at,
                    end=high_at,
                    energy_kwh=parts[0],
                    charging_hours=parts[1],
                    parking_hours=parts[2],
                    reservation_hours=parts[3],
                    energy_before=energy_before,
                )
            )
            energy_before += parts[0]
            low_at = high_at
    return slices
