"""A data version per operator: the key under which list totals are cached.

Every write that can change which EVSEs a list or a filter holds increments
`operator_counters.version` in its own transaction; a cached total stored under an older
version is never read again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "operator_counters",
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), as 0009 does for its column.
    op.execute("ALTER TABLE operator_counters DROP COLUMN version")
