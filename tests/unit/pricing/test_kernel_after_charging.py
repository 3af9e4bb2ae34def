"""The kernel prices evsenet's after-charging restrictions as the reference engine does.

NGP offers (`ngp.compile_group`) turn a parking grace and a blocking fee counted from
charging end into `min_duration_after_charging`; the engine cuts the session at charging
end + each such duration and gives a slice that starts before the charging end no time
since it (the element does not apply). Hypothesis draws NGP groups (one tariff all week,
or day and night) with parking graces, blocking fees from charging end or session start,
per-minute and per-hour prices and session fees, and NGP sessions that charge then park,
park only, or charge to the end; targeted cases sit on the cut instants. The kernel must
price every one of these sessions (none warns) to the reference engine's totals.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsenet.domain.money import currency
from evsenet.domain.pricing import (
    ChargingPeriod,
    PriceComponent,
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
from evsenet.domain.pricing.ngp import compile_group
from evsenet.domain.pricing.ngp_session import NgpSession, engine_session
from evsenet.domain.schedule import Colour, TimeSlot, Weekday
from evsenet.domain.tariff import PricingComponent, pricing_component
from evsenet.domain.tariff import Tariff as NgpTariff
from evsenet.domain.tariff import tariff as ngp_tariff

D = Decimal
BERLIN = ZoneInfo("Europe/Berlin")
LAST = 86_399
MICRO = timedelta(microseconds=1)
WEEKS = [datetime(2025, 3, 27, tzinfo=UTC), datetime(2025, 10, 23, tzinfo=UTC)]
"""Thursdays before the 2025 European DST changes: sessions cross them and day borders."""


def _exact(prepared: KernelTariff, session: Session) -> SessionTotals:
    """The kernel's totals of `session`, asserted handled and equal to the engine's."""
    reference = price_session(prepared.compiled, session)
    assert reference.warnings == ()
    (row,) = kernel_rows(prepared, [session])
    assert row is not None, "the kernel declined a session it should price"
    totals = totals_of(prepared, row)
    assert totals == SessionTotals.of(reference).with_kernel()
    return totals


# -- NGP groups and sessions ---------------------------------------------------------------


def _component(kind: str, unit: str, cost: Decimal, **extra: object) -> PricingComponent:
    return pricing_component(type=kind, reference_unit=unit, cost=cost, **extra)  # type: ignore[arg-type]


cost = st.decimals(min_value=0, max_value=5, places=2)
units = st.sampled_from(["MINUTE", "HOUR"])
graces = st.one_of(st.sampled_from([0, 1, 15, 30, 60]), st.integers(0, 180))


@st.composite
def ngp_tariffs(draw: st.DrawFn, name: str) -> NgpTariff:
    parts = [_component("CHARGING_ENERGY", "KILOWATT_HOUR", draw(cost))]
    if draw(st.booleans()):
        parts.append(_component("CHARGING_TIME", draw(units), draw(cost)))
    if draw(st.booleans()):
        parts.append(_component("SESSION", "NONE", draw(cost)))
    if draw(st.integers(0, 4)):
        parts.append(_component("PARKING", draw(units), draw(cost), grace_minutes=draw(graces)))
    if draw(st.integers(0, 3)):
        parts.append(
            _component(
                "BLOCKING_FEE",
                draw(units),
                draw(cost),
                grace_minutes=draw(graces),
                fee_initiated=draw(
                    st.sampled_from(["CHARGING_END", "CHARGING_END", "SESSION_START"])
                ),
            )
        )
    return ngp_tariff(name=name, currency_code="EUR", components=parts)


@st.composite
def ngp_groups(draw: st.DrawFn) -> Tariff:
    day = draw(ngp_tariffs("Day"))
    if draw(st.booleans()):
        slots = [TimeSlot(weekday, 0, LAST, "Day", Colour.ICEBERG) for weekday in Weekday]
        used = {day.key: day}
    else:
        night = draw(ngp_tariffs("Night"))
        slots = []
        for weekday in Weekday:
            slots += [
                TimeSlot(weekday, 0, 6 * 3600 - 1, "Night", Colour.INDIGO),
                TimeSlot(weekday, 6 * 3600, 22 * 3600 - 1, "Day", Colour.ICEBERG),
                TimeSlot(weekday, 22 * 3600, LAST, "Night", Colour.INDIGO),
            ]
        used = {day.key: day, night.key: night}
    return compile_group(slots, used, D(19), tariff_id="ngp").tariff


seconds = st.one_of(st.integers(0, 12 * 3600), st.sampled_from([0, 60, 900, 1800, 3600, 7200]))


@st.composite
def ngp_sessions(draw: st.DrawFn) -> Session:
    start = draw(st.sampled_from(WEEKS)) + timedelta(
        seconds=draw(st.integers(0, 3 * 86_400)), microseconds=draw(st.integers(0, 999_999))
    )
    kind = draw(st.sampled_from(["charge then park", "park only", "charge to the end"]))
    charge_from = start + timedelta(seconds=draw(st.sampled_from([0, 0, 60, 300])))
    charge_to = charge_from + timedelta(seconds=draw(st.integers(60, 6 * 3600)))
    energy = draw(st.decimals(min_value=D("0.001"), max_value=80, places=3))
    if kind == "park only":
        charge_from = charge_to = charge_from
        energy = D(0)
    parked = timedelta(seconds=draw(seconds), microseconds=draw(st.sampled_from([0, 0, 1, -1])))
    end = charge_to if kind == "charge to the end" else max(charge_to, charge_to + parked)
    session, _ = engine_session(
        NgpSession(
            session_start=start,
            session_end=end,
            charging_start=charge_from,
            charging_end=charge_to,
            energy_kwh=energy,
        ),
        BERLIN,
    )
    return session


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ngp_groups(), st.lists(ngp_sessions(), min_size=1, max_size=4))
def test_the_kernel_prices_ngp_graces_and_blocking_fees_as_the_engine_does(
    tariff: Tariff, drawn: list[Session]
) -> None:
    prepared = prepare(compile_tariff(tariff))
    assert prepared.declined is None
    for session in drawn:
        _exact(prepared, session)
    totals = price_totals(prepared, drawn)
    assert all(t.by_kernel for t in totals)


# -- the cut instants ------------------------------------------------------------------------

START = datetime(2025, 5, 6, 8, tzinfo=UTC)
CHARGED = START + timedelta(hours=1)
GRACE = timedelta(minutes=15)
BLOCKING = timedelta(minutes=30)


def _offer() -> Tariff:
    """Parking 0.04/min after a 15-minute grace, a blocking fee of 0.10/min from 30 minutes
    after charging end, 0.30/kWh, VAT 19 % (docs/pricing.md's NGP example)."""
    day = ngp_tariff(
        name="Day",
        currency_code="EUR",
        components=(
            _component("CHARGING_ENERGY", "KILOWATT_HOUR", D("0.30")),
            _component("PARKING", "MINUTE", D("0.04"), grace_minutes=15),
            _component(
                "BLOCKING_FEE", "MINUTE", D("0.10"), grace_minutes=30, fee_initiated="CHARGING_END"
            ),
        ),
    )
    slots = [TimeSlot(weekday, 0, LAST, "Day", Colour.ICEBERG) for weekday in Weekday]
    return compile_group(slots, {day.key: day}, D(19), tariff_id="ngp").tariff


def _ngp(end: datetime, charging: tuple[datetime, datetime] = (START, CHARGED)) -> Session:
    charging_start, charging_end = charging
    session, _ = engine_session(
        NgpSession(
            session_start=START,
            session_end=end,
            charging_start=charging_start,
            charging_end=charging_end,
            energy_kwh=D(0) if charging_start == charging_end else D("20.5"),
        ),
        BERLIN,
    )
    return session


@pytest.mark.parametrize(
    ("end", "charging", "parking_excl"),
    [
        pytest.param(CHARGED, (START, CHARGED), "0.00", id="charged-to-the-end"),
        pytest.param(CHARGED + GRACE - MICRO, (START, CHARGED), "0.00", id="grace-less-1us"),
        pytest.param(CHARGED + GRACE, (START, CHARGED), "0.00", id="exactly-at-grace"),
        # one microsecond of parking after the grace bills one started minute
        pytest.param(CHARGED + GRACE + MICRO, (START, CHARGED), "0.04", id="grace-plus-1us"),
        pytest.param(CHARGED + BLOCKING - MICRO, (START, CHARGED), "0.60", id="blocking-less-1us"),
        pytest.param(CHARGED + BLOCKING, (START, CHARGED), "0.60", id="exactly-at-blocking"),
        pytest.param(CHARGED + BLOCKING + MICRO, (START, CHARGED), "0.74", id="blocking-plus-1us"),
        # 75 minutes parked: 60 after the grace at 0.04, 45 of them with the fee at 0.10
        pytest.param(
            CHARGED + timedelta(minutes=75), (START, CHARGED), "6.90", id="charge-then-park"
        ),
        # no charging: the charging end is the session start, the grace runs from it
        pytest.param(START + GRACE, (START, START), "0.00", id="park-only-within-grace"),
        pytest.param(START + timedelta(minutes=75), (START, START), "6.90", id="park-only"),
        # zero-length charging is no charging: the grace runs from the session start
        pytest.param(
            START + timedelta(minutes=75),
            (START + timedelta(minutes=10), START + timedelta(minutes=10)),
            "6.90",
            id="wait-then-zero-length-charging",
        ),
        pytest.param(
            START + timedelta(minutes=20) + GRACE,
            (START + timedelta(minutes=5), START + timedelta(minutes=20)),
            "0.00",
            id="wait-charge-park-within-grace",
        ),
    ],
)
def test_parking_at_the_cut_instants_is_priced_as_the_engine_does(
    end: datetime, charging: tuple[datetime, datetime], parking_excl: str
) -> None:
    prepared = prepare(compile_tariff(_offer()))
    totals = _exact(prepared, _ngp(end, charging))
    assert totals.total_parking_cost.excl_vat == D(parking_excl)


def _at_charging_end(restrictions: Restrictions) -> Tariff:
    parking = PriceComponent(dimension=TariffDimension.PARKING_TIME, price=D(6), step_size=1)
    free = PriceComponent(dimension=TariffDimension.PARKING_TIME, price=D(0))
    return Tariff(
        id="E",
        currency=currency("EUR"),
        elements=(
            TariffElement(components=(parking,), restrictions=restrictions),
            TariffElement(components=(free,)),
        ),
    )


@pytest.mark.parametrize(
    ("restrictions", "parking_excl"),
    [
        # parking before charging (waiting) has no time since the charging end: free
        pytest.param(Restrictions(min_duration_after_charging=0), "1.50", id="min-0"),
        pytest.param(Restrictions(max_duration_after_charging=600), "1.00", id="max-600"),
        pytest.param(
            Restrictions(min_duration_after_charging=600, max_duration_after_charging=600),
            "0.00",
            id="empty-range",
        ),
        pytest.param(
            Restrictions(min_duration_after_charging=300, max_duration_after_charging=900),
            "1.00",
            id="300-to-900",
        ),
    ],
)
def test_waiting_before_charging_is_not_time_after_charging(
    restrictions: Restrictions, parking_excl: str
) -> None:
    """Wait 15 min, charge 30 min, park 15 min at 6.00/h where the element matches."""
    tariff = _at_charging_end(restrictions)
    totals = _exact(prepare(compile_tariff(tariff)), _wait_charge_park())
    assert totals.total_parking_cost.excl_vat == D(parking_excl)


@pytest.mark.parametrize(
    "restrictions",
    [
        Restrictions(min_duration_after_charging=10**20),
        Restrictions(max_duration_after_charging=10**15),
        Restrictions(max_duration=10**19),
    ],
    ids=["min-after-1e20", "max-after-1e15", "max-duration-1e19"],
)
def test_a_duration_bound_beyond_any_session_is_priced_as_the_engine_does(
    restrictions: Restrictions,
) -> None:
    _exact(prepare(compile_tariff(_at_charging_end(restrictions))), _wait_charge_park())


def _wait_charge_park() -> Session:
    charge_from = START + timedelta(minutes=15)
    charge_to = charge_from + timedelta(minutes=30)
    return Session(
        start=START,
        end=charge_to + timedelta(minutes=15),
        time_zone=None,
        periods=(
            ChargingPeriod(start=START, end=charge_from, parking_hours=D("0.25")),
            ChargingPeriod(
                start=charge_from, end=charge_to, energy_kwh=D(10), charging_hours=D("0.5")
            ),
            ChargingPeriod(start=charge_to, end=charge_to + GRACE, parking_hours=D("0.25")),
        ),
    )


def test_more_than_64_durations_after_charging_are_left_to_the_engine() -> None:
    flat = PriceComponent(dimension=TariffDimension.FLAT, price=D(1))
    tariff = Tariff(
        id="M",
        currency=currency("EUR"),
        elements=tuple(
            TariffElement(
                components=(flat,), restrictions=Restrictions(min_duration_after_charging=60 * i)
            )
            for i in range(65)
        ),
    )
    prepared = prepare(compile_tariff(tariff))
    assert prepared.declined == "more than 64 durations after charging"
    session = _ngp(CHARGED + GRACE)
    assert price_totals(prepared, [session]) == [
        SessionTotals.of(price_session(prepared.compiled, session))
    ]


def test_the_grace_runs_from_the_end_of_the_last_period_with_charging_time() -> None:
    """Charge 30 min, pause 20, charge 10 min drawing no energy (charging time alone is
    charging), park 30: only the last 20 minutes, after a 10-minute grace, cost 6.00/h."""
    moments = [START + timedelta(minutes=m) for m in (0, 30, 50, 60, 90)]
    session = Session(
        start=START,
        end=moments[-1],
        time_zone=None,
        periods=(
            ChargingPeriod(
                start=moments[0], end=moments[1], energy_kwh=D(5), charging_hours=D("0.5")
            ),
            ChargingPeriod(start=moments[1], end=moments[2], parking_hours=D(20) / 60),
            ChargingPeriod(start=moments[2], end=moments[3], charging_hours=D(10) / 60),
            ChargingPeriod(start=moments[3], end=moments[4], parking_hours=D("0.5")),
        ),
    )
    tariff = _at_charging_end(Restrictions(min_duration_after_charging=600))
    totals = _exact(prepare(compile_tariff(tariff)), session)
    assert totals.total_parking_cost.excl_vat == D("2.00")
