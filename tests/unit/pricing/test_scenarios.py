"""The 24 cases of ../shared/pricing-scenarios.md where pricing engines went wrong.

Each case is the scenario's tariff and session; the expected totals are the scenario's.
"Pin" cases hold a choice written down in docs/pricing.md. Scenario 24 (strict parsing)
lives in tests/unit/formats/test_ocpi.py and scenario 25 (input sanity) in
test_bad_input.py; both carry the scenario number in their ids.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evsenet.domain.pricing import PriceBreakdown, Session, Tariff, price_session, tariff_in_force
from evsenet.domain.pricing.session import ChargingPeriod
from tests.unit.pricing.builders import (
    charge,
    charging_time,
    element,
    energy,
    flat,
    park,
    parking,
    session,
    tariff,
)

D = Decimal


def _case(case_id: str, t: Tariff, s: Session, excl: str, incl: str | None = None) -> object:
    return pytest.param(t, s, excl, incl, id=case_id)


STEP_10_KWH = 10_000

CASES = [
    _case(
        "scenario-01-energy-step-spread-over-elements-goes-to-the-last-rate",
        tariff(
            element(energy("2.00", step=STEP_10_KWH), max_current="20"),
            element(energy("5.00", step=STEP_10_KWH), min_current="20"),
        ),
        session(
            charge("2025-01-06 10:00", "11:00", "3", current="10"),
            charge("2025-01-06 11:00", "12:00", "3", current="40"),
            charge("2025-01-06 12:00", "13:00", "3", current="10"),
        ),
        "29.00",
    ),
    _case(
        "scenario-02-energy-step-on-an-exact-multiple-is-not-rounded",
        tariff(element(energy("0.25", step=5000))),
        session(charge("2025-01-06 10:00", "11:00", "5.000")),
        "1.25",
    ),
    _case(
        "scenario-02-one-wh-above-a-multiple-takes-the-next-step",
        tariff(element(energy("0.25", step=5000))),
        session(charge("2025-01-06 10:00", "11:00", "5.001")),
        "2.50",
    ),
    _case(
        "scenario-03-energy-step-unit-is-wh-step-500",
        tariff(element(energy("0.25", step=500))),
        session(charge("2025-01-06 10:00", "11:00", "0.1152")),
        "0.13",
    ),
    _case(
        "scenario-04-time-step-across-a-price-change-goes-to-the-later-rate",
        tariff(
            element(charging_time("5", step=600), end_time="17:00"),
            element(charging_time("7", step=600), start_time="17:00"),
        ),
        session(charge("2025-01-06 16:54", "17:22")),
        "3.30",
    ),
    _case(
        "scenario-05-the-last-active-elements-step-sets-the-rounding",
        tariff(
            element(charging_time("1.20", step=1800), end_time="17:00"),
            element(charging_time("2.40", step=900), start_time="17:00"),
        ),
        session(charge("2025-01-06 16:35", "17:10")),
        "1.30",
    ),
    _case(
        "scenario-06-time-and-parking-take-one-step-only",
        tariff(element(charging_time("1.00", step=600), parking("2.00", step=600))),
        session(charge("2025-01-06 10:00", "10:21"), park("2025-01-06 10:21", "10:37")),
        "1.02",
    ),
    _case(
        "scenario-07-only-the-first-matching-element-per-dimension",
        tariff(
            element(energy("30"), day_of_week="MONDAY"),
            element(energy("20"), start_time="12:00", end_time="13:00"),
            element(charging_time("10"), start_time="12:00", end_time="13:00"),
        ),
        session(charge("2025-01-06 12:00", "13:00", "10")),
        "310.00",
    ),
    _case(
        "scenario-08-time-window-on-energy-with-split-periods",
        tariff(element(energy("1"), end_time="21:00"), element(energy("10"))),
        session(
            charge("2025-01-06 20:00", "21:00", "10"), charge("2025-01-06 21:00", "22:00", "10")
        ),
        "110.00",
    ),
    _case(
        "scenario-08-time-window-on-energy-in-one-unsplit-period",
        tariff(element(energy("1"), end_time="21:00"), element(energy("10"))),
        session(charge("2025-01-06 20:00", "22:00", "20")),
        "110.00",
    ),
    _case(
        "scenario-09-absent-start-time-means-from-midnight",
        tariff(element(energy("0.50"), end_time="04:00"), element(energy("0.70"))),
        session(charge("2025-01-06 03:00", "05:00", "2")),
        "1.20",
    ),
    _case(
        "scenario-10-end-time-midnight-means-end-of-day",
        tariff(
            element(energy("0.30"), start_time="20:00", end_time="00:00"),
            element(energy("0.20")),
        ),
        session(charge("2025-01-06 23:30", "2025-01-07 00:30", "2")),
        "0.50",
    ),
    _case(
        "scenario-10-absent-end-time-is-the-same-as-midnight",
        tariff(element(energy("0.30"), start_time="20:00"), element(energy("0.20"))),
        session(charge("2025-01-06 23:30", "2025-01-07 00:30", "2")),
        "0.50",
    ),
    _case(
        "scenario-11-pin-window-across-midnight-checks-the-instants-own-weekday-monday",
        tariff(
            element(
                energy("0.25"),
                start_time="20:00",
                end_time="15:00",
                day_of_week="MONDAY,TUESDAY,WEDNESDAY,THURSDAY,FRIDAY",
            ),
            element(energy("0.50")),
        ),
        session(charge("2025-01-06 08:01", "08:31", "1")),
        "0.25",
    ),
    _case(
        "scenario-11-pin-end-of-friday-night-on-saturday-is-not-a-weekday",
        tariff(
            element(
                energy("0.25"),
                start_time="20:00",
                end_time="15:00",
                day_of_week="MONDAY,TUESDAY,WEDNESDAY,THURSDAY,FRIDAY",
            ),
            element(energy("0.50")),
        ),
        session(charge("2025-01-11 01:00", "01:30", "1")),
        "0.50",
    ),
    _case(
        "scenario-12-dst-fall-back-both-hours-are-local-02",
        tariff(
            element(energy("0.10"), start_time="02:00", end_time="03:00"),
            element(energy("0.30")),
        ),
        session(
            charge("2025-10-26 00:00Z", "2025-10-26 01:00Z", "1"),
            charge("2025-10-26 01:00Z", "2025-10-26 02:00Z", "1"),
            tz="Europe/Copenhagen",
        ),
        "0.20",
    ),
    _case(
        "scenario-12-dst-fall-back-in-one-period",
        tariff(
            element(energy("0.10"), start_time="02:00", end_time="03:00"),
            element(energy("0.30")),
        ),
        session(charge("2025-10-26 00:00Z", "2025-10-26 02:00Z", "2"), tz="Europe/Copenhagen"),
        "0.20",
    ),
    _case(
        "scenario-13-dst-spring-forward-the-missing-hour-never-applies",
        tariff(
            element(energy("0.10"), start_time="02:00", end_time="03:00"),
            element(energy("0.30")),
        ),
        session(charge("2025-03-30 00:30Z", "2025-03-30 01:30Z", "1"), tz="Europe/Copenhagen"),
        "0.30",
    ),
    _case(
        "scenario-15-grace-period-counts-from-session-start",
        tariff(
            element(parking("0.00"), max_duration=1800),
            element(parking("3.00", step=300), min_duration=1800),
            element(flat("0.50"), energy("0.25")),
        ),
        session(charge("2025-01-06 10:00", "11:00", "10"), park("2025-01-06 11:00", "11:40")),
        "5.00",
    ),
    _case(
        "scenario-16-min-duration-on-time-prices-only-the-fourth-hour",
        tariff(
            element(charging_time("2.00", step=900), min_duration=10800),
            element(flat("0.50"), energy("0.25")),
        ),
        session(charge("2025-01-06 10:00", "14:00", "20")),
        "7.50",
    ),
    _case(
        "scenario-17-kwh-threshold-inside-one-period-is-split-there",
        tariff(element(energy("0.30"), max_kwh="10"), element(energy("0.20"))),
        session(charge("2025-01-06 10:00", "11:30", "15")),
        "4.00",
    ),
    _case(
        "scenario-18-flat-is-charged-once",
        tariff(element(flat("1.00"))),
        session(
            charge("2025-01-06 10:00", "10:30"),
            charge("2025-01-06 10:30", "11:00"),
            charge("2025-01-06 11:00", "11:30"),
        ),
        "1.00",
    ),
    _case(
        "scenario-18-pin-two-flat-elements-that-both-become-active-are-both-charged",
        tariff(element(flat("1.00"), end_time="12:00"), element(flat("2.00"))),
        session(charge("2025-01-06 11:30", "12:30")),
        "3.00",
    ),
    _case(
        "scenario-19-min-price-floor",
        tariff(element(energy("0.25", vat="10")), min_price=("0.50", "0.55")),
        session(charge("2025-01-06 10:00", "11:00", "1.2")),
        "0.50",
        "0.55",
    ),
    _case(
        "scenario-19-above-the-floor-the-computed-price",
        tariff(element(energy("0.25", vat="10")), min_price=("0.50", "0.55")),
        session(charge("2025-01-06 10:00", "11:00", "20")),
        "5.00",
        "5.50",
    ),
    _case(
        "scenario-20-max-price-cap",
        tariff(element(charging_time("2.90")), max_price=("27.00", None)),
        session(charge("2025-01-06 08:00", "20:00")),
        "27.00",
    ),
    _case(
        "scenario-20-pin-a-gross-only-cap-is-compared-on-incl-vat",
        tariff(element(charging_time("2.90", vat="20")), max_price=(None, "32.40")),
        session(charge("2025-01-06 08:00", "20:00")),
        "27.00",
        "32.40",
    ),
    _case(
        "scenario-21-a-component-without-vat-gets-incl-equal-excl",
        tariff(element(energy("0.25", vat="10"), flat("0.50"))),
        session(charge("2025-01-06 10:00", "11:00", "20")),
        "5.50",
        "6.00",
    ),
    _case(
        "ngp-parking-grace-and-blocking-fee-counted-from-charging-end",
        tariff(
            element(parking("8.40"), min_duration_after_charging=3600),
            element(parking("2.40"), min_duration_after_charging=900),
            element(energy("0.30")),
        ),
        session(charge("2025-01-06 10:00", "11:00", "20"), park("2025-01-06 11:00", "12:30")),
        "12.00",
    ),
    _case(
        "scenario-22-power-restriction-without-power-data-does-not-match",
        tariff(element(energy("0.50"), min_power="32"), element(energy("0.25"))),
        session(charge("2025-01-06 10:00", "11:00", "1")),
        "0.25",
    ),
]


@pytest.mark.parametrize(("the_tariff", "the_session", "excl", "incl"), CASES)
def test_each_scenario_prices_to_its_documented_total(
    the_tariff: Tariff, the_session: Session, excl: str, incl: str | None
) -> None:
    priced = price_session(the_tariff, the_session)
    assert priced.total_cost.excl_vat == D(excl), _explain(priced)
    if incl is not None:
        assert priced.total_cost.incl_vat == D(incl), _explain(priced)


def _explain(priced: PriceBreakdown) -> str:
    return "\n".join(
        f"{line.dimension} {line.quantity} × {line.unit_price} = {line.amount_excl_vat} "
        f"[{line.element}] {line.reason}"
        for line in priced.lines
    )


@pytest.mark.parametrize(
    ("step", "line_amount", "total"),
    [
        pytest.param(1, "0.0290", "0.03", id="scenario-03-step-1-bills-116-wh"),
        pytest.param(25, "0.0313", "0.03", id="scenario-03-step-25-bills-125-wh"),
        pytest.param(500, "0.1250", "0.13", id="scenario-03-step-500-bills-500-wh"),
    ],
)
def test_scenario_03_energy_steps_are_in_wh(step: int, line_amount: str, total: str) -> None:
    priced = price_session(
        tariff(element(energy("0.25", step=step))),
        session(charge("2025-01-06 10:00", "11:00", "0.1152")),
    )
    assert sum(line.amount_excl_vat for line in priced.lines) == D(line_amount)
    assert priced.total_cost.excl_vat == D(total)


def test_scenario_06_time_is_not_rounded_but_parking_is() -> None:
    priced = price_session(
        tariff(element(charging_time("1.00", step=600), parking("2.00", step=600))),
        session(charge("2025-01-06 10:00", "10:21"), park("2025-01-06 10:21", "10:37")),
    )
    assert priced.total_time_cost.excl_vat == D("0.35")
    assert priced.total_parking_cost.excl_vat == D("0.67")
    assert [line.dimension for line in priced.lines if line.step_rounding] == ["PARKING_TIME"]


def test_scenario_07_energy_comes_from_the_first_matching_element_only() -> None:
    priced = price_session(
        tariff(
            element(energy("30"), day_of_week="MONDAY"),
            element(energy("20"), start_time="12:00", end_time="13:00"),
            element(charging_time("10"), start_time="12:00", end_time="13:00"),
        ),
        session(charge("2025-01-06 12:00", "13:00", "10")),
    )
    assert priced.total_energy_cost.excl_vat == D("300.00")
    assert {line.element for line in priced.lines if line.dimension == "ENERGY"} == {0}


def test_scenario_17_the_split_is_shown_in_the_breakdown() -> None:
    priced = price_session(
        tariff(element(energy("0.30"), max_kwh="10"), element(energy("0.20"))),
        session(charge("2025-01-06 10:00", "11:30", "15")),
    )
    energy_lines = [
        (line.quantity, line.element) for line in priced.lines if line.dimension == "ENERGY"
    ]
    assert energy_lines == [(D(10), 0), (D(5), 1)]
    # Linear over the period: 10 of 15 kWh are reached after 60 of 90 minutes.
    assert priced.lines[0].end.minute == 0


def test_scenario_22_warns_about_the_restriction_it_could_not_check() -> None:
    priced = price_session(
        tariff(element(energy("0.50"), min_power="32"), element(energy("0.25"))),
        session(charge("2025-01-06 10:00", "11:00", "1")),
    )
    assert [warning.code for warning in priced.warnings] == ["restriction.data_missing"]


def test_scenario_23_the_tariff_in_force_at_session_start_prices_the_whole_session() -> None:
    tariff_a = tariff(element(energy("0.25")), tariff_id="A", end="2019-06-30T23:59:59+00:00")
    tariff_b = tariff(element(energy("0.40")), tariff_id="B", start="2019-07-01T00:00:00+00:00")
    the_session = session(charge("2019-06-30 23:30Z", "2019-07-01 01:00Z", "10"), tz="UTC")
    chosen = tariff_in_force([tariff_b, tariff_a], the_session.start)
    assert chosen.id == "A"
    assert price_session(chosen, the_session).total_cost.excl_vat == D("2.50")


def test_a_session_stated_in_its_zone_is_priced_by_real_time_across_the_end_of_summer_time() -> (
    None
):
    """00:00 to 04:00 in Berlin on 2026-10-25 lasts 5 hours (02:00-03:00 happens twice).
    Stated as datetimes of one ZoneInfo, Python's arithmetic would make it 4."""
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 25, 0, 0, tzinfo=berlin)
    end = datetime(2026, 10, 25, 4, 0, tzinfo=berlin)
    period = ChargingPeriod(
        start=start,
        end=end,
        energy_kwh=D("10"),
        charging_hours=D(5),
        parking_hours=D(0),
        reservation_hours=D(0),
    )
    zoned = Session(start=start, end=end, time_zone=berlin, periods=(period,))
    in_utc = zoned.in_real_time()
    assert in_utc.start.tzinfo is UTC
    assert in_utc.end - in_utc.start == timedelta(hours=5)
    # 1.00 an hour for the first 3 hours, then 2.00: 3 + 2 x 2 (by wall clock, the cut
    # would fall at 3/4 of the period: 3.75 + 1.25 x 2 = 6.25).
    dearer_after_3_hours = tariff(
        element(charging_time("1.00"), max_duration=3 * 3600), element(charging_time("2.00"))
    )
    for priced in (zoned, in_utc):
        breakdown = price_session(dearer_after_3_hours, priced)
        assert breakdown.total_cost.excl_vat == D("7.00")
        assert not breakdown.warnings
