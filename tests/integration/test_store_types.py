"""Column types keep Python's meaning on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from evsenet.store.engine import Store
from evsenet.store.types import ExactDecimal, UtcDateTime

metadata = MetaData()
samples = Table(
    "type_samples",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", ExactDecimal(15, 6)),
    Column("moment", UtcDateTime),
)


@pytest.fixture
def table_store(store: Store) -> Iterator[Store]:
    metadata.create_all(store.engine)
    yield store
    metadata.drop_all(store.engine)


def _round_trip(store: Store, **values: object) -> tuple[Decimal | None, datetime | None]:
    with store.transaction(write=True) as connection:
        key = connection.execute(insert(samples).values(**values)).inserted_primary_key[0]  # type: ignore[index]
        row = connection.execute(select(samples).where(samples.c.id == key)).one()
    return row.amount, row.moment


@pytest.mark.parametrize(
    "amount",
    ["0.000001", "-0.000001", "999999999.999999", "-999999999.999999", "52.520008", "0"],
)
def test_exact_decimals_come_back_exactly(table_store: Store, amount: str) -> None:
    stored, _ = _round_trip(table_store, amount=Decimal(amount))
    assert stored == Decimal(amount)
    assert isinstance(stored, Decimal)
    assert stored.as_tuple().exponent == -6


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.decimals(min_value=-(10**9) + 1, max_value=10**9 - 1, places=6))
def test_any_decimal_of_the_column_comes_back_exactly(table_store: Store, amount: Decimal) -> None:
    assert _round_trip(table_store, amount=amount)[0] == amount


def test_moments_come_back_aware_in_utc(table_store: Store) -> None:
    berlin = timezone(timedelta(hours=1))
    _, stored = _round_trip(table_store, moment=datetime(2026, 3, 29, 2, 30, tzinfo=berlin))
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert stored is not None
    assert stored.utcoffset() == timedelta(0)


def test_a_naive_moment_is_refused(table_store: Store) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        _round_trip(table_store, moment=datetime(2026, 3, 29, 2, 30))


def test_columns_wider_than_sqlite_keeps_exactly_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot round-trip on SQLite"):
        ExactDecimal(18, 2)
