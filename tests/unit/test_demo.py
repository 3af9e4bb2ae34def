"""The demo inventory: deterministic, valid, realistic in its mix, and fast."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from evsenet.demo import CITIES, demo_batch, generate_evses
from evsenet.domain.evse import PLUG_TYPES, EvseRecord, OperatorScope, PowerType, validate_evse
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction

ABC = OperatorId.parse("DE*ABC")
OUTPUTS = {
    PowerType.AC_1_PHASE: {Decimal("3.70"), Decimal("7.40")},
    PowerType.AC_3_PHASE: {Decimal("11.00"), Decimal("22.00")},
    PowerType.DC: {Decimal(kw) for kw in ("50.00", "150.00", "250.00", "300.00", "350.00")},
}
DC_PLUGS = {
    "CCS Combo 2 Plug (Cable Attached)",
    "CCS Combo 1 Plug (Cable Attached)",
    "CHAdeMO",
    "Tesla Connector",
}


def valid(operator: OperatorId, count: int, seed: int = 2026) -> list[EvseRecord]:
    scope = OperatorScope(operator)
    return [validate_evse(item.evse, scope) for item in generate_evses(operator, count, seed)]


def test_same_inputs_give_the_same_records() -> None:
    assert generate_evses(ABC, 500) == generate_evses(ABC, 500)
    assert generate_evses(ABC, 500, seed=1) == generate_evses(ABC, 500, seed=1)
    assert generate_evses(ABC, 500, seed=1) != generate_evses(ABC, 500, seed=2)


def test_a_larger_count_extends_the_same_stations() -> None:
    small, large = generate_evses(ABC, 300), generate_evses(ABC, 301)
    assert [r.evse for r in small[:-1]] == [r.evse for r in large[:299]]


def test_a_thousand_records_are_all_valid_and_unique() -> None:
    records = valid(ABC, 1000)
    assert len(records) == 1000
    assert len({record.evse_id.normalised for record in records}) == 1000
    assert all(record.evse_id.operator == "DEABC" for record in records)


def test_evse_ids_name_the_station_and_the_point() -> None:
    records = generate_evses(ABC, 50)
    assert records[0].evse.evse_id == "DE*ABC*E000001*1"
    by_station: defaultdict[str, list[str]] = defaultdict(list)
    for item in records:
        evse_id = item.evse.evse_id or ""
        station, point = evse_id.rsplit("*", 1)
        by_station[station].append(point)
    for points in by_station.values():
        assert 1 <= len(points) <= 6
        assert points == [str(n) for n in range(1, len(points) + 1)]


def test_stations_keep_one_site_and_one_kind_of_charger() -> None:
    stations: defaultdict[str, set[tuple[object, ...]]] = defaultdict(set)
    for record in valid(ABC, 2000):
        site = (record.city, record.postal_code, record.street, record.house_number,
                record.latitude, record.longitude, record.power_type, record.output_kw)  # fmt: skip
        stations[record.charging_station_id].add(site)
    assert all(len(sites) == 1 for sites in stations.values())


def test_power_mix_outputs_and_plugs_are_plausible() -> None:
    records = valid(ABC, 5000)
    kinds = Counter(record.power_type for record in records)
    ac_share = (kinds[PowerType.AC_1_PHASE] + kinds[PowerType.AC_3_PHASE]) / len(records)
    assert 0.62 <= ac_share <= 0.78
    assert kinds[PowerType.AC_3_PHASE] > 2 * kinds[PowerType.AC_1_PHASE] > 0
    for record in records:
        assert record.output_kw in OUTPUTS[record.power_type]
        assert record.plugs
        assert set(record.plugs) <= PLUG_TYPES
        is_dc = record.power_type is PowerType.DC
        assert all((plug in DC_PLUGS) == is_dc for plug in record.plugs), record


def test_sites_are_real_cities_mostly_german() -> None:
    records = valid(ABC, 5000)
    countries = Counter(record.country for record in records)
    assert countries.most_common(1)[0][0] == "DEU"
    assert countries["DEU"] / len(records) > 0.45
    assert len(countries) >= 8
    cities = {city.name: city for city in CITIES}
    for record in records:
        city = cities[record.city]
        assert record.country == city.country
        assert record.postal_code in city.postal_codes
        assert record.street in city.streets
        assert abs(float(record.latitude) - city.latitude) < 0.1
        assert abs(float(record.longitude) - city.longitude) < 0.1
        assert record.house_number[0].isdigit()


def test_time_zones_are_derived_except_for_us_sites() -> None:
    items = generate_evses(ABC, 3000)
    for item in items:
        american = item.evse.country == "USA"
        assert (item.evse.time_zone is not None) == american
    zones = Counter(record.time_zone for record in valid(ABC, 3000))
    assert zones["Europe/Berlin"] > zones["Europe/Paris"] > 0
    assert zones["America/New_York"] > 0


def test_numeric_operators_get_numeric_evse_ids() -> None:
    numeric = OperatorId.parse("+49*810")
    records = valid(numeric, 200)
    assert records[0].evse_id.sent == "+49*810*000001*1"
    assert len({record.evse_id.normalised for record in records}) == 200


def test_ids_stay_unique_without_their_separators() -> None:
    items = generate_evses(ABC, 100_000)
    assert len(items) == 100_000
    assert len({(item.evse.evse_id or "").replace("*", "") for item in items}) == 100_000


def test_demo_batch_is_an_upsert_by_index() -> None:
    batch = demo_batch(ABC, 120, seed=5)
    assert batch.action is PushAction.UPSERT
    assert batch.position_kind == "index"
    assert batch.operator_id is None
    assert [item.position for item in batch.records] == list(range(120))
    assert list(batch.records) == generate_evses(ABC, 120, seed=5)


@pytest.mark.parametrize("count", [0, 1, 7])
def test_small_counts(count: int) -> None:
    assert len(valid(ABC, count)) == count


PLUG_MAX_KW = {
    "NEMA 5-20": Decimal("2.4"),
    "Type F Schuko": Decimal("3.7"),
    "Type 1 Connector (Cable Attached)": Decimal("19.2"),
    "Type 2 Outlet": Decimal("43"),
    "Type 2 Connector (Cable Attached)": Decimal("43"),
    "CHAdeMO": Decimal("400"),
    "Tesla Connector": Decimal("250"),
    "CCS Combo 1 Plug (Cable Attached)": Decimal("350"),
    "CCS Combo 2 Plug (Cable Attached)": Decimal("350"),
}
"""What each plug carries at most: a 120 V NEMA 5-20 outlet 2.4 kW, a Schuko socket 3.7 kW."""


def test_every_plug_can_carry_the_output() -> None:
    for record in valid(ABC, 5000):
        assert Decimal("3.7") <= record.output_kw <= Decimal("350")
        assert all(record.output_kw <= PLUG_MAX_KW[plug] for plug in record.plugs), record


def test_the_same_seed_gives_the_same_records_in_another_process() -> None:
    script = (
        "import hashlib\n"
        "from evsenet.demo import generate_evses\n"
        "from evsenet.domain.ids import OperatorId\n"
        "items = generate_evses(OperatorId.parse('DE*ABC'), 2000, 7)\n"
        "print(hashlib.sha256(repr(items).encode()).hexdigest())\n"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == hashlib.sha256(repr(generate_evses(ABC, 2000, 7)).encode()).hexdigest()
