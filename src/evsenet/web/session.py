"""Who is signed in, and the CSRF check on every request that changes something.

The session cookie (`evsenet_session`) holds a random token; the session itself is a row in
the database (`evsenet.services.users`), so signing out ends it everywhere at once. The
cookie is HttpOnly, SameSite=Lax, and Secure when the request came over https. Every
unsafe request (POST) must send the session's CSRF token, as the form field `csrf_token`
or as the `X-CSRF-Token` header that htmx adds to its requests (see `base.html`).
Sign-in itself, before any session, uses a double-submit cookie (`evsenet_sign_in`).

A session acts for one party. The operator's pages take `Session`/`CheckedSession`, the
provider's take `ProviderSession`/`CheckedProviderSession`; a session of the other party
gets the same 404 as a page that does not exist, so URL guessing learns nothing.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.services.users import WebSession, session_for
from evsenet.store.engine import Store

SESSION_COOKIE = "evsenet_session"
SIGN_IN_COOKIE = "evsenet_sign_in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """No valid session: the browser is sent to the sign-in page."""


class WebProblem(Exception):
    """A refusal of the web edge itself (CSRF, upload size), shown like a domain refusal."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


@dataclass(frozen=True, slots=True)
class OperatorWebSession(WebSession):
    """A session of an operator's user."""

    operator: OperatorId


@dataclass(frozen=True, slots=True)
class ProviderWebSession(WebSession):
    """A session of a provider's user."""

    provider: ProviderId


async def current_session(request: Request, store: StoreDep) -> WebSession:
    """The signed-in session of the request, of either party; `SignInRequired` without one."""
    token = request.cookies.get(SESSION_COOKIE, "")
    session = await run_in_threadpool(session_for, store, token) if token else None
    if session is None:
        raise SignInRequired()
    request.state.session = session
    return session


AnySession = Annotated[WebSession, Depends(current_session)]


def _not_this_partys() -> WebProblem:
    return WebProblem(
        404, "route.not_found", "There is no such page (or it belongs to no one you act for)"
    )


def operator_session(session: AnySession) -> OperatorWebSession:
    """The session, if it acts for an operator; a provider's gets 404."""
    operator = session.user.operator
    if operator is None:
        raise _not_this_partys()
    return OperatorWebSession(session.user, session.csrf_token, session.expires_at, operator)


def provider_session(session: AnySession) -> ProviderWebSession:
    """The session, if it acts for a provider; an operator's gets 404."""
    provider = session.user.provider
    if provider is None:
        raise _not_this_partys()
    return ProviderWebSession(session.user, session.csrf_token, session.expires_at, provider)


Session = Annotated[OperatorWebSession, Depends(operator_session)]
ProviderSession = Annotated[ProviderWebSession, Depends(provider_session)]


def operator_of(session: Session) -> OperatorId:
    return session.operator


Operator = Annotated[OperatorId, Depends(operator_of)]


async def _sent_csrf_token(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else ""
    return sent


def _refuse_csrf() -> WebProblem:
    return WebProblem(
        403,
        "web.csrf_invalid",
        "This form is out of date or did not come from this site (its security token "
        "does not match); reload the page and try again",
    )


async def checked_any_session(request: Request, session: AnySession) -> WebSession:
    """The session of an unsafe request whose CSRF token matches the session's."""
    if not hmac.compare_digest(await _sent_csrf_token(request), session.csrf_token):
        raise _refuse_csrf()
    return session


CheckedAnySession = Annotated[WebSession, Depends(checked_any_session)]


def checked_session(session: CheckedAnySession) -> OperatorWebSession:
    return operator_session(session)


def checked_provider_session(session: CheckedAnySession) -> ProviderWebSession:
    return provider_session(session)


CheckedSession = Annotated[OperatorWebSession, Depends(checked_session)]
"""An operator's session, for a request that changes something (CSRF checked)."""
CheckedProviderSession = Annotated[ProviderWebSession, Depends(checked_provider_session)]
"""A provider's session, for a request that changes something (CSRF checked)."""


def checked_operator(session: CheckedSession) -> OperatorId:
    return session.operator


CheckedOperator = Annotated[OperatorId, Depends(checked_operator)]
"""The operator of a signed-in session, for a request that changes something."""


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


async def check_sign_in_token(request: Request) -> None:
    """The sign-in form's double-submit check: the field must equal the cookie."""
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    if not cookie or not hmac.compare_digest(await _sent_csrf_token(request), cookie):
        raise _refuse_csrf()
