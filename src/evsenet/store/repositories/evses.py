"""The EVSE inventory. Bulk changes run as a few statements, never row by row in Python."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    bindparam,
    func,
    insert,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.sql.expression import Insert, Update

from evsenet.domain.evse import EvseRecord, PowerType
from evsenet.domain.ids import EvseId
from evsenet.domain.inventory import EvseFilter, EvsePage, KnownEvse, Page, StoredEvse
from evsenet.store.tables import evses

CHUNK = 5_000
"""Rows per executemany: bounds memory while keeping round trips few."""

_IN_CHUNK = 900

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
    "street",
    "house_number",
    "latitude",
    "longitude",
    "power_type",
    "output_kw",
    "plugs",
    "time_zone",
)


def _values(record: EvseRecord) -> dict[str, Any]:
    """The row of a record, by column name, as Python values."""
    return {
        "evse_id": record.evse_id.normalised,
        "evse_id_sent": record.evse_id.sent,
        "charging_station_id": record.charging_station_id,
        "country": record.country,
        "city": record.city,
        "postal_code": record.postal_code,
        "street": record.street,
        "house_number": record.house_number,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "power_type": record.power_type.value,
        "output_kw": record.output_kw,
        "plugs": "|".join(record.plugs),
        "time_zone": record.time_zone,
    }


def _same(value: Any) -> Any:
    return value


def _with_pk(values: dict[str, Any], pk: int | None) -> dict[str, Any]:
    if pk is not None:
        values["pk"] = pk
    return values


class _BulkStatement:
    """A statement compiled once, fed many rows through the driver's executemany.

    SQLAlchemy's per-parameter processing costs more than the database's own work in a
    100,000-row import, so values are converted here once per column type, exactly as
    SQLAlchemy would convert them, and handed to the driver ready to bind.
    """

    def __init__(self, connection: Connection, statement: Insert | Update) -> None:
        dialect = connection.dialect
        compiled = statement.compile(dialect=dialect)
        self.connection = connection
        self.sql = str(compiled)
        order = compiled.positiontup if compiled.positional else None
        self.pick = itemgetter(*order) if order else None
        self.convert: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                self.convert[name] = convert

    def run(self, rows: Iterable[dict[str, Any]], fixed: dict[str, Any]) -> int:
        """Execute for every row (plus the `fixed` values); how many rows it changed."""
        ready = {name: self.convert.get(name, _same)(value) for name, value in fixed.items()}
        converters = [(name, fn) for name, fn in self.convert.items() if name not in fixed]
        batch: list[Any] = []
        for row in rows:
            for name, convert in converters:
                row[name] = convert(row[name])
            row.update(ready)
            batch.append(self.pick(row) if self.pick else row)
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


class EvseRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def known(self, operator_pk: int) -> dict[str, KnownEvse]:
        """Every EVSE the operator ever pushed, by normalised ID (one set-based read)."""
        rows = self.connection.execute(
            select(evses.c.id, evses.c.evse_id, evses.c.withdrawn_at).where(
                evses.c.operator_pk == operator_pk
            )
        )
        return {row.evse_id: KnownEvse(row.id, row.withdrawn_at is not None) for row in rows}

    def insert_many(self, operator_pk: int, records: Sequence[EvseRecord], now: datetime) -> None:
        statement = insert(evses).values(
            {name: bindparam(name) for name in (*_RECORD_COLUMNS, "operator_pk")}
            | {"created_at": bindparam("now"), "updated_at": bindparam("now")}
        )
        self._run(
            statement,
            ((_values(r), None) for r in records),
            {"operator_pk": operator_pk, "now": now},
        )

    def restore_many(self, changes: Sequence[tuple[int, EvseRecord]], now: datetime) -> None:
        """Write withdrawn EVSEs' new data and make them active again."""
        statement = (
            update(evses)
            .where(evses.c.id == bindparam("pk"))
            .values({name: bindparam(name) for name in _RECORD_COLUMNS})
            .values(updated_at=bindparam("now"), withdrawn_at=null())
        )
        self._run(statement, ((_values(r), pk) for pk, r in changes), {"now": now})

    def refresh_many(self, changes: Sequence[tuple[int, EvseRecord]], now: datetime) -> int:
        """Write active EVSEs' data where any field differs; how many EVSEs changed.

        The database compares old and new values itself, so nothing is read back.
        """
        differs = or_(
            *(evses.c[name].is_distinct_from(bindparam(name)) for name in _RECORD_COLUMNS)
        )
        statement = (
            update(evses)
            .where(evses.c.id == bindparam("pk"), differs)
            .values({name: bindparam(name) for name in _RECORD_COLUMNS})
            .values(updated_at=bindparam("now"))
        )
        return self._run(statement, ((_values(r), pk) for pk, r in changes), {"now": now})

    def _run(
        self,
        statement: Insert | Update,
        rows: Iterable[tuple[dict[str, Any], int | None]],
        fixed: dict[str, Any],
    ) -> int:
        bulk = _BulkStatement(self.connection, statement)
        changed = 0
        for chunk in _chunks(list(rows), CHUNK):
            changed += bulk.run((_with_pk(values, pk) for values, pk in chunk), fixed)
        return changed

    def withdraw(self, pks: Sequence[int], now: datetime) -> None:
        for chunk in _chunks(pks, _IN_CHUNK):
            self.connection.execute(
                update(evses)
                .where(evses.c.id.in_(chunk), evses.c.withdrawn_at.is_(None))
                .values(withdrawn_at=now, updated_at=now)
            )

    def get(self, operator_pk: int, evse_id: EvseId) -> StoredEvse | None:
        row = self.connection.execute(
            select(evses).where(
                evses.c.operator_pk == operator_pk, evses.c.evse_id == evse_id.normalised
            )
        ).one_or_none()
        return None if row is None else _stored(row)

    def search(self, operator_pk: int, criteria: EvseFilter, page: Page) -> EvsePage:
        conditions = [evses.c.operator_pk == operator_pk, *_conditions(criteria)]
        total = self.connection.execute(
            select(func.count()).select_from(evses).where(*conditions)
        ).scalar_one()
        column = evses.c[page.sort]
        order = [column.desc() if page.descending else column.asc(), evses.c.evse_id.asc()]
        rows = self.connection.execute(
            select(evses).where(*conditions).order_by(*order).limit(page.limit).offset(page.offset)
        )
        return EvsePage([_stored(row) for row in rows], int(total), page)

    def count_active(self, operator_pk: int) -> int:
        return int(
            self.connection.execute(
                select(func.count())
                .select_from(evses)
                .where(evses.c.operator_pk == operator_pk, evses.c.withdrawn_at.is_(None))
            ).scalar_one()
        )


def _conditions(criteria: EvseFilter) -> Iterable[ColumnElement[bool]]:
    if not criteria.include_withdrawn:
        yield evses.c.withdrawn_at.is_(None)
    if criteria.text:
        needle = criteria.text.replace("*", "").upper()
        yield func.replace(evses.c.evse_id, "*", "").contains(needle, autoescape=True)
    if criteria.country:
        yield evses.c.country == criteria.country
    if criteria.city:
        yield func.lower(evses.c.city) == criteria.city.strip().lower()
    if criteria.postal_code:
        yield evses.c.postal_code.startswith(criteria.postal_code.strip(), autoescape=True)
    if criteria.power_type:
        yield evses.c.power_type == criteria.power_type.value
    if criteria.min_output_kw is not None:
        yield evses.c.output_kw >= criteria.min_output_kw
    if criteria.max_output_kw is not None:
        yield evses.c.output_kw <= criteria.max_output_kw
