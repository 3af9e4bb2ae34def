"""Alembic migrations on SQLite and PostgreSQL: up from empty, schema equal to the tables
module, down to nothing and up again; SQLite's connection settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from evsenet.store.engine import SQLITE_BUSY_TIMEOUT_MS, Store
from evsenet.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    is_current,
    upgrade,
)
from evsenet.store.tables import metadata

POSTGRES_URL = os.environ.get("EVSENET_TEST_POSTGRES_URL")
TABLES = {table.name for table in metadata.sorted_tables}


@pytest.fixture
def empty_store(empty_database_url: str) -> Iterator[Store]:
    """A store on a database that has never seen a migration."""
    store = Store(empty_database_url)
    yield store
    store.dispose()


def _tables(store: Store) -> set[str]:
    with store.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def _differences(store: Store) -> list[Any]:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def _downgrade(store: Store, revision: str) -> None:
    config = alembic_config(store)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_upgrade_from_empty_builds_the_schema_of_the_tables_module(empty_store: Store) -> None:
    assert current_revision(empty_store) is None
    assert not is_current(empty_store)
    upgrade(empty_store)
    assert current_revision(empty_store) == head_revision(empty_store) is not None
    assert is_current(empty_store)
    assert _tables(empty_store) >= TABLES
    assert _differences(empty_store) == []


def test_upgrade_twice_is_harmless(empty_store: Store) -> None:
    upgrade(empty_store)
    upgrade(empty_store)
    assert is_current(empty_store)
    assert _differences(empty_store) == []


def test_downgrade_to_base_and_up_again(empty_store: Store) -> None:
    upgrade(empty_store)
    with empty_store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO operators (operator_id, display_id, name, created_at) "
                "VALUES ('DEABC', 'DE*ABC', '', CURRENT_TIMESTAMP)"
            )
        )
    _downgrade(empty_store, "base")
    assert current_revision(empty_store) is None
    assert _tables(empty_store) & TABLES == set()
    upgrade(empty_store)
    assert is_current(empty_store)
    assert _differences(empty_store) == []
    with empty_store.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM operators")).scalar_one() == 0


def test_the_migrated_schema_enforces_its_constraints(empty_store: Store) -> None:
    upgrade(empty_store)
    insert_operator = text(
        "INSERT INTO operators (operator_id, display_id, created_at) "
        "VALUES ('DEABC', 'DE*ABC', CURRENT_TIMESTAMP)"
    )
    with empty_store.engine.begin() as connection:
        connection.execute(insert_operator)
    with pytest.raises(IntegrityError), empty_store.engine.begin() as connection:
        connection.execute(insert_operator)
    with pytest.raises(IntegrityError), empty_store.engine.begin() as connection:
        connection.execute(  # foreign key: no operator 999
            text(
                "INSERT INTO sub_operators (prefix, operator_pk, display_prefix, created_at) "
                "VALUES ('DEXYZ', 999, 'DE*XYZ', CURRENT_TIMESTAMP)"
            )
        )


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == (
            SQLITE_BUSY_TIMEOUT_MS
        )
    # Every pooled connection is configured, not only the first one.
    connections = [sqlite_store.engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        for connection in connections:
            connection.close()


def test_sqlite_write_transactions_take_the_write_lock_at_once(sqlite_store: Store) -> None:
    with sqlite_store.transaction(write=True) as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        other = sqlite_store.engine.raw_connection()
        try:
            cursor = other.cursor()
            cursor.execute("PRAGMA busy_timeout=0")
            with pytest.raises(Exception, match="locked"):
                cursor.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_the_schema_comparison_notices_drift(empty_store: Store) -> None:
    # Guards the comparison above against passing vacuously.
    upgrade(empty_store)
    with empty_store.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_sub_operators_operator_pk"))
    differences = _differences(empty_store)
    assert [d[0] for d in differences] == ["add_index"]


def _upgrade_to(store: Store, revision: str) -> None:
    config = alembic_config(store)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_prefix_claims_are_filled_from_the_operators_and_sub_operators_of_0001(
    empty_store: Store,
) -> None:
    _upgrade_to(empty_store, "0001")
    with empty_store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO operators (operator_id, display_id, name, created_at) "
                "VALUES ('DEABC', 'DE*ABC', '', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sub_operators (prefix, operator_pk, display_prefix, created_at) "
                "SELECT 'DEXYZ', id, 'DE*XYZ', CURRENT_TIMESTAMP FROM operators"
            )
        )
    upgrade(empty_store)
    with empty_store.engine.connect() as connection:
        claims = connection.execute(
            text("SELECT prefix FROM prefix_claims ORDER BY prefix")
        ).scalars()
        assert list(claims) == ["DEABC", "DEXYZ"]
    with pytest.raises(IntegrityError), empty_store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO prefix_claims (prefix, operator_pk) SELECT 'DEXYZ', id FROM operators"
            )
        )


def test_search_keys_are_filled_for_the_evses_of_0002(empty_store: Store) -> None:
    _upgrade_to(empty_store, "0002")
    with empty_store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO operators (operator_id, display_id, name, created_at) "
                "VALUES ('DEABC', 'DE*ABC', '', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO evses (operator_pk, evse_id, evse_id_sent, charging_station_id, "
                "country, city, postal_code, street, house_number, latitude, longitude, "
                "power_type, output_kw, plugs, time_zone, created_at, updated_at) "
                "SELECT id, 'DEABCE1', 'DE*ABC*E1', 'S1', 'GBR', 'KÖLN Straße', 'SW1A 1AA', "
                "'Hohe Straße', '1', 50.9, 6.9, 'DC', 50, '', 'Europe/London', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM operators"
            )
        )
    upgrade(empty_store)
    with empty_store.engine.connect() as connection:
        keys = connection.execute(text("SELECT city_key, postal_code_key FROM evses")).one()
    assert tuple(keys) == ("köln strasse", "sw1a 1aa")


def _users_with_sessions(connection: Any) -> list[tuple[str, int]]:
    rows = connection.execute(
        text(
            "SELECT users.email, COUNT(web_sessions.id) FROM users "
            "LEFT JOIN web_sessions ON web_sessions.user_pk = users.id "
            "GROUP BY users.email ORDER BY users.email"
        )
    )
    return [(email, int(count)) for email, count in rows]


def test_0010_gives_users_one_party_and_keeps_everyone_signed_in(empty_store: Store) -> None:
    _upgrade_to(empty_store, "0009")
    with empty_store.engine.begin() as connection:
        for statement in (
            "INSERT INTO operators (operator_id, display_id, name, created_at) "
            "VALUES ('DEABC', 'DE*ABC', '', CURRENT_TIMESTAMP)",
            "INSERT INTO providers (provider_id, display_id, name, created_at) "
            "VALUES ('DEICE', 'DE*ICE', '', CURRENT_TIMESTAMP)",
            "INSERT INTO users (operator_pk, email, password_hash, created_at) "
            "SELECT id, 'ops@abc.example', 'hash', CURRENT_TIMESTAMP FROM operators",
            "INSERT INTO web_sessions (token_hash, user_pk, csrf_token, created_at, expires_at) "
            "SELECT 'digest', id, 'csrf', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM users",
        ):
            connection.execute(text(statement))
    upgrade(empty_store)
    assert _differences(empty_store) == []
    add_provider_user = text(
        "INSERT INTO users (provider_pk, email, password_hash, created_at) "
        "SELECT id, 'team@ice.example', 'hash', CURRENT_TIMESTAMP FROM providers"
    )
    with empty_store.engine.begin() as connection:
        assert _users_with_sessions(connection) == [("ops@abc.example", 1)]
        connection.execute(add_provider_user)
        connection.execute(
            text(
                "INSERT INTO web_sessions (token_hash, user_pk, csrf_token, created_at, "
                "expires_at) SELECT 'ice', id, 'csrf', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
                "FROM users WHERE provider_pk IS NOT NULL"
            )
        )
    for parties in (
        "(SELECT id FROM operators), (SELECT id FROM providers)",
        "NULL, NULL",
    ):
        with pytest.raises(IntegrityError), empty_store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (operator_pk, provider_pk, email, password_hash, "
                    f"created_at) VALUES ({parties}, 'x@y.example', 'hash', CURRENT_TIMESTAMP)"
                )
            )
    _downgrade(empty_store, "0009")
    with empty_store.engine.connect() as connection:
        assert _users_with_sessions(connection) == [("ops@abc.example", 1)]
    upgrade(empty_store)
    assert is_current(empty_store)
