"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error answer has `type` (`urn:evsenet:problem:<code>`), `title`, `status`,
`detail` (what went wrong and what to do about it), `code` (the stable domain code) and,
when several things are wrong at once, `errors` (one entry per record or field).

Status codes: NotFound → 404, Conflict → 409, a refused batch → 422, FastAPI's request
validation → 422, any other DomainError → 400, authentication → 401, a body too large or
of another media type → 413 or 415. An unexpected exception is logged and answered 500
`internal.error` without its details. Text echoed from the request is made displayable
first (`displayable`), so that no input can make the answer itself fail.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from evsenet.domain.errors import BatchRejected, Conflict, DomainError, InvalidRecord, NotFound
from evsenet.domain.network import AssignmentRefused

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:evsenet:problem:"

log = logging.getLogger("evsenet.api")

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def displayable(text: str) -> str:
    """`text` with every lone UTF-16 surrogate as U+FFFD.

    JSON can escape half a surrogate pair (`"\\ud800"`) and Python reads it into a string
    that no UTF-8 response can carry; echoing such input back would fail the answer.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


def _displayable_json(value: Any) -> Any:
    if isinstance(value, str):
        return displayable(value)
    if isinstance(value, Mapping):
        return {key: _displayable_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_displayable_json(item) for item in value]
    return value


class ApiProblem(Exception):
    """An error of the HTTP edge itself (authentication, bodies, health), with its status."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    """A problem details answer."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": _phrase(status),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = [dict(error) for error in errors]
    return ProblemResponse(_displayable_json(body), status_code=status, headers=dict(headers or {}))


def status_of(error: DomainError) -> int:
    """The HTTP status that answers a domain error."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, BatchRejected):
        return 422
    return 400


def domain_problem(error: DomainError) -> ProblemResponse:
    errors: list[dict[str, object]] | None = None
    if isinstance(error, BatchRejected):
        errors = [record.as_dict() for record in error.problems]
    elif isinstance(error, AssignmentRefused):
        errors = [refusal.as_dict() for refusal in error.problems]
    elif isinstance(error, InvalidRecord):
        errors = [{"field": p.field, "code": p.code, "message": p.message} for p in error.problems]
    elif error.field is not None:
        errors = [{"field": error.field, "code": error.code, "message": error.message}]
    return problem(status_of(error), error.code, error.message, errors=errors)


def _field_name(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location)


def _validation_problem(error: RequestValidationError) -> ProblemResponse:
    errors = [
        {
            "field": _field_name(item.get("loc", ())),
            "code": f"request.{item.get('type', 'invalid')}",
            "message": str(item.get("msg", "Invalid value")),
        }
        for item in error.errors()
    ]
    fields = ", ".join(dict.fromkeys(str(e["field"]) for e in errors)) or "the request"
    return problem(
        422,
        "request.invalid",
        f"The request has invalid values ({fields}); see `errors` for each one",
        errors=errors,
    )


_HTTP_CODES = {
    404: "route.not_found",
    405: "method.not_allowed",
    406: "media_type.not_acceptable",
    415: "media_type.unsupported",
}


def _http_problem(request: Request, error: StarletteHTTPException) -> ProblemResponse:
    code = _HTTP_CODES.get(error.status_code, f"http.{error.status_code}")
    detail = error.detail if isinstance(error.detail, str) else _phrase(error.status_code)
    if error.status_code == 404:
        detail = f"There is no resource at {request.url.path}; /docs lists the API's paths"
    elif error.status_code == 405:
        headers = {name.lower(): value for name, value in (error.headers or {}).items()}
        allowed = headers.get("allow", "another method")
        detail = f"{request.url.path} does not accept {request.method}; use {allowed}"
    return problem(error.status_code, code, detail, headers=error.headers)


async def _on_domain_error(_request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, DomainError)
    return domain_problem(error)


async def _on_api_problem(_request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, ApiProblem)
    return problem(error.status, error.code, error.detail, headers=error.headers)


async def _on_validation_error(_request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, RequestValidationError)
    return _validation_problem(error)


async def _on_http_error(request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, StarletteHTTPException)
    return _http_problem(request, error)


async def _on_unexpected(request: Request, error: Exception) -> ProblemResponse:
    log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(
        500,
        "internal.error",
        "An unexpected error happened on the server; nothing in the request explains it. "
        "It has been logged; try again, and report it if it persists.",
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of `app` as problem details."""
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(ApiProblem, _on_api_problem)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:evsenet:problem:evse.not_found"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
"""The JSON schema of a problem, for the OpenAPI document."""


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem answers a path may give."""
    return {
        status: {
            "description": _phrase(status),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }
