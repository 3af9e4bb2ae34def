"""The provider's view of an operator, on Hubject's EMP paths and under `/api/v1/provider`.

`GET /api/premium/contracts/v1/providers/{providerId}/operators/{operatorId}` answers the
operator's details and the offers the provider is subscribed to (PascalCase, Hubject's
shape); `…/service-offers/{sid}/networks/{nid}/groups/{gid}/evses?page&size` pages the
EVSEs of one group (Spring's page). The path's provider must be the token's (others 404).
`/api/v1/provider/operators/{operatorId}…` answers the same for the token's provider, the
EVSEs with location and power.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from evsenet.api.auth import ProviderCaller, get_store, provider_in_path
from evsenet.api.offer_bodies import Now
from evsenet.api.offer_schemas import json_numbers
from evsenet.api.problems import problem_responses
from evsenet.api.routes.evses import single_valued_query
from evsenet.formats.hubject_provider_view import (
    evsenet_evse,
    hubject_evse,
    render_operator_for_provider,
    render_spring_page,
)
from evsenet.services import provider_view as service
from evsenet.store.engine import Store
from evsenet.store.repositories.providers import GroupEvse

HUBJECT = "/api/premium/contracts/v1/providers/{provider_id}/operators/{operator_id}"
V1 = "/api/v1/provider/operators/{operator_id}"
GROUP_EVSES = "/service-offers/{service_offer_id}/networks/{network_id}/groups/{group_id}/evses"
router = APIRouter(
    tags=["provider"],
    responses=problem_responses(400, 401, 403, 404, 422),
    dependencies=[Depends(single_valued_query)],
)
StoreDep = Annotated[Store, Depends(get_store)]
OperatorPath = Annotated[str, Path(description="The operator's ID, e.g. DE*ABC")]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
PageQuery = Annotated[int, Query(ge=0, description="0-based page number")]
SizeQuery = Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE, description="Page size")]


def _json(data: Any) -> JSONResponse:
    return JSONResponse(json_numbers(data))


def operator_view(
    provider: ProviderCaller, store: StoreDep, now: Now, operator_id: OperatorPath
) -> JSONResponse:
    """The operator's details and the offers the caller is subscribed to, with prices."""
    view = service.operator_for_provider(store, provider, operator_id, now=now)
    return _json(render_operator_for_provider(view, now))


def _group_evses(row: Callable[[GroupEvse], dict[str, object]], about: str) -> Callable[..., Any]:
    """A route answering one page of the EVSEs of a group, each EVSE written by `row`."""

    def group_evses(
        provider: ProviderCaller,
        store: StoreDep,
        now: Now,
        operator_id: OperatorPath,
        service_offer_id: IdPath,
        network_id: IdPath,
        group_id: IdPath,
        page: PageQuery = 0,
        size: SizeQuery = 20,
    ) -> JSONResponse:
        found = service.evses_of_group(
            store, provider, operator_id, service_offer_id, network_id, group_id,
            page=page, size=size, now=now,
        )  # fmt: skip
        page_json = render_spring_page(
            found.items, number=page, size=size, total=found.total, row=row
        )
        return _json(page_json)

    group_evses.__doc__ = about
    return group_evses


# Hubject's paths name the provider, which must be the token's (`provider_in_path`); the
# `/api/v1` twins answer the same for the token's provider.
NAMED = [Depends(provider_in_path)]
router.add_api_route(HUBJECT, operator_view, name="hubject_operator", dependencies=NAMED)
router.add_api_route(V1, operator_view, name="provider_operator")
router.add_api_route(
    HUBJECT + GROUP_EVSES,
    _group_evses(hubject_evse, "One page of the EVSEs of a group (Spring's page of `evseId`s)."),
    name="hubject_group_evses",
    dependencies=NAMED,
)
router.add_api_route(
    V1 + GROUP_EVSES,
    _group_evses(evsenet_evse, "One page of the EVSEs of a group with location and power."),
    name="provider_group_evses",
)
