"""Providers as parties, provider tokens, subscriptions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from evsenet.store.types import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LIVE = sa.text("status <> 'cancelled'")


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("provider_id", sa.String(5), nullable=False),
        sa.Column("display_id", sa.String(6), nullable=False),
        sa.Column("name", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_providers_provider_id")),
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("operator_pk", existing_type=Id, nullable=True)
        batch.add_column(sa.Column("provider_pk", Id, nullable=True))
        batch.create_foreign_key(
            op.f("fk_api_tokens_provider_pk_providers"),
            "providers",
            ["provider_pk"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_check_constraint(
            op.f("ck_api_tokens_one_party"), "(operator_pk IS NULL) <> (provider_pk IS NULL)"
        )
    op.create_table(
        "subscriptions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("provider_pk", Id, nullable=False),
        sa.Column("operator_pk", Id, nullable=False),
        sa.Column("offer_pk", Id, nullable=False),
        sa.Column("chain_pk", Id, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("master_data", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("terms_confirmed", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("reject_reason", sa.String(40), nullable=True),
        sa.Column("reject_message", sa.String(500), nullable=False, server_default=""),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("subscribed_at", UtcDateTime(), nullable=True),
        sa.Column("rejected_at", UtcDateTime(), nullable=True),
        sa.Column("cancellation_requested_at", UtcDateTime(), nullable=True),
        sa.Column("cancelled_from", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.ForeignKeyConstraint(
            ["provider_pk"],
            ["providers.id"],
            ondelete="CASCADE",
            name=op.f("fk_subscriptions_provider_pk_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operators.id"],
            ondelete="CASCADE",
            name=op.f("fk_subscriptions_operator_pk_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_pk"],
            ["offers.id"],
            ondelete="CASCADE",
            name=op.f("fk_subscriptions_offer_pk_offers"),
        ),
        sa.ForeignKeyConstraint(
            ["chain_pk"],
            ["offers.id"],
            ondelete="CASCADE",
            name=op.f("fk_subscriptions_chain_pk_offers"),
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'rejected', 'subscribed', 'cancelled')",
            name=op.f("ck_subscriptions_status"),
        ),
        sa.CheckConstraint(
            "reject_reason IS NULL OR reject_reason IN ('INCORRECT_DATA_FORMAT', "
            "'INVALID_VAT_ID', 'BUSINESS_REQUIREMENTS_NOT_MATCHED', 'NOT_ELIGIBLE', 'OTHERS')",
            name=op.f("ck_subscriptions_reject_reason"),
        ),
        sa.CheckConstraint(
            "(status = 'rejected') = (reject_reason IS NOT NULL)",
            name=op.f("ck_subscriptions_rejected_why"),
        ),
        sa.CheckConstraint(
            "(status IN ('subscribed', 'cancelled')) = (subscribed_at IS NOT NULL)",
            name=op.f("ck_subscriptions_subscribed_date"),
        ),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_from IS NOT NULL "
            "AND cancellation_requested_at IS NOT NULL)",
            name=op.f("ck_subscriptions_cancelled_dates"),
        ),
    )
    op.create_index(
        op.f("ix_subscriptions_operator_pk_chain_pk"),
        "subscriptions",
        ["operator_pk", "chain_pk"],
    )
    op.create_index(op.f("ix_subscriptions_provider_pk_id"), "subscriptions", ["provider_pk", "id"])
    op.create_index(
        "uq_subscriptions_live",
        "subscriptions",
        ["chain_pk", "provider_pk"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_subscriptions_live", table_name="subscriptions")
    op.drop_index(op.f("ix_subscriptions_provider_pk_id"), table_name="subscriptions")
    op.drop_index(op.f("ix_subscriptions_operator_pk_chain_pk"), table_name="subscriptions")
    op.drop_table("subscriptions")
    op.execute("DELETE FROM api_tokens WHERE provider_pk IS NOT NULL")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_one_party"), type_="check")
        batch.drop_constraint(op.f("fk_api_tokens_provider_pk_providers"), type_="foreignkey")
        batch.drop_column("provider_pk")
        batch.alter_column("operator_pk", existing_type=Id, nullable=False)
    op.drop_table("providers")
