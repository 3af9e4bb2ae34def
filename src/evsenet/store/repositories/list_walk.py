"""A page of a network's list read in its sort order, window by window, for filters that
match many of the list's rows.

Given a filter and a sort, a planner either reads the filter's index and sorts every
match to return one page, or walks the sort's index and checks the filter row by row,
stopping at the page's end. It cannot tell which is cheaper: it does not know how the
matches lie along the sort. At 1M EVSEs SQLite chose the first for `DC, >= 150 kW` on
the unassigned list: 150,000 matches sorted for 51 rows (~65 ms), where walking finds
them in ~350 rows.

This module walks explicitly: a window is the next `size` rows of the list in sort order,
on the sort's own index and with the list's own conditions only (a derived table with a
LIMIT, which no planner reorders), joined back to the EVSEs by primary key and filtered.
`size` comes from the filter's density (its total, already counted, over the list's
maintained size), so that one window usually holds the page; a short window is followed
by one twice as large, and after `WINDOWS` windows the caller reads the rest with the
filter's plan (the matches there are not where the density said). Sparse filters
(`DENSE`) keep the filter's plan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Row,
    Select,
    String,
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
WINDOWS: Final = 2
"""Windows read before the walk leaves the rest to the filter's plan. Where the matches
are spread as the density says, the first window falls short about once in a thousand
pages and the second holds the rest; where they are not (a city sort with a DC filter:
Amsterdam's EVSEs, first, are all AC), more windows only add to the filter's plan's
cost (two windows cost at most ~3 times the first one: ~1,000 rows, a few ms)."""

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

    def _next(self, after: ColumnElement[Any] | None) -> Select[Any]:
        """The list's rows after the key `after` in sort order: their primary key and sort
        key (`walk_pk`, `walk_sort`, `walk_tie`), on the sort's index."""
        key = tuple_(self.sort, self.tie)
        conditions = list(self.own)
        if after is not None:
            conditions.append(key < after if self.descending else key > after)
        return (
            select(
                self.pk.label("walk_pk"),
                self.sort.label("walk_sort"),
                self.tie.label("walk_tie"),
            )
            .where(*conditions)
            .order_by(*self._order(self.sort, self.tie))
        )

    def _order(self, sort: ColumnElement[Any], tie: ColumnElement[Any]) -> list[Any]:
        return [sort.desc(), tie.desc()] if self.descending else [sort.asc(), tie.asc()]

    def matches_in(
        self,
        after: ColumnElement[Any] | None,
        size: int,
        need: int,
        columns: Sequence[ColumnElement[Any]],
        joined: FromClause,
    ) -> Select[Any]:
        """The first `need` rows that match the filter among the next `size` rows of the
        list after the key `after` (or from its start), with the `columns` of `joined`
        (which holds the EVSEs), in order."""
        window = self._next(after).limit(size).subquery(WINDOW_NAME)
        return (
            select(*columns)
            .select_from(window.join(joined, evses.c.id == window.c.walk_pk))
            .where(*self.matches)
            .order_by(*self._order(window.c.walk_sort, window.c.walk_tie))
            .limit(need)
        )

    def window_end(self, after: ColumnElement[Any] | None, size: int) -> Select[Any]:
        """The last key of the window of `size` rows after `after`: none if the list ends
        before."""
        return self._next(after).offset(size - 1).limit(1)


@dataclass(frozen=True, slots=True)
class Walked:
    """What a walk found: the rows that match, in order, and `rest`, the key after which
    the list is still unread (None: the walk found what it needed or the list's end)."""

    rows: list[Row[Any]]
    rest: ColumnElement[Any] | None


def walk(
    connection: Connection,
    plan: ListWalk,
    after: ColumnElement[Any] | None,
    need: int,
    density: float,
    columns: Sequence[ColumnElement[Any]],
    joined: FromClause,
) -> Walked:
    """Up to `need` matches after `after`, window by window (see the module's doc), with
    their `columns` (of `joined`, which holds the EVSEs). A window that holds them all
    takes one statement; a short one a second, for the key the next one starts after."""
    found: list[Row[Any]] = []
    size = window_size(need, density)
    for _ in range(WINDOWS):
        window = plan.matches_in(after, size, need - len(found), columns, joined)
        found += connection.execute(window).all()
        if len(found) == need:
            return Walked(found, None)
        end = connection.execute(plan.window_end(after, size)).first()
        if end is None:
            return Walked(found, None)  # the list ends in this window
        after = tuple_(literal(end.walk_sort, String), literal(end.walk_tie, String))
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
