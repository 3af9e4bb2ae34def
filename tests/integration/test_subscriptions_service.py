"""Subscriptions on SQLite and PostgreSQL: the two-step walk, bilateral offers, cancelling,
the audit log, and the invariants the database keeps by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from evsenet.domain.errors import Conflict, DomainError, NotFound
from evsenet.domain.ids import OperatorId
from evsenet.domain.subscription import MasterData, RejectReason, SubscriptionStatus
from evsenet.services import subscriptions as svc
from evsenet.services.providers import create_provider_token, identify_provider
from evsenet.services.tokens import identify
from evsenet.store.engine import Store
from evsenet.store.tables import api_tokens, audit_log
from evsenet.store.uow import unit_of_work
from tests.integration.network_fixtures import ACTOR, A, B
from tests.integration.offer_fixtures import NOW
from tests.integration.provider_fixtures import EMP, GOOD_DATA, ICE, IN_2027, World, world

OP_A = OperatorId.parse(A)
OP_B = OperatorId.parse(B)


@pytest.fixture
def w(store: Store) -> World:
    return world(store)


def _actions(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(audit_log.c.action).order_by(audit_log.c.id))
        return [a for a in rows.scalars() if a.startswith("subscription.")]


def test_the_two_step_walk_reject_fix_resubmit_accept(store: Store, w: World) -> None:
    bad = {**GOOD_DATA, "tax_id": "DE136695977"}
    with pytest.raises(DomainError) as refused:
        svc.subscribe(store, ICE, w.to_all, bad, terms_confirmed=True, actor=ACTOR, now=NOW)
    assert refused.value.code == "subscription.vat_id_invalid"
    # A plausible but (to the operator) unknown VAT ID passes the format check …
    sent = {**GOOD_DATA, "tax_id": "DE 811 907 980"}
    row = svc.subscribe(store, ICE, w.to_all, sent, terms_confirmed=True, actor=ACTOR, now=NOW)
    assert row.status is SubscriptionStatus.REQUESTED
    assert row.requested_at == NOW
    assert row.subscribed_at is None
    # … and the operator rejects it.
    later = NOW + timedelta(hours=1)
    rejected = svc.reject(
        store, OP_A, row.pk, "invalid_vat_id", "Not your VAT ID", actor=ACTOR, now=later
    )
    assert rejected.status is SubscriptionStatus.REJECTED
    assert rejected.reject_reason is RejectReason.INVALID_VAT_ID
    assert rejected.rejected_at == later
    fixed = svc.resubmit(
        store, ICE, row.pk, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=later
    )
    assert fixed.status is SubscriptionStatus.REQUESTED
    assert fixed.reject_reason is None
    assert fixed.master_data["tax_id"] == "DE136695976"
    assert fixed.rejected_at == later  # the history stays
    accepted = svc.accept(store, OP_A, row.pk, actor=ACTOR, now=later + timedelta(hours=1))
    assert accepted.status is SubscriptionStatus.SUBSCRIBED
    assert accepted.subscribed_at == later + timedelta(hours=1)
    assert [s.pk for s in svc.offer_subscriptions(store, OP_A, w.to_all)] == [row.pk]
    assert _actions(store) == [
        "subscription.requested",
        "subscription.rejected",
        "subscription.resubmitted",
        "subscription.accepted",
    ]


def test_a_bilateral_offer_is_accepted_by_a_named_provider_and_invisible_to_others(
    store: Store, w: World
) -> None:
    assert {o.offer.pk for o in svc.offers_open_to(store, ICE, now=NOW)} == {w.to_all, w.bilateral}
    assert {o.offer.pk for o in svc.offers_open_to(store, EMP, now=NOW)} == {w.to_all}
    row = svc.subscribe(store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=NOW)
    assert row.status is SubscriptionStatus.SUBSCRIBED
    assert row.subscribed_at == NOW
    with pytest.raises(NotFound) as hidden:
        svc.subscribe(store, EMP, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=NOW)
    assert hidden.value.code == "offer.not_found"


def test_a_draft_and_an_expired_offer_take_no_subscription(store: Store, w: World) -> None:
    with pytest.raises(NotFound):
        svc.subscribe(store, ICE, w.draft, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=NOW)
    after = NOW.replace(year=2028, month=6)
    with pytest.raises(Conflict) as expired:
        svc.subscribe(store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=after)
    assert expired.value.code == "subscription.offer_not_open"
    assert w.bilateral not in {o.offer.pk for o in svc.offers_open_to(store, ICE, now=after)}


def test_cancelling_ends_after_the_period_and_never_inside_the_minimum_term(
    store: Store, w: World
) -> None:
    row = svc.subscribe(store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=NOW)
    # The bilateral example: 14 days' cancellation period, 90 days' minimum term.
    with pytest.raises(Conflict) as inside:
        svc.cancel(store, ICE, row.pk, effective_at=NOW + timedelta(days=30), actor=ACTOR, now=NOW)
    assert inside.value.code == "subscription.inside_minimum_term"
    cancelled = svc.cancel(store, ICE, row.pk, actor=ACTOR, now=IN_2027)
    assert cancelled.status is SubscriptionStatus.CANCELLED
    assert cancelled.cancellation_requested_at == IN_2027
    assert cancelled.cancelled_from == IN_2027 + timedelta(days=14)
    with pytest.raises(Conflict) as again:
        svc.subscribe(store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=IN_2027)
    assert again.value.code == "subscription.exists"
    after_end = IN_2027 + timedelta(days=15)
    renewed = svc.subscribe(
        store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=after_end
    )
    assert renewed.status is SubscriptionStatus.SUBSCRIBED


def test_an_operator_never_reaches_another_operators_subscriptions(store: Store, w: World) -> None:
    row = svc.subscribe(store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=NOW)
    for call in (
        lambda: svc.accept(store, OP_B, row.pk, actor=ACTOR, now=NOW),
        lambda: svc.reject(store, OP_B, row.pk, "OTHERS", "", actor=ACTOR, now=NOW),
        lambda: svc.offer_subscriptions(store, OP_B, w.to_all),
        lambda: svc.resubmit(store, EMP, row.pk, GOOD_DATA, terms_confirmed=True, actor=ACTOR),
        lambda: svc.cancel(store, EMP, row.pk, actor=ACTOR),
    ):
        with pytest.raises(NotFound):
            call()
    assert svc.operator_subscriptions(store, OP_B) == []
    assert svc.provider_subscriptions(store, EMP) == []


def test_the_database_keeps_one_live_subscription_per_chain_and_provider(
    store: Store, w: World
) -> None:
    row = svc.subscribe(store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=NOW)
    with unit_of_work(store, write=True) as uow, pytest.raises(Conflict):
        uow.providers.add_subscription(
            provider_pk=row.provider_pk,
            operator_pk=row.operator_pk,
            offer_pk=row.offer_pk,
            chain_pk=row.chain_pk,
            status=SubscriptionStatus.REQUESTED,
            data=MasterData((), True),
            now=NOW,
        )


def test_a_token_belongs_to_exactly_one_party(store: Store, w: World) -> None:
    token_id, token = create_provider_token(store, "de-ice", "emp app")
    found = identify_provider(store, token)
    assert found is not None
    assert found.provider == ICE
    assert found.token_id == token_id
    assert identify(store, token) is None  # never an operator's
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(
            insert(api_tokens).values(
                operator_pk=1, provider_pk=1, token_hash="x" * 64, label="", created_at=NOW
            )
        )
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(insert(api_tokens).values(token_hash="y" * 64, label="", created_at=NOW))


def test_pricing_for_a_provider_sees_only_the_offers_it_is_subscribed_to(
    store: Store, w: World
) -> None:
    svc.subscribe(store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=NOW)
    bilateral = svc.subscribe(
        store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=NOW
    )
    with unit_of_work(store) as uow:
        operator = uow.operators.get(OP_A)
        assert operator is not None
        offers = uow.offers.of_operator(operator.pk)
        # The offer-to-all request still waits for A: only the bilateral offer prices.
        open_to_ice = svc.subscribed_offers_only(uow, operator.pk, ICE, IN_2027, offers)
        assert [o.pk for o in open_to_ice] == [bilateral.chain_pk]
        assert svc.subscribed_offers_only(uow, operator.pk, EMP, IN_2027, offers) == []
        other = uow.operators.get(OP_B)
        assert other is not None
        assert svc.subscribed_offers_only(uow, other.pk, ICE, IN_2027, offers) == []
        # A session before the provider subscribed is priced under none of them.
        before = NOW - timedelta(days=1)
        assert svc.subscribed_offers_only(uow, operator.pk, ICE, before, offers) == []


def test_a_cancelled_subscription_prices_until_its_cancellation_takes_effect(
    store: Store, w: World
) -> None:
    row = svc.subscribe(store, ICE, w.bilateral, {}, terms_confirmed=True, actor=ACTOR, now=NOW)
    cancelled = svc.cancel(store, ICE, row.pk, actor=ACTOR, now=IN_2027)
    assert cancelled.cancelled_from is not None
    with unit_of_work(store) as uow:
        operator = uow.operators.get(OP_A)
        assert operator is not None
        offers = uow.offers.of_operator(operator.pk)
        ends = cancelled.cancelled_from
        last = ends - timedelta(seconds=1)
        assert [o.pk for o in svc.subscribed_offers_only(uow, operator.pk, ICE, last, offers)] == [
            row.chain_pk
        ]
        assert svc.subscribed_offers_only(uow, operator.pk, ICE, ends, offers) == []
