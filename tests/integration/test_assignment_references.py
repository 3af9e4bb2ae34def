"""The database keeps an assignment's references without foreign keys (migration 0012):
its EVSE exists, its group exists in its network, deleting either deletes it — on SQLite
and PostgreSQL, and on PostgreSQL also when the delete races the write."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from evsenet.domain.network import GroupRef
from evsenet.domain.network_lists import EvseSelection
from evsenet.services.networks import add_group, assign_evses, create_network
from evsenet.store.engine import Store
from evsenet.store.tables import assignments, evse_groups, evses, networks
from tests.conftest import empty_postgres_tables
from tests.integration.network_fixtures import ACTOR, A, seed

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _network(store: Store, name: str = "Net") -> tuple[int, int, int]:
    """A draft network of A with groups G1 and G2: (network, G1, G2) primary keys."""
    network = create_network(store, A, name, actor=ACTOR)
    first = add_group(store, A, network.id, "G1", actor=ACTOR)
    second = add_group(store, A, network.id, "G2", actor=ACTOR)
    return network.id, first.id, second.id


def _evse_pks(store: Store, count: int) -> list[int]:
    with store.transaction() as connection:
        return list(
            connection.execute(select(evses.c.id).order_by(evses.c.id).limit(count)).scalars()
        )


def _row(evse_pk: int, group_pk: int, network_pk: int) -> dict[str, Any]:
    return {
        "evse_pk": evse_pk,
        "group_pk": group_pk,
        "network_pk": network_pk,
        "evse_key": f"KEY{evse_pk}",
        "assigned_at": NOW,
    }


def _assignments(store: Store) -> list[tuple[int, int]]:
    with store.transaction() as connection:
        rows = connection.execute(
            select(assignments.c.evse_pk, assignments.c.group_pk).order_by(assignments.c.evse_pk)
        )
        return [(int(e), int(g)) for e, g in rows]


def _write(store: Store, statement: Any) -> None:
    with store.transaction(write=True) as connection:
        connection.execute(statement)


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store, count=6)
    return store


def test_an_assignment_of_an_evse_that_does_not_exist_is_refused(seeded: Store) -> None:
    network, g1, _ = _network(seeded)
    (real,) = _evse_pks(seeded, 1)
    with pytest.raises(IntegrityError):
        _write(
            seeded,
            insert(assignments).values([_row(real, g1, network), _row(999_999, g1, network)]),
        )
    assert _assignments(seeded) == []


def test_an_assignment_to_a_group_of_another_network_or_no_group_is_refused(
    seeded: Store,
) -> None:
    network, g1, _ = _network(seeded, "Net")
    other, other_group, _ = _network(seeded, "Other")
    first, second = _evse_pks(seeded, 2)
    with pytest.raises(IntegrityError):
        _write(seeded, insert(assignments).values(_row(first, other_group, network)))
    with pytest.raises(IntegrityError):
        _write(seeded, insert(assignments).values(_row(first, 999_999, network)))
    _write(
        seeded, insert(assignments).values([_row(first, g1, network), _row(second, g1, network)])
    )
    with pytest.raises(IntegrityError):
        _write(seeded, update(assignments).values(group_pk=other_group))
    with pytest.raises(IntegrityError):
        _write(
            seeded,
            update(assignments).values(evse_pk=999_999).where(assignments.c.evse_pk == first),
        )
    assert _assignments(seeded) == [(first, g1), (second, g1)]
    assert other != network


def test_deleting_an_evse_a_group_or_a_network_deletes_its_assignments(seeded: Store) -> None:
    network, g1, g2 = _network(seeded)
    pks = _evse_pks(seeded, 5)
    rows = [_row(pk, g1 if i < 3 else g2, network) for i, pk in enumerate(pks)]
    _write(seeded, insert(assignments).values(rows))
    _write(seeded, delete(evses).where(evses.c.id == pks[0]))
    assert _assignments(seeded) == [(pks[1], g1), (pks[2], g1), (pks[3], g2), (pks[4], g2)]
    _write(seeded, delete(evse_groups).where(evse_groups.c.id == g1))
    assert _assignments(seeded) == [(pks[3], g2), (pks[4], g2)]
    _write(seeded, delete(networks).where(networks.c.id == network))  # groups cascade
    assert _assignments(seeded) == []


def test_a_bulk_assignment_through_the_service_still_writes_every_row(seeded: Store) -> None:
    network, g1, _ = _network(seeded)
    report = assign_evses(
        seeded,
        A,
        network,
        GroupRef(id=g1),
        EvseSelection(evse_ids=("DE*ABC*E1", "DE*ABC*E2")),
        actor=ACTOR,
    )
    assert report.assigned == 2
    assert [group for _, group in _assignments(seeded)] == [g1, g1]


# --- PostgreSQL: a delete racing a write never leaves an orphan -------------------------


@pytest.fixture
def postgres(postgres_schema_url: str) -> Iterator[Store]:
    """A seeded store on PostgreSQL only: SQLite writes one transaction at a time, so
    there is no race to close there."""
    store = Store(postgres_schema_url)
    empty_postgres_tables(store)
    seed(store, count=6)
    yield store
    store.dispose()


def _in_thread(work: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _blocked(store: Store, thread: threading.Thread) -> bool:
    """Whether `thread` is waiting for a lock (it has not finished within a moment and a
    backend of this database waits on a lock)."""
    thread.join(0.5)
    with store.engine.connect() as probe:
        waiting = probe.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).scalar_one()
    return thread.is_alive() and int(waiting) > 0


def _race(store: Store, deleted: str, first: str) -> list[BaseException]:
    """Start `first` ("write" an assignment of an EVSE to a group, or "delete" that EVSE
    or group) in a transaction left open; run the other in a thread, which must wait for
    it; commit the first; return what the second raised."""
    network, group, _ = _network(store)
    (pk,) = _evse_pks(store, 1)
    write = insert(assignments).values(_row(pk, group, network))
    removal = delete(evse_groups).where(evse_groups.c.id == group)
    if deleted == "evse":
        removal = delete(evses).where(evses.c.id == pk)
    held, then = (write, removal) if first == "write" else (removal, write)
    connection = store.engine.connect()
    connection.begin()
    connection.execute(held)
    thread, errors = _in_thread(lambda: _write(store, then))
    try:
        assert _blocked(store, thread)
    finally:
        connection.commit()
        connection.close()
    thread.join(10)
    return errors


@pytest.mark.parametrize("deleted", ["group", "evse"])
def test_a_delete_waits_for_an_uncommitted_assignment_and_then_deletes_it(
    postgres: Store, deleted: str
) -> None:
    assert _race(postgres, deleted, first="write") == []
    assert _assignments(postgres) == []


@pytest.mark.parametrize("deleted", ["group", "evse"])
def test_an_assignment_waits_for_an_uncommitted_delete_and_then_fails(
    postgres: Store, deleted: str
) -> None:
    errors = _race(postgres, deleted, first="delete")
    assert [type(error) for error in errors] == [IntegrityError]
    assert _assignments(postgres) == []
