"""Rules of the people who sign in to the web UI: e-mail, password, throttling, sessions.

A user belongs to exactly one party, an operator or an e-mobility provider, and sees only
that party's pages and data. Passwords are
kept as argon2 hashes by the services; the rules here decide what is accepted and when
sign-in is refused for a while after repeated failures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from evsenet.domain.errors import DomainError
from evsenet.domain.ids import OperatorId, ProviderId

EMAIL_MAX = 254
"""RFC 5321's limit on a forward path."""
PASSWORD_MIN = 10
PASSWORD_MAX = 1000
"""Longer passwords are refused before hashing: no request may make the server hash
megabytes."""
FAILED_SIGN_INS_ALLOWED = 5
"""Failed sign-ins in a row after which the account waits `SIGN_IN_PAUSE`."""
SIGN_IN_PAUSE = timedelta(minutes=5)
SESSION_LIFETIME = timedelta(hours=12)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(text: str) -> str:
    """The e-mail address a person typed, trimmed and lower-cased: it is the sign-in name."""
    email = text.strip().lower()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email) or not email.isprintable():
        raise DomainError(
            "user.email_invalid",
            f"{text.strip()[:60]!r} is not an e-mail address like name@example.com",
            field="email",
        )
    return email


def check_new_password(password: str) -> str:
    """A password a user may choose: 10 to 1000 characters, no control characters."""
    if len(password) < PASSWORD_MIN:
        raise DomainError(
            "user.password_too_short",
            f"The password has {len(password)} characters; choose at least {PASSWORD_MIN}",
            field="password",
        )
    if len(password) > PASSWORD_MAX:
        raise DomainError(
            "user.password_too_long",
            f"The password has {len(password)} characters; at most {PASSWORD_MAX} are allowed",
            field="password",
        )
    if not password.isprintable():
        raise DomainError(
            "user.password_control_character",
            "The password contains a control character (such as a line break); "
            "use printable characters only",
            field="password",
        )
    return password


@dataclass(frozen=True, slots=True)
class SignInRecord:
    """An account's recent failed sign-ins, as far as throttling needs them."""

    failed_in_a_row: int
    last_failed_at: datetime | None

    def paused_until(self) -> datetime | None:
        """When sign-in opens again after too many failures in a row; None when it is open."""
        if self.failed_in_a_row < FAILED_SIGN_INS_ALLOWED or self.last_failed_at is None:
            return None
        return self.last_failed_at + SIGN_IN_PAUSE

    def is_paused(self, now: datetime) -> bool:
        until = self.paused_until()
        return until is not None and now < until

    def after_failure(self, now: datetime) -> SignInRecord:
        """The record after one more failure (a pause that ran out starts a new count)."""
        until = self.paused_until()
        count = 0 if until is not None and now >= until else self.failed_in_a_row
        return SignInRecord(count + 1, now)


def sign_in_refused() -> DomainError:
    """The one answer to a wrong e-mail or password: it never tells which was wrong."""
    return DomainError(
        "auth.sign_in_failed", "The e-mail address or the password is wrong; try again"
    )


def sign_in_paused(until: datetime) -> DomainError:
    return DomainError(
        "auth.sign_in_paused",
        f"Too many failed sign-ins in a row; this account can sign in again after "
        f"{until:%H:%M} UTC",
    )


Party = OperatorId | ProviderId
"""Whom a user acts for: exactly one operator or exactly one provider."""


def one_party(operator_id: str | None, provider_id: str | None) -> Party:
    """The one party a new user acts for, from an operator ID or a provider ID (not both)."""
    if (operator_id is None) == (provider_id is None):
        raise DomainError(
            "user.party_required",
            "A user acts for exactly one party: give an operator ID or a provider ID, "
            "not both and not neither",
            field="party",
        )
    if operator_id is not None:
        return OperatorId.parse(operator_id)
    assert provider_id is not None
    return ProviderId.parse(provider_id)
