"""Text in NFC and search keys built with NFKC + case folding (issue 11).

Stored text (the EVSEs' station ID, city, postal code, street and house number, operator
names, token labels) is normalised to NFC, as the domain now stores it, so that `Köln`
sent decomposed (`Ko\\u0308ln`) is the same city as `Köln`; the city and postal code
search keys are rebuilt with the new rule. A value whose NFC form would not fit its column
(possible only with the rare characters NFC decomposes) is kept as it is. Downgrading
rebuilds the keys with the old rule (case folding alone); NFC text stays NFC, which the
old code reads as it reads any text.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
TEXT_COLUMNS = {
    "evses": {
        "charging_station_id": 50,
        "city": 50,
        "postal_code": 10,
        "street": 100,
        "house_number": 10,
    },
    "operators": {"name": 100},
    "api_tokens": {"label": 100},
}
CITY_KEY_LENGTH = 150
POSTAL_CODE_KEY_LENGTH = 30


# A migration keeps its own copy of the rules it applies (evsenet.domain.text today).
def _nfc(text: str, limit: int) -> str:
    if text.isascii():
        return text
    normalised = unicodedata.normalize("NFC", text)
    return normalised if len(normalised) <= limit else text


def _new_key(text: str) -> str:
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _old_key(text: str) -> str:
    return text.casefold()


def _rows(
    connection: sa.Connection, table: str, columns: Sequence[str]
) -> Iterator[Sequence[sa.Row[Any]]]:
    """The rows of `table` in id order, `BATCH` at a time (keyset pagination)."""
    last = 0
    names = ", ".join(("id", *columns))
    while True:
        rows = connection.execute(
            sa.text(f"SELECT {names} FROM {table} WHERE id > :last ORDER BY id LIMIT :batch"),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _rewrite(
    table: str, columns: Sequence[str], new_values: Callable[[sa.Row[Any]], dict[str, str]]
) -> None:
    """Update every row of `table` whose values `new_values` changes."""
    connection = op.get_bind()
    assignments = ", ".join(f"{column} = :{column}" for column in columns)
    statement = sa.text(f"UPDATE {table} SET {assignments} WHERE id = :pk")
    for rows in _rows(connection, table, columns):
        changes = []
        for row in rows:
            values = new_values(row)
            if any(getattr(row, column) != values[column] for column in columns):
                changes.append({"pk": row.id, **values})
        if changes:
            connection.execute(statement, changes)


def _nfc_values(limits: dict[str, int]) -> Callable[[sa.Row[Any]], dict[str, str]]:
    def values(row: sa.Row[Any]) -> dict[str, str]:
        return {column: _nfc(getattr(row, column), limit) for column, limit in limits.items()}

    return values


def upgrade() -> None:
    for table in ("operators", "api_tokens"):
        _rewrite(table, list(TEXT_COLUMNS[table]), _nfc_values(TEXT_COLUMNS[table]))

    texts = _nfc_values(TEXT_COLUMNS["evses"])

    def evse_values(row: sa.Row[Any]) -> dict[str, str]:
        values = texts(row)
        values["city_key"] = _new_key(values["city"])[:CITY_KEY_LENGTH]
        values["postal_code_key"] = _new_key(values["postal_code"])[:POSTAL_CODE_KEY_LENGTH]
        return values

    _rewrite("evses", [*TEXT_COLUMNS["evses"], "city_key", "postal_code_key"], evse_values)


def downgrade() -> None:
    _rewrite(
        "evses",
        ["city_key", "postal_code_key", "city", "postal_code"],
        lambda row: {
            "city_key": _old_key(row.city),
            "postal_code_key": _old_key(row.postal_code),
            "city": row.city,
            "postal_code": row.postal_code,
        },
    )
