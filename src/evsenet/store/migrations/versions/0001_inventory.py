"""EVSE inventory: operators, sub-operators, EVSEs, API tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from evsenet.store.types import ExactDecimal, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("operator_id", sa.String(12), nullable=False),
        sa.Column("display_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_operators"),
        sa.UniqueConstraint("operator_id", name="uq_operators_operator_id"),
    )
    op.create_table(
        "sub_operators",
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("display_prefix", sa.String(12), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name="pk_sub_operators"),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name="fk_sub_operators_operator_pk_operators",
        ),
    )
    op.create_index("ix_sub_operators_operator_pk", "sub_operators", ["operator_pk"])
    op.create_table(
        "evses",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("evse_id", sa.String(41), nullable=False),
        sa.Column("evse_id_sent", sa.String(41), nullable=False),
        sa.Column("charging_station_id", sa.String(50), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("city", sa.String(50), nullable=False),
        sa.Column("postal_code", sa.String(10), nullable=False),
        sa.Column("street", sa.String(100), nullable=False),
        sa.Column("house_number", sa.String(10), nullable=False),
        sa.Column("latitude", ExactDecimal(9, 6), nullable=False),
        sa.Column("longitude", ExactDecimal(9, 6), nullable=False),
        sa.Column("power_type", sa.String(10), nullable=False),
        sa.Column("output_kw", ExactDecimal(7, 2), nullable=False),
        sa.Column("plugs", sa.String(400), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_evses"),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name="fk_evses_operator_pk_operators",
        ),
        sa.UniqueConstraint("operator_pk", "evse_id", name="uq_evses_operator_pk_evse_id"),
        sa.CheckConstraint(
            "power_type IN ('AC_1_PHASE', 'AC_3_PHASE', 'DC')", name="ck_evses_power_type"
        ),
        sa.CheckConstraint("output_kw > 0 AND output_kw <= 1000", name="ck_evses_output_kw"),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="ck_evses_latitude"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="ck_evses_longitude"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name="fk_api_tokens_operator_pk_operators",
        ),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_table("evses")
    op.drop_index("ix_sub_operators_operator_pk", table_name="sub_operators")
    op.drop_table("sub_operators")
    op.drop_table("operators")
