"""Maintained counters: the operator's active EVSEs in no group, each group's EVSEs.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECOUNT = (
    "UPDATE operators SET unassigned_evses = (SELECT count(*) FROM evses "
    "WHERE evses.operator_pk = operators.id AND evses.withdrawn_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM assignments WHERE assignments.evse_pk = evses.id))",
    "UPDATE evse_groups SET evse_count = (SELECT count(*) FROM assignments "
    "WHERE assignments.group_pk = evse_groups.id)",
)
"""The counters computed from the rows as they stand (a copy, not an import: a migration
keeps what it did when the code changes)."""


def upgrade() -> None:
    for table, name in (("operators", "unassigned_evses"), ("evse_groups", "evse_count")):
        op.add_column(table, sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    for statement in RECOUNT:
        op.execute(statement)


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy of `operators` would drop the table,
    # and with foreign keys on that deletes every row referring to it.
    op.execute("ALTER TABLE evse_groups DROP COLUMN evse_count")
    op.execute("ALTER TABLE operators DROP COLUMN unassigned_evses")
