"""The inventory's "in a group or not" filter, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.inventory import EvseFilter, Page, PushAction
from evsenet.domain.network import Actor, GroupRef
from evsenet.domain.network_lists import EvseSelection, NetworkEvseFilter
from evsenet.formats.csv import read_evse_csv
from evsenet.services.inventory import import_evses, list_evses
from evsenet.services.networks import (
    add_group,
    assign_evses,
    create_network,
    list_network_evses,
)
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store

HEADER = (
    "evse_id,charging_station_id,country,city,postal_code,street,house_number,"
    "latitude,longitude,power_type,output_kw,plugs,time_zone"
)
ACTOR = Actor.system()


def _inventory(store: Store, operator: str, count: int) -> None:
    rows = [
        f"{operator}*E{n},S{n},DEU,Köln,50667,Hohe Straße,{n},50.9,6.9,DC,50,,"
        for n in range(1, count + 1)
    ]
    import_evses(store, operator, read_evse_csv("\n".join([HEADER, *rows]), PushAction.UPSERT))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("", {"DE*ABC*E1", "DE*ABC*E2", "DE*ABC*E3", "DE*ABC*E4"}, id="any"),
        pytest.param("assigned", {"DE*ABC*E1", "DE*ABC*E2"}, id="assigned"),
        pytest.param("UNASSIGNED", {"DE*ABC*E3", "DE*ABC*E4"}, id="unassigned-any-case"),
        pytest.param("no", {"DE*ABC*E3", "DE*ABC*E4"}, id="no"),
    ],
)
def test_the_inventory_filters_evses_in_a_group_or_in_none(
    store: Store, typed: str, expected: set[str]
) -> None:
    register_operator(store, "DE*ABC")
    register_operator(store, "DE*OTH")
    _inventory(store, "DE*ABC", 4)
    _inventory(store, "DE*OTH", 2)
    network = create_network(store, "DE*ABC", "Köln", actor=ACTOR)
    group = add_group(store, "DE*ABC", network.id, "DC", actor=ACTOR)
    selection = EvseSelection(evse_ids=["DE*ABC*E1", "DE*ABC*E2"])
    assign_evses(store, "DE*ABC", network.id, GroupRef(id=group.id), selection, actor=ACTOR)
    found = list_evses(store, "DE*ABC", EvseFilter.parse(assigned=typed), Page())
    assert {evse.record.evse_id.sent for evse in found.items} == expected
    assert found.total == len(expected)


def test_an_unknown_assigned_value_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        EvseFilter.parse(assigned="maybe")
    assert refused.value.code == "filter.assigned"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param(
            "e1", {"DE*ABC*E1", "DE*ABC*E10", "DE*ABC*E11", "DE*ABC*E12"}, id="lower-case"
        ),
        pytest.param(
            "C*E1", {"DE*ABC*E1", "DE*ABC*E10", "DE*ABC*E11", "DE*ABC*E12"}, id="with-stars"
        ),
        pytest.param("ABCE11", {"DE*ABC*E11"}, id="without-stars"),
        pytest.param("E1_", set(), id="underscore-is-literal"),
        pytest.param("E%", set(), id="percent-is-literal"),
        pytest.param("É1", set(), id="not-ascii"),
    ],
)
def test_an_evse_id_text_filters_both_lists_of_a_network_alike(
    store: Store, typed: str, expected: set[str]
) -> None:
    register_operator(store, "DE*ABC")
    _inventory(store, "DE*ABC", 12)
    network = create_network(store, "DE*ABC", "Köln", actor=ACTOR)
    group = add_group(store, "DE*ABC", network.id, "DC", actor=ACTOR)
    odd = [f"DE*ABC*E{n}" for n in range(1, 13, 2)]
    assign_evses(
        store, "DE*ABC", network.id, GroupRef(id=group.id), EvseSelection(evse_ids=odd), actor=ACTOR
    )
    criteria = NetworkEvseFilter.parse(text=typed)
    found: set[str] = set()
    for assigned in (True, False):
        page = list_network_evses(store, "DE*ABC", network.id, assigned=assigned, criteria=criteria)
        ids = {row.evse_id for row in page.items}
        assert page.total == len(ids)
        assert ids <= set(odd) if assigned else not ids & set(odd)
        found |= ids
    assert found == expected
