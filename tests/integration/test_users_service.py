"""Users of the web UI on SQLite and PostgreSQL: adding them, signing in and out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from evsenet.domain.errors import Conflict, DomainError
from evsenet.domain.users import FAILED_SIGN_INS_ALLOWED, SESSION_LIFETIME, SIGN_IN_PAUSE
from evsenet.services.operators import register_operator
from evsenet.services.users import add_user, count_users, session_for, sign_in, sign_out
from evsenet.store.engine import Store
from evsenet.store.tables import users, web_sessions

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def test_adding_a_user_registers_a_new_operator_and_keeps_only_a_hash(store: Store) -> None:
    user, registered = add_user(store, "DE*ABC", " Ops@ABC.example ", PASSWORD)
    assert registered
    assert (user.email, user.party.display) == ("ops@abc.example", "DE*ABC")
    assert count_users(store) == 1
    with store.transaction() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_a_user_of_a_known_operator_does_not_register_it_again(store: Store) -> None:
    register_operator(store, "DE*ABC")
    assert add_user(store, "DE*ABC", "ops@abc.example", PASSWORD)[1] is False


def test_an_email_address_signs_in_one_user_only(store: Store) -> None:
    add_user(store, "DE*ABC", "ops@abc.example", PASSWORD)
    with pytest.raises(Conflict) as taken:
        add_user(store, "DE*OTH", "OPS@abc.example", PASSWORD)
    assert taken.value.code == "user.email_taken"
    assert count_users(store) == 1


def test_a_refused_password_adds_nobody(store: Store) -> None:
    with pytest.raises(DomainError) as refused:
        add_user(store, "DE*ABC", "ops@abc.example", "short")
    assert refused.value.code == "user.password_too_short"
    assert count_users(store) == 0


def test_signing_in_opens_a_session_that_signing_out_ends(store: Store) -> None:
    add_user(store, "DE*ABC", "ops@abc.example", PASSWORD)
    signed_in = sign_in(store, "OPS@abc.example", PASSWORD)
    found = session_for(store, signed_in.token)
    assert found is not None
    assert found.user.party.display == "DE*ABC"
    assert found.csrf_token == signed_in.session.csrf_token
    with store.transaction() as connection:
        kept = connection.execute(select(web_sessions.c.token_hash)).scalar_one()
    assert kept != signed_in.token
    sign_out(store, signed_in.token)
    assert session_for(store, signed_in.token) is None


def test_a_session_ends_by_itself_after_its_lifetime(store: Store) -> None:
    add_user(store, "DE*ABC", "ops@abc.example", PASSWORD)
    signed_in = sign_in(store, "ops@abc.example", PASSWORD, now=NOW)
    assert session_for(store, signed_in.token, now=NOW + SESSION_LIFETIME / 2) is not None
    assert session_for(store, signed_in.token, now=NOW + SESSION_LIFETIME) is None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("ops@abc.example", "wrong password", id="wrong-password"),
        pytest.param("nobody@abc.example", PASSWORD, id="unknown-email"),
        pytest.param("not an address", PASSWORD, id="not-an-address"),
        pytest.param("ops@abc.example", "x" * 5000, id="huge-password"),
    ],
)
def test_a_wrong_email_or_password_gets_one_answer_that_tells_neither(
    store: Store, email: str, password: str
) -> None:
    add_user(store, "DE*ABC", "ops@abc.example", PASSWORD)
    with pytest.raises(DomainError) as refused:
        sign_in(store, email, password)
    assert refused.value.code == "auth.sign_in_failed"


def test_five_failures_in_a_row_pause_sign_in_for_five_minutes(store: Store) -> None:
    add_user(store, "DE*ABC", "ops@abc.example", PASSWORD)
    for _ in range(FAILED_SIGN_INS_ALLOWED):
        with pytest.raises(DomainError):
            sign_in(store, "ops@abc.example", "wrong password", now=NOW)
    with pytest.raises(DomainError) as paused:
        sign_in(store, "ops@abc.example", PASSWORD, now=NOW + timedelta(minutes=1))
    assert paused.value.code == "auth.sign_in_paused"
    assert sign_in(store, "ops@abc.example", PASSWORD, now=NOW + SIGN_IN_PAUSE).token


def test_unknown_or_absurd_session_tokens_open_nothing(store: Store) -> None:
    assert session_for(store, "") is None
    assert session_for(store, "x" * 10_000) is None
    assert session_for(store, "not-a-session") is None
    sign_out(store, "not-a-session")
