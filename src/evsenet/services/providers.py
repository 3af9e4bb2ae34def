"""Providers (EMPs) as parties: registering them, and their API tokens.

A provider changes no operator data: its tokens open only the provider paths (`api/auth.py`
keeps operator and provider callers apart), and an operator sees a provider only through
the provider's subscriptions to its offers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from evsenet.domain.errors import NotFound
from evsenet.domain.ids import ProviderId
from evsenet.domain.network import Actor
from evsenet.domain.text import PlainText
from evsenet.services.tokens import (
    MAX_TOKEN_ID,
    TOKEN_LABEL,
    TOKEN_MAX_LENGTH,
    TOKEN_PREFIX,
    digest,
)
from evsenet.store.engine import Store
from evsenet.store.repositories.providers import ProviderRow
from evsenet.store.uow import UnitOfWork, unit_of_work

PROVIDER_NAME = PlainText(
    "Provider name", 255, "provider.name_too_long", "provider.name_control_character", "name"
)


def require_provider(uow: UnitOfWork, provider: ProviderId) -> ProviderRow:
    """The registered provider, or `NotFound` `provider.unknown`."""
    row = uow.providers.get(provider)
    if row is None:
        raise NotFound(
            "provider.unknown",
            f"Provider {provider.display} is not registered; register it with "
            f"`evsenet providers add {provider.display}`",
        )
    return row


def register_provider(store: Store, provider_id: str, name: str = "") -> ProviderRow:
    """Register an e-mobility provider; `Conflict` `provider.exists` when it is known."""
    provider = ProviderId.parse(provider_id)
    clean_name = PROVIDER_NAME(name)
    with unit_of_work(store, write=True) as uow:
        return uow.providers.add(provider, clean_name, datetime.now(UTC))


def list_providers(store: Store) -> list[ProviderRow]:
    """Every registered provider, by ID."""
    with unit_of_work(store) as uow:
        return uow.providers.all()


def create_provider_token(store: Store, provider_id: str, label: str = "") -> tuple[int, str]:
    """A new token for the provider: its id and the clear token (shown only this once)."""
    provider = ProviderId.parse(provider_id)
    clean_label = TOKEN_LABEL(label)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work(store, write=True) as uow:
        row = require_provider(uow, provider)
        token_id = uow.tokens.add_for_provider(
            row.pk, digest(token), clean_label, datetime.now(UTC)
        )
    return token_id, token


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """Who calls with a provider's token: the provider, and the token (for the audit log)."""

    provider: ProviderId
    token_id: int
    label: str

    @property
    def actor(self) -> Actor:
        return Actor("token", str(self.token_id), self.label or f"token {self.token_id}")


def identify_provider(store: Store, token: str) -> ProviderIdentity | None:
    """The provider a token belongs to, or None (unknown, revoked, or an operator's token)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    with unit_of_work(store) as uow:
        found = uow.tokens.provider_identity_for(digest(token))
    if found is None:
        return None
    token_id, label, provider = found
    return ProviderIdentity(provider, token_id, label)


def revoke_provider_token(store: Store, provider_id: str, token_id: int) -> None:
    """Revoke one of the provider's tokens; another party's token is not found."""
    provider = ProviderId.parse(provider_id)
    with unit_of_work(store, write=True) as uow:
        row = require_provider(uow, provider)
        known = 1 <= token_id <= MAX_TOKEN_ID
        if not known or not uow.tokens.revoke_for_provider(row.pk, token_id, datetime.now(UTC)):
            raise NotFound(
                "token.not_found",
                f"Provider {provider.display} has no active API token with id {token_id}",
            )
