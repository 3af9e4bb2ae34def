"""Pricing and exports for a provider, on SQLite and PostgreSQL: the offer version in
force at the session start among the chains the provider is subscribed to."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.ids import OperatorId
from evsenet.domain.pricing.priced_session import SessionPrice
from evsenet.services import offers as offer_svc
from evsenet.services import subscriptions as svc
from evsenet.services.price_exports import published_group_tariffs, published_offer_members
from evsenet.services.pricing import PricingRefusal
from evsenet.services.provider_pricing import price_session_as, price_sessions_for_provider
from evsenet.store.engine import Store
from tests.integration.network_fixtures import ACTOR, A
from tests.integration.offer_fixtures import NOW, update
from tests.integration.provider_fixtures import EMP, GOOD_DATA, ICE, World, world
from tests.integration.test_pricing_service import session

D = Decimal


@pytest.fixture
def w(store: Store) -> World:
    """A's offers; DE*ICE accepted on the offer-to-all at NOW, whose prices change to a
    flat 0.55/kWh from 2027-06-01 (version 2)."""
    found = world(store)
    row = svc.subscribe(
        store, ICE, found.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=NOW
    )
    svc.accept(store, OperatorId.parse(A), row.pk, actor=ACTOR, now=NOW)
    offer_svc.add_price_version(
        store, A, found.to_all, update("update_prices.json", found.net), actor=ACTOR, now=NOW
    )
    return found


def test_each_session_is_priced_under_the_version_in_force_at_its_start(
    store: Store, w: World
) -> None:
    before = price_session_as(store, ICE, session(provider="DE*ICE"))
    after = price_session_as(
        store,
        ICE,
        session(provider="DE*ICE", start="2027-06-08 10:00", end="2027-06-08 11:00", charging=None),
    )
    assert (before.offer_id, before.offer_version) == (w.to_all, 1)
    assert before.total.excl_vat == D("16.65")
    assert after.offer_version == 2
    assert after.offer_id != w.to_all
    assert after.total.excl_vat == D("16.50")


def test_a_provider_without_a_subscription_meets_only_unknown_evses(store: Store, w: World) -> None:
    with pytest.raises(NotFound) as refused:
        price_session_as(store, EMP, session(provider="FR*EMP"))
    assert refused.value.code == "evse.not_found"
    assert "DE*ABC" not in refused.value.message.replace("DE*ABC*E1", "")


def test_a_batch_answers_in_order_and_refuses_another_providers_session(
    store: Store, w: World
) -> None:
    answers = list(
        price_sessions_for_provider(
            store, ICE, [session(provider="DE*ICE"), session(provider="FR*EMP")], first_index=5
        )
    )
    assert isinstance(answers[0], SessionPrice)
    assert isinstance(answers[1], PricingRefusal)
    assert (answers[1].index, answers[1].error.code) == (6, "pricing.provider_not_caller")


def test_a_subscriber_exports_any_published_version_of_its_chain(store: Store, w: World) -> None:
    first = published_group_tariffs(store, ICE, w.to_all, now=NOW)
    versions = offer_svc.list_versions(store, A, w.to_all, now=NOW)
    second = published_group_tariffs(store, ICE, versions[-1].id, now=NOW)
    assert first.operator_id == second.operator_id == OperatorId.parse(A)
    assert len(first.groups) == len(second.groups) == 2
    assert published_offer_members(store, ICE, w.to_all, now=NOW).provider == ICE
    for offer in (w.draft, w.bilateral, 10**6):
        with pytest.raises(DomainError) as refused:
            published_group_tariffs(store, ICE, offer, now=NOW)
        assert refused.value.code == "offer.not_found"
