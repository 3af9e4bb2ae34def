"""The compiled kernel gives the reference engine's totals, to the unit, or declines.

Hypothesis draws tariffs with every component type, step sizes, time/day/date/kWh/
current/power/duration restrictions and evsenet's durations after charging, windows across
midnight, min and max price (both sides or one), and sessions in DST weeks with several
periods, gaps, parking, volumes of any precision (hours as Decimal(seconds) / 3600, 28
digits) and optional current and power. For every session the kernel handles, its totals
equal `price_session`'s; a session the engine refuses or warns about, and every tariff
feature the kernel does not cover, it declines.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
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
    compile_tariff,
    price_session,
)
from evsenet.domain.pricing.kernel import (
    KernelTariff,
    SessionTotals,
    kernel_rows,
    prepare,
    price_totals,
    totals_of,
)
from evsenet.domain.pricing.slicing import _dst_transitions

D = Decimal
BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [
    BERLIN,
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Europe/Dublin"),
]
DAYS = [date(2025, 3, 29), date(2025, 10, 25), date(2025, 4, 5), date(2025, 10, 4)]
"""Saturdays before the 2025 DST changes in Europe (and North America's autumn one), and
ordinary weeks; Lord Howe's offset changes by 30 minutes, Dublin's DST is negative."""
STEPS = [1, 7, 60, 100, 300, 900, 1000, 1800, 3600]
ROOT = Path(__file__).resolve().parents[3]

money = st.one_of(
    st.decimals(min_value=0, max_value=5, places=2),
    st.decimals(min_value=0, max_value=100, places=4),
)
vats = st.one_of(st.none(), st.sampled_from([D(0), D(7), D("7.7"), D(19), D(20), D("5.5")]))
kwh = st.decimals(min_value=0, max_value=80, places=3)


@st.composite
def components(draw: st.DrawFn, reservation: bool) -> tuple[PriceComponent, ...]:
    kinds = [TariffDimension.FLAT, TariffDimension.TIME] if reservation else list(TariffDimension)
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=len(kinds), unique=True))
    return tuple(
        PriceComponent(
            dimension=kind,
            price=draw(money),
            vat=draw(vats),
            step_size=0 if kind is TariffDimension.FLAT else draw(st.sampled_from(STEPS)),
        )
        for kind in chosen
    )


def _pair(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> tuple[Any, Any]:
    low, high = sorted(draw(st.lists(values, min_size=2, max_size=2)))
    return (low if draw(st.booleans()) else None, high if draw(st.booleans()) else None)


@st.composite
def restrictions(draw: st.DrawFn, reservation: bool) -> Restrictions:
    values: dict[str, object] = {}
    if draw(st.booleans()):
        moments = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))
        values["start_time"] = draw(st.one_of(st.none(), moments))
        values["end_time"] = draw(st.one_of(st.none(), moments, st.just(time(0))))
    if draw(st.booleans()):
        values["day_of_week"] = frozenset(draw(st.sets(st.sampled_from(list(DayOfWeek)))))
    if draw(st.integers(0, 4)) == 0:
        first = draw(st.sampled_from(DAYS)) + timedelta(days=draw(st.integers(-1, 3)))
        values["start_date"] = first if draw(st.booleans()) else None
        values["end_date"] = first + timedelta(days=draw(st.integers(1, 3)))
    for name, strategy in (
        ("kwh", kwh),
        ("current", st.decimals(min_value=0, max_value=64, places=1)),
        ("power", st.decimals(min_value=0, max_value=150, places=2)),
        ("duration", st.integers(0, 6 * 3600)),
    ):
        if draw(st.integers(0, 2)) == 0:
            values[f"min_{name}"], values[f"max_{name}"] = _pair(draw, strategy)
    if reservation:
        values["reservation"] = draw(st.sampled_from(list(ReservationRestriction)))
    elif draw(st.integers(0, 2)) == 0:
        # evsenet's extension, as NGP's graces use it (0 included: from charging end)
        after = st.one_of(st.sampled_from([0, 60, 900, 1800, 3600]), st.integers(0, 6 * 3600))
        low, high = _pair(draw, after)
        values["min_duration_after_charging"] = low
        values["max_duration_after_charging"] = high
    return Restrictions(**values)  # type: ignore[arg-type]


@st.composite
def elements(draw: st.DrawFn) -> TariffElement:
    reservation = draw(st.integers(0, 25)) == 0
    restricted = draw(st.integers(0, 3)) > 0
    return TariffElement(
        components=draw(components(reservation)),
        restrictions=draw(restrictions(reservation))
        if restricted or reservation
        else Restrictions(),
    )


@st.composite
def bounds(draw: st.DrawFn) -> PriceBound | None:
    if draw(st.booleans()):
        return None
    excl = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=40, places=2)))
    incl = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=48, places=2)))
    assume(excl is not None or incl is not None)
    return PriceBound(excl_vat=excl, incl_vat=incl)


@st.composite
def tariffs(draw: st.DrawFn) -> Tariff:
    try:
        return Tariff(
            id="K",
            currency=currency(draw(st.sampled_from(["EUR", "EUR", "JPY", "KWD"]))),
            elements=tuple(draw(st.lists(elements(), min_size=1, max_size=5))),
            min_price=draw(bounds()),
            max_price=draw(bounds()),
        )
    except DomainError:
        assume(False)
        raise


def _hours(draw: st.DrawFn, seconds: D) -> D:
    """The period's hours as a CDR might give them: exact to 28 digits, to 4 decimals, or
    something else entirely (the engine prices what the CDR says)."""
    way = draw(st.integers(0, 9))
    if way < 4:
        return seconds / 3600
    if way < 8:
        return (seconds / 3600).quantize(D("0.0001"))
    if way == 8:
        return D(0)
    return draw(st.decimals(min_value=0, max_value=5, places=draw(st.integers(0, 12))))


@st.composite
def charging_periods(draw: st.DrawFn, start: datetime) -> ChargingPeriod:
    seconds = draw(st.one_of(st.integers(0, 6 * 3600), st.integers(0, 6 * 3600 * 10**6)))
    length = timedelta(seconds=seconds) if seconds <= 6 * 3600 else timedelta(microseconds=seconds)
    exact = D(length // timedelta(microseconds=1)) / D(1_000_000)
    end = start + length
    if draw(st.integers(0, 2)) == 0:
        return ChargingPeriod(start=start, end=end, parking_hours=_hours(draw, exact))
    current = st.one_of(st.none(), st.decimals(min_value=0, max_value=64, places=1))
    power = st.one_of(st.none(), st.decimals(min_value=0, max_value=150, places=3))
    energy = st.one_of(kwh, st.decimals(min_value=0, max_value=80, places=12))
    return ChargingPeriod(
        start=start,
        end=end,
        energy_kwh=draw(energy),
        charging_hours=_hours(draw, exact),
        parking_hours=D(0) if draw(st.integers(0, 5)) else _hours(draw, exact),
        current=draw(current),
        max_current=draw(current),
        power=draw(power),
        min_power=draw(power),
    )


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.sampled_from(DAYS)) + timedelta(days=draw(st.integers(0, 2)))
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) + timedelta(
        seconds=draw(st.integers(0, 86_399))
    )
    moment = start
    periods = []
    for _ in range(draw(st.integers(1, 4))):
        moment += timedelta(seconds=draw(st.sampled_from([0, 0, 0, 60, 1800])))
        period = draw(charging_periods(moment))
        periods.append(period)
        moment = period.end
    if draw(st.integers(0, 30)) == 0:
        periods[0] = replace(periods[0], reservation_hours=D("0.25"))
    if draw(st.integers(0, 10)) == 0:
        periods[-1] = replace(periods[-1], tariff_id=draw(st.sampled_from(["K", "other"])))
    end = moment + timedelta(seconds=draw(st.sampled_from([0, 0, 0, 0, 0, 30, -30])))
    if draw(st.integers(0, 4)) == 0:
        # the same instants in local time (the kernel asks such datetimes for their offset)
        periods = [
            replace(p, start=p.start.astimezone(zone), end=p.end.astimezone(zone)) for p in periods
        ]
        start, end = start.astimezone(zone), end.astimezone(zone)
    return Session(
        start=start,
        end=end,
        time_zone=zone,
        periods=tuple(periods),
        currency_code=draw(st.sampled_from([None, None, None, None, "EUR", "eur"])),
    )


def _declined_tariff(prepared: KernelTariff) -> bool:
    return prepared.compiled.has_reservation_elements


def _check(prepared: KernelTariff, session: Session) -> bool:
    """Assert the kernel agrees with the reference engine on `session`; True if handled."""
    row = kernel_rows(prepared, [session])[0]
    try:
        reference = price_session(prepared.compiled, session)
    except DomainError:
        assert row is None, "the kernel priced a session the engine refuses"
        return False
    if _declined_tariff(prepared) or reference.warnings:
        assert row is None, "the kernel priced what it leaves to the engine"
        return False
    if row is None:
        return False
    assert totals_of(prepared, row) == SessionTotals.of(reference).with_kernel()
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tariffs(), st.lists(sessions(), min_size=1, max_size=4))
def test_the_kernel_totals_are_the_reference_engines_or_it_declines(
    tariff: Tariff, drawn: list[Session]
) -> None:
    prepared = prepare(compile_tariff(tariff))
    for session in drawn:
        _check(prepared, session)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tariffs(), st.lists(sessions(), min_size=2, max_size=6))
def test_a_batch_prices_each_session_as_alone_and_falls_back_to_the_engine(
    tariff: Tariff, drawn: list[Session]
) -> None:
    prepared = prepare(compile_tariff(tariff))
    singles = [kernel_rows(prepared, [session])[0] for session in drawn]
    assert kernel_rows(prepared, drawn) == singles
    try:
        expected = [SessionTotals.of(price_session(prepared.compiled, s)) for s in drawn]
    except DomainError:
        with pytest.raises(DomainError):
            price_totals(prepared, drawn)
        return
    totals = price_totals(prepared, drawn)
    assert [replace(t, by_kernel=False) for t in totals] == expected
    assert [t.by_kernel for t in totals] == [row is not None for row in singles]


def test_the_compiled_kernel_is_built_and_reads_decimals_in_place() -> None:
    from evsenet.domain.pricing import _kernel

    assert _kernel.reads_decimals_in_place()


def _benchmark() -> tuple[list[KernelTariff], list[tuple[int, Session]]]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        bench_pricing = importlib.import_module("bench_pricing")
    finally:
        sys.path.pop(0)
    from evsenet.formats.ocpi import read_cdr, read_tariff

    prepared = [
        prepare(compile_tariff(read_tariff(json.dumps(t)).tariff)) for t in bench_pricing.TARIFFS
    ]
    generated = bench_pricing.generate(600, 3)
    return prepared, [
        (index, read_cdr(json.dumps(cdr), time_zone=bench_pricing.ZONE).session)
        for index, cdr in generated
    ]


def test_the_kernel_handles_nearly_all_benchmark_sessions_exactly() -> None:
    prepared, drawn = _benchmark()
    handled = sum(_check(prepared[index], session) for index, session in drawn)
    assert handled >= 0.97 * len(drawn)


def _period(start: datetime, minutes: int, energy: D, hours: D) -> ChargingPeriod:
    return ChargingPeriod(
        start=start,
        end=start + timedelta(minutes=minutes),
        energy_kwh=energy,
        charging_hours=hours,
    )


def test_the_kernel_declines_reservations() -> None:
    flat = PriceComponent(dimension=TariffDimension.FLAT, price=D(1))
    timed = PriceComponent(dimension=TariffDimension.TIME, price=D(2))
    start = datetime(2025, 5, 5, 8, tzinfo=UTC)
    session = Session(
        start=start,
        end=start + timedelta(hours=1),
        time_zone=BERLIN,
        periods=(_period(start, 60, D(5), D(1)),),
    )
    for restriction in (
        Restrictions(reservation=ReservationRestriction.RESERVATION),
        Restrictions(reservation=ReservationRestriction.RESERVATION_EXPIRES),
    ):
        tariff = Tariff(
            id="R",
            currency=currency("EUR"),
            elements=(
                TariffElement(components=(flat, timed), restrictions=restriction),
                TariffElement(components=(timed,)),
            ),
        )
        prepared = prepare(compile_tariff(tariff))
        assert prepared.declined is not None
        assert kernel_rows(prepared, [session]) == [None]
        assert price_totals(prepared, [session]) == [
            SessionTotals.of(price_session(tariff, session))
        ]


def test_the_kernel_declines_a_decimal_context_other_than_the_default() -> None:
    prepared, drawn = _benchmark()
    index, session = drawn[0]
    assert kernel_rows(prepared[index], [session]) != [None]
    with localcontext() as context:
        context.prec = 40
        assert kernel_rows(prepared[index], [session]) == [None]


def test_periods_across_every_2025_offset_change_are_priced_as_the_engine_does() -> None:
    """Windows that begin and end inside the skipped or repeated hour, in zones whose
    offsets change by an hour, by 30 minutes (Lord Howe) and backwards (Dublin)."""

    def priced(price: str, begin: time, end: time) -> TariffElement:
        return TariffElement(
            components=(
                PriceComponent(dimension=TariffDimension.ENERGY, price=D(price), vat=D(19)),
                PriceComponent(dimension=TariffDimension.TIME, price=D(price), step_size=900),
            ),
            restrictions=Restrictions(start_time=begin, end_time=end),
        )

    tariff = Tariff(
        id="DST",
        currency=currency("EUR"),
        elements=(
            priced("0.30", time(2, 15), time(2, 45)),
            priced("0.40", time(1, 30), time(2, 30)),
            priced("0.50", time(2, 0), time(3, 0)),
            priced("0.60", time(23, 0), time(1, 45)),
            TariffElement(
                components=(PriceComponent(dimension=TariffDimension.PARKING_TIME, price=D(2)),)
            ),
            priced("0.20", time(0, 0), time(0, 0)),
        ),
    )
    prepared = prepare(compile_tariff(tariff))
    checked = 0
    for zone in [*ZONES, ZoneInfo("America/Sao_Paulo"), ZoneInfo("Asia/Tehran")]:
        for change in _dst_transitions(
            zone, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
        ):
            for shift in range(-180, 181, 37):
                start = change + timedelta(minutes=shift) - timedelta(hours=2)
                periods = (
                    _period(start, 50, D("11.5"), D(50) / 60),
                    _period(start + timedelta(minutes=50), 95, D("30.25"), D(95) / 60),
                    ChargingPeriod(
                        start=start + timedelta(minutes=145),
                        end=start + timedelta(minutes=240),
                        parking_hours=D(95) / 60,
                    ),
                )
                session = Session(
                    start=start,
                    end=periods[-1].end,
                    time_zone=zone,
                    periods=periods,
                )
                assert _check(prepared, session)
                checked += 1
    assert checked > 40


def _weekly(hours: int) -> Tariff:
    """Energy and time priced per `hours`-hour window of every day of the week."""
    return Tariff(
        id="W",
        currency=currency("EUR"),
        elements=tuple(
            TariffElement(
                components=(
                    PriceComponent(
                        dimension=TariffDimension.ENERGY,
                        price=D(day.weekday + 1) / 10 + D(hour) / 100,
                        vat=D(19),
                    ),
                    PriceComponent(dimension=TariffDimension.TIME, price=D(hour), step_size=60),
                ),
                restrictions=Restrictions(
                    day_of_week=frozenset({day}),
                    start_time=time(hour),
                    end_time=time((hour + hours) % 24),
                ),
            )
            for day in DayOfWeek
            for hour in range(0, 24, hours)
        ),
    )


def test_an_ngp_sized_week_of_up_to_256_elements_is_priced_by_the_kernel() -> None:
    prepared = prepare(compile_tariff(_weekly(1)))
    assert len(prepared.compiled.tariff.elements) == 168
    assert prepared.declined is None
    start = datetime(2025, 10, 24, 21, 17, tzinfo=UTC)
    periods = tuple(
        _period(start + timedelta(minutes=95 * i), 95, D("12.345"), D(95) / 60) for i in range(10)
    )
    session = Session(start=start, end=periods[-1].end, time_zone=BERLIN, periods=periods)
    assert _check(prepared, session)


def test_a_tariff_of_more_than_256_elements_is_left_to_the_engine() -> None:
    weekly = _weekly(1)
    tariff = replace(weekly, elements=weekly.elements * 2)
    assert prepare(compile_tariff(tariff)).declined == "more than 256 elements or 64 kWh thresholds"
