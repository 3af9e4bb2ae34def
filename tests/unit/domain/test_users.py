"""Rules of web UI users: e-mail addresses, passwords and the sign-in pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.users import (
    FAILED_SIGN_INS_ALLOWED,
    SIGN_IN_PAUSE,
    SignInRecord,
    check_new_password,
    parse_email,
)

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "email"),
    [
        pytest.param("ops@abc.example", "ops@abc.example", id="plain"),
        pytest.param("  Ops@ABC.Example ", "ops@abc.example", id="trimmed-and-lower-cased"),
        pytest.param("a.b+c@sub.abc.example", "a.b+c@sub.abc.example", id="plus-and-dots"),
    ],
)
def test_an_email_address_is_trimmed_and_lower_cased(typed: str, email: str) -> None:
    assert parse_email(typed) == email


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="empty"),
        pytest.param("ops", id="no-at"),
        pytest.param("ops@abc", id="no-dot-in-domain"),
        pytest.param("o ps@abc.example", id="blank-inside"),
        pytest.param("a@b@abc.example", id="two-ats"),
        pytest.param("x" * 250 + "@abc.example", id="too-long"),
    ],
)
def test_what_is_not_an_email_address_is_refused(typed: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_email(typed)
    assert refused.value.code == "user.email_invalid"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        pytest.param("short", "user.password_too_short", id="too-short"),
        pytest.param("x" * 1001, "user.password_too_long", id="too-long"),
        pytest.param("line\nbreak inside", "user.password_control_character", id="control"),
    ],
)
def test_a_weak_or_unusable_password_is_refused(password: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_new_password(password)
    assert refused.value.code == code


def test_a_long_enough_password_is_kept_as_typed() -> None:
    assert check_new_password(" ten chars ") == " ten chars "


@given(failures=st.integers(min_value=0, max_value=20), minutes=st.integers(0, 20))
def test_sign_in_pauses_after_five_failures_in_a_row_for_five_minutes(
    failures: int, minutes: int
) -> None:
    record = SignInRecord(0, None)
    for _ in range(failures):
        record = record.after_failure(NOW)
    later = NOW + timedelta(minutes=minutes)
    expected = failures >= FAILED_SIGN_INS_ALLOWED and later < NOW + SIGN_IN_PAUSE
    assert record.is_paused(later) is expected


def test_a_failure_after_the_pause_starts_a_new_count() -> None:
    record = SignInRecord(FAILED_SIGN_INS_ALLOWED, NOW)
    after = record.after_failure(NOW + SIGN_IN_PAUSE)
    assert after.failed_in_a_row == 1
    assert not after.is_paused(NOW + SIGN_IN_PAUSE)
