"""`/api/v1/offers`: drafts of service offers, review, publish, price versions.

Bodies are Hubject's (the create-offer body for drafts, the price-update body for
versions); answers carry the offer's content in that same shape (`body`). The token's
operator scopes every path: another operator's offer or network answers 404. Drafts
change freely; a published offer never does (409 `offer.published_immutable`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.concurrency import run_in_threadpool

from evsenet.api.auth import Acting, Caller, get_store
from evsenet.api.bodies import BODY_RESPONSES
from evsenet.api.offer_bodies import (
    OPENAPI_OFFER_BODY,
    OPENAPI_PRICE_BODY,
    Now,
    offer_body,
    price_body,
    read_offer,
    read_update,
)
from evsenet.api.offer_schemas import (
    Offer,
    OfferList,
    OfferListItem,
    OfferVersions,
    Publish,
    Review,
    ZeroPricedEvse,
    ZeroPricedPage,
    json_numbers,
)
from evsenet.api.problems import problem_responses
from evsenet.api.routes.evses import single_valued_query
from evsenet.domain.inventory import MAX_PAGE_SIZE
from evsenet.domain.network_lists import KeysetPage
from evsenet.domain.offer_lifecycle import ensure_editable
from evsenet.formats._json_body import parse_json_object
from evsenet.formats.hubject_offer_body import render_create_body
from evsenet.services import offers as service
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/v1/offers",
    tags=["offers"],
    responses=problem_responses(401, 404, 422),
    dependencies=[Depends(single_valued_query)],
)
StoreDep = Annotated[Store, Depends(get_store)]
OfferId = Annotated[int, Path(description="The offer's id", examples=[1])]
OfferBody = Annotated[bytes, Depends(offer_body)]
PriceBody = Annotated[bytes, Depends(price_body)]
WRITES = {**problem_responses(400, 409), **BODY_RESPONSES}


@router.get("")
def list_offers(caller: Caller, store: StoreDep, now: Now) -> OfferList:
    """The caller's offers and price versions, newest first."""
    items = service.list_offers(store, caller, now=now)
    return OfferList(items=[OfferListItem.of(item) for item in items])


@router.post("", status_code=201, responses=WRITES, openapi_extra=OPENAPI_OFFER_BODY)
async def create_offer(
    caller: Caller, actor: Acting, store: StoreDep, now: Now, raw: OfferBody, response: Response
) -> Offer:
    """A new draft from Hubject's create-offer body. Its terms must be valid; its prices
    may still have gaps (review lists what blocks publishing)."""

    def work() -> Offer:
        request = read_offer(raw, now)
        return Offer.of(service.create_offer(store, caller, request, actor=actor, now=now))

    offer = await run_in_threadpool(work)
    response.headers["Location"] = f"/api/v1/offers/{offer.id}"
    return offer


@router.get("/{offer_id}")
def read_offer_by_id(caller: Caller, store: StoreDep, now: Now, offer_id: OfferId) -> Offer:
    """One offer with its content."""
    return Offer.of(service.get_offer(store, caller, offer_id, now=now))


@router.put("/{offer_id}", responses=WRITES, openapi_extra=OPENAPI_OFFER_BODY)
async def replace_offer(
    caller: Caller, actor: Acting, store: StoreDep, now: Now, offer_id: OfferId, raw: OfferBody
) -> Offer:
    """Replace a draft's terms and prices with a whole create-offer body."""

    def work() -> Offer:
        request = read_offer(raw, now)
        view = service.update_offer(store, caller, offer_id, request, actor=actor, now=now)
        return Offer.of(view)

    return await run_in_threadpool(work)


@router.patch("/{offer_id}", responses=WRITES, openapi_extra=OPENAPI_OFFER_BODY)
async def change_offer(
    caller: Caller, actor: Acting, store: StoreDep, now: Now, offer_id: OfferId, raw: OfferBody
) -> Offer:
    """Change some members of a draft: the members sent replace the draft's (top-level
    members of the create-offer body: `tariffs` or `products` are replaced as a whole)."""

    def work() -> Offer:
        changes = parse_json_object(raw)
        current = service.get_offer(store, caller, offer_id, now=now)
        ensure_editable(current.status)
        merged = render_create_body(current.offer, placeholder_id=current.placeholder_id)
        merged.update(changes)
        request = read_offer(_json(merged), now)
        view = service.update_offer(store, caller, offer_id, request, actor=actor, now=now)
        return Offer.of(view)

    return await run_in_threadpool(work)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(json_numbers(data)).encode()


@router.delete("/{offer_id}", status_code=204, responses=WRITES)
def delete_offer(caller: Caller, actor: Acting, store: StoreDep, offer_id: OfferId) -> Response:
    """Delete a draft; a published offer stays (409 `offer.published_immutable`)."""
    service.delete_offer(store, caller, offer_id, actor=actor)
    return Response(status_code=204)


@router.get("/{offer_id}/review")
def review_offer(caller: Caller, store: StoreDep, now: Now, offer_id: OfferId) -> Review:
    """What publishing would do: every blocking problem, each group's currency, coverage
    and EVSE count, and the EVSEs in no group (priced at zero) with their count."""
    return Review.of(service.review_offer(store, caller, offer_id, now=now))


@router.post("/{offer_id}/publish", responses=WRITES)
def publish_offer(
    body: Publish, caller: Caller, actor: Acting, store: StoreDep, now: Now, offer_id: OfferId
) -> Offer:
    """Publish a draft: refused while problems remain (400 `offer.not_publishable`, every
    problem in `errors`) or while EVSEs in no group are not acknowledged with their current
    count (409); activates the offer's network in the same transaction."""
    view = service.publish_offer(
        store,
        caller,
        offer_id,
        acknowledge_zero_priced=body.acknowledge_zero_priced,
        actor=actor,
        now=now,
    )
    return Offer.of(view)


@router.post(
    "/{offer_id}/versions", status_code=201, responses=WRITES, openapi_extra=OPENAPI_PRICE_BODY
)
async def add_version(
    caller: Caller,
    actor: Acting,
    store: StoreDep,
    now: Now,
    offer_id: OfferId,
    raw: PriceBody,
    response: Response,
) -> Offer:
    """A new price version of an unlimited offer from Hubject's price-update body; its
    `updateDate` is at least the offer's lead time ahead."""

    def work() -> Offer:
        update = read_update(raw)
        view = service.add_price_version(store, caller, offer_id, update, actor=actor, now=now)
        return Offer.of(view)

    offer = await run_in_threadpool(work)
    response.headers["Location"] = f"/api/v1/offers/{offer.id}"
    return offer


@router.get("/{offer_id}/versions")
def list_versions(caller: Caller, store: StoreDep, now: Now, offer_id: OfferId) -> OfferVersions:
    """Every price version of the offer, oldest first."""
    return OfferVersions.of(service.list_versions(store, caller, offer_id, now=now))


@router.get("/{offer_id}/zero-priced-evses", responses=problem_responses(400))
def zero_priced_evses(
    caller: Caller,
    store: StoreDep,
    offer_id: OfferId,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    after: Annotated[str | None, Query(max_length=500)] = None,
) -> ZeroPricedPage:
    """The operator's EVSEs in no group (priced at zero under the offer), by EVSE ID."""
    page = service.zero_priced_evses(store, caller, offer_id, KeysetPage(limit=limit, after=after))
    return ZeroPricedPage(
        items=[ZeroPricedEvse.of(row) for row in page.items],
        total=page.total,
        next_cursor=page.next_cursor,
    )
