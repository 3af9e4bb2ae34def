"""Maintained counters: exact totals the lists would otherwise count by scanning.

- `operator_counters.unassigned_evses`: the operator's active EVSEs in no group (the unassigned
  list's unfiltered total and the web page's banner);
- `evse_groups.evse_count`: the EVSEs assigned to the group, withdrawn ones included
  (the assigned list's per-group counts and totals, the networks' EVSE counts);
- `operator_counters.version`: the operator's data version, incremented by every write
  that can change a list's members or a filter's answer (`changed`), the key under which
  filtered totals are cached (`store/count_cache.py`).

Every write that changes them adjusts them in its own transaction. The writers of one
operator are serialised on its `operators` row: imports and withdrawals lock it FOR
UPDATE, assignment writes (which already hold their network FOR UPDATE) take it FOR NO
KEY UPDATE (`hold`) before they read the EVSEs' states, so a delta is never computed from
a state another transaction is changing. SQLite write transactions are serial anyway.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, bindparam, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from evsenet.store.tables import (
    assignments,
    evse_groups,
    evses,
    networks,
    operator_counters,
    operators,
)

_IN_NO_GROUP = ~exists().where(assignments.c.evse_pk == evses.c.id)


class Counters:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def hold(self, operator_pk: int) -> None:
        """Serialise this transaction with the operator's other counter writers
        (PostgreSQL; a no-op on SQLite, whose write transactions are serial)."""
        if self.connection.dialect.name == "postgresql":
            self.connection.execute(
                select(operators.c.id)
                .where(operators.c.id == operator_pk)
                .with_for_update(key_share=True)
            )

    def changed(self, operator_pk: int, unassigned: int = 0) -> None:
        """Record a write to the operator's EVSEs or assignments: a new data version, and
        `unassigned` added to its count of active EVSEs in no group (one upsert)."""
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(operator_counters).values(
            operator_pk=operator_pk, unassigned_evses=unassigned, version=1
        )
        total = operator_counters.c.unassigned_evses + statement.excluded.unassigned_evses
        self.connection.execute(
            statement.on_conflict_do_update(
                index_elements=[operator_counters.c.operator_pk],
                set_={"unassigned_evses": total, "version": operator_counters.c.version + 1},
            )
        )

    def version(self, operator_pk: int) -> int:
        """The operator's data version (0 before its first EVSE)."""
        found = self.connection.execute(
            select(operator_counters.c.version).where(
                operator_counters.c.operator_pk == operator_pk
            )
        ).scalar_one_or_none()
        return int(found or 0)

    def add_to_groups(self, deltas: Mapping[int, int]) -> None:
        """Add each delta to its group's count (one statement, executed per group)."""
        changes = [{"pk": pk, "delta": delta} for pk, delta in deltas.items() if delta]
        if changes:
            self.connection.execute(
                update(evse_groups)
                .where(evse_groups.c.id == bindparam("pk"))
                .values(evse_count=evse_groups.c.evse_count + bindparam("delta")),
                changes,
            )

    def unassigned(self, operator_pk: int) -> int:
        counted = self.connection.execute(
            select(operator_counters.c.unassigned_evses).where(
                operator_counters.c.operator_pk == operator_pk
            )
        ).scalar_one_or_none()
        return int(counted or 0)

    def in_groups(self, network_pk: int) -> dict[int, int]:
        """The EVSEs in each non-empty group of the network (withdrawn ones included)."""
        rows = self.connection.execute(
            select(evse_groups.c.id, evse_groups.c.evse_count).where(
                evse_groups.c.network_pk == network_pk, evse_groups.c.evse_count > 0
            )
        )
        return {int(pk): int(count) for pk, count in rows}

    def unassigned_among(self, pks: list[int]) -> int:
        """How many of these EVSEs are active and in no group."""
        if not pks:
            return 0
        return int(
            self.connection.execute(
                select(func.count()).where(
                    evses.c.id.in_(pks), evses.c.withdrawn_at.is_(None), _IN_NO_GROUP
                )
            ).scalar_one()
        )

    def recounted(self, operator_pk: int) -> tuple[int, dict[int, int]]:
        """The counters' true values, counted from the rows (tests, repairs)."""
        unassigned = self.connection.execute(
            select(func.count()).where(
                evses.c.operator_pk == operator_pk, evses.c.withdrawn_at.is_(None), _IN_NO_GROUP
            )
        ).scalar_one()
        return int(unassigned), dict(self._group_counts(operator_pk, recount=True))

    def stored(self, operator_pk: int) -> tuple[int, dict[int, int]]:
        """The counters as kept."""
        return self.unassigned(operator_pk), dict(self._group_counts(operator_pk, recount=False))

    def _group_counts(self, operator_pk: int, *, recount: bool) -> list[tuple[int, int]]:
        value = (
            select(func.count()).where(assignments.c.group_pk == evse_groups.c.id).scalar_subquery()
            if recount
            else evse_groups.c.evse_count
        )
        rows = self.connection.execute(
            select(evse_groups.c.id, value)
            .join(networks, networks.c.id == evse_groups.c.network_pk)
            .where(networks.c.operator_pk == operator_pk)
        )
        return [(int(pk), int(count)) for pk, count in rows]

    def recount(self) -> None:
        """Set every counter from the rows: after a load that bypassed the repositories
        (the benchmarks' set-based fill), as migration 0009 does."""
        for statement in RECOUNT:
            self.connection.exec_driver_sql(statement)


_UNASSIGNED = (
    "(SELECT count(*) FROM evses WHERE evses.operator_pk = {table}.{column} "
    "AND evses.withdrawn_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM assignments WHERE assignments.evse_pk = evses.id))"
)

RECOUNT = (
    "UPDATE operator_counters SET version = version + 1, unassigned_evses = "
    + _UNASSIGNED.format(table="operator_counters", column="operator_pk"),
    "INSERT INTO operator_counters (operator_pk, unassigned_evses, version) "
    "SELECT operators.id, " + _UNASSIGNED.format(table="operators", column="id") + ", 1 "
    "FROM operators WHERE EXISTS (SELECT 1 FROM evses WHERE evses.operator_pk = operators.id) "
    "AND NOT EXISTS (SELECT 1 FROM operator_counters "
    "WHERE operator_counters.operator_pk = operators.id)",
    "UPDATE evse_groups SET evse_count = (SELECT count(*) FROM assignments "
    "WHERE assignments.group_pk = evse_groups.id)",
)
"""Statements that set every counter from the rows (as migration 0009 did). Each operator
gets a new data version: its rows may have changed behind the repositories' back, and a
version must never go back (a cache may hold totals under the old ones)."""
