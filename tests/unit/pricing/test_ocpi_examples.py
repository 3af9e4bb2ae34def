"""Every priced example of the OCPI 2.2.1 Tariffs chapter (mod_tariffs.asciidoc, §11.3.1
"Examples", §11.4.2 step_size, §11.4.6 restrictions), priced from the spec's own example
JSON (../shared/peer-data/ocpi-ocpi/2.2.1/examples, CC BY-ND 4.0, EVRoaming Foundation)
with the CDR the text describes. Where our total differs from the text, the id says so and
docs/pricing.md ("The OCPI examples") gives the reason.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from evsenet.domain.pricing import Session, Tariff, price_session, tariff_in_force
from evsenet.domain.pricing.tariff import Restrictions, TariffElement
from evsenet.formats.ocpi import read_cdr, read_tariff
from tests.unit.pricing.builders import charge, park, reserve, session

pytestmark = pytest.mark.peer_data
D = Decimal
EXAMPLES = "ocpi-ocpi/2.2.1/examples"


@pytest.fixture(scope="module")
def examples(peer_data: Path) -> Path:
    return peer_data / EXAMPLES


def _tariff(examples: Path, name: str) -> Tariff:
    return read_tariff((examples / name).read_bytes()).tariff


MONDAY = "2025-01-06"
SATURDAY = "2025-01-11"

CASES = [
    pytest.param(
        "tariff_8_simple_025kwh.json",
        session(charge(f"{MONDAY} 10:00", "12:00", "20")),
        "5.00",
        "5.50",
        id="simple-0.25-per-kwh-20-kwh",
    ),
    pytest.param(
        "tariff_9_025kwh_start.json",
        session(charge(f"{MONDAY} 10:00", "12:00", "20")),
        "5.50",
        "6.10",
        id="0.25-per-kwh-plus-start-fee-20-kwh",
    ),
    pytest.param(
        "tariff_12_025kwh_min_price.json",
        session(charge(f"{MONDAY} 10:00", "12:00", "20")),
        "5.00",
        "5.50",
        id="min-price-20-kwh-above-the-minimum",
    ),
    pytest.param(
        "tariff_12_025kwh_min_price.json",
        session(charge(f"{MONDAY} 10:00", "10:30", "1.5")),
        "0.50",
        "0.55",
        id="min-price-less-than-2-kwh-bills-the-minimum",
    ),
    pytest.param(
        "tariff_10_025kwh_parking_start.json",
        session(charge(f"{MONDAY} 10:00", "12:00", "20"), park(f"{MONDAY} 12:00", "12:40")),
        "7.00",
        "7.90",
        id="parking-fee-plus-start-fee-40-min-parking-billed-45",
    ),
    pytest.param(
        "tariff_6_025kwh_start_max_price.json",
        session(charge("2019-06-01 10:00", "12:00", "50")),
        "10.00",
        "11.00",
        id="max-price-50-kwh-capped",
    ),
    pytest.param(
        "tariff_6_025kwh_start_max_price.json",
        session(charge("2019-06-01 10:00", "12:00", "30")),
        "8.00",
        "8.85",
        id="max-price-30-kwh-below-the-cap",
    ),
    pytest.param(
        "tariff_1_simple_2hour.json",
        session(charge(f"{MONDAY} 10:00", "12:30", "20")),
        "5.00",
        "5.50",
        id="simple-2-euro-per-hour-2.5-hours",
    ),
    pytest.param(
        "tariff_13_simple_3hour_5parking.json",
        session(charge(f"{MONDAY} 10:00", "12:30", "20"), park(f"{MONDAY} 12:30", "13:12")),
        "11.25",
        "12.75",
        id="3-per-hour-5-per-hour-parking-42-min-parking-billed-45",
    ),
    pytest.param(
        "tariff_2_alt_text.json",
        session(charge(f"{MONDAY} 10:00", "12:30", "20")),
        "4.75",
        "5.00",
        id="ad-hoc-multiple-languages-2.5-hours",
    ),
    pytest.param(
        "tariff_3_alt_url.json",
        session(charge(f"{MONDAY} 10:00", "12:00", "20.45")),
        "5.63",
        "6.24",
        id="alternative-url-20.45-kwh-billed-20.5-spec-text-says-5.50-see-docs",
    ),
    pytest.param(
        "tariff_4_complex.json",
        session(
            charge(f"{MONDAY} 09:30", "11:57", "20", current="16"),
            park(f"{MONDAY} 11:57", "12:39"),
        ),
        "8.75",
        "10.00",
        id="complex-monday-147-min-at-16-a-then-42-min-parking",
    ),
    pytest.param(
        "tariff_4_complex.json",
        session(
            charge(f"{SATURDAY} 13:30", "15:24", "40", current="43"),
            park(f"{SATURDAY} 15:24", "16:35"),
        ),
        "12.50",
        "14.13",
        id="complex-saturday-114-min-at-43-a-then-71-min-parking",
    ),
    pytest.param(
        "tariff_5_free_of_charge.json",
        session(charge(f"{MONDAY} 10:00", "12:00", "20"), park(f"{MONDAY} 12:00", "13:00")),
        "0.00",
        "0.00",
        id="free-of-charge",
    ),
    pytest.param(
        "tariff_7_first_hour_kwh_free.json",
        session(charge(f"{MONDAY} 10:00", "11:00", "20"), park(f"{MONDAY} 11:00", "13:45")),
        "10.05",
        "10.05",
        id="first-hour-free-durations-from-session-start-spec-text-says-7.30-see-docs",
    ),
    pytest.param(
        "tariff_15_reservation_5_euro_per_hour.json",
        session(reserve(f"{MONDAY} 10:00", "10:15"), charge(f"{MONDAY} 10:15", "12:15", "20")),
        "6.75",
        "7.60",
        id="reservation-15-min-then-20-kwh",
    ),
    pytest.param(
        "tariff_16_reservation_2_euro_fee_5_euro_per_hour.json",
        session(reserve(f"{MONDAY} 10:00", "10:13"), charge(f"{MONDAY} 10:13", "12:13", "20")),
        "8.75",
        "10.00",
        id="reservation-fee-13-min-billed-15-then-20-kwh",
    ),
    pytest.param(
        "tariff_17_reservation_with_expire_fee.json",
        session(reserve(f"{MONDAY} 10:00", "10:22"), charge(f"{MONDAY} 10:22", "12:22", "20")),
        "6.50",
        "7.30",
        id="reservation-with-expire-fee-22-min-billed-30-then-20-kwh",
    ),
    pytest.param(
        "tariff_17_reservation_with_expire_fee.json",
        session(reserve(f"{MONDAY} 10:00", "11:00"), reservation_expired=True),
        "6.00",
        "7.20",
        id="reservation-with-expire-fee-expired-after-1-hour",
    ),
    pytest.param(
        "tariff_18_reservation_with_expire_time.json",
        session(reserve(f"{MONDAY} 10:00", "10:22"), charge(f"{MONDAY} 10:22", "12:22", "20")),
        "7.00",
        "7.90",
        id="reservation-with-expire-time-22-min-billed-30-then-20-kwh",
    ),
    pytest.param(
        "tariff_18_reservation_with_expire_time.json",
        session(reserve(f"{MONDAY} 10:00", "11:30"), reservation_expired=True),
        "9.00",
        "10.80",
        id="reservation-with-expire-time-expired-after-1.5-hours",
    ),
    pytest.param(
        "tariff_14_step_size.json",
        session(charge(f"{MONDAY} 16:55", "17:05"), park(f"{MONDAY} 17:05", "17:07")),
        "0.55",
        "0.55",
        id="step-size-switching-element-1-spec-text-says-0.50-see-docs",
    ),
    pytest.param(
        "tariff_14_step_size.json",
        session(charge(f"{MONDAY} 16:35", "17:10")),
        "1.30",
        "1.30",
        id="step-size-switching-element-2",
    ),
    pytest.param(
        "tariff_14_step_size.json",
        session(charge(f"{MONDAY} 19:55", "20:05"), park(f"{MONDAY} 20:05", "20:07")),
        "0.60",
        "0.60",
        id="step-size-switching-to-free-of-charge-element",
    ),
    pytest.param(
        "tariffrestriction_example_max_power.json",
        session(
            charge(f"{MONDAY} 10:00", "10:10", "1", power="6"),
            charge(f"{MONDAY} 10:10", "11:00", "40", power="48"),
            charge(f"{MONDAY} 11:00", "11:07:30", "0.5", power="4"),
        ),
        "20.30",
        "24.36",
        id="max-power-restriction",
    ),
    pytest.param(
        "tariffrestriction_example_max_duration.json",
        session(
            charge(f"{MONDAY} 10:00", "10:30", "5"),
            charge(f"{MONDAY} 10:30", "10:40", "1.2"),
        ),
        "0.30",
        "0.36",
        id="max-duration-restriction-first-30-min-free",
    ),
]


@pytest.mark.parametrize(("name", "the_session", "excl", "incl"), CASES)
def test_each_priced_ocpi_example_prices_as_its_text_says(
    examples: Path, name: str, the_session: Session, excl: str, incl: str
) -> None:
    priced = price_session(_tariff(examples, name), the_session)
    assert (priced.total_cost.excl_vat, priced.total_cost.incl_vat) == (D(excl), D(incl))


def test_the_alternative_url_example_bills_20_5_kwh(examples: Path) -> None:
    priced = price_session(
        _tariff(examples, "tariff_3_alt_url.json"),
        session(charge(f"{MONDAY} 10:00", "12:00", "20.45")),
    )
    billed = sum(line.quantity for line in priced.lines if line.dimension == "ENERGY")
    assert billed == D("20.5")


def test_the_first_hour_free_example_prices_7_30_when_parking_counts_from_charging_end(
    examples: Path,
) -> None:
    # The text's 7.30 counts the parking hours from the end of charging; evsenet's
    # extension restriction says exactly that (docs/pricing.md).
    spec = _tariff(examples, "tariff_7_first_hour_kwh_free.json")
    elements = []
    for element in spec.elements:
        r = element.restrictions
        if r.min_duration is not None or r.max_duration is not None:
            r = Restrictions(
                min_duration_after_charging=r.min_duration,
                max_duration_after_charging=r.max_duration,
            )
        elements.append(TariffElement(components=element.components, restrictions=r))
    priced = price_session(
        Tariff(id=spec.id, currency=spec.currency, elements=tuple(elements)),
        session(charge(f"{MONDAY} 10:00", "11:00", "20"), park(f"{MONDAY} 11:00", "13:45")),
    )
    assert priced.total_cost.excl_vat == D("7.30")


def test_the_cdr_example_reprices_to_its_own_totals(examples: Path) -> None:
    cdr = read_cdr(
        (examples / "cdr_example.json").read_bytes(), time_zone=ZoneInfo("Europe/Brussels")
    )
    priced = price_session(tariff_in_force(cdr.tariffs, cdr.session.start), cdr.session)
    stated = cdr.stated_costs["total_cost"]
    assert (priced.total_cost.excl_vat, priced.total_cost.incl_vat) == (
        stated.excl_vat,
        stated.incl_vat,
    )
    assert priced.total_time == D("1.973")
