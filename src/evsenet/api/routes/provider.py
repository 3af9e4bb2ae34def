"""`/api/v1/provider/…`: the provider's side of offers (provider tokens only).

A provider lists the offers open to it, subscribes (with master data where the offer has
a two-step process), resubmits a rejected request, cancels, and lists its subscriptions.
An offer that is a draft, another provider's bilateral offer, or unknown answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from evsenet.api.auth import ProviderActing, ProviderCaller, get_store
from evsenet.api.offer_bodies import Now
from evsenet.api.problems import problem_responses
from evsenet.api.subscription_schemas import (
    CancelRequest,
    OpenOfferItem,
    OpenOfferList,
    ResubmitRequest,
    SubscribeRequest,
    Subscription,
    SubscriptionList,
    master_data_fields,
)
from evsenet.services import subscriptions as service
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/v1/provider",
    tags=["provider"],
    responses=problem_responses(400, 401, 403, 404, 422),
)
StoreDep = Annotated[Store, Depends(get_store)]
SubscriptionId = Annotated[int, Path(description="The subscription's id")]
WRITES = problem_responses(400, 409)


@router.get("/offers")
def open_offers(caller: ProviderCaller, store: StoreDep, now: Now) -> OpenOfferList:
    """The pending and active offers open to the caller, with its subscription to each."""
    items = service.offers_open_to(store, caller, now=now)
    return OpenOfferList(items=[OpenOfferItem.of(item) for item in items])


@router.get("/subscriptions")
def my_subscriptions(caller: ProviderCaller, store: StoreDep) -> SubscriptionList:
    """The caller's subscriptions, oldest first."""
    rows = service.provider_subscriptions(store, caller)
    return SubscriptionList(items=[Subscription.of(row) for row in rows])


@router.post("/subscriptions", status_code=201, responses=WRITES)
def subscribe(
    caller: ProviderCaller,
    actor: ProviderActing,
    store: StoreDep,
    now: Now,
    body: SubscribeRequest,
    response: Response,
) -> Subscription:
    """Subscribe to an offer: `requested` with a two-step process, else `subscribed`."""
    row = service.subscribe(
        store,
        caller,
        body.offer_id,
        master_data_fields(body.master_data),
        terms_confirmed=body.terms_confirmed,
        actor=actor,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/provider/subscriptions/{row.pk}"
    return Subscription.of(row)


@router.put("/subscriptions/{subscription_id}/master-data", responses=WRITES)
def resubmit(
    caller: ProviderCaller,
    actor: ProviderActing,
    store: StoreDep,
    now: Now,
    subscription_id: SubscriptionId,
    body: ResubmitRequest,
) -> Subscription:
    """Send fixed master data for a rejected request; it goes back to the operator."""
    row = service.resubmit(
        store,
        caller,
        subscription_id,
        master_data_fields(body.master_data),
        terms_confirmed=body.terms_confirmed,
        actor=actor,
        now=now,
    )
    return Subscription.of(row)


@router.post("/subscriptions/{subscription_id}/cancel", responses=WRITES)
def cancel(
    caller: ProviderCaller,
    actor: ProviderActing,
    store: StoreDep,
    now: Now,
    subscription_id: SubscriptionId,
    body: CancelRequest,
) -> Subscription:
    """Cancel a subscription: it ends after the cancellation period, never inside the
    minimum term."""
    row = service.cancel(
        store, caller, subscription_id, effective_at=body.effective_at, actor=actor, now=now
    )
    return Subscription.of(row)
