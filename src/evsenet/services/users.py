"""Users of the web UI: add them, sign them in and out, find who a session cookie is.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommendation). A session is a server-side row: the browser's cookie holds a random
token of which only the SHA-256 digest is stored, so that signing out ends it at once and
a copy of the database hands out no session. Each session has its own CSRF token, which
every form and htmx request of the UI sends back.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from evsenet.domain.errors import Conflict, DomainError
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.users import (
    PASSWORD_MAX,
    SESSION_LIFETIME,
    Party,
    SignInRecord,
    check_new_password,
    one_party,
    parse_email,
    sign_in_paused,
    sign_in_refused,
)
from evsenet.services.operators import registered_operator
from evsenet.services.providers import require_provider
from evsenet.store.engine import Store
from evsenet.store.uow import unit_of_work

_hasher = PasswordHasher()
_UNKNOWN_USER_HASH = _hasher.hash(secrets.token_urlsafe(16))
"""Verified against when the e-mail is unknown, so that the answer takes as long as for a
known user with a wrong password."""
SESSION_TOKEN_MAX = 200


@dataclass(frozen=True, slots=True)
class User:
    """A user of the web UI and the one party it acts for: an operator or a provider."""

    id: int
    email: str
    party: Party

    @property
    def operator(self) -> OperatorId | None:
        return self.party if isinstance(self.party, OperatorId) else None

    @property
    def provider(self) -> ProviderId | None:
        return self.party if isinstance(self.party, ProviderId) else None


@dataclass(frozen=True, slots=True)
class WebSession:
    """Who a signed-in browser is: the user, its party and the session's CSRF token."""

    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: `token` goes into the cookie and is never stored in clear."""

    token: str
    session: WebSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(store: Store, operator_id: str, email: str, password: str) -> tuple[User, bool]:
    """A new user of the operator's web UI, and whether the operator was registered for it
    (a new operator ID is, in the same transaction). An e-mail address is one user's."""
    return add_party_user(store, email, password, operator_id=operator_id)


def add_party_user(
    store: Store,
    email: str,
    password: str,
    *,
    operator_id: str | None = None,
    provider_id: str | None = None,
) -> tuple[User, bool]:
    """A new user acting for exactly one party, and whether an operator was registered for
    it. An operator ID new to evsenet is registered in the same transaction; a provider
    must be registered already (`evsenet providers add`). An e-mail address is one user's."""
    party = one_party(operator_id, provider_id)
    address = parse_email(email)
    password_hash = _hasher.hash(check_new_password(password))
    registered = False
    with unit_of_work(store, write=True) as uow:
        if isinstance(party, OperatorId):
            row, registered = registered_operator(uow, party)
            party = row.operator_id
            owner = {"operator_pk": row.pk}
        else:
            owner = {"provider_pk": require_provider(uow, party).pk}
        pk = uow.users.add(address, password_hash, datetime.now(UTC), **owner)
        if pk is None:
            raise Conflict(
                "user.email_taken", f"A user with e-mail address {address} exists already"
            )
    return User(pk, address, party), registered


def count_users(store: Store) -> int:
    """How many users may sign in (none: `evsenet serve` says how to add the first)."""
    with unit_of_work(store) as uow:
        return uow.users.count()


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(store: Store, email: str, password: str, *, now: datetime | None = None) -> SignedIn:
    """A new session for the user with this e-mail and password.

    A wrong e-mail and a wrong password get the same refusal. After five failures in a row
    the account waits five minutes (`evsenet.domain.users.SIGN_IN_PAUSE`), the right
    password included, which makes guessing slow.
    """
    moment = now or datetime.now(UTC)
    try:
        address = parse_email(email)
    except DomainError:
        raise sign_in_refused() from None
    with unit_of_work(store) as uow:
        user = uow.users.by_email(address)
    if user is None or len(password) > PASSWORD_MAX:
        _password_matches(_UNKNOWN_USER_HASH, password[:PASSWORD_MAX])
        raise sign_in_refused()
    until = user.sign_ins.paused_until()
    if until is not None and user.sign_ins.is_paused(moment):
        raise sign_in_paused(until)
    if not _password_matches(user.password_hash, password):
        with unit_of_work(store, write=True) as uow:
            uow.users.record_sign_ins(user.pk, user.sign_ins.after_failure(moment))
        raise sign_in_refused()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = moment + SESSION_LIFETIME
    with unit_of_work(store, write=True) as uow:
        uow.users.record_sign_ins(user.pk, SignInRecord(0, None))
        if _hasher.check_needs_rehash(user.password_hash):
            uow.users.set_password_hash(user.pk, _hasher.hash(password))
        uow.users.close_expired_sessions(user.pk, moment)
        uow.users.open_session(user.pk, _digest(token), csrf, moment, expires)
    return SignedIn(token, WebSession(User(user.pk, user.email, user.party), csrf, expires))


def session_for(store: Store, token: str, *, now: datetime | None = None) -> WebSession | None:
    """The session a cookie's token opens; None for an unknown, ended or expired one."""
    if not token or len(token) > SESSION_TOKEN_MAX:
        return None
    with unit_of_work(store) as uow:
        row = uow.users.session(_digest(token), now or datetime.now(UTC))
    if row is None:
        return None
    return WebSession(User(row.user_pk, row.email, row.party), row.csrf_token, row.expires_at)


def sign_out(store: Store, token: str) -> None:
    """End the session of this token (an unknown token needs no ending)."""
    if not token or len(token) > SESSION_TOKEN_MAX:
        return
    with unit_of_work(store, write=True) as uow:
        uow.users.close_session(_digest(token))
