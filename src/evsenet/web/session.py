"""Who is signed in, and the CSRF check on every request that changes something.

The session cookie (`evsenet_session`) holds a random token; the session itself is a row in
the database (`evsenet.services.users`), so signing out ends it everywhere at once. The
cookie is HttpOnly, SameSite=Lax, and Secure when the request came over https. Every
unsafe request (POST) must send the session's CSRF token, as the form field `csrf_token`
or as the `X-CSRF-Token` header that htmx adds to its requests (see `base.html`).
Sign-in itself, before any session, uses a double-submit cookie (`evsenet_sign_in`).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from evsenet.domain.ids import OperatorId
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


async def current_session(request: Request, store: StoreDep) -> WebSession:
    """The signed-in session of the request; `SignInRequired` without one."""
    token = request.cookies.get(SESSION_COOKIE, "")
    session = await run_in_threadpool(session_for, store, token) if token else None
    if session is None:
        raise SignInRequired()
    request.state.session = session
    return session


Session = Annotated[WebSession, Depends(current_session)]


def operator_of(session: Session) -> OperatorId:
    return session.user.operator


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


async def checked_session(request: Request, session: Session) -> WebSession:
    """The session of an unsafe request whose CSRF token matches the session's."""
    if not hmac.compare_digest(await _sent_csrf_token(request), session.csrf_token):
        raise _refuse_csrf()
    return session


CheckedSession = Annotated[WebSession, Depends(checked_session)]


def checked_operator(session: CheckedSession) -> OperatorId:
    return session.user.operator


CheckedOperator = Annotated[OperatorId, Depends(checked_operator)]
"""The operator of a signed-in session, for a request that changes something."""


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


async def check_sign_in_token(request: Request) -> None:
    """The sign-in form's double-submit check: the field must equal the cookie."""
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    if not cookie or not hmac.compare_digest(await _sent_csrf_token(request), cookie):
        raise _refuse_csrf()
