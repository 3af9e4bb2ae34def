"""EVSE networks, groups, assignments and the audit log; indexes for the EVSE lists.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from evsenet.store.types import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

ACTIVE = sa.text("withdrawn_at IS NULL")
LIST_INDEXES = {
    "ix_evses_active": ["operator_pk", "evse_id"],
    "ix_evses_active_city": ["operator_pk", "city_key", "power_type", "output_kw", "evse_id"],
    "ix_evses_active_postal_code": ["operator_pk", "postal_code_key", "power_type", "evse_id"],
    "ix_evses_active_power": ["operator_pk", "power_type", "output_kw", "evse_id"],
    "ix_evses_active_country": ["operator_pk", "country", "power_type", "evse_id"],
    "ix_evses_active_city_sort": ["operator_pk", "city", "evse_id"],
}


def upgrade() -> None:
    for name, columns in LIST_INDEXES.items():
        op.create_index(
            op.f(name),
            "evses",
            columns,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
            postgresql_include=["id"],  # SQLite's indexes carry the row id anyway
        )
    op.create_table(
        "networks",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("description", sa.String(500), nullable=False, server_default=""),
        sa.Column("status", sa.String(10), nullable=False, server_default="draft"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("activated_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name=op.f("fk_networks_operator_pk_operators"),
        ),
        sa.UniqueConstraint(
            "operator_pk", "name_key", name=op.f("uq_networks_operator_pk_name_key")
        ),
        sa.CheckConstraint("status IN ('draft', 'active')", name=op.f("ck_networks_status")),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 100", name=op.f("ck_networks_name_length")),
    )
    op.create_table(
        "evse_groups",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("network_pk", Id, nullable=False),
        sa.Column("name", sa.String(30), nullable=False),
        sa.Column("name_key", sa.String(90), nullable=False),
        sa.Column("description", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evse_groups")),
        sa.ForeignKeyConstraint(
            ["network_pk"],
            ["networks.id"],
            ondelete="CASCADE",
            name=op.f("fk_evse_groups_network_pk_networks"),
        ),
        sa.UniqueConstraint(
            "network_pk", "name_key", name=op.f("uq_evse_groups_network_pk_name_key")
        ),
        sa.UniqueConstraint("id", "network_pk", name=op.f("uq_evse_groups_id_network_pk")),
        sa.CheckConstraint(
            "length(name) BETWEEN 1 AND 30", name=op.f("ck_evse_groups_name_length")
        ),
    )
    op.create_table(
        "assignments",
        sa.Column("evse_pk", Id, nullable=False),
        sa.Column("group_pk", Id, nullable=False),
        sa.Column("network_pk", Id, nullable=False),
        sa.Column("evse_key", sa.String(41), nullable=False),
        sa.Column("assigned_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("evse_pk", name=op.f("pk_assignments")),
        sa.ForeignKeyConstraint(
            ["evse_pk"],
            ["evses.id"],
            ondelete="CASCADE",
            name=op.f("fk_assignments_evse_pk_evses"),
        ),
        sa.ForeignKeyConstraint(
            ["group_pk", "network_pk"],
            ["evse_groups.id", "evse_groups.network_pk"],
            ondelete="CASCADE",
            name=op.f("fk_assignments_group_pk_evse_groups"),
        ),
    )
    op.create_index(
        op.f("ix_assignments_network_pk_group_pk"),
        "assignments",
        ["network_pk", "group_pk", "evse_key"],
    )
    op.create_index(
        op.f("ix_assignments_network_pk_evse_key"), "assignments", ["network_pk", "evse_key"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_kind", sa.String(10), nullable=False),
        sa.Column("actor_id", sa.String(100), nullable=True),
        sa.Column("actor_label", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("network_pk", Id, nullable=True),
        sa.Column("counts", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("evse_ids", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("evse_ids_total", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name=op.f("fk_audit_log_operator_pk_operators"),
        ),
    )
    op.create_index(op.f("ix_audit_log_operator_pk_id"), "audit_log", ["operator_pk", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_operator_pk_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_assignments_network_pk_evse_key"), table_name="assignments")
    op.drop_index(op.f("ix_assignments_network_pk_group_pk"), table_name="assignments")
    op.drop_table("assignments")
    op.drop_table("evse_groups")
    op.drop_table("networks")
    for name in LIST_INDEXES:
        op.drop_index(op.f(name), table_name="evses")
