"""The networks benchmark: its generated inventory is what the import service would have
written, and the whole run works end to end on a small inventory (SQLite, and PostgreSQL
when configured)."""

from __future__ import annotations

import os

import pytest
from benchmarks.bench_networks import CITIES, expected_city_share, fill_evses, main

from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import Page
from evsenet.services.inventory import evse_filter, get_evse, list_evses
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store

OPERATOR = OperatorId.parse("DE*ABC")


@pytest.mark.parametrize("count", [20, 2001])
def test_the_generated_evses_read_back_as_the_services_own(store: Store, count: int) -> None:
    register_operator(store, OPERATOR.display)
    fill_evses(store, OPERATOR, count)
    everything = list_evses(store, OPERATOR.display, page=Page(limit=1000))
    assert everything.total == count
    for item in everything.items[:50]:
        sent = item.record.evse_id.sent
        assert get_evse(store, OPERATOR.display, sent.lower()).record == item.record
    for index, city in enumerate(CITIES):
        by_city = list_evses(store, OPERATOR.display, evse_filter(city=city.name.upper()))
        assert by_city.total == expected_city_share(count, index), city.name
    dc = list_evses(store, OPERATOR.display, evse_filter(power_type="DC")).total
    assert 0.2 * count < dc < 0.4 * count
    if count > 1000:  # DC in every city: a filter by output never matches just a few cities
        for city in CITIES:
            filtered = evse_filter(city=city.name, power_type="DC")
            share = list_evses(store, OPERATOR.display, filtered).total / (count / len(CITIES))
            assert 0.2 < share < 0.4, city.name


def test_expected_city_shares_add_up() -> None:
    for count in (20, 21, 999, 1_000_000):
        assert sum(expected_city_share(count, i) for i in range(len(CITIES))) == count
    assert expected_city_share(1_000_000, 3) == 100_000


def test_the_benchmark_runs_on_a_small_inventory() -> None:
    arguments = ["--evses", "200", "--requests", "3"]
    postgres = os.environ.get("EVSENET_TEST_POSTGRES_URL")
    if postgres:
        arguments += ["--postgres", postgres]
    results = main(arguments)
    assert [figures.database for figures in results] == (
        ["sqlite", "postgresql"] if postgres else ["sqlite"]
    )
    for figures in results:
        assert figures.assigned_each == [20, 20, 20]
        assert len(figures.unassigned_ms) == len(figures.assigned_ms) == 3
        assert {name: len(first) for name, first in figures.first_ms.items()} == {
            "unassigned": 6,
            "assigned": 6,
        }
        # Misses: the first request of each filter that looks at the EVSEs (6 + 5: a
        # group alone is a maintained counter); hits: the repeats of those (3 + 2).
        assert figures.cache_hits_misses == (5, 11)
        assert figures.server_peak_mib > 10
        # three pages per list: the first three filters of each
        assert len(figures.per_filter_ms) == 6, figures.per_filter_ms
        assert all(
            label.startswith(("unassigned: ", "assigned: ")) for label in figures.per_filter_ms
        )
