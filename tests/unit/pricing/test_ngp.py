"""NGP on the engine: a group's weekly schedule and NGP tariffs compile to one engine tariff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing import PriceBreakdown, price_session
from evsenet.domain.pricing.ngp import CompiledGroup, compile_group
from evsenet.domain.pricing.ngp_session import NgpSession, engine_session
from evsenet.domain.schedule import Colour, TimeSlot, Weekday
from evsenet.domain.tariff import PricingComponent, Tariff, pricing_component, tariff

D = Decimal
BERLIN = ZoneInfo("Europe/Berlin")
LAST = 86_399


def component(kind: str, unit: str, cost: str, **extra: object) -> PricingComponent:
    return pricing_component(type=kind, reference_unit=unit, cost=D(cost), **extra)  # type: ignore[arg-type]


def ngp(name: str, *components: PricingComponent, money: str = "EUR") -> Tariff:
    return tariff(name=name, currency_code=money, components=components)


def whole_week(name: str) -> list[TimeSlot]:
    return [TimeSlot(day, 0, LAST, name, Colour.ICEBERG) for day in Weekday]


def day_and_night(day_name: str, night_name: str) -> list[TimeSlot]:
    """Day 06:00–21:59:59, night 22:00–05:59:59, every day."""
    slots = []
    for day in Weekday:
        slots += [
            TimeSlot(day, 0, 6 * 3600 - 1, night_name, Colour.INDIGO),
            TimeSlot(day, 6 * 3600, 22 * 3600 - 1, day_name, Colour.ICEBERG),
            TimeSlot(day, 22 * 3600, LAST, night_name, Colour.INDIGO),
        ]
    return slots


def compiled(slots: list[TimeSlot], *tariffs: Tariff, vat: str = "19") -> CompiledGroup:
    return compile_group(slots, {t.key: t for t in tariffs}, D(vat), tariff_id="g1")


def local(text: str, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def price(
    group: CompiledGroup,
    start: str,
    end: str,
    kwh: str = "0",
    *,
    charging: tuple[str, str] | None = None,
) -> PriceBreakdown:
    session, _ = engine_session(
        NgpSession(
            session_start=local(start),
            session_end=local(end),
            charging_start=local(charging[0]) if charging else None,
            charging_end=local(charging[1]) if charging else None,
            energy_kwh=D(kwh),
        ),
        BERLIN,
    )
    return price_session(group.tariff, session)


ENERGY_DAY = ngp("Day", component("CHARGING_ENERGY", "KILOWATT_HOUR", "0.40"))
ENERGY_NIGHT = ngp("Night", component("CHARGING_ENERGY", "KILOWATT_HOUR", "0.20"))


@pytest.mark.parametrize(
    ("start", "end", "kwh", "excl"),
    [
        # 21:00–23:00 linear energy: 10 kWh by day (0.40), 10 by night (0.20).
        pytest.param("2026-03-03 21:00", "2026-03-03 23:00", "20", "6.00", id="evening-border"),
        # 05:00–07:00 across the morning border.
        pytest.param("2026-03-04 05:00", "2026-03-04 07:00", "20", "6.00", id="morning-border"),
        # Across midnight within the night tariff: no border inside, all night.
        pytest.param("2026-03-03 23:00", "2026-03-04 01:00", "20", "4.00", id="across-midnight"),
        # Spring forward (Berlin 2026-03-29 02:00→03:00): 05:00–07:00 is two real hours.
        pytest.param("2026-03-29 05:00", "2026-03-29 07:00", "20", "6.00", id="dst-spring-day"),
        # 00:00–07:00 local on the spring-forward day is 6 real hours: 5 night, 1 day.
        pytest.param("2026-03-29 00:00", "2026-03-29 07:00", "60", "14.00", id="dst-spring-night"),
        # 00:00–07:00 local on the fall-back day is 8 real hours: 7 night, 1 day.
        pytest.param("2026-10-25 00:00", "2026-10-25 07:00", "80", "18.00", id="dst-fall-night"),
    ],
)
def test_slot_borders_split_a_session_by_local_time(
    start: str, end: str, kwh: str, excl: str
) -> None:
    group = compiled(day_and_night("Day", "Night"), ENERGY_DAY, ENERGY_NIGHT)
    priced = price(group, start, end, kwh)
    assert priced.total_cost.excl_vat == D(excl)
    assert priced.total_cost.incl_vat == (D(excl) * D("1.19")).quantize(D("0.01"))


def test_every_line_names_its_ngp_tariff_and_slot() -> None:
    group = compiled(day_and_night("Day", "Night"), ENERGY_DAY, ENERGY_NIGHT)
    priced = price(group, "2026-03-03 21:00", "2026-03-03 23:00", "20")
    named = [(group.source(line.element), line.amount_excl_vat) for line in priced.lines]
    assert [(s.tariff, s.slot, amount) for s, amount in named if s] == [
        ("Day", "TUESDAY 06:00:00–21:59:59", D("4.0000")),
        ("Night", "TUESDAY 22:00:00–23:59:59", D("2.0000")),
    ]


@pytest.mark.parametrize(
    ("blocking", "excl"),
    [
        # Charging 10:00–11:00 (60 min), parked 11:00–12:30 (90 min).
        # Parking 0.04/min after 15 min grace (from charging end): 75 min = 3.00.
        # Blocking 0.10/min after 30 min from charging end: 60 min = 6.00.
        pytest.param("CHARGING_END", "9.00", id="blocking-from-charging-end"),
        # Blocking 0.10/min after 30 min from session start: the last 30 min of charging
        # and all 90 parked minutes = 120 min = 12.00; plus parking 3.00.
        pytest.param("SESSION_START", "15.00", id="blocking-from-session-start"),
    ],
)
def test_parking_grace_and_blocking_fee_in_both_counting_modes(blocking: str, excl: str) -> None:
    fees = ngp(
        "Fees",
        component("PARKING", "MINUTE", "0.04", grace_minutes=15),
        component("BLOCKING_FEE", "MINUTE", "0.10", grace_minutes=30, fee_initiated=blocking),
    )
    group = compiled(whole_week("Fees"), fees)
    priced = price(
        group,
        "2026-03-03 10:00",
        "2026-03-03 12:30",
        "20",
        charging=("2026-03-03 10:00", "2026-03-03 11:00"),
    )
    assert priced.total_cost.excl_vat == D(excl)


def test_a_parking_grace_longer_than_the_parking_is_free() -> None:
    fees = ngp(
        "Fees",
        component("CHARGING_ENERGY", "KILOWATT_HOUR", "0.30"),
        component("PARKING", "HOUR", "6.00", grace_minutes=30),
    )
    priced = price(
        compiled(whole_week("Fees"), fees),
        "2026-03-03 10:00",
        "2026-03-03 11:20",
        "10",
        charging=("2026-03-03 10:00", "2026-03-03 11:00"),
    )
    assert priced.total_cost.excl_vat == D("3.00")


def test_a_blocking_grace_shorter_than_the_parking_grace_charges_the_fee_alone_first() -> None:
    fees = ngp(
        "Fees",
        component("PARKING", "HOUR", "6.00", grace_minutes=30),
        component("BLOCKING_FEE", "HOUR", "12.00", grace_minutes=10, fee_initiated="CHARGING_END"),
    )
    # Parked 40 min after charging: blocking 30 min (6.00), parking 10 min (1.00).
    priced = price(
        compiled(whole_week("Fees"), fees),
        "2026-03-03 10:00",
        "2026-03-03 11:40",
        "10",
        charging=("2026-03-03 10:00", "2026-03-03 11:00"),
    )
    assert priced.total_cost.excl_vat == D("7.00")


def test_the_session_fee_is_charged_once_even_across_slots_with_different_fees() -> None:
    day = ngp("Day", component("SESSION", "NONE", "1.00"))
    night = ngp("Night", component("SESSION", "NONE", "2.00"))
    group = compiled(day_and_night("Day", "Night"), day, night)
    assert price(group, "2026-03-03 21:00", "2026-03-03 23:00").total_cost.excl_vat == D("1.00")
    assert price(group, "2026-03-03 22:30", "2026-03-04 07:00").total_cost.excl_vat == D("2.00")


def test_charging_time_per_minute_bills_started_minutes() -> None:
    per_minute = ngp("T", component("CHARGING_TIME", "MINUTE", "0.10"))
    priced = price(compiled(whole_week("T"), per_minute), "2026-03-03 10:00", "2026-03-03 10:30")
    assert priced.total_cost.excl_vat == D("3.00")
    session, _ = engine_session(
        NgpSession(
            session_start=local("2026-03-03 10:00"),
            session_end=local("2026-03-03 10:00") + timedelta(minutes=30, seconds=1),
            energy_kwh=D(0),
        ),
        BERLIN,
    )
    per_minute_group = compiled(whole_week("T"), per_minute)
    assert price_session(per_minute_group.tariff, session).total_cost.excl_vat == D("3.10")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param(
            {"session_end": "2026-03-03 09:00"}, "session.end_before_start", id="reversed"
        ),
        pytest.param(
            {"charging_start": "2026-03-03 09:00"}, "session.charging_outside", id="early"
        ),
        pytest.param({"charging_end": "2026-03-03 13:00"}, "session.charging_outside", id="late"),
        pytest.param({"energy_kwh": "-1"}, "session.volume_negative", id="negative-kwh"),
        pytest.param({"energy_kwh": None}, "session.energy_missing", id="no-energy"),
    ],
)
def test_a_session_that_cannot_be_priced_is_refused_with_its_code(
    change: dict[str, str | None], code: str
) -> None:
    base: dict[str, str | None] = {
        "session_start": "2026-03-03 10:00",
        "session_end": "2026-03-03 12:00",
        "charging_start": "2026-03-03 10:00",
        "charging_end": "2026-03-03 11:00",
        "energy_kwh": "10",
    }
    values = base | change
    with pytest.raises(DomainError) as raised:
        engine_session(
            NgpSession(
                session_start=local(str(values["session_start"])),
                session_end=local(str(values["session_end"])),
                charging_start=local(str(values["charging_start"])),
                charging_end=local(str(values["charging_end"])),
                energy_kwh=None if values["energy_kwh"] is None else D(values["energy_kwh"]),
            ),
            BERLIN,
        )
    assert raised.value.code == code


def test_meter_readings_give_the_energy_and_a_disagreement_is_warned() -> None:
    base = {
        "session_start": local("2026-03-03 10:00"),
        "session_end": local("2026-03-03 11:00"),
        "meter_start_kwh": D("100"),
        "meter_end_kwh": D("112.5"),
    }
    metered, warnings = engine_session(NgpSession(**base), BERLIN)  # type: ignore[arg-type]
    assert metered.periods[0].energy_kwh == D("12.5")
    assert warnings == ()
    _, warned = engine_session(NgpSession(energy_kwh=D(10), **base), BERLIN)  # type: ignore[arg-type]
    assert [w.code for w in warned] == ["session.meter_differs"]


def test_a_slot_naming_an_unknown_tariff_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        compiled(whole_week("Missing"), ENERGY_DAY)
    assert raised.value.code == "ngp.tariff_unknown"


cost = st.decimals(min_value=0, max_value=5, places=2)


@settings(max_examples=60, deadline=None)
@given(
    energy=cost,
    per_hour=cost,
    parking=cost,
    fee=cost,
    grace=st.integers(0, 90),
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    charge_minutes=st.integers(0, 600),
    park_minutes=st.integers(0, 600),
    kwh=st.decimals(min_value=0, max_value=150, places=3),
)
def test_a_schedule_of_one_tariff_split_into_many_slots_prices_like_that_tariff_alone(
    energy: Decimal,
    per_hour: Decimal,
    parking: Decimal,
    fee: Decimal,
    grace: int,
    start: datetime,
    charge_minutes: int,
    park_minutes: int,
    kwh: Decimal,
) -> None:
    one = ngp(
        "One",
        component("CHARGING_ENERGY", "KILOWATT_HOUR", str(energy)),
        component("CHARGING_TIME", "HOUR", str(per_hour)),
        component("PARKING", "HOUR", str(parking), grace_minutes=grace),
        component("SESSION", "NONE", str(fee)),
    )
    # The same tariff under two names, so the slots do not merge: 4-hour slots all week.
    twin = ngp("Twin", *one.components)
    slots = [
        TimeSlot(day, h * 3600, (h + 4) * 3600 - 1, "One" if h % 8 else "Twin", Colour.ICEBERG)
        for day in Weekday
        for h in range(0, 24, 4)
    ]
    if charge_minutes == 0:
        kwh = D(0)
    ngp_session = NgpSession(
        session_start=start,
        session_end=start + timedelta(minutes=charge_minutes + park_minutes),
        charging_start=start,
        charging_end=start + timedelta(minutes=charge_minutes),
        energy_kwh=kwh,
    )
    session, _ = engine_session(ngp_session, BERLIN)
    alone = price_session(compiled(whole_week("One"), one).tariff, session)
    split = price_session(compiled(slots, one, twin).tariff, session)
    assert split.total_cost == alone.total_cost
