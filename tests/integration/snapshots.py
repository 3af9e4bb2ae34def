"""What the database holds, row for row: to prove a refused batch wrote nothing."""

from __future__ import annotations

from typing import Any

from evsenet.store.engine import Store
from evsenet.store.tables import metadata


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as the driver returns it, in primary-key order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = ", ".join(column.name for column in table.primary_key.columns)
            rows = connection.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY {order}")
            tables[table.name] = [tuple(row) for row in rows]
    return tables
