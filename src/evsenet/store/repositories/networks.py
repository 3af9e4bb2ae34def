"""Networks, groups and assignments. Bulk work is set-based: the EVSEs a request selects
are staged in a temporary table (`network_selection`), checked with one query and written
with one INSERT … SELECT and one UPDATE, whatever their number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    and_,
    bindparam,
    column,
    delete,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from evsenet.domain.errors import Conflict
from evsenet.domain.network import (
    REFUSAL_CAP,
    EvseState,
    NetworkStatus,
    group_name_taken,
    network_name_taken,
)
from evsenet.domain.network_lists import (
    GroupView,
    NetworkEvseFilter,
    NetworkSummary,
)
from evsenet.store.count_cache import CountCache
from evsenet.store.repositories.counters import Counters
from evsenet.store.repositories.evses import (
    _copy,
    _psycopg,
)
from evsenet.store.repositories.network_lists import NetworkLists, filters_evses, list_source
from evsenet.store.tables import assignments, evse_groups, evses, networks

SELECTION = table(
    "network_selection",
    column("position", Integer),
    column("evse_key", String),
    column("sent", String),
    column("evse_pk", Integer),
)
"""The temporary table a bulk request's EVSEs are staged in."""


@dataclass(frozen=True, slots=True)
class NetworkRow:
    pk: int
    name: str
    description: str
    status: NetworkStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class GroupRow:
    pk: int
    network_pk: int
    name: str
    description: str


def _insert_unless_taken(connection: Connection, target: Any, values: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: None when a unique key is taken,
    also by a concurrent transaction (PostgreSQL waits for it to end, then skips)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(target).values(values).on_conflict_do_nothing()
    return connection.execute(statement.returning(target.c.id)).scalar_one_or_none()


def _network(row: Any) -> NetworkRow:
    return NetworkRow(row.id, row.name, row.description, NetworkStatus(row.status), row.created_at)


def _group(row: Any) -> GroupRow:
    return GroupRow(row.id, row.network_pk, row.name, row.description)


class NetworkRepository(NetworkLists):
    def __init__(self, connection: Connection, counts: CountCache | None = None) -> None:
        self.connection = connection
        self.counters = Counters(connection)
        self.counts = counts

    @property
    def _dialect(self) -> str:
        return str(self.connection.dialect.name)

    def hold_counts(self, operator_pk: int) -> None:
        """Before an assignment write reads any EVSE's state: see `Counters.hold`."""
        self.counters.hold(operator_pk)

    # --- networks ---------------------------------------------------------------------

    def add_network(
        self, operator_pk: int, name: str, key: str, description: str, now: datetime
    ) -> int:
        values = {
            "operator_pk": operator_pk,
            "name": name,
            "name_key": key,
            "description": description,
            "status": NetworkStatus.DRAFT.value,
            "created_at": now,
            "updated_at": now,
        }
        pk = _insert_unless_taken(self.connection, networks, values)
        if pk is None:
            raise network_name_taken(name)
        return int(pk)

    def get_network(
        self, operator_pk: int, network_pk: int, *, lock: str | None = None
    ) -> NetworkRow | None:
        """The operator's network, or None (another operator's too). `lock` is `share`
        (adding a group: activation waits) or `update` (assignments, status changes,
        deletion: one at a time per network, so that a check and the write that follows it
        see the same assignments); PostgreSQL only, SQLite write transactions are serial."""
        query = select(networks).where(
            networks.c.id == network_pk, networks.c.operator_pk == operator_pk
        )
        if lock is not None:
            query = query.with_for_update(read=lock == "share")
        row = self.connection.execute(query).one_or_none()
        return None if row is None else _network(row)

    def network_by_name(
        self, operator_pk: int, key: str, *, lock: bool = False
    ) -> NetworkRow | None:
        query = select(networks).where(
            networks.c.operator_pk == operator_pk, networks.c.name_key == key
        )
        if lock:
            query = query.with_for_update()
        row = self.connection.execute(query).one_or_none()
        return None if row is None else _network(row)

    def summaries(self, operator_pk: int, network_pk: int | None = None) -> list[NetworkSummary]:
        """The operator's networks alphabetically (ignoring case), with their counts."""
        group_count = (
            select(func.count()).where(evse_groups.c.network_pk == networks.c.id).scalar_subquery()
        )
        evse_count = (
            select(func.coalesce(func.sum(evse_groups.c.evse_count), 0))
            .where(evse_groups.c.network_pk == networks.c.id)
            .scalar_subquery()
        )
        query = (
            select(networks, group_count.label("group_count"), evse_count.label("evse_count"))
            .where(networks.c.operator_pk == operator_pk)
            .order_by(networks.c.name_key, networks.c.id)
        )
        if network_pk is not None:
            query = query.where(networks.c.id == network_pk)
        return [
            NetworkSummary(
                row.id,
                row.name,
                row.description,
                NetworkStatus(row.status),
                int(row.group_count),
                int(row.evse_count),
                row.created_at,
            )
            for row in self.connection.execute(query)
        ]

    def update_network(self, network_pk: int, values: dict[str, Any], now: datetime) -> None:
        try:
            self.connection.execute(
                update(networks)
                .where(networks.c.id == network_pk)
                .values({**values, "updated_at": now})
            )
        except IntegrityError as exc:
            raise network_name_taken(str(values.get("name", ""))) from exc

    def activate(self, network_pk: int, now: datetime) -> None:
        self.connection.execute(
            update(networks)
            .where(networks.c.id == network_pk)
            .values(status=NetworkStatus.ACTIVE.value, activated_at=now, updated_at=now)
        )

    def delete_network(self, operator_pk: int, network_pk: int) -> int:
        """Delete the network, its groups and assignments; how many EVSEs were assigned."""
        self._count_freed(operator_pk, assignments.c.network_pk == network_pk)
        unassigned = self.connection.execute(
            delete(assignments).where(assignments.c.network_pk == network_pk)
        ).rowcount
        self.connection.execute(delete(evse_groups).where(evse_groups.c.network_pk == network_pk))
        self.connection.execute(delete(networks).where(networks.c.id == network_pk))
        return int(unassigned)

    # --- groups -----------------------------------------------------------------------

    def add_group(
        self, network_pk: int, name: str, key: str, description: str, now: datetime
    ) -> int:
        values = {
            "network_pk": network_pk,
            "name": name,
            "name_key": key,
            "description": description,
            "created_at": now,
        }
        pk = _insert_unless_taken(self.connection, evse_groups, values)
        if pk is None:
            raise group_name_taken(name)
        return int(pk)

    def get_group(self, network_pk: int, group_pk: int) -> GroupRow | None:
        row = self.connection.execute(
            select(evse_groups).where(
                evse_groups.c.id == group_pk, evse_groups.c.network_pk == network_pk
            )
        ).one_or_none()
        return None if row is None else _group(row)

    def group_by_name(self, network_pk: int, key: str) -> GroupRow | None:
        row = self.connection.execute(
            select(evse_groups).where(
                evse_groups.c.network_pk == network_pk, evse_groups.c.name_key == key
            )
        ).one_or_none()
        return None if row is None else _group(row)

    def groups(self, network_pk: int) -> list[GroupView]:
        """The network's groups alphabetically (ignoring case), with their EVSE counts."""
        rows = self.connection.execute(
            select(evse_groups)
            .where(evse_groups.c.network_pk == network_pk)
            .order_by(evse_groups.c.name_key, evse_groups.c.id)
        )
        return [GroupView(r.id, r.name, r.description, int(r.evse_count)) for r in rows]

    def group_evse_count(self, network_pk: int, group_pk: int) -> int:
        return int(
            self.connection.execute(
                select(evse_groups.c.evse_count).where(
                    evse_groups.c.id == group_pk, evse_groups.c.network_pk == network_pk
                )
            ).scalar_one()
        )

    def _count_freed(self, operator_pk: int, removed: ColumnElement[bool]) -> None:
        """Before deleting the assignments `removed` selects: their active EVSEs return to
        the operator's unassigned count (group counts go with their groups' rows)."""
        active = self.connection.execute(
            select(func.count())
            .select_from(assignments.join(evses, evses.c.id == assignments.c.evse_pk))
            .where(removed, evses.c.withdrawn_at.is_(None))
        ).scalar_one()
        self.counters.changed(operator_pk, int(active))

    def update_group(self, group_pk: int, values: dict[str, Any]) -> None:
        try:
            self.connection.execute(
                update(evse_groups).where(evse_groups.c.id == group_pk).values(values)
            )
        except IntegrityError as exc:
            raise group_name_taken(str(values.get("name", ""))) from exc

    def delete_group(self, operator_pk: int, network_pk: int, group_pk: int) -> int:
        """Delete the group; how many EVSEs it unassigned."""
        self._count_freed(
            operator_pk,
            and_(assignments.c.network_pk == network_pk, assignments.c.group_pk == group_pk),
        )
        unassigned = self.connection.execute(
            delete(assignments).where(
                assignments.c.network_pk == network_pk, assignments.c.group_pk == group_pk
            )
        ).rowcount
        self.connection.execute(delete(evse_groups).where(evse_groups.c.id == group_pk))
        return int(unassigned)

    def group_members(self, network_pk: int, group_pk: int) -> list[str]:
        """The EVSE IDs (as sent) in the group, in ID order."""
        return list(
            self.connection.execute(
                select(evses.c.evse_id_sent)
                .join(assignments, assignments.c.evse_pk == evses.c.id)
                .where(assignments.c.network_pk == network_pk, assignments.c.group_pk == group_pk)
                .order_by(assignments.c.evse_key)
            ).scalars()
        )

    # --- the selection of a bulk request ----------------------------------------------

    def open_selection(self) -> None:
        """Create the (empty) temporary selection table inside the transaction."""
        columns = "position INTEGER, evse_key VARCHAR(41), sent VARCHAR(41), evse_pk BIGINT"
        if self.connection.dialect.name == "postgresql":
            self.connection.exec_driver_sql(
                f"CREATE TEMPORARY TABLE {SELECTION.name} ({columns}) ON COMMIT DROP"
            )
        else:
            self.connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {SELECTION.name} ({columns})")

    def close_selection(self) -> None:
        self.connection.exec_driver_sql(f"DROP TABLE {SELECTION.name}")

    def select_ids(self, operator_pk: int, ids: Sequence[tuple[int, str, str]]) -> None:
        """Stage (position, normalised ID, ID as sent) and find each one's EVSE of the
        operator (another operator's EVSE is not found, like a missing one)."""
        driver = _psycopg(self.connection)
        if driver is not None:
            _copy(driver, SELECTION.name, ("position", "evse_key", "sent"), ids)
        elif ids:
            self.connection.execute(
                insert(SELECTION).values(
                    position=bindparam("p"), evse_key=bindparam("k"), sent=bindparam("s")
                ),
                [{"p": p, "k": k, "s": s} for p, k, s in ids],
            )
        found = (
            select(evses.c.id)
            .where(evses.c.operator_pk == operator_pk, evses.c.evse_id == SELECTION.c.evse_key)
            .scalar_subquery()
        )
        self.connection.execute(update(SELECTION).values(evse_pk=found))
        self._analyze_selection()

    def select_matching(
        self, operator_pk: int, network_pk: int, criteria: NetworkEvseFilter, assigned: bool
    ) -> None:
        """Stage every EVSE of one of the network's lists that matches `criteria`."""
        source = list_source(
            operator_pk, network_pk, criteria, assigned, group_counts=False, hints=self._dialect
        )
        # The IDs as sent are read later, for the first few only (`selection_ids`): the
        # selection then comes from the indexes alone. Assigned EVSEs selected by group
        # alone come from `assignments` alone (it keeps each EVSE's normalised ID).
        key, pk = evses.c.evse_id, evses.c.id
        if assigned and filters_evses(criteria):
            source = source.select_from(
                assignments.join(evses, evses.c.id == assignments.c.evse_pk)
            )
        elif assigned:
            key, pk = assignments.c.evse_key, assignments.c.evse_pk
        rows = source.with_only_columns(null().label("position"), key, null().label("sent"), pk)
        self.connection.execute(
            insert(SELECTION).from_select(["position", "evse_key", "sent", "evse_pk"], rows)
        )
        self._analyze_selection()

    def _analyze_selection(self) -> None:
        """Give PostgreSQL the staged selection's statistics. Autovacuum never looks at
        a temporary table: without them the planner guesses a few thousand rows whatever
        the selection's size and picks nested loops (and a sort spilling to disk) that cost
        seconds at 100,000 EVSEs. ANALYZE samples at most 30,000 rows (~40 ms at 100,000).
        SQLite's planner needs no statistics for these joins (it drives them from the
        selection and looks each EVSE up by primary key)."""
        if self.connection.dialect.name == "postgresql":
            self.connection.exec_driver_sql(f"ANALYZE {SELECTION.name}")

    def drop_assigned_in(self, network_pk: int) -> None:
        """Leave out of the selection the EVSEs already assigned in the network."""
        self.connection.execute(
            delete(SELECTION).where(
                SELECTION.c.evse_pk.in_(
                    select(assignments.c.evse_pk).where(assignments.c.network_pk == network_pk)
                )
            )
        )

    def selection_states(
        self, network_pk: int, group_pk: int | None, *, strict: bool
    ) -> tuple[list[EvseState], int]:
        """The staged EVSEs a rule may refuse (at most REFUSAL_CAP, in request order) and
        how many there are. The query only narrows: the domain decides (`assignment_change`).

        Candidates are EVSEs unknown or withdrawn (when assigning, `group_pk` given), in
        another network, and — when `strict` — in this network but not in `group_pk`.
        """
        joined = (
            SELECTION.outerjoin(evses, evses.c.id == SELECTION.c.evse_pk)
            .outerjoin(assignments, assignments.c.evse_pk == SELECTION.c.evse_pk)
            .outerjoin(networks, networks.c.id == assignments.c.network_pk)
        )
        here = assignments.c.network_pk == network_pk
        if group_pk is not None:
            own = and_(here, assignments.c.group_pk != group_pk) if strict else false()
            withdrawn: ColumnElement[bool] = evses.c.withdrawn_at.is_not(None)
        else:
            own = here if strict else false()
            withdrawn = false()
        candidate = or_(
            SELECTION.c.evse_pk.is_(None),
            withdrawn,
            assignments.c.network_pk != network_pk,
            own,
        )
        total = self.connection.execute(
            select(func.count()).select_from(joined).where(candidate)
        ).scalar_one()
        rows = self.connection.execute(
            select(
                SELECTION.c.position,
                func.coalesce(SELECTION.c.sent, evses.c.evse_id_sent).label("sent"),
                SELECTION.c.evse_pk,
                evses.c.withdrawn_at,
                assignments.c.network_pk,
                assignments.c.group_pk,
                networks.c.name,
            )
            .select_from(joined)
            .where(candidate)
            .order_by(SELECTION.c.position, SELECTION.c.evse_key)
            .limit(REFUSAL_CAP)
        )
        states = [
            EvseState(
                row.sent,
                row.position,
                row.evse_pk is not None,
                row.withdrawn_at is not None,
                row.network_pk,
                row.name,
                row.group_pk,
            )
            for row in rows
        ]
        return states, int(total)

    def selection_counts(self, network_pk: int, group_pk: int | None) -> dict[str, int]:
        """How many staged EVSEs are in no group, in `group_pk`, and elsewhere in the
        network (`total` counts them all)."""
        a = assignments
        in_group = a.c.group_pk == group_pk if group_pk is not None else false()
        query = select(
            func.count().label("total"),
            func.count(SELECTION.c.evse_pk).filter(a.c.evse_pk.is_(None)).label("free"),
            func.count().filter(in_group).label("in_group"),
            func.count().filter(a.c.network_pk == network_pk, ~in_group).label("in_network"),
        ).select_from(SELECTION.outerjoin(a, a.c.evse_pk == SELECTION.c.evse_pk))
        row = self.connection.execute(query).one()
        return {key: int(value) for key, value in row._mapping.items()}

    def selection_ids(self, limit: int) -> list[str]:
        """The first `limit` staged EVSE IDs as sent, in request (or ID) order."""
        first = (
            select(SELECTION)
            .order_by(SELECTION.c.position, SELECTION.c.evse_key)
            .limit(limit)
            .subquery()
        )
        sent = func.coalesce(first.c.sent, evses.c.evse_id_sent)
        return list(
            self.connection.execute(
                select(sent)
                .select_from(first.outerjoin(evses, evses.c.id == first.c.evse_pk))
                .order_by(first.c.position, first.c.evse_key)
            ).scalars()
        )

    def assign_selection(
        self,
        operator_pk: int,
        network_pk: int,
        group_pk: int,
        now: datetime,
        *,
        expected: tuple[int, int],
    ) -> None:
        """Move the staged EVSEs of the network into `group_pk` and assign the free ones.

        `expected` is (moves, new assignments) as counted in this transaction: a
        concurrent request that changed them meanwhile makes this a Conflict, so that it
        cannot win too (the database's one-group-per-EVSE key decides who was first).
        """
        in_selection = assignments.c.evse_pk.in_(select(SELECTION.c.evse_pk))
        leaving = (
            self._per_group(
                in_selection,
                assignments.c.network_pk == network_pk,
                assignments.c.group_pk != group_pk,
            )
            if expected[0]
            else {}
        )
        try:
            moved = (
                0
                if expected[0] == 0
                else self.connection.execute(
                    update(assignments)
                    .where(
                        in_selection,
                        assignments.c.network_pk == network_pk,
                        assignments.c.group_pk != group_pk,
                    )
                    .values(group_pk=group_pk, assigned_at=now)
                ).rowcount
            )
            free = (
                select(
                    SELECTION.c.evse_pk,
                    SELECTION.c.evse_key,
                    literal(group_pk, Integer),
                    literal(network_pk, Integer),
                    bindparam("now", now, type_=assignments.c.assigned_at.type),
                )
                .where(SELECTION.c.evse_pk.is_not(None))
                .order_by(SELECTION.c.evse_pk)
            )
            # (In key order, the primary key's B-tree grows at its end, page after page.)
            # EVSEs moved above (or assigned meanwhile) conflict and are skipped.
            dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
            statement = (
                dialect.insert(assignments)
                .from_select(["evse_pk", "evse_key", "group_pk", "network_pk", "assigned_at"], free)
                .on_conflict_do_nothing()
            )
            # SQLAlchemy keeps an INSERT's row count only when asked to.
            inserted = self.connection.execute(
                statement, execution_options={"preserve_rowcount": True}
            ).rowcount
        except IntegrityError as exc:
            raise concurrent_change() from exc
        if (int(moved), int(inserted)) != expected:
            raise concurrent_change()
        # The new assignments' EVSEs were active and in no group (the rules refuse the
        # others, and `hold_counts` keeps withdrawals out meanwhile).
        deltas = {pk: -count for pk, count in leaving.items()}
        deltas[group_pk] = deltas.get(group_pk, 0) + int(moved) + int(inserted)
        self.counters.add_to_groups(deltas)
        self.counters.changed(operator_pk, -int(inserted))
        self._analyze_after(int(moved) + int(inserted))

    def _per_group(self, *conditions: ColumnElement[bool]) -> dict[int, int]:
        """How many assignments that meet `conditions` each group holds."""
        rows = self.connection.execute(
            select(assignments.c.group_pk, func.count())
            .where(*conditions)
            .group_by(assignments.c.group_pk)
        )
        return {int(pk): int(count) for pk, count in rows}

    def unassign_selection(self, operator_pk: int, network_pk: int, *, expected: int) -> None:
        removing = (
            assignments.c.evse_pk.in_(select(SELECTION.c.evse_pk)),
            assignments.c.network_pk == network_pk,
        )
        leaving = self._per_group(*removing)
        self._count_freed(operator_pk, and_(*removing))
        removed = self.connection.execute(delete(assignments).where(*removing)).rowcount
        if int(removed) != expected or sum(leaving.values()) != expected:
            raise concurrent_change()
        self.counters.add_to_groups({pk: -count for pk, count in leaving.items()})
        self._analyze_after(expected)

    def _analyze_after(self, changed: int) -> None:
        """PostgreSQL, after a bulk write of at least ANALYZE_AFTER assignments: refresh
        their statistics in the transaction, as autovacuum would only a minute later. With
        the old ones (measured at 1M: 715 rows expected, 300,000 found) the planner joins
        every assignment of the network for one page of the assigned list (2.8 s instead of
        a few ms); ANALYZE samples at most 30,000 rows (tens of ms)."""
        if changed >= ANALYZE_AFTER and self.connection.dialect.name == "postgresql":
            self.connection.exec_driver_sql(f"ANALYZE {assignments.name}")


ANALYZE_AFTER = 10_000
"""How many assignments a bulk write changes before it refreshes their statistics."""


def concurrent_change() -> Conflict:
    return Conflict(
        "assignment.concurrent_change",
        "Another request changed the assignment of some of these EVSEs at the same time; "
        "nothing was written. Look at the lists again and repeat the request if it still "
        "applies.",
    )
