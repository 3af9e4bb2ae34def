"""One owner per operator ID prefix, across operators' own IDs and sub-operator prefixes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "prefix_claims",
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("operator_pk", Id, nullable=False),
        sa.PrimaryKeyConstraint("prefix", name="pk_prefix_claims"),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            name="fk_prefix_claims_operator_pk_operators",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_prefix_claims_operator_pk", "prefix_claims", ["operator_pk"])
    op.execute(
        "INSERT INTO prefix_claims (prefix, operator_pk) SELECT operator_id, id FROM operators"
    )
    op.execute(
        "INSERT INTO prefix_claims (prefix, operator_pk) "
        "SELECT prefix, operator_pk FROM sub_operators "
        "WHERE prefix NOT IN (SELECT prefix FROM prefix_claims)"
    )


def downgrade() -> None:
    op.drop_index("ix_prefix_claims_operator_pk", table_name="prefix_claims")
    op.drop_table("prefix_claims")
