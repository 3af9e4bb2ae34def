"""Search keys for the city and postal code filters, the same on every database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
"""The keys are `str.casefold()` of the values, as `evsenet.domain.text.search_key` makes
them today; a migration keeps its own copy of the rule it applied."""


def upgrade() -> None:
    op.add_column("evses", sa.Column("city_key", sa.String(150), nullable=False, server_default=""))
    op.add_column(
        "evses", sa.Column("postal_code_key", sa.String(30), nullable=False, server_default="")
    )
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, city, postal_code FROM evses")).all()
    keys = [
        {
            "pk": row.id,
            "city_key": row.city.casefold(),
            "postal_code_key": row.postal_code.casefold(),
        }
        for row in rows
    ]
    statement = sa.text(
        "UPDATE evses SET city_key = :city_key, postal_code_key = :postal_code_key WHERE id = :pk"
    )
    for start in range(0, len(keys), BATCH):
        connection.execute(statement, keys[start : start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("evses") as batch:
        batch.drop_column("postal_code_key")
        batch.drop_column("city_key")
