"""A page of a network's list read in its sort order, window by window, for filters that
match many of the list's rows.

Given a filter and a sort, a planner either reads the filter's index and sorts every
match to return one page, or walks the sort's index and checks the filter row by row,
stopping at the page's end. It cannot tell which is cheaper: it does not know how the
matches lie along the sort. At 1M EVSEs SQLite chose the first for `DC, >= 150 kW`
(150,000 matches sorted for 51 rows, ~65 ms), PostgreSQL joined and sorted the assigned
list's 15,000 matches of one group (~145 ms) where walking the group's index finds 51
of them in a few hundred rows.

This module walks explicitly: a window is the next `size` rows of the list in sort order,
on the sort's own index and with the list's own conditions only (a derived table with a
LIMIT, which no planner reorders); joined back to the EVSEs by primary key, each row says
whether it matches. `size` comes from the filter's density (its total, already counted,
over the list's maintained size), so that one window usually holds the page; a short
window is followed by one twice as large from its last key, and after `WINDOWS` windows
the caller reads the rest with the filter's plan (the matches there are not where the
density said). Sparse filters (`DENSE`) keep the filter's plan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    case,
    exists,
    literal,
    select,
    tuple_,
)

from evsenet.store.tables import assignments, evses

WALKS: Final = frozenset({(False, "evse_id"), (False, "city"), (True, "evse_id")})
"""(assigned, sort) of the orders an index serves: the unassigned list on
ix_evses_active (operator, EVSE ID) and ix_evses_active_city_sort (operator, city, EVSE
ID), the assigned list on its (network, group, EVSE key) and (network, EVSE key). The
other sorts have no such index and keep the filter's plan."""

DENSE: Final = 0.02
"""The share of the list a filter must match to be walked. Below it a page takes more
than ~(limit + 1) / DENSE rows of walking, and the filter's index finds the few matches
cheaper (at 1M EVSEs: sorting 150,000 matches cost about what walking 30,000 rows did)."""

SLACK: Final = 1.5
"""How many more rows than the density predicts a window holds."""

MIN_WINDOW: Final = 32
MAX_WINDOW: Final = 4096
WINDOWS: Final = 4
"""Windows read before the walk leaves the rest to the filter's plan."""

WINDOW_NAME: Final = "list_window"


def window_size(need: int, density: float) -> int:
    """Rows of one window expected to hold `need` matches of a filter of this density."""
    wanted = math.ceil(need * SLACK / density) if density > 0 else MAX_WINDOW
    return max(MIN_WINDOW, min(MAX_WINDOW, wanted))


@dataclass(frozen=True, slots=True)
class ListWalk:
    """One list in one sort order: its own conditions, the filter's, and the key."""

    pk: ColumnElement[Any]
    """The EVSE's primary key in the list's table (the window joins back on it)."""
    sort: ColumnElement[Any]
    tie: ColumnElement[Any]
    descending: bool
    own: Sequence[ColumnElement[bool]]
    """The list's own conditions, which the sort's index serves (partial index included)."""
    matches: Sequence[ColumnElement[bool]]
    """The filter's conditions on the EVSE."""

    def window(self, after: ColumnElement[Any] | None, size: int) -> Select[Any]:
        """The next `size` rows of the list after the key `after` (or from the start): each
        row's primary key, sort key and whether it matches the filter, in order."""
        key = tuple_(self.sort, self.tie)
        conditions = list(self.own)
        if after is not None:
            conditions.append(key < after if self.descending else key > after)
        order = (
            [self.sort.desc(), self.tie.desc()]
            if self.descending
            else [self.sort.asc(), self.tie.asc()]
        )
        rows = (
            select(
                self.pk.label("pk"),
                self.sort.label("sort_value"),
                self.tie.label("tie_value"),
            )
            .where(*conditions)
            .order_by(*order)
            .limit(size)
            .subquery(WINDOW_NAME)
        )
        hit = case((and_(*self.matches), True), else_=False).label("hit")
        outer = [rows.c.sort_value.desc(), rows.c.tie_value.desc()]
        if not self.descending:
            outer = [rows.c.sort_value.asc(), rows.c.tie_value.asc()]
        return (
            select(rows.c.pk, rows.c.sort_value, rows.c.tie_value, hit)
            .select_from(rows.join(evses, evses.c.id == rows.c.pk))
            .order_by(*outer)
        )


@dataclass(frozen=True, slots=True)
class Walked:
    """What a walk found: the matches' primary keys in order, and `rest`, the key after
    which the list is still unread (None: the walk found what it needed or the list's
    end)."""

    pks: list[int]
    rest: ColumnElement[Any] | None


def walk(
    connection: Connection,
    plan: ListWalk,
    after: ColumnElement[Any] | None,
    need: int,
    density: float,
) -> Walked:
    """Up to `need` matches after `after`, window by window (see the module's doc)."""
    found: list[int] = []
    size = window_size(need, density)
    for _ in range(WINDOWS):
        rows = connection.execute(plan.window(after, size)).all()
        for row in rows:
            if row.hit:
                found.append(int(row.pk))
                if len(found) == need:
                    return Walked(found, None)
        if len(rows) < size:
            return Walked(found, None)
        last = rows[-1]
        after = tuple_(literal(last.sort_value, String), literal(last.tie_value, String))
        size = min(MAX_WINDOW, size * 2)
    return Walked(found, after)


def unassigned_walk(
    operator_pk: int, sort: str, descending: bool, matches: Sequence[ColumnElement[bool]]
) -> ListWalk:
    """The unassigned list (active EVSEs of the operator in no group) by `sort`."""
    return ListWalk(
        pk=evses.c.id,
        sort=evses.c[sort],
        tie=evses.c.evse_id,
        descending=descending,
        own=[
            evses.c.operator_pk == operator_pk,
            evses.c.withdrawn_at.is_(None),
            ~exists().where(assignments.c.evse_pk == evses.c.id),
        ],
        matches=matches,
    )


def assigned_walk(
    network_pk: int,
    group_pk: int | None,
    descending: bool,
    matches: Sequence[ColumnElement[bool]],
) -> ListWalk:
    """The assigned list (the EVSEs in the network's groups, or in one) by EVSE ID."""
    own = [assignments.c.network_pk == network_pk]
    if group_pk is not None:
        own.append(assignments.c.group_pk == group_pk)
    return ListWalk(
        pk=assignments.c.evse_pk,
        sort=assignments.c.evse_key,
        tie=assignments.c.evse_key,
        descending=descending,
        own=own,
        matches=matches,
    )
