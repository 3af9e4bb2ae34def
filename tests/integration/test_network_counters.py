"""The maintained counters (the operator's EVSEs in no group, each group's EVSEs) stay
equal to a recount of the rows through every write path, on SQLite and PostgreSQL: imports
(insert, restore, refresh, withdrawal), a sub-operator's withdrawal, assignment by IDs and
by filter, moves, unassignment, refused requests, group and network deletion and Hubject's
two shapes. The lists and network summaries answer from them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import PushAction
from evsenet.domain.network import GroupRef
from evsenet.domain.network_lists import EvseSelection, GroupSpec, NetworkEvseFilter
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.services import networks as svc
from evsenet.services.inventory import evse_filter, import_evses
from evsenet.services.operators import register_operator, withdraw_sub_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.counters import Counters
from evsenet.store.tables import operators
from tests.integration.network_fixtures import ACTOR

A, B = "DE*ABC", "NL*EVN"


def evse(
    evse_id: str, city: str = "Berlin", power_type: str = "AC_3_PHASE", postal_code: str = "10115"
) -> EvseInput:
    return EvseInput(
        evse_id=evse_id,
        charging_station_id="STATION 1",
        country="DEU",
        city=city,
        postal_code=postal_code,
        street="Invalidenstraße",
        house_number="1",
        latitude="52.530000",
        longitude="13.380000",
        power_type=power_type,
        output_kw="150" if power_type == "DC" else "22",
        plugs=("Type 2 Outlet",),
    )


def push(store: Store, action: PushAction, *records: EvseInput, operator: str = A) -> None:
    items = [SourceRecord(i, r) for i, r in enumerate(records)]
    import_evses(store, operator, ParsedBatch(action, "index", list(items)))


@dataclass
class World:
    """The store and the names the steps refer to."""

    store: Store
    networks: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)

    def operator_pk(self, operator: str = A) -> int:
        code = operator.replace("*", "")
        with self.store.transaction() as connection:
            return int(
                connection.execute(
                    operators.select()
                    .with_only_columns(operators.c.id)
                    .where(operators.c.operator_id == code)
                ).scalar_one()
            )

    def counters(self, operator: str = A) -> tuple[tuple[int, dict[int, int]], ...]:
        """(stored, recounted)."""
        pk = self.operator_pk(operator)
        with self.store.transaction() as connection:
            counters = Counters(connection)
            return counters.stored(pk), counters.recounted(pk)

    def network(self, name: str) -> int:
        self.networks[name] = svc.create_network(self.store, A, name, actor=ACTOR).id
        return self.networks[name]

    def group(self, network: str, name: str) -> int:
        view = svc.add_group(self.store, A, self.networks[network], name, actor=ACTOR)
        self.groups[name] = view.id
        return view.id

    def assign(self, network: str, group: str, *numbers: int) -> None:
        selection = EvseSelection(evse_ids=[f"{A}*E{n}" for n in numbers])
        ref = GroupRef(id=self.groups[group])
        svc.assign_evses(self.store, A, self.networks[network], ref, selection, actor=ACTOR)

    def assign_matching(self, network: str, group: str, city: str) -> None:
        selection = EvseSelection(criteria=evse_filter(city=city))
        ref = GroupRef(id=self.groups[group])
        svc.assign_evses(self.store, A, self.networks[network], ref, selection, actor=ACTOR)

    def unassign(self, network: str, *numbers: int) -> None:
        selection = EvseSelection(evse_ids=[f"{A}*E{n}" for n in numbers])
        svc.unassign_evses(self.store, A, self.networks[network], selection, actor=ACTOR)

    def unassign_group(self, network: str, group: str) -> None:
        criteria = NetworkEvseFilter(group_id=self.groups[group])
        selection = EvseSelection(criteria=criteria, assigned=True)
        svc.unassign_evses(self.store, A, self.networks[network], selection, actor=ACTOR)


Step = Callable[[World], object]


def refused(step: Step) -> Step:
    """A step the service refuses: it must change no counter either."""

    def run(world: World) -> None:
        with pytest.raises(DomainError):
            step(world)

    return run


def evses(*numbers: int, city: str = "Berlin") -> tuple[EvseInput, ...]:
    return tuple(evse(f"{A}*E{n}", city) for n in numbers)


SCENARIO: list[tuple[str, Step]] = [
    ("insert 1-12", lambda w: push(w.store, PushAction.UPSERT, *evses(*range(1, 9)))),
    (
        "insert in Köln",
        lambda w: push(w.store, PushAction.INSERT, *evses(9, 10, 11, 12, city="Köln")),
    ),
    ("network N", lambda w: w.network("N")),
    ("groups g1, g2", lambda w: (w.group("N", "g1"), w.group("N", "g2"))),
    ("assign 1-4 to g1", lambda w: w.assign("N", "g1", 1, 2, 3, 4)),
    ("assign Köln to g2 by filter", lambda w: w.assign_matching("N", "g2", city="Köln")),
    ("move 1, 2 to g2 and assign 5", lambda w: w.assign("N", "g2", 1, 2, 5)),
    ("assigning again changes nothing", lambda w: w.assign("N", "g2", 1, 2, 5)),
    ("an unknown ID refuses all", refused(lambda w: w.assign("N", "g1", 6, 99))),
    ("withdraw 3 (assigned), 7 (free)", lambda w: push(w.store, PushAction.DELETE, *evses(3, 7))),
    ("a withdrawn EVSE is refused", refused(lambda w: w.assign("N", "g1", 7, 8))),
    ("restore 3 and 7", lambda w: push(w.store, PushAction.UPSERT, *evses(3, 7))),
    (
        "refresh 8 (moves to Köln)",
        lambda w: push(w.store, PushAction.UPDATE, *evses(8, city="Köln")),
    ),
    ("withdraw 4 again", lambda w: push(w.store, PushAction.DELETE, *evses(4))),
    ("unassign 4 (withdrawn) and 1", lambda w: w.unassign("N", 4, 1)),
    ("unassign g1 by filter", lambda w: w.unassign_group("N", "g1")),
    ("second network M", lambda w: (w.network("M"), w.group("M", "m1"))),
    ("an EVSE of N is refused in M", refused(lambda w: w.assign("M", "m1", 2))),
    ("assign 6, 8 in M", lambda w: w.assign("M", "m1", 6, 8)),
    ("withdraw 5 (in g2)", lambda w: push(w.store, PushAction.DELETE, *evses(5))),
    (
        "delete g2",
        lambda w: svc.delete_group(w.store, A, w.networks["N"], w.groups["g2"], actor=ACTOR),
    ),
    ("delete M", lambda w: svc.delete_network(w.store, A, w.networks["M"], actor=ACTOR)),
    (
        "Hubject create with groups",
        lambda w: w.networks.update(
            H=svc.create_network_with_groups(
                w.store,
                A,
                "H",
                "",
                [GroupSpec("h1", "", (f"{A}*E1", f"{A}*E2")), GroupSpec("h2", "", (f"{A}*E9",))],
                actor=ACTOR,
            ).id
        ),
    ),
    (
        "Hubject assign by group names (a move and a new one)",
        lambda w: svc.assign_by_group_names(
            w.store, A, "H", [("h2", [f"{A}*E1", f"{A}*E10"])], actor=ACTOR
        ),
    ),
    ("activate H", lambda w: svc.activate_network(w.store, A, w.networks["H"], actor=ACTOR)),
    ("unassigning in an active network is refused", refused(lambda w: w.unassign("H", 1))),
    (
        "full load without 2 and 12",
        lambda w: push(w.store, PushAction.FULL_LOAD, *evses(*range(1, 12))),
    ),
    (
        "sub-operator EVSEs",
        lambda w: push(w.store, PushAction.UPSERT, evse("DE*XYZ*E1"), evse("DE*XYZ*E2")),
    ),
    ("withdraw the sub-operator", lambda w: withdraw_sub_operator(w.store, A, "DE*XYZ")),
]


def test_the_counters_equal_a_recount_after_every_step(store: Store) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    register_operator(store, B)
    push(store, PushAction.UPSERT, evse(f"{B}*E1"), operator=B)
    world = World(store)
    for label, step in SCENARIO:
        step(world)
        stored, recounted = world.counters()
        assert stored == recounted, label
    assert world.counters(B)[0] == (1, {})
    final_unassigned, final_groups = world.counters()[1]
    assert final_unassigned > 0
    assert final_groups


def test_the_lists_and_summaries_answer_from_the_counters(store: Store) -> None:
    register_operator(store, A)
    push(store, PushAction.UPSERT, *evses(1, 2, 3, 4, 5), *evses(6, 7, city="Köln"))
    world = World(store)
    world.network("N")
    world.group("N", "g1")
    world.group("N", "g2")
    world.assign("N", "g1", 1, 2)
    world.assign("N", "g2", 6)
    push(store, PushAction.DELETE, *evses(2))
    network = world.networks["N"]
    free = svc.list_network_evses(store, A, network, assigned=False)
    assert free.total == len(free.items) == 4
    taken = svc.list_network_evses(store, A, network, assigned=True)
    assert taken.total == len(taken.items) == 3
    assert taken.group_counts == {world.groups["g1"]: 2, world.groups["g2"]: 1}
    one = svc.list_network_evses(
        store, A, network, assigned=True, criteria=NetworkEvseFilter(group_id=world.groups["g2"])
    )
    assert one.total == len(one.items) == 1
    cologne = svc.list_network_evses(
        store, A, network, assigned=True, criteria=NetworkEvseFilter(city="Köln")
    )
    assert (cologne.total, cologne.group_counts) == (1, {world.groups["g2"]: 1})
    [summary] = svc.list_networks(store, A)
    assert summary.evse_count == 3
    assert svc.unassigned_count(store, A, network) == 4
    assert [g.evse_count for g in svc.get_network(store, A, network).groups] == [2, 1]


def test_concurrent_imports_and_assignments_keep_the_counters_exact(store: Store) -> None:
    """Imports that withdraw and restore EVSEs race assignments and unassignments of the
    same EVSEs (threads, each call its own transaction): no deadlock, and the counters
    still equal a recount."""
    register_operator(store, A)
    push(store, PushAction.UPSERT, *evses(*range(1, 41)))
    world = World(store)
    world.network("N")
    world.group("N", "g1")

    def churn_inventory() -> None:
        for round_ in range(6):
            chosen = evses(*range(1 + round_, 41, 6))
            push(store, PushAction.DELETE, *chosen)
            push(store, PushAction.UPSERT, *chosen)

    def churn_assignments() -> None:
        for round_ in range(6):
            numbers = list(range(1 + round_, 41, 4))
            with contextlib.suppress(DomainError):  # a withdrawn EVSE refuses the request
                world.assign("N", "g1", *numbers)
            world.unassign("N", *numbers)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(churn_inventory), pool.submit(churn_assignments)]:
            done.result(timeout=120)
    stored, recounted = world.counters()
    assert stored == recounted


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        pytest.param({"postal_code": "101"}, {1, 2, 3, 4}, id="postal-prefix"),
        pytest.param({"postal_code": "1019"}, {3}, id="postal-whole-key"),
        pytest.param({"postal_code": "10"}, {1, 2, 3, 4, 5, 6}, id="postal-short-prefix"),
        pytest.param({"min_output_kw": "100"}, {6}, id="output-without-power-type"),
        pytest.param({"max_output_kw": "100"}, {1, 2, 3, 4, 5}, id="upper-bound"),
    ],
)
def test_counts_with_implied_index_conditions_are_exact(
    store: Store, criteria: dict[str, Any], expected: set[int]
) -> None:
    """The list counts add conditions so that an index serves them (a postal-code range,
    every power type); they must select exactly what the filter does."""
    register_operator(store, A)
    postal_codes = ["101", "10115", "1019", "1010a", "102", "10"]
    records = [
        evse(f"{A}*E{n}", postal_code=code, power_type="DC" if n == 6 else "AC_3_PHASE")
        for n, code in enumerate(postal_codes, 1)
    ]
    push(store, PushAction.UPSERT, *records)
    world = World(store)
    world.network("N")
    listed = svc.list_network_evses(
        store, A, world.networks["N"], assigned=False, criteria=NetworkEvseFilter.parse(**criteria)
    )
    assert {int(row.evse_id.rsplit("E", 1)[1]) for row in listed.items} == expected
    assert listed.total == len(expected)
