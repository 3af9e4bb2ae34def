"""Cached list totals are exact: after every write path (the counters' scenario: imports
that insert, update, withdraw and restore, a sub-operator's withdrawal, assignment by IDs
and by filter, moves, unassignment, group and network deletion, Hubject's two shapes) and
after random sequences of writes, every filtered total and per-group count a list answers
equals a recount of the rows, on SQLite and PostgreSQL. Without a write, the answers come
from the cache."""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from evsenet.domain.errors import DomainError
from evsenet.domain.inventory import PushAction
from evsenet.domain.network import GroupRef
from evsenet.domain.network_lists import (
    EvseSelection,
    KeysetPage,
    NetworkEvseFilter,
    NetworkEvsePage,
)
from evsenet.services import networks as svc
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.counters import Counters
from evsenet.store.repositories.networks import NetworkRepository
from evsenet.store.tables import evse_groups, operators
from tests.integration.network_fixtures import ACTOR
from tests.integration.test_network_counters import SCENARIO, A, World, evse, push

Counts = tuple[int, dict[int, int]]

FILTERS: list[dict[str, Any]] = [
    {"city": "Berlin"},
    {"city": "köln"},
    {"text": "E1"},
    {"power_type": "AC_3_PHASE", "postal_code": "101"},
    {"min_output_kw": "50"},
]


def _operator_pk(store: Store, operator: str) -> int:
    code = operator.replace("*", "")
    with store.transaction() as connection:
        found = connection.execute(
            select(operators.c.id).where(operators.c.operator_id == code)
        ).scalar_one()
    return int(found)


def _probes(store: Store, network_pk: int) -> list[tuple[bool, NetworkEvseFilter]]:
    """Every filter on both lists, and on the assigned list per group of the network."""
    with store.transaction() as connection:
        groups = connection.execute(
            select(evse_groups.c.id).where(evse_groups.c.network_pk == network_pk)
        ).scalars()
        group_ids: list[int | None] = [None, *groups]
    probes = [(False, NetworkEvseFilter.parse(**typed)) for typed in FILTERS]
    for typed, group_id in itertools.product(FILTERS, group_ids):
        probes.append((True, NetworkEvseFilter.parse(group_id=group_id, **typed)))
    return probes


def _listed(
    store: Store, operator: str, network_pk: int, assigned: bool, f: NetworkEvseFilter
) -> Counts:
    page = svc.list_network_evses(store, operator, network_pk, assigned=assigned, criteria=f)
    return page.total, page.group_counts


def _recounted(
    store: Store, operator_pk: int, network_pk: int, assigned: bool, f: NetworkEvseFilter
) -> Counts:
    """The same list through a repository without a cache: counted from the rows."""
    with store.transaction() as connection:
        page = NetworkRepository(connection).page(
            operator_pk, network_pk, f, assigned, KeysetPage()
        )
    return page.total, page.group_counts


def _check_every_list(store: Store, operator: str, network_pks: list[int], label: str) -> None:
    """Each list answers as a recount does (filling the cache on the way)."""
    operator_pk = _operator_pk(store, operator)
    with store.transaction() as connection:
        existing = {summary.id for summary in NetworkRepository(connection).summaries(operator_pk)}
    for network_pk in network_pks:
        if network_pk not in existing:
            continue
        for assigned, criteria in _probes(store, network_pk):
            listed = _listed(store, operator, network_pk, assigned, criteria)
            recounted = _recounted(store, operator_pk, network_pk, assigned, criteria)
            assert listed == recounted, (label, assigned, criteria)


def test_no_cached_total_is_served_after_any_write_path(store: Store) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    world = World(store)
    for label, step in SCENARIO:
        _check_every_list(store, A, list(world.networks.values()), f"before {label}")
        step(world)
        _check_every_list(store, A, list(world.networks.values()), f"after {label}")
    served = store.counts.stats()
    assert served.hits > 0
    assert served.misses > 0


def test_lists_read_again_without_a_write_answer_from_the_cache(store: Store) -> None:
    register_operator(store, A)
    push(store, PushAction.UPSERT, *(evse(f"{A}*E{n}") for n in range(1, 6)))
    network = svc.create_network(store, A, "N", actor=ACTOR).id
    criteria = NetworkEvseFilter.parse(city="Berlin")
    first = svc.list_network_evses(store, A, network, assigned=False, criteria=criteria)
    misses = store.counts.stats().misses
    again = svc.list_network_evses(
        store, A, network, assigned=False, criteria=criteria, page=KeysetPage(limit=2)
    )
    stats = store.counts.stats()
    assert (first.total, again.total) == (5, 5)
    assert (stats.misses, stats.hits) == (misses, 1)


def test_a_write_that_changes_nothing_keeps_the_version(store: Store) -> None:
    register_operator(store, A)
    push(store, PushAction.UPSERT, evse(f"{A}*E1"))
    before = _version(store, A)
    push(store, PushAction.UPSERT, evse(f"{A}*E1"))
    assert _version(store, A) == before
    push(store, PushAction.UPSERT, evse(f"{A}*E1", city="Köln"))
    assert _version(store, A) > before


def _version(store: Store, operator: str) -> int:
    pk = _operator_pk(store, operator)
    with store.transaction() as connection:
        return Counters(connection).version(pk)


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_operators = (f"DE*Q{a}{b}" for a, b in itertools.product(_DIGITS, repeat=2))
"""A new operator for each example (1,296 of them; the store is the test's)."""

OPERATIONS = st.one_of(
    st.tuples(
        st.just("upsert"),
        st.frozensets(st.integers(1, 8), min_size=1),
        st.sampled_from(["Berlin", "Köln"]),
    ),
    st.tuples(st.just("delete"), st.frozensets(st.integers(1, 8), min_size=1), st.just("")),
    st.tuples(
        st.just("assign"),
        st.frozensets(st.integers(1, 8), min_size=1),
        st.sampled_from(["g1", "g2"]),
    ),
    st.tuples(st.just("unassign"), st.frozensets(st.integers(1, 8), min_size=1), st.just("")),
    st.tuples(st.just("regroup"), st.just(frozenset[int]()), st.sampled_from(["g1", "g2"])),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=6))
def test_cached_totals_equal_a_recount_after_any_sequence_of_writes(
    store: Store, operations: list[tuple[str, frozenset[int], str]]
) -> None:
    operator = next(_operators)
    register_operator(store, operator)
    network = svc.create_network(store, operator, "N", actor=ACTOR).id
    groups = {
        name: svc.add_group(store, operator, network, name, actor=ACTOR).id for name in ("g1", "g2")
    }
    _check_every_list(store, operator, [network], "empty")
    for kind, numbers, argument in operations:
        ids = [f"{operator}*E{n}" for n in sorted(numbers)]
        with contextlib.suppress(DomainError):  # a refused request writes nothing
            if kind == "upsert":
                push(store, PushAction.UPSERT, *(evse(i, argument) for i in ids), operator=operator)
            elif kind == "delete":
                push(store, PushAction.DELETE, *(evse(i) for i in ids), operator=operator)
            elif kind == "assign":
                ref = GroupRef(id=groups[argument])
                selection = EvseSelection(evse_ids=ids)
                svc.assign_evses(store, operator, network, ref, selection, actor=ACTOR)
            elif kind == "unassign":
                selection = EvseSelection(evse_ids=ids)
                svc.unassign_evses(store, operator, network, selection, actor=ACTOR)
            else:
                svc.delete_group(store, operator, network, groups[argument], actor=ACTOR)
                groups[argument] = svc.add_group(store, operator, network, argument, actor=ACTOR).id
        _check_every_list(store, operator, [network], f"after {kind} {sorted(numbers)} {argument}")


class RolledBack(Exception):
    pass


def test_a_write_transaction_neither_reads_nor_fills_the_cache(store: Store) -> None:
    """It may have raised the version itself and roll back: its count must not be kept."""
    register_operator(store, A)
    push(store, PushAction.UPSERT, *(evse(f"{A}*E{n}") for n in range(1, 4)))
    network = svc.create_network(store, A, "N", actor=ACTOR).id
    criteria = NetworkEvseFilter.parse(city="Berlin")
    operator_pk = _operator_pk(store, A)
    version = _version(store, A)
    listed: list[NetworkEvsePage] = []

    def list_then_roll_back() -> None:
        with store.transaction(write=True) as connection:
            Counters(connection).changed(operator_pk)
            repository = NetworkRepository(connection, store.counts)
            listed.append(repository.page(operator_pk, network, criteria, False, KeysetPage()))
            raise RolledBack

    with pytest.raises(RolledBack):
        list_then_roll_back()
    assert _version(store, A) == version
    stats = store.counts.stats()
    assert listed[0].total == 3
    assert (stats.hits, stats.misses, stats.size) == (0, 0, 0)
