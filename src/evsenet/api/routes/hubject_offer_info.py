"""Hubject's operator views of offers: `GET …/service-offers/info` (every published offer
with its subscriptions, network counts and per-group prices) and
`GET …/service-offers/{id}/historical-versions-info` (every version of one chain)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from evsenet.api.auth import PathOperator, get_store
from evsenet.api.offer_bodies import Now
from evsenet.api.offer_schemas import json_numbers
from evsenet.api.problems import problem_responses
from evsenet.api.routes.hubject_offers import answer
from evsenet.formats.hubject_offer_answer import render_offer_pricing
from evsenet.formats.hubject_offer_info import render_network, render_subscription
from evsenet.services.offer_info import OfferInfo, offers_info, versions_info
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/partner/v1/operators/{operator_id}/service-offers",
    tags=["hubject offers"],
    responses=problem_responses(400, 401, 403, 404, 422),
)
StoreDep = Annotated[Store, Depends(get_store)]


def _render(info: OfferInfo) -> dict[str, object]:
    view = info.view
    terms = view.offer.terms
    names = {str(g.id): g.name for g in info.groups}
    return {
        "serviceOffer": answer(view),
        "subscriptions": [
            render_subscription(s, valid_from=terms.valid_from, valid_to=terms.valid_to)
            for s in info.subscriptions
        ],
        "network": render_network(view.network_id, view.network_name, info.groups),
        "pricingDetails": render_offer_pricing(view.offer, names),
    }


def _answer(items: list[OfferInfo]) -> JSONResponse:
    return JSONResponse(json_numbers({"offersInfo": [_render(i) for i in items]}))


@router.get("/info")
def service_offers_info(operator: PathOperator, store: StoreDep, now: Now) -> JSONResponse:
    """Every published offer (its newest version) with subscriptions, network and prices."""
    return _answer(offers_info(store, operator.display, now=now))


@router.get("/{service_offer_id}/historical-versions-info")
def historical_versions_info(
    operator: PathOperator,
    store: StoreDep,
    now: Now,
    service_offer_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> JSONResponse:
    """Every published version of one offer's chain, oldest first, in the same shape."""
    return _answer(versions_info(store, operator.display, service_offer_id, now=now))
