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

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

RECOUNT = (
    "INSERT INTO operator_counters (operator_pk, unassigned_evses) "
    "SELECT operators.id, (SELECT count(*) FROM evses "
    "WHERE evses.operator_pk = operators.id AND evses.withdrawn_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM assignments WHERE assignments.evse_pk = evses.id)) "
    "FROM operators WHERE EXISTS (SELECT 1 FROM evses WHERE evses.operator_pk = operators.id)",
    "UPDATE evse_groups SET evse_count = (SELECT count(*) FROM assignments "
    "WHERE assignments.group_pk = evse_groups.id)",
)
"""The counters computed from the rows as they stand (a copy, not an import: a migration
keeps what it did when the code changes)."""


def upgrade() -> None:
    op.create_table(
        "operator_counters",
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("unassigned_evses", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("operator_pk", name=op.f("pk_operator_counters")),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name=op.f("fk_operator_counters_operator_pk_operators"),
        ),
    )
    op.add_column(
        "evse_groups", sa.Column("evse_count", sa.Integer(), nullable=False, server_default="0")
    )
    for statement in RECOUNT:
        op.execute(statement)


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy of `evse_groups` would drop the
    # table, and with foreign keys on that deletes the assignments referring to it.
    op.execute("ALTER TABLE evse_groups DROP COLUMN evse_count")
    op.drop_table("operator_counters")
