"""Bad input is a typed error or a warning in the answer, never a silent zero
(pricing-scenario 25 and the issue's list). Parsing problems are in
tests/unit/formats/test_ocpi.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.money import currency
from evsenet.domain.pricing import (
    PriceBound,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Session,
    Tariff,
    TariffDimension,
    TariffElement,
    price_session,
    tariff_in_force,
)
from tests.unit.pricing.builders import (
    charge,
    charging_time,
    element,
    energy,
    flat,
    park,
    reserve,
    session,
    tariff,
)

D = Decimal
SIMPLE = tariff(element(energy("0.25"), charging_time("1.00")))
ONE_HOUR = session(charge("2025-01-06 10:00", "11:00", "10"))


def _first_period(**changes: object) -> Session:
    period = replace(ONE_HOUR.periods[0], **changes)  # type: ignore[arg-type]
    return replace(ONE_HOUR, periods=(period,))


def _price(the_tariff: Tariff, the_session: Session) -> Callable[[], object]:
    return lambda: price_session(the_tariff, the_session)


def _build(factory: Callable[[], object]) -> Callable[[], object]:
    return factory


REFUSED = [
    pytest.param(
        _price(SIMPLE, _first_period(energy_kwh=D("-1"))),
        "session.volume_negative",
        id="negative-energy-volume",
    ),
    pytest.param(
        _price(SIMPLE, _first_period(charging_hours=D("-0.5"))),
        "session.volume_negative",
        id="negative-time-volume",
    ),
    pytest.param(
        _price(SIMPLE, _first_period(current=D("-16"))),
        "session.volume_negative",
        id="negative-current",
    ),
    pytest.param(
        _price(SIMPLE, _first_period(energy_kwh=D("1e308"))),
        "session.volume_too_large",
        id="absurd-energy-volume",
    ),
    pytest.param(
        _price(
            SIMPLE,
            replace(
                ONE_HOUR,
                start=datetime(9999, 12, 31, 22, tzinfo=UTC),
                end=datetime(9999, 12, 31, 23, tzinfo=UTC),
            ),
        ),
        "session.time_out_of_range",
        id="session-in-the-year-9999",
    ),
    pytest.param(_build(lambda: energy("1e300")), "tariff.price_too_large", id="absurd-price"),
    pytest.param(
        _build(lambda: energy("0.25", vat="119")), "tariff.vat_too_large", id="vat-above-100"
    ),
    pytest.param(
        _build(lambda: charging_time("2", step=10**30)),
        "tariff.step_size_too_large",
        id="absurd-step-size",
    ),
    pytest.param(
        _build(lambda: PriceBound(excl_vat=D("1e300"))),
        "tariff.bound_too_large",
        id="absurd-min-price",
    ),
    pytest.param(
        _price(SIMPLE, _first_period(energy_kwh=D("NaN"))),
        "session.volume_negative",
        id="not-a-number-volume",
    ),
    pytest.param(
        _price(
            SIMPLE,
            replace(
                ONE_HOUR,
                periods=tuple(
                    reversed(
                        session(
                            charge("2025-01-06 10:00", "10:30", "1"),
                            charge("2025-01-06 10:30", "11:00", "1"),
                        ).periods
                    )
                ),
            ),
        ),
        "session.periods_out_of_order",
        id="periods-out-of-order",
    ),
    pytest.param(
        _price(SIMPLE, replace(ONE_HOUR, end=ONE_HOUR.start - timedelta(minutes=1))),
        "session.end_before_start",
        id="session-ends-before-it-starts",
    ),
    pytest.param(
        _price(SIMPLE, replace(ONE_HOUR, periods=())),
        "session.no_periods",
        id="no-charging-periods",
    ),
    pytest.param(
        _price(SIMPLE, replace(ONE_HOUR, start=datetime(2025, 1, 6, 10))),
        "session.naive_datetime",
        id="session-start-without-time-zone",
    ),
    pytest.param(
        _price(
            tariff(element(energy("0.25"), start_time="08:00")),
            session(charge("2025-01-06 10:00", "11:00", "10"), tz=None),
        ),
        "session.time_zone_missing",
        id="missing-time-zone-for-a-time-restricted-tariff",
    ),
    pytest.param(
        _price(SIMPLE, replace(ONE_HOUR, currency_code="CHF")),
        "session.currency_mismatch",
        id="cdr-currency-differs-from-tariff",
    ),
    pytest.param(
        _build(lambda: energy("0.25", step=0)),
        "tariff.step_size_not_positive",
        id="energy-step-size-0",
    ),
    pytest.param(
        _build(lambda: charging_time("2", step=-60)),
        "tariff.step_size_not_positive",
        id="time-step-size-negative",
    ),
    pytest.param(_build(lambda: energy("-0.25")), "tariff.price_negative", id="negative-price"),
    pytest.param(
        _build(lambda: energy("0.25", vat="-19")), "tariff.vat_negative", id="negative-vat"
    ),
    pytest.param(
        _build(lambda: Restrictions(min_kwh=D(20), max_kwh=D(10))),
        "tariff.restriction_invalid",
        id="min-kwh-above-max-kwh",
    ),
    pytest.param(
        _build(lambda: Restrictions(min_duration=-60)),
        "tariff.restriction_invalid",
        id="negative-min-duration",
    ),
    pytest.param(
        _build(lambda: Restrictions(start_date=date(2025, 2, 1), end_date=date(2025, 1, 1))),
        "tariff.restriction_invalid",
        id="end-date-before-start-date",
    ),
    pytest.param(
        _build(lambda: TariffElement(components=())),
        "tariff.element_without_components",
        id="element-without-components",
    ),
    pytest.param(
        _build(lambda: Tariff(id="T", currency=currency("EUR"), elements=())),
        "tariff.no_elements",
        id="tariff-without-elements",
    ),
    pytest.param(
        _build(lambda: TariffElement(components=(energy("0.25"), energy("0.30")))),
        "tariff.component_repeated",
        id="two-energy-components-in-one-element",
    ),
    pytest.param(
        _build(
            lambda: TariffElement(
                components=(energy("0.25"),),
                restrictions=Restrictions(reservation=ReservationRestriction.RESERVATION),
            )
        ),
        "tariff.reservation_component",
        id="reservation-element-pricing-energy",
    ),
    pytest.param(
        _build(
            lambda: tariff(element(energy("0.25")), min_price=("5", None), max_price=("4", None))
        ),
        "tariff.min_above_max",
        id="min-price-above-max-price",
    ),
    pytest.param(
        _build(lambda: PriceBound(excl_vat=None, incl_vat=None)),
        "tariff.bound_without_amount",
        id="price-bound-without-amount",
    ),
    pytest.param(
        _build(lambda: PriceBound(excl_vat=D("-1"))),
        "tariff.bound_negative",
        id="negative-max-price",
    ),
    pytest.param(
        _build(
            lambda: tariff(
                element(energy("0.25")),
                start="2025-02-01T00:00:00+00:00",
                end="2025-01-01T00:00:00+00:00",
            )
        ),
        "tariff.validity_reversed",
        id="tariff-ends-before-it-starts",
    ),
    pytest.param(
        _build(
            lambda: tariff_in_force(
                [tariff(element(energy("0.25")), end="2019-06-30T23:59:59+00:00")],
                datetime(2019, 7, 1, tzinfo=UTC),
            )
        ),
        "tariff.none_in_force",
        id="no-tariff-in-force-at-session-start",
    ),
    pytest.param(
        _build(lambda: tariff(element(energy("0.25")), code="XAU")),
        "currency.no_minor_unit",
        id="tariff-currency-without-minor-unit",
    ),
    pytest.param(
        _build(
            lambda: PriceComponent(
                dimension=TariffDimension.ENERGY, price=D("Infinity"), step_size=1
            )
        ),
        "tariff.price_negative",
        id="infinite-price",
    ),
]


@pytest.mark.parametrize(("attempt", "code"), REFUSED)
def test_bad_input_is_refused_with_a_stable_code(attempt: Callable[[], object], code: str) -> None:
    with pytest.raises(DomainError) as refused:
        attempt()
    assert refused.value.code == code
    assert refused.value.message


WARNED = [
    pytest.param(
        tariff(
            element(flat("4.00"), reservation="RESERVATION_EXPIRES"),
            element(charging_time("2.00", step=600), reservation="RESERVATION"),
            element(flat("0.50"), energy("0.25")),
        ),
        session(reserve("2025-01-06 10:00", "10:22"), charge("2025-01-06 10:22", "12:22", "20")),
        "reservation.expiry_inferred",
        "6.50",
        id="scenario-25-reservation-without-a-sign-of-expiry-is-inferred-and-warned",
    ),
    pytest.param(
        tariff(
            element(charging_time("5.00", step=60), reservation="RESERVATION"),
            element(flat("0.50"), energy("0.25")),
        ),
        session(charge("2025-01-06 10:00", "12:00", "20")),
        "reservation.no_data",
        "5.50",
        id="reservation-prices-but-the-cdr-reports-no-reservation",
    ),
    pytest.param(
        tariff(element(energy("0.50"), max_power="22"), element(energy("0.25"))),
        session(charge("2025-01-06 10:00", "11:00", "4")),
        "restriction.data_missing",
        "1.00",
        id="power-restriction-on-data-the-cdr-lacks",
    ),
    pytest.param(
        tariff(element(energy("0.50"), min_current="16"), element(energy("0.25"))),
        session(charge("2025-01-06 10:00", "11:00", "4")),
        "restriction.data_missing",
        "1.00",
        id="current-restriction-on-data-the-cdr-lacks",
    ),
    pytest.param(
        SIMPLE,
        replace(ONE_HOUR, start=ONE_HOUR.start + timedelta(minutes=30)),
        "period.outside_session",
        "3.50",
        id="period-starting-before-the-session",
    ),
    pytest.param(
        SIMPLE,
        _first_period(charging_hours=D(0)),
        "period.time_inferred",
        "3.50",
        id="period-without-time-volume-takes-its-duration",
    ),
    pytest.param(
        tariff(element(energy("0.25")), min_price=("0.50", None)),
        session(park("2025-01-06 10:00", "11:00")),
        "price.bound_vat_unknown",
        "0.50",
        id="one-sided-min-price-on-a-zero-price",
    ),
    pytest.param(
        SIMPLE,
        _first_period(tariff_id="OTHER"),
        "period.other_tariff",
        "3.50",
        id="period-naming-another-tariff",
    ),
]


@pytest.mark.parametrize(("the_tariff", "the_session", "code", "excl"), WARNED)
def test_doubtful_input_is_priced_with_a_warning_that_says_why(
    the_tariff: Tariff, the_session: Session, code: str, excl: str
) -> None:
    priced = price_session(the_tariff, the_session)
    assert code in [warning.code for warning in priced.warnings]
    assert priced.total_cost.excl_vat == D(excl)


def test_an_element_that_applies_nowhere_is_a_zero_line_that_says_so() -> None:
    priced = price_session(
        tariff(element(energy("0.25"), start_time="20:00", end_time="22:00")),
        session(charge("2025-01-06 10:00", "11:00", "10")),
    )
    assert priced.total_cost.excl_vat == D("0.00")
    unpriced = [line for line in priced.lines if line.element is None]
    assert {line.dimension for line in unpriced} == {"ENERGY", "TIME"}
    assert all("not charged" in line.reason for line in unpriced)
