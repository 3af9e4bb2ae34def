"""Who is calling: `Authorization: Bearer <token>` → the caller's operator or provider.

Every `/api` path except health needs a token; the operator (or provider) it belongs to
scopes every query of the request. A path that names an operator (OICP's) or a provider
(Hubject's EMP paths) must name the caller: any other is answered like one that does not
exist.

A token belongs to an operator or to a provider, never both. Operator paths take only
operator tokens (`Caller`), provider paths only provider tokens (`ProviderCaller`): the
other party's token is refused with 403 `auth.wrong_party`. A few paths (pricing) take
either (`PartyCaller`).
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
    description="An API token of an operator or a provider (`evsenet tokens create "
    "--operator <ID>` or `--provider <ID>`)",
)


Party = OperatorId | ProviderId
"""Who a token belongs to."""


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


def _operator_of(store: Store, token: str) -> tuple[Party, Actor] | None:
    found = identify(store, token)
    return None if found is None else (found.operator, found.actor)


def _provider_of(store: Store, token: str) -> tuple[Party, Actor] | None:
    found = identify_provider(store, token)
    return None if found is None else (found.provider, found.actor)


async def _identify(store: Store, token: str, first: str) -> tuple[Party, Actor] | None:
    """The party a token belongs to and its actor, looking among `first`'s tokens
    ("operator" or "provider") before the other kind's."""
    lookups = (_provider_of, _operator_of) if first == "provider" else (_operator_of, _provider_of)
    for lookup in lookups:
        found = await run_in_threadpool(lookup, store, token)
        if found is not None:
            return found
    return None


async def _authenticated(
    request: Request, store: Store, credentials: HTTPAuthorizationCredentials | None, kind: str
) -> Party:
    """The party whose token came with the request, `kind` ("operator", "provider" or
    "party" for either) first; 401 without a valid token, 403 for the other kind's."""
    token = _bearer_token(request, credentials)
    found = await _identify(store, token, "provider" if kind == "provider" else "operator")
    if found is None:
        how = "--operator <ID>` or `--provider <ID>" if kind == "party" else f"--{kind} <ID>"
        raise _unauthorized(
            "auth.invalid",
            f"The API token is unknown or was revoked; create a new one with "
            f"`evsenet tokens create {how}`",
            "invalid_token",
        )
    party, actor = found
    expected = {"operator": OperatorId, "provider": ProviderId}.get(kind)
    if expected is not None and not isinstance(party, expected):
        raise _wrong_party(kind)
    request.state.actor = actor
    return party


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def current_operator(
    request: Request, store: Annotated[Store, Depends(get_store)], credentials: Credentials
) -> OperatorId:
    """The operator whose token came with the request; 401 without a valid one, 403 for
    a provider's token."""
    party = await _authenticated(request, store, credentials, "operator")
    assert isinstance(party, OperatorId)
    return party


async def current_provider(
    request: Request, store: Annotated[Store, Depends(get_store)], credentials: Credentials
) -> ProviderId:
    """The provider whose token came with the request; 401 without a valid one, 403 for
    an operator's token."""
    party = await _authenticated(request, store, credentials, "provider")
    assert isinstance(party, ProviderId)
    return party


async def current_party(
    request: Request, store: Annotated[Store, Depends(get_store)], credentials: Credentials
) -> Party:
    """The operator or provider whose token came with the request (paths both may use,
    such as pricing); 401 without a valid one."""
    return await _authenticated(request, store, credentials, "party")


PartyCaller = Annotated[Party, Depends(current_party)]
"""The authenticated operator or provider, for paths open to both."""

ProviderCaller = Annotated[ProviderId, Depends(current_provider)]
"""The authenticated provider, as a route parameter type."""


def provider_actor(request: Request, _caller: ProviderCaller) -> Actor:
    """The provider's token that changes something, for the audit log."""
    actor: Actor = request.state.actor
    return actor


ProviderActing = Annotated[Actor, Depends(provider_actor)]


def _the_caller(named: str, caller: Party, kind: type[OperatorId] | type[ProviderId]) -> None:
    """A path's `named` party must be the caller: any other is answered like one that
    does not exist (`operator.not_found`, `provider.not_found`)."""
    try:
        parsed: Party | None = kind.parse(named)
    except DomainError:
        parsed = None
    if parsed != caller:
        noun = "operator" if kind is OperatorId else "provider"
        raise NotFound(
            f"{noun}.not_found",
            f"{noun.capitalize()} {named!r} is not found among the {noun}s this token may act for",
        )


def provider_in_path(
    caller: ProviderCaller,
    provider_id: Annotated[str, Path(description="The caller's own provider ID, e.g. DE*ICE")],
) -> ProviderId:
    """The provider a path names, which must be the caller (others are not found)."""
    _the_caller(provider_id, caller, ProviderId)
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
    _the_caller(operator_id, caller, OperatorId)
    return caller


PathOperator = Annotated[OperatorId, Depends(operator_in_path)]
