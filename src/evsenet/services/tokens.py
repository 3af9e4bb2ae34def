"""API tokens: create, check and revoke the bearer tokens operators call the API with.

A token is shown in clear once, when it is created; only its SHA-256 digest is stored,
so a copy of the database does not hand out access.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from evsenet.domain.errors import NotFound
from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor
from evsenet.domain.text import PlainText
from evsenet.services.operators import require_operator
from evsenet.store.engine import Store
from evsenet.store.uow import unit_of_work

TOKEN_PREFIX = "evn_"
LABEL_LIMIT = 100
TOKEN_LABEL = PlainText(
    "Token label", LABEL_LIMIT, "token.label_too_long", "token.label_control_character", "label"
)
TOKEN_MAX_LENGTH = 200
"""Longer bearer values are refused without a database round trip."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, operator_id: str, label: str = "") -> tuple[int, str]:
    """A new token for the operator: its id and the clear token (shown only this once)."""
    operator = OperatorId.parse(operator_id)
    clean_label = TOKEN_LABEL(label)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work(store, write=True) as uow:
        row = require_operator(uow, operator)
        token_id = uow.tokens.add(row.pk, digest(token), clean_label, datetime.now(UTC))
    return token_id, token


def authenticate(store: Store, token: str) -> OperatorId | None:
    """The operator a token belongs to, or None for an unknown or revoked token."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    with unit_of_work(store) as uow:
        return uow.tokens.operator_for(digest(token))


@dataclass(frozen=True, slots=True)
class TokenIdentity:
    """Who calls with a token: its operator, and the token itself (for the audit log)."""

    operator: OperatorId
    token_id: int
    label: str

    @property
    def actor(self) -> Actor:
        return Actor("token", str(self.token_id), self.label or f"token {self.token_id}")


def identify(store: Store, token: str) -> TokenIdentity | None:
    """The token's identity, or None for an unknown or revoked token."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    with unit_of_work(store) as uow:
        found = uow.tokens.identity_for(digest(token))
    if found is None:
        return None
    token_id, label, operator = found
    return TokenIdentity(operator, token_id, label)


MAX_TOKEN_ID = 2**63 - 1
"""Token numbers are database keys: a number beyond them names no token."""


def revoke_token(store: Store, operator_id: str, token_id: int) -> None:
    """Revoke one of the operator's tokens; another operator's token is not found."""
    operator = OperatorId.parse(operator_id)
    with unit_of_work(store, write=True) as uow:
        row = require_operator(uow, operator)
        known = 1 <= token_id <= MAX_TOKEN_ID
        if not known or not uow.tokens.revoke(row.pk, token_id, datetime.now(UTC)):
            raise NotFound(
                "token.not_found",
                f"Operator {operator.display} has no active API token with id {token_id}",
            )
