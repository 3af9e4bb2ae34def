"""Who is calling: `Authorization: Bearer <token>` → the caller's operator.

Every `/api` path except health needs a token; the operator it belongs to scopes every
query of the request. A path that names an operator (OICP's) must name the caller:
any other operator is answered like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from evsenet.api.problems import ApiProblem
from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor
from evsenet.services.tokens import identify
from evsenet.store.engine import Store

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token of the operator (`evsenet tokens create --operator <ID>`)",
)


def get_store(request: Request) -> Store:
    """The store the app was created with."""
    store: Store = request.app.state.store
    return store


def _unauthorized(code: str, detail: str, error: str | None = None) -> ApiProblem:
    challenge = 'Bearer realm="evsenet"'
    if error:
        challenge += f', error="{error}"'
    return ApiProblem(401, code, detail, headers={"WWW-Authenticate": challenge})


async def current_operator(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> OperatorId:
    """The operator whose token came with the request; 401 without a valid one.

    Several Authorization headers are refused: which one a proxy in front checked and which
    one this service would read need not be the same.
    """
    if len(request.headers.getlist("authorization")) > 1:
        raise _unauthorized(
            "auth.invalid",
            "The request has several Authorization headers; send exactly one Authorization "
            "header with one token",
            "invalid_request",
        )
    if credentials is None or not credentials.credentials.strip():
        raise _unauthorized(
            "auth.required",
            "This path needs an API token: send the header 'Authorization: Bearer <token>'",
        )
    identity = await run_in_threadpool(identify, store, credentials.credentials.strip())
    if identity is None:
        raise _unauthorized(
            "auth.invalid",
            "The API token is unknown or was revoked; create a new one with "
            "`evsenet tokens create --operator <ID>`",
            "invalid_token",
        )
    request.state.actor = identity.actor
    return identity.operator


Caller = Annotated[OperatorId, Depends(current_operator)]
"""The authenticated operator, as a route parameter type."""


def current_actor(request: Request, _caller: Caller) -> Actor:
    """Who acts, for the audit log: the token the request came with (id and label)."""
    actor: Actor = request.state.actor
    return actor


Acting = Annotated[Actor, Depends(current_actor)]
"""The token that changes something, as a route parameter type (next to `Caller`)."""


def operator_in_path(
    caller: Caller,
    operator_id: Annotated[str, Path(description="The caller's own operator ID, e.g. DE*ABC")],
) -> OperatorId:
    """The operator a path names, which must be the caller (others are not found)."""
    try:
        named = OperatorId.parse(operator_id)
    except DomainError:
        named = None
    if named != caller:
        raise NotFound(
            "operator.not_found",
            f"Operator {operator_id!r} is not found among the operators this token may act for",
        )
    return caller


PathOperator = Annotated[OperatorId, Depends(operator_in_path)]
