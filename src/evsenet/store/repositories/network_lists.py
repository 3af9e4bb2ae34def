"""The two lists of a network: its unassigned EVSEs (every active EVSE of the operator in
no group) and its assigned EVSEs (with their group), filtered, sorted and keyset-paged, with
exact totals and per-group counts. Unfiltered totals and per-group counts are maintained
counters (`counters.py`); filtered ones are counted on the list indexes once per data
version of the operator and then served from the store's `CountCache`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    String,
    bindparam,
    exists,
    func,
    literal,
    null,
    select,
    tuple_,
)

from evsenet.domain.evse import PowerType
from evsenet.domain.inventory import EvseFilter
from evsenet.domain.network_lists import (
    Cursor,
    KeysetPage,
    NetworkEvseFilter,
    NetworkEvsePage,
    NetworkEvseRow,
)
from evsenet.store.count_cache import CountCache
from evsenet.store.repositories.counters import Counters
from evsenet.store.repositories.evses import (
    POSTAL_CODE_KEY_LENGTH,
    _key,
    evse_conditions,
    id_needle,
)
from evsenet.store.repositories.list_walk import (
    DENSE,
    WALKS,
    ListWalk,
    assigned_walk,
    unassigned_walk,
    walk,
)
from evsenet.store.tables import assignments, evse_groups, evses
from evsenet.store.types import ExactDecimal


class NetworkLists:
    """Reads of the two lists (a base of `NetworkRepository`)."""

    connection: Connection
    counters: Counters
    counts: CountCache | None

    def page(
        self,
        operator_pk: int,
        network_pk: int,
        criteria: NetworkEvseFilter,
        assigned: bool,
        page: KeysetPage,
    ) -> NetworkEvsePage:
        counted = list_source(
            operator_pk,
            network_pk,
            criteria,
            assigned,
            group_counts=False,
            hints=str(self.connection.dialect.name),
        )
        total, group_counts = self._totals(operator_pk, network_pk, criteria, assigned, counted)
        rows = self._page_rows(operator_pk, network_pk, criteria, assigned, page, total)
        next_cursor = None
        if len(rows) > page.limit:
            rows = rows[: page.limit]
            last = rows[-1]
            sort_value = None if last.sort_value is None else _cursor_text(last.sort_value)
            next_cursor = Cursor(page.sort, page.descending, sort_value, last.evse_id).encode()
        items = [
            NetworkEvseRow(
                row.evse_id_sent,
                row.city,
                row.postal_code,
                row.street,
                row.country,
                row.power_type,
                row.output_kw,
                row.group_id,
                row.group_name,
                row.withdrawn_at is not None,
            )
            for row in rows
        ]
        return NetworkEvsePage(items, int(total), group_counts, next_cursor)

    def _page_rows(
        self,
        operator_pk: int,
        network_pk: int,
        criteria: NetworkEvseFilter,
        assigned: bool,
        page: KeysetPage,
        total: int,
    ) -> list[Row[Any]]:
        """The page's rows and the one after it: walked in the sort's order when the
        filter is dense (`list_walk`), else read by the filter's plan; none when the
        filter matches none (its total, counted at the operator's current data version:
        proving it again would read every row of the list or of the filter's range)."""
        if total == 0:
            return []
        # The page itself goes without the index hints: read in the sort's order, the
        # first rows that match are found soon (with them SQLite would rather range-scan
        # the hinted index and sort every match).
        source = list_source(operator_pk, network_pk, criteria, assigned, group_counts=False)
        # The assigned list pages in ID order on its own index (assignments.evse_key).
        tie = assignments.c.evse_key if assigned else evses.c.evse_id
        sort_column = tie if page.sort == "evse_id" else evses.c[page.sort]
        key = tuple_(sort_column, tie)
        if page.descending:
            order = [sort_column.desc(), tie.desc()]
        else:
            order = [sort_column.asc(), tie.asc()]
        columns = _page_columns(page.sort, assigned)
        query = source.select_from(_ASSIGNED_JOIN) if assigned else source
        query = query.with_only_columns(*columns).order_by(*order)

        def read(after: ColumnElement[Any] | None, need: int) -> list[Row[Any]]:
            """The next `need` rows after the key `after`, by the filter's plan."""
            bounded = query
            if after is not None:
                bounded = query.where(key < after if page.descending else key > after)
            return list(self.connection.execute(bounded.limit(need)))

        cursor = page.cursor
        after = None
        if cursor is not None:
            value = _cursor_value(page.sort, cursor)
            after = tuple_(value, literal(cursor.evse_key, String))
        need = page.limit + 1
        plan = self._walk_plan(operator_pk, network_pk, criteria, assigned, page, total)
        if plan is None:
            return read(after, need)
        joined = _ASSIGNED_JOIN if assigned else evses
        walked = walk(self.connection, plan[0], after, need, plan[1], columns, joined)
        rows = walked.rows
        if walked.rest is not None:
            rows += read(walked.rest, need - len(rows))
        return rows

    def _walk_plan(
        self,
        operator_pk: int,
        network_pk: int,
        criteria: NetworkEvseFilter,
        assigned: bool,
        page: KeysetPage,
        total: int,
    ) -> tuple[ListWalk, float] | None:
        """How to walk this list in the page's order, and the filter's density (its
        matches over the list's size, both known without reading the list), or None to
        read the page by the filter's plan: the filter matches few (`DENSE`), no index
        serves the order (`WALKS`), or nothing is filtered (the planner walks)."""
        if (assigned, page.sort) not in WALKS or not filters_evses(criteria):
            return None
        if page.sort == "city" and criteria.city:
            return None  # the matches are all in one place of the order
        matches = filter_conditions(operator_pk, criteria, assigned)
        if assigned:
            size = _total(self.counters.in_groups(network_pk), criteria.group_id)
            plan = assigned_walk(network_pk, criteria.group_id, page.descending, matches)
        else:
            size = self.counters.unassigned(operator_pk)
            plan = unassigned_walk(operator_pk, page.sort, page.descending, matches)
        density = total / size if size else 0.0
        return None if density < DENSE else (plan, min(density, 1.0))

    def _totals(
        self,
        operator_pk: int,
        network_pk: int,
        criteria: NetworkEvseFilter,
        assigned: bool,
        source: Select[Any],
    ) -> tuple[int, dict[int, int]]:
        """A list's total and (assigned list) its per-group counts: from the maintained
        counters unless the criteria look at the EVSEs, which only a count of the matching
        rows can answer (on the list indexes, once per data version: `_filtered_counts`)."""
        if not filters_evses(criteria):
            if not assigned:
                return self.counters.unassigned(operator_pk), {}
            counts = self.counters.in_groups(network_pk)
            return _total(counts, criteria.group_id), counts
        counted = self._filtered_counts(operator_pk, network_pk, criteria, assigned, source)
        if not assigned:
            return counted[_TOTAL], {}
        return _total(counted, criteria.group_id), counted

    def _filtered_counts(
        self,
        operator_pk: int,
        network_pk: int,
        criteria: NetworkEvseFilter,
        assigned: bool,
        source: Select[Any],
    ) -> dict[int, int]:
        """A filtered list's counts (`_count`), from the cache when it holds them for the
        operator's current data version.

        A count is stored only if the version read again after it is unchanged: on
        PostgreSQL each statement of a read transaction sees the latest commits, and a
        write committed between the two reads may have been counted (its new version's
        answer must not be stored under the old one). A write transaction neither reads
        nor fills the cache: it may have raised the version itself and then roll back."""
        if self.counts is None or self.connection.get_execution_options().get("evsenet_write"):
            return self._count(operator_pk, network_pk, criteria, assigned, source)
        version = self.counters.version(operator_pk)
        key = (*cache_key(operator_pk, network_pk, criteria, assigned), version)
        found = self.counts.get(key)
        if found is not None:
            return dict(found)
        counted = self._count(operator_pk, network_pk, criteria, assigned, source)
        if self.counters.version(operator_pk) == version:
            self.counts.put(key, tuple(sorted(counted.items())))
        return counted

    def _count(
        self,
        operator_pk: int,
        network_pk: int,
        criteria: NetworkEvseFilter,
        assigned: bool,
        source: Select[Any],
    ) -> dict[int, int]:
        """Count the matches: the unassigned list's total (under `_TOTAL`), or the
        assigned list's per-group counts whatever its group filter (one scan; the total
        is their sum, or the filtered group's)."""
        if not assigned:
            total = self.connection.execute(source.with_only_columns(func.count()))
            return {_TOTAL: int(total.scalar_one())}
        counted = list_source(
            operator_pk,
            network_pk,
            criteria,
            True,
            group_counts=True,
            hints=str(self.connection.dialect.name),
        )
        rows = self.connection.execute(
            counted.select_from(assignments.join(evses, evses.c.id == assignments.c.evse_pk))
            .with_only_columns(assignments.c.group_pk, func.count())
            .group_by(assignments.c.group_pk)
        )
        return {int(pk): int(count) for pk, count in rows}

    def unassigned_count(self, operator_pk: int) -> int:
        """The operator's active EVSEs in no group (a maintained counter)."""
        return self.counters.unassigned(operator_pk)


_TOTAL: Final = 0
"""Where the unassigned list's total is kept among counts keyed by group (no group is 0)."""


def cache_key(
    operator_pk: int, network_pk: int, criteria: NetworkEvseFilter, assigned: bool
) -> tuple[Any, ...]:
    """What a filtered list's counts depend on, besides the operator's data version.

    The group filter and `include_withdrawn` are left out (the assigned list's per-group
    counts ignore the first, the lists the second), and so is the network for the
    unassigned list, which is the same for every network of the operator."""
    normalised = replace(criteria, group_id=None, include_withdrawn=False)
    return (
        "assigned" if assigned else "unassigned",
        operator_pk,
        network_pk if assigned else None,
        normalised,
    )


_ASSIGNED_JOIN = assignments.join(evses, evses.c.id == assignments.c.evse_pk).join(
    evse_groups, evse_groups.c.id == assignments.c.group_pk
)


def filters_evses(criteria: NetworkEvseFilter) -> bool:
    """Whether the criteria look at the EVSEs themselves (not only at their group)."""
    inventory = replace(criteria.evse_filter, include_withdrawn=True)
    return inventory != EvseFilter(include_withdrawn=True)


def _assigned_filter(criteria: NetworkEvseFilter) -> EvseFilter:
    # The assigned list always shows withdrawn EVSEs: they keep their group.
    return replace(criteria.evse_filter, include_withdrawn=True)


def list_source(
    operator_pk: int,
    network_pk: int,
    criteria: NetworkEvseFilter,
    assigned: bool,
    *,
    group_counts: bool,
    hints: str | None = None,
) -> Select[Any]:
    """The rows of one of a network's lists that match (columns and FROM to be chosen).

    The unassigned list is every active EVSE of the operator in no group of any network
    (an EVSE is in at most one network); withdrawn EVSEs are never in it. The assigned
    list is the EVSEs in the network's groups, withdrawn ones included (they keep their
    group; each row says its status). `group_counts` leaves out the group filter. `hints`
    names the dialect to add `_index_hints` for (for counts and selections).
    """
    implied = [] if hints is None else list(_index_hints(criteria.evse_filter, hints))
    matches = filter_conditions(operator_pk, criteria, assigned)
    if not assigned:
        conditions = [evses.c.operator_pk == operator_pk, *matches, *implied]
        conditions.append(evses.c.withdrawn_at.is_(None))
        conditions.append(~exists().where(assignments.c.evse_pk == evses.c.id))
        return select(evses.c.id).where(*conditions)
    conditions = [assignments.c.network_pk == network_pk]
    if criteria.group_id is not None and not group_counts:
        conditions.append(assignments.c.group_pk == criteria.group_id)
    if filters_evses(criteria):
        conditions += [*matches, *implied]
    return select(assignments.c.evse_pk).where(*conditions)


def filter_conditions(
    operator_pk: int, criteria: NetworkEvseFilter, assigned: bool
) -> list[ColumnElement[bool]]:
    """The conditions the criteria put on an EVSE of the list (not on its group).

    On the assigned list an EVSE ID text is also looked for in `assignments.evse_key`
    (the same normalised ID): the assignments' index answers it without reading each
    assigned EVSE's row first (at 1M on PostgreSQL, a count within a network of 300,000:
    149 ms -> 20 ms)."""
    if not assigned:
        return list(evse_conditions(criteria.evse_filter))
    conditions = [evses.c.operator_pk == operator_pk, *evse_conditions(_assigned_filter(criteria))]
    needle = id_needle(criteria.text) if criteria.text else None
    if needle is not None:
        conditions.append(assignments.c.evse_key.contains(needle, autoescape=True))
    return conditions


def _index_hints(criteria: EvseFilter, dialect: str) -> Iterator[ColumnElement[bool]]:
    """Conditions implied by the filter that let the planner range-scan a list index
    instead of reading every active EVSE of the operator (measured at 1M on SQLite:
    240-270 ms of CPU for one count without them):

    - an output bound without a power type: every power type, so that the index on
      (operator, power type, output) serves it as three ranges;
    - a postal-code prefix on SQLite, whose LIKE never uses an index here (its pattern is
      an expression, and LIKE ignores case): the same prefix as a range of the key, exact
      in SQLite's binary order. (PostgreSQL's order depends on the database's collation.)
    """
    bounded = criteria.min_output_kw is not None or criteria.max_output_kw is not None
    if bounded and criteria.power_type is None:
        yield evses.c.power_type.in_([kind.value for kind in PowerType])
    if dialect == "sqlite" and criteria.postal_code:
        prefix = _key(criteria.postal_code, POSTAL_CODE_KEY_LENGTH)
        if prefix and ord(prefix[-1]) < sys.maxunicode:
            yield evses.c.postal_code_key >= prefix
            yield evses.c.postal_code_key < prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _page_columns(sort: str, assigned: bool) -> list[ColumnElement[Any]]:
    """What a page shows of each row, and its sort value (for the cursor)."""
    columns: list[ColumnElement[Any]] = [
        evses.c.evse_id,
        evses.c.evse_id_sent,
        evses.c.city,
        evses.c.postal_code,
        evses.c.street,
        evses.c.country,
        evses.c.power_type,
        evses.c.output_kw,
        evses.c.withdrawn_at,
        evses.c[sort].label("sort_value"),
    ]
    if assigned:
        columns += [evse_groups.c.id.label("group_id"), evse_groups.c.name.label("group_name")]
    else:
        columns += [null().label("group_id"), null().label("group_name")]
    return columns


def _total(per_group: dict[int, int], group_id: int | None) -> int:
    """The assigned list's total from its per-group counts."""
    return sum(per_group.values()) if group_id is None else per_group.get(group_id, 0)


def _cursor_text(value: Any) -> str:
    return format(value, "f") if not isinstance(value, str) else value


def _cursor_value(sort: str, cursor: Cursor) -> ColumnElement[Any]:
    if cursor.value is None:
        return null()
    if sort == "output_kw":
        try:
            number = Decimal(cursor.value)
        except InvalidOperation:
            number = Decimal(0)
        return bindparam("cursor_value", number, type_=ExactDecimal(7, 2))
    return literal(cursor.value, String)
