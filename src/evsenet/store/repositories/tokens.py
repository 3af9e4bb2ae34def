"""API tokens: stored as SHA-256 digests, never in clear."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.store.tables import api_tokens, operators, providers


class TokenRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, operator_pk: int, token_hash: str, label: str, now: datetime) -> int:
        result = self.connection.execute(
            insert(api_tokens).values(
                operator_pk=operator_pk, token_hash=token_hash, label=label, created_at=now
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def add_for_provider(self, provider_pk: int, token_hash: str, label: str, now: datetime) -> int:
        result = self.connection.execute(
            insert(api_tokens).values(
                provider_pk=provider_pk, token_hash=token_hash, label=label, created_at=now
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def provider_identity_for(self, token_hash: str) -> tuple[int, str, ProviderId] | None:
        """The token's id and label and its provider, or None (unknown, revoked, or an
        operator's token)."""
        row = self.connection.execute(
            select(
                api_tokens.c.id, api_tokens.c.label, providers.c.provider_id, providers.c.display_id
            )
            .join(api_tokens, api_tokens.c.provider_pk == providers.c.id)
            .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
        ).one_or_none()
        if row is None:
            return None
        return row.id, row.label, ProviderId(row.provider_id, row.display_id)

    def operator_for(self, token_hash: str) -> OperatorId | None:
        row = self.connection.execute(
            select(operators.c.operator_id, operators.c.display_id)
            .join(api_tokens, api_tokens.c.operator_pk == operators.c.id)
            .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
        ).one_or_none()
        return None if row is None else OperatorId(row.operator_id, row.display_id)

    def identity_for(self, token_hash: str) -> tuple[int, str, OperatorId] | None:
        """The token's id and label and its operator, or None (unknown or revoked)."""
        row = self.connection.execute(
            select(
                api_tokens.c.id, api_tokens.c.label, operators.c.operator_id, operators.c.display_id
            )
            .join(api_tokens, api_tokens.c.operator_pk == operators.c.id)
            .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
        ).one_or_none()
        if row is None:
            return None
        return row.id, row.label, OperatorId(row.operator_id, row.display_id)

    def revoke(self, operator_pk: int, token_pk: int, now: datetime) -> bool:
        result = self.connection.execute(
            api_tokens.update()
            .where(
                api_tokens.c.id == token_pk,
                api_tokens.c.operator_pk == operator_pk,
                api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return result.rowcount > 0

    def revoke_for_provider(self, provider_pk: int, token_pk: int, now: datetime) -> bool:
        result = self.connection.execute(
            api_tokens.update()
            .where(
                api_tokens.c.id == token_pk,
                api_tokens.c.provider_pk == provider_pk,
                api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return result.rowcount > 0
