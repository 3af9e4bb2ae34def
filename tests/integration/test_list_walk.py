"""The lists' pages read by walking the sort's index (`list_walk`) are the pages of a plain
ORDER BY over every match, for dense and sparse filters, both lists, both directions and
every sort, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from evsenet.domain.inventory import SORT_KEYS
from evsenet.domain.network import GroupRef
from evsenet.domain.network_lists import EvseSelection, KeysetPage, NetworkEvseFilter
from evsenet.services import networks as svc
from evsenet.services.inventory import evse_filter
from evsenet.store.engine import Store
from evsenet.store.repositories.list_walk import WINDOW_NAME, WINDOWS
from evsenet.store.repositories.network_lists import list_source
from evsenet.store.tables import assignments, evses, operators
from tests.integration.network_fixtures import ACTOR, A, seed, withdraw

COUNT = 1200
PAGE = 20


@pytest.fixture
def lists(store: Store) -> tuple[Store, int, int, int]:
    """A's 1,200 EVSEs (see `evsenet.store.synthetic`: EVSE n is DC when n % 3 == 2, in
    Berlin when n % 20 == 0, in Hamburg when n % 20 == 1), a network whose group G holds
    the AC_1_PHASE ones (n % 3 == 0) and H the other ones of Hamburg; some withdrawn."""
    seed(store, count=COUNT)
    network = svc.create_network(store, A, "Walks", actor=ACTOR)
    g = svc.add_group(store, A, network.id, "G", actor=ACTOR).id
    h = svc.add_group(store, A, network.id, "H", actor=ACTOR).id
    for group, criteria in (
        (g, evse_filter(power_type="AC_1_PHASE")),
        (h, evse_filter(city="Hamburg")),
    ):
        selection = EvseSelection(criteria=criteria)
        svc.assign_evses(store, A, network.id, GroupRef(id=group), selection, actor=ACTOR)
    withdraw(store, "DE*ABC*E9", "DE*ABC*E93", "DE*ABC*E990", "DE*ABC*E992")
    return store, network.id, g, h


def reference(
    store: Store, network: int, criteria: NetworkEvseFilter, assigned: bool, sort: str, desc: bool
) -> list[tuple[str, int | None]]:
    """Every match of the list, (EVSE ID, group), by one ORDER BY over the matches."""
    with store.transaction() as connection:
        operator_pk = connection.execute(
            select(operators.c.id).where(operators.c.operator_id == "DEABC")
        ).scalar_one()
        matches = list_source(operator_pk, network, criteria, assigned, group_counts=False)
        if assigned:
            matches = matches.select_from(
                assignments.join(evses, evses.c.id == assignments.c.evse_pk)
            )
        matches = matches.correlate(None)
        order = [evses.c[sort], evses.c.evse_id]
        query = (
            select(evses.c.evse_id_sent, assignments.c.group_pk)
            .select_from(evses.outerjoin(assignments, assignments.c.evse_pk == evses.c.id))
            .where(evses.c.id.in_(matches))
            .order_by(*(column.desc() if desc else column.asc() for column in order))
        )
        return [(row.evse_id_sent, row.group_pk) for row in connection.execute(query)]


@contextmanager
def windows_read(store: Store) -> Iterator[list[str]]:
    """The statements that read a window of a list, as they run."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        if WINDOW_NAME in args[2]:
            seen.append(args[2])

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


UNASSIGNED = [
    pytest.param({"power_type": "DC"}, True, id="dense"),
    pytest.param({"text": "E9"}, True, id="dense-at-the-end"),  # E9, E90…, E900…
    pytest.param({"text": "E99"}, False, id="sparse"),
    pytest.param({"text": "E11", "country": "FRA"}, False, id="none"),
]
ASSIGNED = [
    pytest.param({"text": "E9"}, True, id="dense-at-the-end"),
    pytest.param({"power_type": "DC", "group": "H"}, True, id="dense-in-a-group"),
    pytest.param({"min_output_kw": "11", "max_output_kw": "11", "group": "G"}, True, id="all"),
    pytest.param({"text": "E99"}, False, id="sparse"),
]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize(("assigned", "typed", "dense"), [
    *(pytest.param(False, *p.values, id=f"unassigned-{p.id}") for p in UNASSIGNED),
    *(pytest.param(True, *p.values, id=f"assigned-{p.id}") for p in ASSIGNED),
])  # fmt: skip
def test_walked_pages_are_the_pages_of_a_plain_order_by(
    lists: tuple[Store, int, int, int],
    assigned: bool,
    typed: dict[str, str],
    dense: bool,
    descending: bool,
) -> None:
    store, network, g, h = lists
    typed = dict(typed)
    group = {"G": g, "H": h}.get(typed.pop("group", ""))
    criteria = NetworkEvseFilter.parse(group_id=group, **typed)
    for sort in SORT_KEYS:
        expected = reference(store, network, criteria, assigned, sort, descending)
        pages: list[list[tuple[str, int | None]]] = []
        cursor = None
        with windows_read(store) as windows:
            while True:
                page = svc.list_network_evses(
                    store,
                    A,
                    network,
                    assigned=assigned,
                    criteria=criteria,
                    page=KeysetPage(limit=PAGE, after=cursor, sort=sort, descending=descending),
                )
                assert page.total == len(expected)
                pages.append([(row.evse_id, row.group_id) for row in page.items])
                cursor = page.next_cursor
                if cursor is None:
                    break
        chunks = [expected[start : start + PAGE] for start in range(0, len(expected), PAGE)]
        assert pages == (chunks or [[]]), sort
        walkable = sort == "evse_id" or (sort == "city" and not assigned)
        assert bool(windows) == (dense and walkable), sort


def test_a_walk_that_finds_too_few_matches_reads_the_rest_by_the_filter(
    lists: tuple[Store, int, int, int],
) -> None:
    """E9… come last in ID order, past 600 rows of the list: walking from the first ID for
    one row (windows of 33 and 66 rows) the walk gives up before them, and the filter's
    plan reads the page."""
    store, network, _, _ = lists
    criteria = NetworkEvseFilter.parse(text="E9")
    with windows_read(store) as windows:
        page = svc.list_network_evses(
            store, A, network, assigned=False, criteria=criteria, page=KeysetPage(limit=1)
        )
    assert len(windows) == WINDOWS
    expected = reference(store, network, criteria, False, "evse_id", False)
    assert [row.evse_id for row in page.items] == [expected[0][0]]
    assert page.next_cursor is not None
