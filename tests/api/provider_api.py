"""Providers through the HTTP paths: A's offers (tests/integration/provider_fixtures.py),
provider tokens for DE*ICE, FR*EMP and GB*NEW, and subscriptions in every state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.services import subscriptions as svc
from evsenet.services.providers import create_provider_token, register_provider
from tests.api.offer_api import prepare
from tests.integration.network_fixtures import ACTOR
from tests.integration.offer_fixtures import NOW
from tests.integration.provider_fixtures import EMP, GOOD_DATA, ICE, World, world

if TYPE_CHECKING:
    from tests.api.conftest import Api

NEW = "GB*NEW"
"""A provider registered with a token and no subscription."""


@dataclass(frozen=True, slots=True)
class Parties:
    world: World
    requested: int
    """DE*ICE's two-step request to the offer-to-all, waiting for A."""
    rejected: int
    """FR*EMP's request to the offer-to-all, rejected by A (INVALID_VAT_ID)."""
    bilateral: int
    """DE*ICE's subscription to the bilateral offer (subscribed at NOW)."""


def parties(api: Api) -> Parties:
    """A's offers, three providers with tokens (`api.auth('DE*ICE')` …), subscriptions."""
    net = prepare(api)
    w = world(api.store, net)
    register_provider(api.store, NEW, "New in town")
    for provider in ("DE*ICE", "FR*EMP", NEW):
        api.tokens[provider] = create_provider_token(api.store, provider, "tests")[1]
    requested = svc.subscribe(
        api.store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=NOW
    )
    rejected = svc.subscribe(
        api.store, EMP, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=NOW
    )
    svc.reject(
        api.store,
        OperatorId.parse(api.A),
        rejected.pk,
        "INVALID_VAT_ID",
        "Not your VAT ID",
        actor=ACTOR,
        now=NOW,
    )
    bilateral = svc.subscribe(
        api.store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=NOW
    )
    return Parties(w, requested.pk, rejected.pk, bilateral.pk)


__all__ = ["NEW", "Parties", "ProviderId", "parties"]
