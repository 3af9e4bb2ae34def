"""The EVSE inventory. Bulk changes run as a few statements, never row by row in Python."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, TypeVar

import psycopg
from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    bindparam,
    column,
    exists,
    false,
    func,
    insert,
    null,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.sql.expression import Insert, Update

from evsenet.domain.evse import EvseRecord, PowerType
from evsenet.domain.ids import EvseId
from evsenet.domain.inventory import EvseFilter, EvsePage, KnownEvse, Page, StoredEvse
from evsenet.domain.text import ascii_upper, search_key
from evsenet.store.repositories.counters import Counters
from evsenet.store.tables import assignments, evses
from evsenet.store.types import ExactDecimal

CHUNK = 5_000
"""Rows per executemany: bounds memory while keeping round trips few."""

_IN_CHUNK = 900

CITY_KEY_LENGTH = 150
POSTAL_CODE_KEY_LENGTH = 30
"""The lengths of the key columns. NFKC can make a key much longer than its text (one
ligature such as U+FDFA becomes 18 letters), so a key is cut at its column's length, and
a filter's key the same way: equal texts still have equal keys."""


def _key(text: str, length: int) -> str:
    return search_key(text)[:length]


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_RECORD_COLUMNS = (
    "evse_id",
    "evse_id_sent",
    "charging_station_id",
    "country",
    "city",
    "postal_code",
    "city_key",
    "postal_code_key",
    "street",
    "house_number",
    "latitude",
    "longitude",
    "power_type",
    "output_kw",
    "plugs",
    "time_zone",
)

BoundRow = tuple[Any, ...]


def _record_values(decimal: Callable[[Decimal], Any]) -> Callable[[EvseRecord], BoundRow]:
    """A function giving a record's values in `_RECORD_COLUMNS` order, ready to bind:
    `decimal` is how the dialect binds an exact decimal (see `ExactDecimal`)."""

    def values(record: EvseRecord) -> BoundRow:
        evse_id = record.evse_id
        return (
            evse_id.normalised,
            evse_id.sent,
            record.charging_station_id,
            record.country,
            record.city,
            record.postal_code,
            _key(record.city, CITY_KEY_LENGTH),
            _key(record.postal_code, POSTAL_CODE_KEY_LENGTH),
            record.street,
            record.house_number,
            decimal(record.latitude),
            decimal(record.longitude),
            record.power_type.value,
            decimal(record.output_kw),
            "|".join(record.plugs),
            record.time_zone,
        )

    return values


class _BulkStatement:
    """A statement compiled once and fed many rows through the driver's executemany.

    SQLAlchemy's per-value processing costs more than the database's own work in a
    100,000-row import, so rows arrive as tuples already in the form the driver binds
    (`names` says which value is which); values that are the same for every row are
    converted once, by SQLAlchemy's own bind processors.
    """

    def __init__(
        self, connection: Connection, statement: Insert | Update, names: Sequence[str]
    ) -> None:
        dialect = connection.dialect
        compiled = statement.compile(dialect=dialect)
        self.connection = connection
        self.sql = str(compiled)
        self.names = tuple(names)
        self.binds = compiled.binds
        self.dialect = dialect
        self.positions = compiled.positiontup if compiled.positional else None

    def _ready(self, fixed: dict[str, Any]) -> BoundRow:
        ready = []
        for name, value in fixed.items():
            convert = self.binds[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)
            ready.append(value if convert is None else convert(value))
        return tuple(ready)

    def run(self, rows: Iterable[BoundRow], fixed: dict[str, Any]) -> int:
        """Execute for every row (plus the `fixed` values); how many rows it changed."""
        names = (*self.names, *fixed)
        ready = self._ready(fixed)
        if self.positions is not None:
            pick = itemgetter(*(names.index(name) for name in self.positions))
            batch: list[Any] = [pick((*row, *ready)) for row in rows]
        else:
            batch = [dict(zip(names, (*row, *ready), strict=True)) for row in rows]
        if not batch:
            return 0
        return int(self.connection.exec_driver_sql(self.sql, batch).rowcount)


def _record(row: Row[Any]) -> EvseRecord:
    evse_id = EvseId.parse(row.evse_id_sent)
    return EvseRecord(
        evse_id,
        row.charging_station_id,
        row.country,
        row.city,
        row.postal_code,
        row.street,
        row.house_number,
        row.latitude,
        row.longitude,
        PowerType(row.power_type),
        row.output_kw,
        tuple(p for p in row.plugs.split("|") if p),
        row.time_zone,
    )


def _stored(row: Row[Any]) -> StoredEvse:
    return StoredEvse(_record(row), row.created_at, row.updated_at, row.withdrawn_at)


_STAGED = table("evse_changes", column("pk"), *(column(name) for name in _RECORD_COLUMNS))
"""The temporary table PostgreSQL stages a bulk update in (see `_update_staged`)."""


def _psycopg(connection: Connection) -> psycopg.Connection[Any] | None:
    """The psycopg connection under `connection`, where COPY can be used."""
    driver = connection.connection.driver_connection
    return driver if isinstance(driver, psycopg.Connection) else None


def _copy(
    driver: psycopg.Connection[Any], target: str, columns: Sequence[str], rows: Iterable[BoundRow]
) -> None:
    """COPY `rows` into `target` inside the open transaction."""
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


class EvseRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.counters = Counters(connection)

    def known(self, operator_pk: int) -> dict[str, KnownEvse]:
        """Every EVSE the operator ever pushed, by normalised ID (one set-based read)."""
        rows = self.connection.execute(
            select(evses.c.id, evses.c.evse_id, evses.c.withdrawn_at).where(
                evses.c.operator_pk == operator_pk
            )
        )
        return {row.evse_id: KnownEvse(row.id, row.withdrawn_at is not None) for row in rows}

    def insert_many(self, operator_pk: int, records: Sequence[EvseRecord], now: datetime) -> None:
        """Add new EVSEs: COPY on PostgreSQL, elsewhere one executemany per chunk."""
        if not records:
            return
        self.counters.changed(operator_pk, len(records))
        driver = _psycopg(self.connection)
        if driver is not None:
            columns = (*_RECORD_COLUMNS, "operator_pk", "created_at", "updated_at")
            fixed = (operator_pk, now, now)
            _copy(driver, "evses", columns, ((*row, *fixed) for row in self._rows(records)))
            return
        statement = insert(evses).values(
            {name: bindparam(name) for name in _RECORD_COLUMNS}
            | {"operator_pk": bindparam("operator_pk")}
            | {"created_at": bindparam("now"), "updated_at": bindparam("now")}
        )
        self._run(statement, records, None, {"operator_pk": operator_pk, "now": now})

    def _rows(self, records: Iterable[EvseRecord]) -> Iterator[BoundRow]:
        return map(_record_values(ExactDecimal.binder(self.connection.dialect)), records)

    def restore_many(
        self, operator_pk: int, changes: Sequence[tuple[int, EvseRecord]], now: datetime
    ) -> None:
        """Write withdrawn EVSEs' new data and make them active again (those that kept
        their group stay in it)."""
        if not changes:
            return
        self._restore(changes, now)
        restored = sum(
            self.counters.unassigned_among(list(chunk))
            for chunk in _chunks([pk for pk, _ in changes], _IN_CHUNK)
        )
        self.counters.changed(operator_pk, restored)

    def _restore(self, changes: Sequence[tuple[int, EvseRecord]], now: datetime) -> None:
        driver = _psycopg(self.connection)
        if driver is not None:
            self._update_staged(driver, changes, now, restore=True)
            return
        statement = (
            update(evses)
            .where(evses.c.id == bindparam("pk"))
            .values({name: bindparam(name) for name in _RECORD_COLUMNS})
            .values(updated_at=bindparam("now"), withdrawn_at=null())
        )
        self._run(statement, [r for _, r in changes], [pk for pk, _ in changes], {"now": now})

    def refresh_many(
        self, operator_pk: int, changes: Sequence[tuple[int, EvseRecord]], now: datetime
    ) -> int:
        """Write active EVSEs' data where any field differs; how many EVSEs changed.

        The database compares old and new values itself, so nothing is read back. Any
        change is a new data version: a new city or output moves an EVSE between filters.
        """
        written = self._refresh(changes, now)
        if written:
            self.counters.changed(operator_pk)
        return written

    def _refresh(self, changes: Sequence[tuple[int, EvseRecord]], now: datetime) -> int:
        driver = _psycopg(self.connection)
        if driver is not None:
            return self._update_staged(driver, changes, now, restore=False)
        differs = or_(
            *(evses.c[name].is_distinct_from(bindparam(name)) for name in _RECORD_COLUMNS)
        )
        statement = (
            update(evses)
            .where(evses.c.id == bindparam("pk"), differs)
            .values({name: bindparam(name) for name in _RECORD_COLUMNS})
            .values(updated_at=bindparam("now"))
        )
        pks = [pk for pk, _ in changes]
        return self._run(statement, [r for _, r in changes], pks, {"now": now})

    def _update_staged(
        self,
        driver: psycopg.Connection[Any],
        changes: Sequence[tuple[int, EvseRecord]],
        now: datetime,
        *,
        restore: bool,
    ) -> int:
        """PostgreSQL: COPY the new values into a temporary table, then one UPDATE … FROM.

        A refresh writes only the rows where a value differs; a restore writes every row
        and clears its withdrawal. How many rows were written.
        """
        if not changes:
            return 0
        self.connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {_STAGED.name} ON COMMIT DROP AS "
            f"SELECT id AS pk, {', '.join(_RECORD_COLUMNS)} FROM evses WITH NO DATA"
        )
        new_values = self._rows(record for _, record in changes)
        rows = ((*row, pk) for row, (pk, _) in zip(new_values, changes, strict=True))
        _copy(driver, _STAGED.name, (*_RECORD_COLUMNS, "pk"), rows)
        statement = (
            update(evses)
            .where(evses.c.id == _STAGED.c.pk)
            .values({name: _STAGED.c[name] for name in _RECORD_COLUMNS})
            .values(updated_at=now)
        )
        if restore:
            statement = statement.values(withdrawn_at=null())
        else:
            statement = statement.where(
                or_(*(evses.c[n].is_distinct_from(_STAGED.c[n]) for n in _RECORD_COLUMNS))
            )
        written = self.connection.execute(statement).rowcount
        self.connection.exec_driver_sql(f"DROP TABLE {_STAGED.name}")
        return int(written)

    def _run(
        self,
        statement: Insert | Update,
        records: Sequence[EvseRecord],
        pks: Sequence[int] | None,
        fixed: dict[str, Any],
    ) -> int:
        """Execute `statement` for every record, in chunks; how many rows it changed.

        `pks`, when given, are the rows' primary keys, one per record.
        """
        names = (*_RECORD_COLUMNS, "pk") if pks is not None else _RECORD_COLUMNS
        bulk = _BulkStatement(self.connection, statement, names)
        values = _record_values(ExactDecimal.binder(self.connection.dialect))
        changed = 0
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            if pks is None:
                rows: Iterable[BoundRow] = map(values, chunk)
            else:
                keys = pks[start : start + CHUNK]
                rows = ((*values(r), pk) for r, pk in zip(chunk, keys, strict=True))
            changed += bulk.run(rows, fixed)
        return changed

    def withdraw(self, operator_pk: int, pks: Sequence[int], now: datetime) -> None:
        for chunk in _chunks(pks, _IN_CHUNK):
            self.counters.changed(operator_pk, -self.counters.unassigned_among(list(chunk)))
            self.connection.execute(
                update(evses)
                .where(evses.c.id.in_(chunk), evses.c.withdrawn_at.is_(None))
                .values(withdrawn_at=now, updated_at=now)
            )

    def withdraw_starting_with(self, operator_pk: int, start: str, now: datetime) -> int:
        """Withdraw the operator's active EVSEs whose normalised ID starts with `start`."""
        chosen = (
            evses.c.operator_pk == operator_pk,
            evses.c.withdrawn_at.is_(None),
            evses.c.evse_id.startswith(start, autoescape=True),
        )
        in_no_group = ~exists().where(assignments.c.evse_pk == evses.c.id)
        leaving = self.connection.execute(
            select(func.count()).where(*chosen, in_no_group)
        ).scalar_one()
        result = self.connection.execute(
            update(evses).where(*chosen).values(withdrawn_at=now, updated_at=now)
        )
        if result.rowcount:
            self.counters.changed(operator_pk, -int(leaving))
        return int(result.rowcount)

    def get(self, operator_pk: int, evse_id: EvseId) -> StoredEvse | None:
        row = self.connection.execute(
            select(evses).where(
                evses.c.operator_pk == operator_pk, evses.c.evse_id == evse_id.normalised
            )
        ).one_or_none()
        return None if row is None else _stored(row)

    def search(self, operator_pk: int, criteria: EvseFilter, page: Page) -> EvsePage:
        conditions = [evses.c.operator_pk == operator_pk, *evse_conditions(criteria)]
        total = self.connection.execute(
            select(func.count()).select_from(evses).where(*conditions)
        ).scalar_one()
        column = evses.c[page.sort]
        order = [column.desc() if page.descending else column.asc(), evses.c.evse_id.asc()]
        rows = self.connection.execute(
            select(evses).where(*conditions).order_by(*order).limit(page.limit).offset(page.offset)
        )
        return EvsePage([_stored(row) for row in rows], int(total), page)

    def stream(self, operator_pk: int, criteria: EvseFilter, page: Page) -> Iterator[EvseRecord]:
        """Every EVSE that matches, in `page`'s order (its limit and offset do not apply),
        fetched `CHUNK` rows at a time (a server-side cursor on PostgreSQL)."""
        column = evses.c[page.sort]
        order = [column.desc() if page.descending else column.asc(), evses.c.evse_id.asc()]
        statement = (
            select(evses)
            .where(evses.c.operator_pk == operator_pk, *evse_conditions(criteria))
            .order_by(*order)
        )
        rows = self.connection.execute(statement, execution_options={"yield_per": CHUNK})
        return map(_record, rows)


def id_needle(text: str) -> str | None:
    """What an EVSE ID text filter looks for in the normalised IDs: the text without `*`,
    in capitals; None when it is not ASCII, since EVSE IDs are (and `upper()` would turn
    `ß` into SS): such a text matches no EVSE."""
    return ascii_upper(text.replace("*", ""))


def evse_conditions(criteria: EvseFilter) -> Iterable[ColumnElement[bool]]:
    """The WHERE conditions of an inventory filter (the operator is the caller's to add);
    every list of EVSEs filters through here."""
    if not criteria.include_withdrawn:
        yield evses.c.withdrawn_at.is_(None)
    if criteria.text:
        needle = id_needle(criteria.text)
        if needle is None:
            yield false()
        else:
            yield func.replace(evses.c.evse_id, "*", "").contains(needle, autoescape=True)
    if criteria.country:
        yield evses.c.country == criteria.country
    if criteria.city:
        yield evses.c.city_key == _key(criteria.city, CITY_KEY_LENGTH)
    if criteria.postal_code:
        prefix = _key(criteria.postal_code, POSTAL_CODE_KEY_LENGTH)
        yield evses.c.postal_code_key.startswith(prefix, autoescape=True)
    if criteria.power_type:
        yield evses.c.power_type == criteria.power_type.value
    if criteria.min_output_kw is not None:
        yield evses.c.output_kw >= criteria.min_output_kw
    if criteria.max_output_kw is not None:
        yield evses.c.output_kw <= criteria.max_output_kw
    if criteria.assigned is not None:
        in_a_group = exists().where(assignments.c.evse_pk == evses.c.id)
        yield in_a_group if criteria.assigned else ~in_a_group
