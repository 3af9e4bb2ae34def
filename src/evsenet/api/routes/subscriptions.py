"""`/api/v1/subscriptions` and `/api/v1/offers/{id}/subscriptions`: the operator's side.

The operator lists the subscriptions to its offers and accepts or rejects two-step
requests (with Hubject's reason and a message). Another operator's subscription or offer
answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from evsenet.api.auth import Acting, Caller, get_store
from evsenet.api.offer_bodies import Now
from evsenet.api.problems import problem_responses
from evsenet.api.subscription_schemas import RejectRequest, Subscription, SubscriptionList
from evsenet.services import subscriptions as service
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/v1", tags=["subscriptions"], responses=problem_responses(400, 401, 403, 404, 422)
)
StoreDep = Annotated[Store, Depends(get_store)]
SubscriptionId = Annotated[int, Path(description="The subscription's id")]
WRITES = problem_responses(400, 409)


@router.get("/subscriptions")
def list_subscriptions(caller: Caller, store: StoreDep) -> SubscriptionList:
    """Every subscription to the caller's offers, oldest first."""
    rows = service.operator_subscriptions(store, caller)
    return SubscriptionList(items=[Subscription.of(row) for row in rows])


@router.get("/offers/{offer_id}/subscriptions")
def offer_subscriptions(
    caller: Caller, store: StoreDep, offer_id: Annotated[int, Path()]
) -> SubscriptionList:
    """The subscribers of one of the caller's offers (any version of its chain)."""
    rows = service.offer_subscriptions(store, caller, offer_id)
    return SubscriptionList(items=[Subscription.of(row) for row in rows])


@router.post("/subscriptions/{subscription_id}/accept", responses=WRITES)
def accept(
    caller: Caller, actor: Acting, store: StoreDep, now: Now, subscription_id: SubscriptionId
) -> Subscription:
    """Accept a requested subscription: the provider is subscribed from now on."""
    return Subscription.of(service.accept(store, caller, subscription_id, actor=actor, now=now))


@router.post("/subscriptions/{subscription_id}/reject", responses=WRITES)
def reject(
    caller: Caller,
    actor: Acting,
    store: StoreDep,
    now: Now,
    subscription_id: SubscriptionId,
    body: RejectRequest,
) -> Subscription:
    """Reject a requested subscription with a reason and a message; the provider may fix
    its master data and resubmit."""
    row = service.reject(
        store, caller, subscription_id, body.reason, body.message, actor=actor, now=now
    )
    return Subscription.of(row)
