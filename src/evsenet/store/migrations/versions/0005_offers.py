"""Service offers: drafts and published price versions, their audience, attachments.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from evsenet.store.types import ExactDecimal, UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("network_pk", Id, nullable=False),
        sa.Column("chain_pk", Id, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("previous_offer_id", Id, nullable=True),
        sa.Column("next_offer_id", Id, nullable=True),
        sa.Column("status", sa.String(10), nullable=False, server_default="draft"),
        sa.Column("placeholder_id", sa.String(100), nullable=False, server_default=""),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False, server_default=""),
        sa.Column("service_type", sa.Integer(), nullable=False),
        sa.Column("offer_to_all", sa.Boolean(), nullable=False),
        sa.Column("valid_from", UtcDateTime(), nullable=False),
        sa.Column("valid_to", UtcDateTime(), nullable=True),
        sa.Column("notice_days", sa.Integer(), nullable=True),
        sa.Column("notice_message", sa.String(255), nullable=False, server_default=""),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("cancellation_days", sa.Integer(), nullable=False),
        sa.Column("minimum_term_days", sa.Integer(), nullable=False),
        sa.Column("two_step", sa.Text(), nullable=True),
        sa.Column("attachment_id", sa.String(100), nullable=True),
        sa.Column("vat_percent", ExactDecimal(5, 2), nullable=False),
        sa.Column("pricing", sa.Text(), nullable=False),
        sa.Column("effective_from", UtcDateTime(), nullable=False),
        sa.Column("effective_to", UtcDateTime(), nullable=True),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name=op.f("fk_offers_operator_pk_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["network_pk"],
            ["networks.id"],
            ondelete="CASCADE",
            name=op.f("fk_offers_network_pk_networks"),
        ),
        sa.ForeignKeyConstraint(
            ["chain_pk"], ["offers.id"], name=op.f("fk_offers_chain_pk_offers")
        ),
        sa.ForeignKeyConstraint(
            ["previous_offer_id"], ["offers.id"], name=op.f("fk_offers_previous_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["next_offer_id"], ["offers.id"], name=op.f("fk_offers_next_offer_id_offers")
        ),
        sa.UniqueConstraint("previous_offer_id", name=op.f("uq_offers_previous_offer_id")),
        sa.UniqueConstraint("next_offer_id", name=op.f("uq_offers_next_offer_id")),
        sa.UniqueConstraint("chain_pk", "version", name=op.f("uq_offers_chain_pk_version")),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_offers_status")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_offers_version_positive")),
        sa.CheckConstraint(
            "(version = 1) = (previous_offer_id IS NULL)", name=op.f("ck_offers_version_link")
        ),
        sa.CheckConstraint(
            "status = 'published' OR (version = 1 AND next_offer_id IS NULL)",
            name=op.f("ck_offers_draft_unlinked"),
        ),
        sa.CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL AND chain_pk IS NOT NULL)",
            name=op.f("ck_offers_published_fields"),
        ),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from",
            name=op.f("ck_offers_effective_period"),
        ),
        sa.CheckConstraint("service_type IN (1, 10)", name=op.f("ck_offers_service_type")),
        sa.CheckConstraint(
            "(valid_to IS NULL) = (lead_time_days IS NOT NULL)",
            name=op.f("ck_offers_limited_or_unlimited"),
        ),
        sa.CheckConstraint(
            "vat_percent >= 0 AND vat_percent <= 100", name=op.f("ck_offers_vat_percent")
        ),
    )
    op.create_index(op.f("ix_offers_operator_pk_id"), "offers", ["operator_pk", "id"])
    op.create_index(
        op.f("ix_offers_network_pk_effective_from"), "offers", ["network_pk", "effective_from"]
    )
    op.create_table(
        "offer_providers",
        sa.Column("offer_pk", Id, nullable=False),
        sa.Column("provider_id", sa.String(5), nullable=False),
        sa.PrimaryKeyConstraint("offer_pk", "provider_id", name=op.f("pk_offer_providers")),
        sa.ForeignKeyConstraint(
            ["offer_pk"],
            ["offers.id"],
            ondelete="CASCADE",
            name=op.f("fk_offer_providers_offer_pk_offers"),
        ),
    )
    op.create_index(
        op.f("ix_offer_providers_provider_id"), "offer_providers", ["provider_id", "offer_pk"]
    )
    op.create_table(
        "offer_attachments",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_attachments")),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name=op.f("fk_offer_attachments_operator_pk_operators"),
        ),
        sa.CheckConstraint(
            f"size BETWEEN 1 AND {MAX_ATTACHMENT_BYTES}", name=op.f("ck_offer_attachments_size")
        ),
        sa.CheckConstraint(
            "length(content) = size", name=op.f("ck_offer_attachments_size_matches")
        ),
    )
    op.create_index(
        op.f("ix_offer_attachments_operator_pk_id"), "offer_attachments", ["operator_pk", "id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_offer_attachments_operator_pk_id"), table_name="offer_attachments")
    op.drop_table("offer_attachments")
    op.drop_index(op.f("ix_offer_providers_provider_id"), table_name="offer_providers")
    op.drop_table("offer_providers")
    op.drop_index(op.f("ix_offers_network_pk_effective_from"), table_name="offers")
    op.drop_index(op.f("ix_offers_operator_pk_id"), table_name="offers")
    op.drop_table("offers")
