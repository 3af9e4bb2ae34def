"""API tokens on both databases: shown once, stored as digests, revoked per operator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evsenet.domain.errors import DomainError, NotFound
from evsenet.services.operators import register_operator
from evsenet.services.tokens import MAX_TOKEN_ID, authenticate, create_token, revoke_token
from evsenet.store.engine import Store
from evsenet.store.tables import api_tokens

A, B = "DE*ABC", "DE*BBB"


def test_a_token_authenticates_its_operator_until_revoked(store: Store) -> None:
    register_operator(store, A)
    token_id, token = create_token(store, A, "billing system")
    assert token.startswith("evn_")
    operator = authenticate(store, token)
    assert operator is not None
    assert operator.display == A
    revoke_token(store, A, token_id)
    assert authenticate(store, token) is None


def test_only_a_digest_of_the_token_is_stored(store: Store) -> None:
    register_operator(store, A)
    _, token = create_token(store, A)
    with store.engine.connect() as connection:
        stored = connection.execute(select(api_tokens.c.token_hash)).scalar_one()
    assert token not in stored
    assert len(stored) == 64


@pytest.mark.parametrize("token_id", [0, -1, MAX_TOKEN_ID, MAX_TOKEN_ID + 1, 10**30])
def test_revoking_a_token_number_that_names_no_token_is_not_found(
    store: Store, token_id: int
) -> None:
    register_operator(store, A)
    with pytest.raises(NotFound) as caught:
        revoke_token(store, A, token_id)
    assert caught.value.code == "token.not_found"


def test_an_operator_cannot_revoke_anothers_token(store: Store) -> None:
    register_operator(store, A)
    register_operator(store, B)
    token_id, token = create_token(store, A)
    with pytest.raises(NotFound) as caught:
        revoke_token(store, B, token_id)
    assert caught.value.code == "token.not_found"
    assert authenticate(store, token) is not None


@pytest.mark.parametrize("token", ["", "evn_unknown", "x" * 10_000])
def test_unknown_tokens_authenticate_nobody(store: Store, token: str) -> None:
    register_operator(store, A)
    assert authenticate(store, token) is None


def test_a_long_label_is_refused(store: Store) -> None:
    register_operator(store, A)
    with pytest.raises(DomainError) as caught:
        create_token(store, A, "l" * 101)
    assert caught.value.code == "token.label_too_long"


def test_a_label_with_a_control_character_is_refused(store: Store) -> None:
    register_operator(store, A)
    with pytest.raises(DomainError) as caught:
        create_token(store, A, "billing\x00system")
    assert caught.value.code == "token.label_control_character"
