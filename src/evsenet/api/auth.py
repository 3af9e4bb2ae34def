"""Who is calling: `Authorization: Bearer <token>` → the caller's operator or provider.

Every `/api` path except health needs a token; the operator it belongs to scopes every
query of the request. A path that names an operator (OICP's) must name the caller:
any other operator is answered like one that does not exist.

A token belongs to an operator or to a provider, never both. Operator paths take only
operator tokens (`Caller`), provider paths only provider tokens (`ProviderCaller`): the
other party's token is refused with 403 `auth.wrong_party`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from evsenet.api.problems import ApiProblem
from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.network import Actor
from evsenet.services.providers import identify_provider
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


def _bearer_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    """The one bearer token of the request; 401 without exactly one.

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
    return credentials.credentials.strip()


def _wrong_party(expected: str) -> ApiProblem:
    return ApiProblem(
        403,
        "auth.wrong_party",
        f"This path is for {expected}s; the token belongs to another kind of party "
        f"(create one with `evsenet tokens create --{expected} <ID>`)",
    )


async def current_operator(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> OperatorId:
    """The operator whose token came with the request; 401 without a valid one, 403 for
    a provider's token."""
    token = _bearer_token(request, credentials)
    identity = await run_in_threadpool(identify, store, token)
    if identity is None:
        if await run_in_threadpool(identify_provider, store, token) is not None:
            raise _wrong_party("operator")
        raise _unauthorized(
            "auth.invalid",
            "The API token is unknown or was revoked; create a new one with "
            "`evsenet tokens create --operator <ID>`",
            "invalid_token",
        )
    request.state.actor = identity.actor
    return identity.operator


async def current_provider(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ProviderId:
    """The provider whose token came with the request; 401 without a valid one, 403 for
    an operator's token."""
    token = _bearer_token(request, credentials)
    identity = await run_in_threadpool(identify_provider, store, token)
    if identity is None:
        if await run_in_threadpool(identify, store, token) is not None:
            raise _wrong_party("provider")
        raise _unauthorized(
            "auth.invalid",
            "The API token is unknown or was revoked; create a new one with "
            "`evsenet tokens create --provider <ID>`",
            "invalid_token",
        )
    request.state.actor = identity.actor
    return identity.provider


async def current_party(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> OperatorId | ProviderId:
    """The operator or provider whose token came with the request (paths both may use,
    such as pricing); 401 without a valid one."""
    token = _bearer_token(request, credentials)
    operator = await run_in_threadpool(identify, store, token)
    if operator is not None:
        request.state.actor = operator.actor
        return operator.operator
    provider = await run_in_threadpool(identify_provider, store, token)
    if provider is not None:
        request.state.actor = provider.actor
        return provider.provider
    raise _unauthorized(
        "auth.invalid",
        "The API token is unknown or was revoked; create a new one with "
        "`evsenet tokens create --operator <ID>` or `--provider <ID>`",
        "invalid_token",
    )


Party = Annotated[OperatorId | ProviderId, Depends(current_party)]
"""The authenticated operator or provider, for paths open to both."""

ProviderCaller = Annotated[ProviderId, Depends(current_provider)]
"""The authenticated provider, as a route parameter type."""


def provider_actor(request: Request, _caller: ProviderCaller) -> Actor:
    """The provider's token that changes something, for the audit log."""
    actor: Actor = request.state.actor
    return actor


ProviderActing = Annotated[Actor, Depends(provider_actor)]


def provider_in_path(
    caller: ProviderCaller,
    provider_id: Annotated[str, Path(description="The caller's own provider ID, e.g. DE*ICE")],
) -> ProviderId:
    """The provider a path names, which must be the caller (others are not found)."""
    try:
        named = ProviderId.parse(provider_id)
    except DomainError:
        named = None
    if named != caller:
        raise NotFound(
            "provider.not_found",
            f"Provider {provider_id!r} is not found among the providers this token may act for",
        )
    return caller


PathProvider = Annotated[ProviderId, Depends(provider_in_path)]


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
