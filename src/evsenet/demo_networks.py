"""The demo's EVSE networks: two networks with a few groups, filled by filters.

`build_demo_networks(store, operator)` gives the demo inventory (`evsenet.demo`) something
real to look at: a network of the German sites and one of the rest of Europe, each with
groups that an operator would price differently ("AC city", "DC highway 150 kW+", …),
filled by bulk assignments by filter. Some EVSEs stay in no group (German 50 kW DC, the
US sites, AC sites in smaller European markets), so that the unassigned list and the
zero-price warning have something to show.

Running it again changes nothing: a network or group that exists is kept, and a filter
whose unassigned EVSEs are all assigned already is skipped. A larger inventory gets its
new EVSEs assigned by the same filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import EvseFilter
from evsenet.domain.network import Actor, GroupRef, name_key
from evsenet.domain.network_lists import EvseSelection, KeysetPage, NetworkEvseFilter
from evsenet.services.inventory import evse_filter
from evsenet.services.networks import (
    add_group,
    assign_evses,
    create_network,
    get_network,
    list_network_evses,
    list_networks,
)
from evsenet.store.engine import Store


@dataclass(frozen=True, slots=True)
class DemoGroup:
    name: str
    description: str
    filters: tuple[EvseFilter, ...]
    """Each filter's unassigned EVSEs go to the group."""


@dataclass(frozen=True, slots=True)
class DemoNetwork:
    name: str
    description: str
    groups: tuple[DemoGroup, ...]


def _each(
    countries: tuple[str, ...], power_type: str, min_output_kw: str | None = None
) -> tuple[EvseFilter, ...]:
    """One filter per country (a filter names one country)."""
    return tuple(
        evse_filter(country=country, power_type=power_type, min_output_kw=min_output_kw)
        for country in countries
    )


BENELUX = ("NLD", "BEL", "LUX")
EUROPE = ("NLD", "BEL", "LUX", "FRA", "AUT", "CHE", "DNK", "POL", "CZE", "SWE")

DEMO_NETWORKS: tuple[DemoNetwork, ...] = (
    DemoNetwork(
        "Germany",
        "Public sites in Germany",
        (
            DemoGroup(
                "AC city",
                "11 and 22 kW three-phase AC in German cities",
                _each(("DEU",), power_type="AC_3_PHASE"),
            ),
            DemoGroup(
                "AC slow",
                "3.7 and 7.4 kW single-phase AC",
                _each(("DEU",), power_type="AC_1_PHASE"),
            ),
            DemoGroup(
                "DC highway 150 kW+",
                "High-power DC of 150 kW and more",
                _each(("DEU",), power_type="DC", min_output_kw="150"),
            ),
        ),
    ),
    DemoNetwork(
        "Europe roaming",
        "Sites outside Germany offered to roaming partners",
        (
            DemoGroup(
                "Benelux AC",
                "Three-phase AC in the Benelux",
                _each(BENELUX, power_type="AC_3_PHASE"),
            ),
            DemoGroup(
                "France AC", "Three-phase AC in France", _each(("FRA",), power_type="AC_3_PHASE")
            ),
            DemoGroup(
                "DC Europe 150 kW+",
                "High-power DC of 150 kW and more",
                _each(EUROPE, power_type="DC", min_output_kw="150"),
            ),
        ),
    ),
)
"""What the demo builds. German 50 kW DC, the US sites and AC outside the Benelux and
France stay unassigned."""


@dataclass(frozen=True, slots=True)
class DemoNetworkResult:
    """One demo network after the run: its groups' EVSE counts and what this run did."""

    id: int
    name: str
    created: bool
    groups: dict[str, int]
    assigned: int

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "created": self.created,
            "groups": dict(self.groups),
            "assigned": self.assigned,
        }


DEMO_ACTOR = Actor("system", None, "evsenet demo")


def _unassigned_match(store: Store, operator: OperatorId, network_id: int, f: EvseFilter) -> int:
    page = list_network_evses(
        store,
        operator,
        network_id,
        assigned=False,
        criteria=NetworkEvseFilter.of(f),
        page=KeysetPage(limit=1),
    )
    return page.total


def _build(store: Store, operator: OperatorId, spec: DemoNetwork) -> DemoNetworkResult:
    existing = {name_key(n.name): n.id for n in list_networks(store, operator)}
    network_id = existing.get(name_key(spec.name))
    created = network_id is None
    if network_id is None:
        network_id = create_network(
            store, operator, spec.name, spec.description, actor=DEMO_ACTOR
        ).id
    groups = {name_key(g.name): g.id for g in get_network(store, operator, network_id).groups}
    assigned = 0
    for group_spec in spec.groups:
        group_id = groups.get(name_key(group_spec.name))
        if group_id is None:
            group_id = add_group(
                store,
                operator,
                network_id,
                group_spec.name,
                group_spec.description,
                actor=DEMO_ACTOR,
            ).id
        for criteria in group_spec.filters:
            if _unassigned_match(store, operator, network_id, criteria) == 0:
                continue
            report = assign_evses(
                store,
                operator,
                network_id,
                GroupRef(id=group_id),
                EvseSelection(criteria=criteria),
                actor=DEMO_ACTOR,
            )
            assigned += report.assigned
    detail = get_network(store, operator, network_id)
    counts = {group.name: group.evse_count for group in detail.groups}
    return DemoNetworkResult(network_id, detail.name, created, counts, assigned)


def build_demo_networks(store: Store, operator: OperatorId) -> list[DemoNetworkResult]:
    """Create (or complete) the demo networks of `operator` and fill their groups."""
    return [_build(store, operator, spec) for spec in DEMO_NETWORKS]
