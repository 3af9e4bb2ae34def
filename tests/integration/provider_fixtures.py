"""Providers and published offers for the subscription tests.

`world(store)` seeds operators A and B with EVSEs, A's network Berlin and three published
offers of A: an offer-to-all with a two-step process (Hubject's example), a bilateral
offer naming DE*ICE and CH*EMP, and a draft. Providers DE*ICE and FR*EMP are registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from evsenet.domain.ids import ProviderId
from evsenet.services import offers as offer_service
from evsenet.services.providers import register_provider
from evsenet.store.engine import Store
from tests.integration.network_fixtures import ACTOR, A, seed
from tests.integration.offer_fixtures import NOW, Net, network, request

ICE = ProviderId.parse("DE*ICE")
EMP = ProviderId.parse("FR*EMP")
IN_2027 = NOW.replace(year=2027, month=3, day=15)
"""A day when both offers run."""
GOOD_DATA = {
    "tax_id": "DE136695976",
    "billing_contact_email": "billing@ice.example",
    "billing_address_city": "Berlin",
    "billing_address_country": "DE",
    "billing_address_postal_code": "10115",
    "billing_address_street": "Invalidenstraße 1",
}


@dataclass(frozen=True, slots=True)
class World:
    net: Net
    to_all: int
    bilateral: int
    draft: int


def world(store: Store, net: Net | None = None) -> World:
    """The offers and providers; operators, EVSEs and the network too unless `net` is given."""
    if net is None:
        seed(store, count=10)
        net = network(store)
    to_all = offer_service.create_and_publish(
        store,
        A,
        request("create_unlimited_offer_to_all.json", net),
        acknowledge_zero_priced=3,
        actor=ACTOR,
        now=NOW,
    )
    bilateral = offer_service.create_and_publish(
        store,
        A,
        request(
            "create_limited_bilateral.json",
            net,
            networkId=str(net.id),
        ),
        acknowledge_zero_priced=3,
        actor=ACTOR,
        now=NOW,
    )
    draft = offer_service.create_offer(
        store, A, request("create_unlimited_offer_to_all.json", net), actor=ACTOR, now=NOW
    )
    register_provider(store, "DE*ICE", "Ice charging")
    register_provider(store, "FR*EMP", "EMP France")
    return World(net, to_all.id, bilateral.id, draft.id)


LATER = timedelta(days=1)
