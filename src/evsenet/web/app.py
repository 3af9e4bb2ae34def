"""The web UI as an ASGI app of its own, mounted at `/` by the API's app factory.

Its error pages: a refusal of the domain shows its message (404 for another operator's
object, as for a missing one); a request without a session goes to the sign-in page; an
htmx request gets a small fragment that `app.js` puts into the form that sent it.

`mount_web` mounts it so that it answers only the paths it has routes for: every other
path stays the API's (its 404 and 405 problem details), and routes added to the API app
later are not hidden behind the UI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import Scope

from evsenet.api.problems import status_of
from evsenet.domain.errors import DomainError
from evsenet.store.engine import Store
from evsenet.web.pages import (
    audit,
    auth,
    evses,
    networks,
    offers,
    provider,
    simulator,
    subscriptions,
)
from evsenet.web.rendering import HERE, is_htmx, render
from evsenet.web.session import SignInRequired, WebProblem

log = logging.getLogger("evsenet.web")


class WebMount(Mount):
    """The UI at `/`, matching only the paths the UI has routes for."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        web = self.app
        assert isinstance(web, FastAPI)
        if any(route.matches(scope)[0] is not Match.NONE for route in web.router.routes):
            return super().matches(scope)
        return Match.NONE, {}


def mount_web(app: FastAPI, store: Store, *, max_body_bytes: int) -> None:
    """Serve the UI from `app` at `/`, behind the API's own paths."""
    app.router.routes.append(WebMount("", app=create_web_app(store, max_body_bytes=max_body_bytes)))


def create_web_app(store: Store, *, max_body_bytes: int) -> FastAPI:
    """The UI's pages and assets on `store`; uploads over `max_body_bytes` are refused."""
    web = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    web.state.store = store
    web.state.max_body_bytes = max_body_bytes
    web.add_exception_handler(SignInRequired, _on_sign_in_required)
    web.add_exception_handler(DomainError, _on_domain_error)
    web.add_exception_handler(WebProblem, _on_web_problem)
    web.add_exception_handler(RequestValidationError, _on_invalid_request)
    web.add_exception_handler(StarletteHTTPException, _on_http_error)
    web.add_exception_handler(Exception, _on_unexpected)
    web.middleware("http")(_server_timing)
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, evses, networks, offers, simulator, audit, subscriptions, provider):
        web.include_router(module.router)
    return web


PROBLEMS_SHOWN = 20
"""A refused bulk change lists this many EVSEs one by one, then counts the rest."""


async def _server_timing(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """`Server-Timing: app;dur=<ms>` on every answer: the server's own time for it, as the
    browser's developer tools and `benchmarks/bench_web.py` read it."""
    started = time.perf_counter()
    response = await call_next(request)
    elapsed_ms = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
    return response


def refusal(
    request: Request, status: int, code: str, message: str, problems: Sequence[object] = ()
) -> Response:
    """A refusal as a fragment (htmx) or a page with the message, never a stack trace.

    `problems` are the per-EVSE or per-record reasons of a refused bulk change.
    """
    context = {
        "status": status,
        "code": code,
        "message": message,
        "problems": list(problems[:PROBLEMS_SHOWN]),
        "more": max(0, len(problems) - PROBLEMS_SHOWN),
    }
    if is_htmx(request):
        return render(request, "_problem.html", context, status=status)
    return render(request, "error.html", context, status=status)


async def _on_sign_in_required(request: Request, _error: Exception) -> Response:
    target = "/sign-in"
    if request.method == "GET" and request.url.path not in ("/", "/sign-in"):
        target += "?next=" + request.url.path
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _on_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    problems = getattr(error, "problems", ())
    return refusal(request, status_of(error), error.code, error.message, problems)


async def _on_web_problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, WebProblem)
    return refusal(request, error.status, error.code, error.message)


async def _on_invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if any(item.get("loc", ("",))[0] == "path" for item in error.errors()):
        return _not_found(request)
    fields = ", ".join(
        dict.fromkeys(str(item.get("loc", ("", "?"))[-1]) for item in error.errors())
    )
    return refusal(request, 422, "request.invalid", f"These values cannot be used: {fields}")


def _not_found(request: Request) -> Response:
    return refusal(
        request,
        404,
        "route.not_found",
        "There is no such page (or it belongs to no one you act for)",
    )


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404:
        return _not_found(request)
    return refusal(request, error.status_code, f"http.{error.status_code}", str(error.detail))


async def _on_unexpected(request: Request, error: Exception) -> Response:
    log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return refusal(
        request,
        500,
        "internal.error",
        "Something went wrong on the server; nothing you did explains it. It has been "
        "logged: try again, and tell your administrator if it persists.",
    )
