"""Column types that keep Python's meaning on every database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine


def _unchanged(value: Decimal) -> Decimal:
    return value


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


SQLITE_EXACT_DIGITS = 15
"""Significant digits SQLite's NUMERIC affinity keeps when it stores a number as REAL."""


class ExactDecimal(TypeDecorator[Decimal]):
    """A fixed-point number that is a `Decimal` in Python on every database.

    PostgreSQL stores NUMERIC(precision, scale) exactly. SQLite stores the number as REAL,
    which keeps 15 significant digits: at most that many digits, quantized to `scale` when
    read, come back exactly as they were written, so wider columns are refused here.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        if precision > SQLITE_EXACT_DIGITS:
            raise ValueError(
                f"ExactDecimal({precision}, {scale}) cannot round-trip on SQLite; "
                f"use at most {SQLITE_EXACT_DIGITS} digits or a text column"
            )
        super().__init__(precision=precision, scale=scale)
        self.precision = precision
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(asdecimal=False))
        return dialect.type_descriptor(Numeric(self.precision, self.scale))

    @staticmethod
    def binder(dialect: Dialect) -> Callable[[Decimal], Any]:
        """How a Decimal is bound on `dialect`: as its exact text on SQLite (the driver
        knows no Decimal), as itself elsewhere."""
        return str if dialect.name == "sqlite" else _unchanged

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self.binder(dialect)(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(self.quantum)
