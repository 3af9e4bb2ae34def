"""Operators (tenants) and the sub-operator prefixes they may push for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from evsenet.domain.ids import OperatorId
from evsenet.store.tables import operators, prefix_claims, sub_operators


def insert_unless_taken(connection: Connection, table: Table, values: dict[str, Any]) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING: a unique key taken meanwhile is no error."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).values(values).on_conflict_do_nothing()
    return sqlite.insert(table).values(values).on_conflict_do_nothing()


@dataclass(frozen=True, slots=True)
class OperatorRow:
    pk: int
    operator_id: OperatorId
    name: str
    created_at: datetime
    sub_operators: tuple[str, ...]


class OperatorRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, operator: OperatorId, *, lock: bool = False) -> OperatorRow | None:
        """The operator, or None. `lock` holds its row until the transaction ends
        (PostgreSQL; SQLite write transactions are serial anyway)."""
        query = select(operators).where(operators.c.operator_id == operator.normalised)
        if lock:
            query = query.with_for_update()
        row = self.connection.execute(query).one_or_none()
        if row is None:
            return None
        prefixes = self.connection.execute(
            select(sub_operators.c.display_prefix)
            .where(sub_operators.c.operator_pk == row.id)
            .order_by(sub_operators.c.prefix)
        ).scalars()
        return OperatorRow(
            row.id,
            OperatorId(row.operator_id, row.display_id),
            row.name,
            row.created_at,
            tuple(prefixes),
        )

    def add(self, operator: OperatorId, name: str, now: datetime) -> int | None:
        """Register the operator and claim its ID; None when the ID is taken (a race lost)."""
        values = {
            "operator_id": operator.normalised,
            "display_id": operator.display,
            "name": name,
            "created_at": now,
        }
        statement = insert_unless_taken(self.connection, operators, values)
        pk = self.connection.execute(statement.returning(operators.c.id)).scalar_one_or_none()
        if pk is None:
            return None
        if not self._claim(int(pk), operator):
            self.connection.execute(operators.delete().where(operators.c.id == pk))
            return None
        return int(pk)

    def _claim(self, pk: int, prefix: OperatorId) -> bool:
        values = {"prefix": prefix.normalised, "operator_pk": pk}
        statement = insert_unless_taken(self.connection, prefix_claims, values)
        claimed = self.connection.execute(statement.returning(prefix_claims.c.prefix))
        return claimed.scalar_one_or_none() is not None

    def add_sub_operator(self, pk: int, prefix: OperatorId, now: datetime) -> bool:
        """Claim `prefix` for operator `pk`; False when another claimed it meanwhile."""
        if not self._claim(pk, prefix):
            return False
        self.connection.execute(
            sub_operators.insert().values(
                prefix=prefix.normalised,
                display_prefix=prefix.display,
                operator_pk=pk,
                created_at=now,
            )
        )
        return True

    def remove_sub_operator(self, pk: int, prefix: OperatorId) -> bool:
        result = self.connection.execute(
            sub_operators.delete().where(
                sub_operators.c.operator_pk == pk, sub_operators.c.prefix == prefix.normalised
            )
        )
        if result.rowcount == 0:
            return False
        self.connection.execute(
            prefix_claims.delete().where(
                prefix_claims.c.operator_pk == pk, prefix_claims.c.prefix == prefix.normalised
            )
        )
        return True

    def owner_of(self, prefix: OperatorId) -> OperatorId | None:
        """Who already claims `prefix`, as its own ID or as a sub-operator."""
        own = self.connection.execute(
            select(operators.c.operator_id, operators.c.display_id).where(
                operators.c.operator_id == prefix.normalised
            )
        ).one_or_none()
        if own is None:
            own = self.connection.execute(
                select(operators.c.operator_id, operators.c.display_id)
                .join(sub_operators, sub_operators.c.operator_pk == operators.c.id)
                .where(sub_operators.c.prefix == prefix.normalised)
            ).one_or_none()
        return None if own is None else OperatorId(own.operator_id, own.display_id)

    def all(self) -> list[OperatorRow]:
        ids = self.connection.execute(
            select(operators.c.operator_id, operators.c.display_id).order_by(operators.c.display_id)
        ).all()
        rows = [self.get(OperatorId(i.operator_id, i.display_id)) for i in ids]
        return [row for row in rows if row is not None]
