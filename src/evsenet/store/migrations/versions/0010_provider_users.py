"""Users of providers: a user belongs to exactly one party, an operator or a provider.

On SQLite the users table is rebuilt (a column's NOT NULL and a CHECK cannot be altered
in place), and dropping the old table would delete the signed-in sessions through their
ON DELETE CASCADE: they are kept aside and put back, so nobody is signed out.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


@contextmanager
def _sessions_kept() -> Iterator[None]:
    """Keep `web_sessions` across a rebuild of `users` on SQLite."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE kept_web_sessions AS SELECT * FROM web_sessions")
    yield
    if sqlite:
        op.execute(
            "INSERT INTO web_sessions SELECT * FROM kept_web_sessions "
            "WHERE user_pk IN (SELECT id FROM users)"
        )
        op.execute("DROP TABLE kept_web_sessions")


def upgrade() -> None:
    with _sessions_kept(), op.batch_alter_table("users") as batch:
        batch.alter_column("operator_pk", existing_type=Id, nullable=True)
        batch.add_column(sa.Column("provider_pk", Id, nullable=True))
        batch.create_foreign_key(
            op.f("fk_users_provider_pk_providers"),
            "providers",
            ["provider_pk"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_check_constraint(
            op.f("ck_users_one_party"), "(operator_pk IS NULL) <> (provider_pk IS NULL)"
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM web_sessions WHERE user_pk IN "
        "(SELECT id FROM users WHERE provider_pk IS NOT NULL)"
    )
    op.execute("DELETE FROM users WHERE provider_pk IS NOT NULL")
    with _sessions_kept(), op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_one_party"), type_="check")
        batch.drop_constraint(op.f("fk_users_provider_pk_providers"), type_="foreignkey")
        batch.drop_column("provider_pk")
        batch.alter_column("operator_pk", existing_type=Id, nullable=False)
