"""Migration 0009 on SQLite and PostgreSQL: the counters of existing data are computed
from its rows; down to 0008 the columns go and every row stays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text

from evsenet.store.engine import Store
from evsenet.store.migrate import alembic_config, upgrade


@pytest.fixture
def store_at_0008(empty_database_url: str) -> Iterator[Store]:
    store = Store(empty_database_url)
    upgrade(store, "0008")
    with store.engine.begin() as connection:
        _fill(connection)
    yield store
    store.dispose()


def _fill(connection: Connection) -> None:
    """Operator A: EVSEs 1-6, 5 withdrawn; network N with g1 {1, 2, 5}, g2 {3}, g3 {};
    operator B: one EVSE in no group."""
    for code in ("DEABC", "NLEVN"):
        connection.execute(
            text(
                "INSERT INTO operators (operator_id, display_id, name, created_at) "
                "VALUES (:code, :code, '', CURRENT_TIMESTAMP)"
            ),
            {"code": code},
        )
    for code, number in [("DEABC", n) for n in range(1, 7)] + [("NLEVN", 1)]:
        connection.execute(
            text(
                "INSERT INTO evses (operator_pk, evse_id, evse_id_sent, charging_station_id, "
                "country, city, postal_code, street, house_number, latitude, longitude, "
                "power_type, output_kw, plugs, time_zone, created_at, updated_at, withdrawn_at) "
                "SELECT id, :key, :key, 'S1', 'DEU', 'Berlin', '10115', 'Street', '1', 52.5, "
                "13.4, 'DC', 50, '', 'Europe/Berlin', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                "CASE WHEN :number = 5 THEN CURRENT_TIMESTAMP END "
                "FROM operators WHERE operator_id = :code"
            ),
            {"key": f"{code}E{number}", "code": code, "number": number},
        )
    connection.execute(
        text(
            "INSERT INTO networks (operator_pk, name, name_key, status, created_at, updated_at) "
            "SELECT id, 'N', 'n', 'draft', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            "FROM operators WHERE operator_id = 'DEABC'"
        )
    )
    for name in ("g1", "g2", "g3"):
        connection.execute(
            text(
                "INSERT INTO evse_groups (network_pk, name, name_key, created_at) "
                "SELECT id, :name, :name, CURRENT_TIMESTAMP FROM networks"
            ),
            {"name": name},
        )
    for group, number in (("g1", 1), ("g1", 2), ("g1", 5), ("g2", 3)):
        connection.execute(
            text(
                "INSERT INTO assignments (evse_pk, group_pk, network_pk, evse_key, assigned_at) "
                "SELECT e.id, g.id, g.network_pk, e.evse_id, CURRENT_TIMESTAMP "
                "FROM evses e, evse_groups g WHERE e.evse_id = :key AND g.name = :group"
            ),
            {"key": f"DEABCE{number}", "group": group},
        )


def _counters(connection: Connection) -> tuple[dict[str, int], dict[str, int]]:
    unassigned = connection.execute(
        text(
            "SELECT operator_id, unassigned_evses FROM operators "
            "JOIN operator_counters ON operator_pk = operators.id"
        )
    )
    groups = connection.execute(text("SELECT name, evse_count FROM evse_groups"))
    return dict(unassigned.tuples().all()), dict(groups.tuples().all())


def test_0009_counts_the_existing_rows(store_at_0008: Store) -> None:
    upgrade(store_at_0008)
    with store_at_0008.engine.connect() as connection:
        unassigned, groups = _counters(connection)
    # A: 6 EVSEs, 5 withdrawn (and assigned), 1, 2, 3 assigned: 4 and 6 are in no group.
    assert unassigned == {"DEABC": 2, "NLEVN": 1}
    assert groups == {"g1": 3, "g2": 1, "g3": 0}


def test_0009_down_to_0008_drops_the_counters_and_keeps_the_rows(store_at_0008: Store) -> None:
    upgrade(store_at_0008)
    config = alembic_config(store_at_0008)
    with store_at_0008.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    with store_at_0008.engine.connect() as connection:
        assert "operator_counters" not in inspect(connection).get_table_names()
        group_columns = {c["name"] for c in inspect(connection).get_columns("evse_groups")}
        assert "evse_count" not in group_columns
        counts = [
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("operators", "evses", "networks", "evse_groups", "assignments")
        ]
    assert counts == [2, 7, 1, 3, 4]
    upgrade(store_at_0008)
    with store_at_0008.engine.connect() as connection:
        assert _counters(connection)[0] == {"DEABC": 2, "NLEVN": 1}


def test_0011_gives_every_operator_a_data_version_and_down_to_0010_keeps_the_counters(
    store_at_0008: Store,
) -> None:
    upgrade(store_at_0008, "0010")
    upgrade(store_at_0008)
    with store_at_0008.engine.connect() as connection:
        versions = connection.execute(text("SELECT version FROM operator_counters")).scalars()
        assert list(versions) == [0, 0]
    config = alembic_config(store_at_0008)
    with store_at_0008.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
    with store_at_0008.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("operator_counters")}
        assert "version" not in columns
        assert _counters(connection)[0] == {"DEABC": 2, "NLEVN": 1}
