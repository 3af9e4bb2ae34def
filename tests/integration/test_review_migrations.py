"""Review: a database with data goes down to 0001 and up to head again unharmed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from alembic import command
from sqlalchemy import text

from evsenet.domain.errors import Conflict
from evsenet.domain.inventory import PushAction
from evsenet.services.operators import declare_sub_operators, register_operator
from evsenet.store.engine import Store
from evsenet.store.migrate import alembic_config, current_revision, upgrade
from tests.integration.snapshots import dump
from tests.integration.test_inventory_service import evse, push

POSTGRES_URL = os.environ.get("EVSENET_TEST_POSTGRES_URL")


@pytest.fixture
def own_store(empty_database_url: str) -> Iterator[Store]:
    """A migrated store of its own (a private PostgreSQL schema): this test migrates it."""
    store = Store(empty_database_url)
    upgrade(store)
    yield store
    store.dispose()


def _downgrade(store: Store, revision: str) -> None:
    config = alembic_config(store)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_down_to_0001_and_up_again_keeps_the_data_and_rebuilds_prefix_claims(
    own_store: Store,
) -> None:
    store = own_store
    register_operator(store, "DE*ABC", sub_operators=["DE*XYZ", "+49*811"])
    register_operator(store, "+49*810")
    push(store, "DE*ABC", PushAction.UPSERT, evse("DE*ABC*E1"), evse("DE*XYZ*E1"))
    push(store, "DE*ABC", PushAction.DELETE, evse("DE*XYZ*E1"))
    before = dump(store)
    _downgrade(store, "0001")
    assert current_revision(store) == "0001"
    upgrade(store)
    after = dump(store)
    # The data versions start again at 0 (migration 0011): they key a cache, not data.
    for tables in (before, after):
        tables["operator_counters"] = [row[:2] for row in tables["operator_counters"]]
    assert {k: v for k, v in after.items() if k != "prefix_claims"} == {
        k: v for k, v in before.items() if k != "prefix_claims"
    }
    with store.engine.connect() as connection:
        claims = connection.execute(text("SELECT prefix FROM prefix_claims ORDER BY prefix"))
        assert list(claims.scalars()) == sorted(["+49*810", "+49*811", "DEABC", "DEXYZ"])
    claims_of_taken_prefixes: list[Callable[[], object]] = [
        lambda: register_operator(store, "DE*XYZ"),
        lambda: declare_sub_operators(store, "+49*810", ["+49*811"]),
        lambda: declare_sub_operators(store, "+49*810", ["DE*ABC"]),
    ]
    for claim in claims_of_taken_prefixes:
        with pytest.raises(Conflict):
            claim()
