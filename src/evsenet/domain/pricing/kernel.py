"""Totals of many sessions at once: the compiled kernel, and the reference engine for the rest.

The kernel (`_kernel.c`) takes the reference engine's steps one by one — slicing, matching,
step_size, min/max price, rounding — with Decimal arithmetic done as Python's default
context does it (28 significant digits, half-even) on 128-bit integers, so its totals are
the reference engine's to the last unit. It is an accelerator, not a second set of rules:
whatever it cannot decide exactly it answers "not handled", and `price_totals` prices
that session with `price_session`. It does not handle:

- a tariff with reservation elements, more than 256 elements, or more than 64 kWh
  thresholds, times of day, durations or durations after charging;
- a session the reference engine refuses (`session.*` errors) or warns about (a period
  outside the session, naming another tariff, without TIME/PARKING_TIME, a current or
  power restriction on a period that reports neither, a one-sided bound on a zero price);
- a session of more than 64 periods or 512 slices, or whose pricing runs fill more than
  64 groups (about 30 hourly price windows);
- a session near two UTC offset changes of its zone less than two days apart;
- arithmetic beyond 256-bit products and 128-bit sums (never for real sessions);
- a caller whose Decimal context is not the default one (28 digits, half-even).

The itemised breakdown with reasons stays the reference engine's (`price_session`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, getcontext
from functools import cache
from zoneinfo import ZoneInfo

import evsenet.domain.pricing._kernel as _kernel
from evsenet.domain.errors import DomainError
from evsenet.domain.pricing.breakdown import Cost, PriceBreakdown, PricingWarning
from evsenet.domain.pricing.compiled import CompiledTariff
from evsenet.domain.pricing.engine import price_session
from evsenet.domain.pricing.session import Session
from evsenet.domain.pricing.slicing import _dst_transitions
from evsenet.domain.pricing.tariff import PriceBound, PriceComponent, Restrictions, TariffDimension

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_DIMENSIONS = (
    TariffDimension.ENERGY,
    TariffDimension.FLAT,
    TariffDimension.TIME,
    TariffDimension.PARKING_TIME,
)
_MAX_ELEMENTS = 256
"""An NGP group's week (`ngp.compile_group`) takes up to nine elements per schedule
interval: a day/night week with a parking grace and a blocking fee is 70 or more."""
_MAX_THRESHOLDS = 64
_ADJUSTMENTS = (None, "min_price", "max_price")


KernelRow = tuple[int, ...]
"""What the kernel answers for a session: total, energy, time, parking and fixed cost
(excl., incl. VAT) in the currency's minor unit, the adjustment (0 none, 1 min_price,
2 max_price), then total energy (kWh), time, parking and reservation time (h), each as
coefficient and exponent of ten."""

_COST_NAMES = (
    "total_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_fixed_cost",
    "total_reservation_cost",
)
_QUANTITY_NAMES = ("total_energy", "total_time", "total_parking_time", "total_reservation_time")
Costs = tuple[Cost, Cost, Cost, Cost, Cost, Cost]
Quantities = tuple[Decimal, Decimal, Decimal, Decimal]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SessionTotals:
    """A session's CDR totals, as `PriceBreakdown` gives them (rounded costs; quantities
    in kWh and hours) and warnings, without the itemised lines; `adjustment` is
    `min_price`, `max_price` or None.

    Built from the reference engine's amounts (`values`) or from the kernel's `row` of
    exact integers in units of 10^`exponent`, whose Decimals are built when first read —
    the costs together, the quantities together, each once: most callers read a few, and
    building them all with every `SessionTotals` cost more than the kernel's pricing.
    Equal (and hashed) by every amount, as the reference engine's Decimals compare."""

    tariff_id: str
    adjustment: str | None
    by_kernel: bool
    warnings: tuple[PricingWarning, ...] = ()
    row: KernelRow | None = field(default=None, repr=False)
    exponent: int = field(default=0, repr=False)
    values: tuple[Costs, Quantities] | None = field(default=None, repr=False)
    _costs: Costs | None = field(default=None, init=False, repr=False)
    _quantities: Quantities | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.values is not None:
            object.__setattr__(self, "_costs", self.values[0])
            object.__setattr__(self, "_quantities", self.values[1])

    @property
    def total_cost(self) -> Cost:
        return (self._costs or self._build_costs())[0]

    @property
    def total_energy_cost(self) -> Cost:
        return (self._costs or self._build_costs())[1]

    @property
    def total_time_cost(self) -> Cost:
        return (self._costs or self._build_costs())[2]

    @property
    def total_parking_cost(self) -> Cost:
        return (self._costs or self._build_costs())[3]

    @property
    def total_fixed_cost(self) -> Cost:
        return (self._costs or self._build_costs())[4]

    @property
    def total_reservation_cost(self) -> Cost:
        return (self._costs or self._build_costs())[5]

    @property
    def total_energy(self) -> Decimal:
        return (self._quantities or self._build_quantities())[0]

    @property
    def total_time(self) -> Decimal:
        return (self._quantities or self._build_quantities())[1]

    @property
    def total_parking_time(self) -> Decimal:
        return (self._quantities or self._build_quantities())[2]

    @property
    def total_reservation_time(self) -> Decimal:
        return (self._quantities or self._build_quantities())[3]

    def _build_costs(self) -> Costs:
        row, exponent = self.row, self.exponent
        assert row is not None
        costs = (
            _cost(row[0], row[1], exponent),
            _cost(row[2], row[3], exponent),
            _cost(row[4], row[5], exponent),
            _cost(row[6], row[7], exponent),
            _cost(row[8], row[9], exponent),
            _cost(0, 0, exponent),
        )
        object.__setattr__(self, "_costs", costs)
        return costs

    def _build_quantities(self) -> Quantities:
        row = self.row
        assert row is not None
        quantities = (
            _scaled(row[11], row[12]),
            _scaled(row[13], row[14]),
            _scaled(row[15], row[16]),
            _scaled(row[17], row[18]),
        )
        object.__setattr__(self, "_quantities", quantities)
        return quantities

    def _key(self) -> tuple[object, ...]:
        return (
            self.tariff_id,
            self.adjustment,
            self.by_kernel,
            self.warnings,
            self._costs or self._build_costs(),
            self._quantities or self._build_quantities(),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SessionTotals):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        costs = dict(zip(_COST_NAMES, self._costs or self._build_costs(), strict=True))
        quantities = self._quantities or self._build_quantities()
        return (
            f"SessionTotals(tariff_id={self.tariff_id!r}, adjustment={self.adjustment!r}, "
            f"by_kernel={self.by_kernel!r}, warnings={self.warnings!r}, {costs!r}, "
            f"{dict(zip(_QUANTITY_NAMES, quantities, strict=True))!r})"
        )

    @classmethod
    def of(cls, breakdown: PriceBreakdown) -> SessionTotals:
        return cls(
            tariff_id=breakdown.tariff_id,
            adjustment=breakdown.adjustment.kind if breakdown.adjustment else None,
            by_kernel=False,
            warnings=breakdown.warnings,
            values=(
                (
                    breakdown.total_cost,
                    breakdown.total_energy_cost,
                    breakdown.total_time_cost,
                    breakdown.total_parking_cost,
                    breakdown.total_fixed_cost,
                    breakdown.total_reservation_cost,
                ),
                (
                    breakdown.total_energy,
                    breakdown.total_time,
                    breakdown.total_parking_time,
                    breakdown.total_reservation_time,
                ),
            ),
        )

    def with_kernel(self) -> SessionTotals:
        """The same totals, marked as the kernel's (to compare the two)."""
        return replace(self, by_kernel=True)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _bound(bound: PriceBound | None) -> tuple[str | None, str | None] | None:
    return None if bound is None else (_text(bound.excl_vat), _text(bound.incl_vat))


def _component(component: PriceComponent | None) -> tuple[str, str | None, int] | None:
    if component is None:
        return None
    return (str(component.price), _text(component.vat), component.step_size)


def _micros_of_day(moment: object) -> int:
    if moment is None:
        return -1
    assert isinstance(moment, type(datetime.min.time()))
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + (
        moment.microsecond
    )


_FOREVER = 10**12
"""Seconds beyond any span of priced sessions (1970 to 9000, under 3 × 10^11 s): a
duration bound at or above it answers as this one does, and fits the kernel's 64 bits in
microseconds."""


def _seconds(duration: int | None) -> int:
    """A duration bound (seconds) for the kernel: -1 for none, capped at `_FOREVER`."""
    return -1 if duration is None else min(duration, _FOREVER)


def _element(r: Restrictions, components: tuple[object, ...]) -> tuple[object, ...]:
    weekdays = 0
    for day in r.day_of_week:
        weekdays |= 1 << day.weekday
    return (
        _micros_of_day(r.start_time),
        _micros_of_day(r.end_time),
        None if r.start_date is None else r.start_date.toordinal() - _EPOCH_ORDINAL,
        None if r.end_date is None else r.end_date.toordinal() - _EPOCH_ORDINAL,
        weekdays,
        _text(r.min_kwh),
        _text(r.max_kwh),
        _text(r.min_current),
        _text(r.max_current),
        _text(r.min_power),
        _text(r.max_power),
        _seconds(r.min_duration),
        _seconds(r.max_duration),
        _seconds(r.min_duration_after_charging),
        _seconds(r.max_duration_after_charging),
        components,
    )


@dataclass(frozen=True, slots=True)
class KernelTariff:
    """A compiled tariff prepared for the kernel (`handle` None: the kernel declines it,
    `declined` says why)."""

    compiled: CompiledTariff
    handle: object | None
    declined: str | None


def prepare(compiled: CompiledTariff) -> KernelTariff:
    """`compiled` in the kernel's terms, or the reason the kernel leaves it to the engine."""
    tariff = compiled.tariff
    if compiled.has_reservation_elements:
        return KernelTariff(compiled, None, "reservation elements")
    if len(tariff.elements) > _MAX_ELEMENTS or len(compiled.kwh_thresholds) > _MAX_THRESHOLDS:
        return KernelTariff(compiled, None, "more than 256 elements or 64 kWh thresholds")
    if len(compiled.micros_of_day) > _MAX_THRESHOLDS or len(compiled.durations) > _MAX_THRESHOLDS:
        return KernelTariff(compiled, None, "more than 64 times of day or durations")
    if len(compiled.durations_after_charging) > _MAX_THRESHOLDS:
        return KernelTariff(compiled, None, "more than 64 durations after charging")
    handle = _kernel.prepare_tariff(
        tariff.id,
        tariff.currency.code,
        -tariff.currency.minor_unit,
        _bound(tariff.min_price),
        _bound(tariff.max_price),
        compiled.micros_of_day,
        tuple(_seconds(d) for d in compiled.durations),
        tuple(_seconds(d) for d in compiled.durations_after_charging),
        tuple(str(k) for k in compiled.kwh_thresholds),
        compiled.uses_local_time,
        tuple(
            _element(
                element.restrictions,
                tuple(_component(element.component(d)) for d in _DIMENSIONS),
            )
            for element in tariff.elements
        ),
    )
    return KernelTariff(compiled, handle, None)


def _micros(instant: datetime) -> int:
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@cache
def _zone_table(zone: ZoneInfo, first_year: int, last_year: int) -> object:
    """`zone`'s UTC offsets from `first_year` to `last_year` (inclusive), for the kernel:
    found with zoneinfo as the reference engine finds them (`_dst_transitions`)."""
    low = datetime(first_year, 1, 1, tzinfo=UTC)
    high = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    rows = [(_micros(low), _offset_micros(zone, low))]
    rows.extend(
        (_micros(instant), _offset_micros(zone, instant))
        for instant in _dst_transitions(zone, low, high)
    )
    return _kernel.prepare_zone(zone, _micros(low), _micros(high), tuple(rows))


def _offset_micros(zone: ZoneInfo, instant: datetime) -> int:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset // timedelta(microseconds=1)


def zone_table(zone: ZoneInfo, sessions: Sequence[Session]) -> object:
    """The kernel's offset table of `zone` for the years of `sessions` (and one each side),
    in whole decades so that batches share it."""
    years = [session.start.year for session in sessions]
    first = max(1970, (min(years) - 1) // 10 * 10)
    last = min(8999, (max(years) + 1) // 10 * 10 + 9)
    return _zone_table(zone, first, last)


def _default_context() -> bool:
    """Whether Decimal arithmetic runs in the context the kernel reproduces (28 digits,
    half-even): the reference engine computes in the caller's context."""
    context = getcontext()
    return (
        context.prec == 28
        and context.rounding == ROUND_HALF_EVEN
        and context.Emax >= 999_999
        and context.Emin <= -999_999
    )


def kernel_rows(prepared: KernelTariff, sessions: Sequence[Session]) -> list[KernelRow | None]:
    """The kernel's answer per session (None: not handled), one call per time zone."""
    if prepared.handle is None or not sessions or not _default_context():
        return [None] * len(sessions)
    if not prepared.compiled.uses_local_time:
        return _kernel.price_batch(prepared.handle, None, sessions)
    zones: dict[ZoneInfo | None, list[int]] = {}
    for position, session in enumerate(sessions):
        zones.setdefault(session.time_zone, []).append(position)
    if len(zones) == 1:
        (zone,) = zones
        table = None if zone is None else zone_table(zone, sessions)
        return _kernel.price_batch(prepared.handle, table, sessions)
    rows: list[KernelRow | None] = [None] * len(sessions)
    for zone, positions in zones.items():
        batch = [sessions[position] for position in positions]
        table = None if zone is None else zone_table(zone, batch)
        for position, row in zip(
            positions, _kernel.price_batch(prepared.handle, table, batch), strict=True
        ):
            rows[position] = row
    return rows


@cache
def _power(exponent: int) -> Decimal:
    return Decimal(1).scaleb(exponent)


_EXACT = 10**28
"""Below this, a coefficient times a power of ten is exact in the default context."""


def _scaled(coefficient: int, exponent: int) -> Decimal:
    """`coefficient` × 10^`exponent`, exactly (a product is faster than `scaleb`)."""
    if -_EXACT < coefficient < _EXACT:
        return Decimal(coefficient) * _power(exponent)
    return Decimal(coefficient).scaleb(exponent)


_COSTS: dict[tuple[int, int, int], Cost] = {}
"""Costs already built, by (excl., incl. in minor units, exponent): amounts repeat across
sessions, and a `Cost` of two Decimals takes longer to build than to find."""
_MAX_COSTS = 1 << 16


def _cost(excl: int, incl: int, exponent: int) -> Cost:
    key = (excl, incl, exponent)
    found = _COSTS.get(key)
    if found is None:
        if len(_COSTS) >= _MAX_COSTS:
            _COSTS.clear()
        found = _COSTS[key] = Cost(
            excl_vat=_scaled(excl, exponent), incl_vat=_scaled(incl, exponent)
        )
    return found


def totals_of(prepared: KernelTariff, row: KernelRow) -> SessionTotals:
    """A kernel row as `SessionTotals` (its amounts become Decimals when read)."""
    tariff = prepared.compiled.tariff
    return SessionTotals(
        tariff_id=tariff.id,
        adjustment=_ADJUSTMENTS[row[10]],
        by_kernel=True,
        row=row,
        exponent=-tariff.currency.minor_unit,
    )


def price_totals(prepared: KernelTariff, sessions: Sequence[Session]) -> list[SessionTotals]:
    """The totals of every session under one tariff: the kernel's where it decides, the
    reference engine's elsewhere (which raises `DomainError` for a session it refuses)."""
    rows = kernel_rows(prepared, sessions)
    return [
        totals_of(prepared, row)
        if row is not None
        else SessionTotals.of(price_session(prepared.compiled, session))
        for row, session in zip(rows, sessions, strict=True)
    ]


def totals_each(
    prepared: KernelTariff, sessions: Sequence[Session]
) -> list[SessionTotals | DomainError]:
    """`price_totals`, with the reference engine's refusal of a session in its place
    instead of raised (a batch answers every session)."""
    rows = kernel_rows(prepared, sessions)
    return [
        totals_of(prepared, row) if row is not None else _reference(prepared, session)
        for row, session in zip(rows, sessions, strict=True)
    ]


def _reference(prepared: KernelTariff, session: Session) -> SessionTotals | DomainError:
    try:
        return SessionTotals.of(price_session(prepared.compiled, session))
    except DomainError as error:
        return error
