"""Sign-in, sign-out and the start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from evsenet.domain.errors import DomainError
from evsenet.domain.users import SESSION_LIFETIME
from evsenet.services.users import session_for, sign_in, sign_out
from evsenet.web.rendering import render
from evsenet.web.session import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    CheckedAnySession,
    StoreDep,
    check_sign_in_token,
    new_sign_in_token,
    set_cookie,
)

router = APIRouter()
SIGN_IN_FORM_SECONDS = 3600


def _safe_next(target: str | None) -> str:
    """Only a path of this site: `next` must not send the browser elsewhere."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/")
async def start(request: Request, store: StoreDep) -> RedirectResponse:
    """The home of the signed-in party: an operator's networks, a provider's offers."""
    token = request.cookies.get(SESSION_COOKIE, "")
    session = await run_in_threadpool(session_for, store, token) if token else None
    if session is None:
        return RedirectResponse("/sign-in", status_code=303)
    home = "/provider/offers" if session.user.provider is not None else "/networks"
    return RedirectResponse(home, status_code=303)


def _sign_in_page(
    request: Request, next_path: str, email: str = "", problem: str | None = None
) -> Response:
    token = new_sign_in_token()
    context = {"sign_in_token": token, "next": next_path, "email": email, "problem": problem}
    response = render(request, "sign_in.html", context, status=401 if problem else 200)
    set_cookie(request, response, SIGN_IN_COOKIE, token, SIGN_IN_FORM_SECONDS)
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request, store: StoreDep, next: str | None = None) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and await run_in_threadpool(session_for, store, token) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _sign_in_page(request, _safe_next(next))


@router.post("/sign-in", dependencies=[Depends(check_sign_in_token)])
async def sign_in_submit(
    request: Request,
    store: StoreDep,
    email: Annotated[str, Form(max_length=300)],
    password: Annotated[str, Form(max_length=2000)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    try:
        signed_in = await run_in_threadpool(sign_in, store, email, password)
    except DomainError as refused:
        return _sign_in_page(request, _safe_next(next), email, refused.message)
    response = RedirectResponse(_safe_next(next), status_code=303)
    seconds = int(SESSION_LIFETIME.total_seconds())
    set_cookie(request, response, SESSION_COOKIE, signed_in.token, seconds)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


@router.post("/sign-out")
async def sign_out_submit(request: Request, store: StoreDep, _: CheckedAnySession) -> Response:
    await run_in_threadpool(sign_out, store, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
