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
from datetime import UTC, datetime, timedelta
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
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True, kw_only=True)
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


def _part(volume: Decimal, width: Fraction) -> Decimal:
    """`volume` × `width`, correctly rounded and kept to `PART_QUANTUM`: the same exact
    share of the same volume gives the same part however the period was cut."""
    if not volume or not width:
        return ZERO
    exact = volume * width.numerator / width.denominator
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
    compiled: CompiledTariff, zone: ZoneInfo, start: datetime, end: datetime
) -> list[datetime]:
    cuts: list[datetime] = []
    first = start.astimezone(zone).date() - _ONE_DAY
    last = end.astimezone(zone).date()
    day = first
    while day <= last:
        for moment in compiled.times_of_day:
            for fold in (0, 1):
                local = datetime.combine(day, moment).replace(tzinfo=zone, fold=fold)
                cuts.append(local.astimezone(UTC))
        day += _ONE_DAY
    cuts.extend(_dst_transitions(zone, start, end))
    return cuts


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
        # Cuts as exact shares of the period (Fractions), with their instants.
        cuts: dict[Fraction, datetime] = {}
        if total > 0:
            instants: list[datetime] = []
            if compiled.uses_local_time and zone is not None:
                instants.extend(_local_cuts(compiled, zone, start, end))
            instants.extend(session_start + timedelta(seconds=d) for d in compiled.durations)
            if charging_end is not None:
                instants.extend(
                    charging_end + timedelta(seconds=d) for d in compiled.durations_after_charging
                )
            for instant in instants:
                if start < instant < end:
                    cuts.setdefault(Fraction(_micros(instant - start), total), instant)
            energy = period.energy_kwh
            if energy > 0:
                for threshold in compiled.kwh_thresholds:
                    if energy_before < threshold < energy_before + energy:
                        share = Fraction(threshold - energy_before) / Fraction(energy)
                        moment = start + timedelta(microseconds=int(share * total))
                        cuts.setdefault(share, moment)
        bounds = [(_NONE, start), *sorted(cuts.items()), (_ALL, end)]
        used = [ZERO, ZERO, ZERO, ZERO]
        volumes = (
            period.energy_kwh,
            period.charging_hours,
            period.parking_hours,
            period.reservation_hours,
        )
        last = len(bounds) - 2
        for position in range(last + 1):
            (low_share, low), (high_share, high) = bounds[position], bounds[position + 1]
            if position == last:
                parts = [volume - done for volume, done in zip(volumes, used, strict=True)]
            else:
                width = high_share - low_share
                parts = [_part(volume, width) for volume in volumes]
                used = [done + part for done, part in zip(used, parts, strict=True)]
            slices.append(
                Slice(
                    period=period,
                    period_index=index,
                    start=low,
                    end=high,
                    energy_kwh=parts[0],
                    charging_hours=parts[1],
                    parking_hours=parts[2],
                    reservation_hours=parts[3],
                    energy_before=energy_before,
                )
            )
            energy_before += parts[0]
    return slices
