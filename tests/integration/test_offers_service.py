"""The offers service on SQLite and PostgreSQL: drafts, review, publish, price versions,
attachments; each refusal's code and that a refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from evsenet.domain.errors import Conflict, DomainError, NotFound
from evsenet.domain.ids import OperatorId
from evsenet.domain.network import GroupRef
from evsenet.domain.network_lists import EvseSelection, KeysetPage
from evsenet.domain.offer_lifecycle import OfferStatus
from evsenet.services import networks
from evsenet.services import offers as svc
from evsenet.store.engine import Store
from evsenet.store.repositories.offers import load_offer, offers_in_force
from evsenet.store.uow import unit_of_work
from tests.integration.network_fixtures import ACTOR, A, B, seed
from tests.integration.offer_fixtures import NOW, Net, network, request, update
from tests.integration.snapshots import dump

UNLIMITED = "create_unlimited_offer_to_all.json"
LIMITED = "create_limited_bilateral.json"
GAP = "refused/create_gap_in_the_schedule.json"


@pytest.fixture
def net(store: Store) -> Net:
    seed(store, count=10)
    return network(store)


def test_a_draft_is_stored_and_read_back_exactly(store: Store, net: Net) -> None:
    sent = request(UNLIMITED, net)
    created = svc.create_offer(store, A, sent, actor=ACTOR, now=NOW)
    assert created.status is OfferStatus.DRAFT
    assert created.version == 1
    assert created.network_name == "Berlin"
    read = svc.get_offer(store, A, created.id, now=NOW)
    assert read.offer == created.offer
    assert read.offer.tariffs == sent.offer.tariffs
    assert read.offer.groups == sent.offer.groups
    assert read.offer.terms.vat_percent == Decimal(19)
    assert [s.id for s in svc.list_offers(store, A, now=NOW)] == [created.id]
    assert svc.list_offers(store, B, now=NOW) == []


def test_a_bilateral_offer_keeps_its_normalised_providers(store: Store, net: Net) -> None:
    created = svc.create_offer(store, A, request(LIMITED, net), actor=ACTOR, now=NOW)
    providers = svc.get_offer(store, A, created.id, now=NOW).offer.terms.providers
    assert sorted(p.display for p in providers) == ["CH*EMP", "DE*ICE"]


def test_another_operators_offer_and_network_are_not_found(store: Store, net: Net) -> None:
    created = svc.create_offer(store, A, request(UNLIMITED, net), actor=ACTOR, now=NOW)
    for call in (
        lambda: svc.get_offer(store, B, created.id, now=NOW),
        lambda: svc.review_offer(store, B, created.id, now=NOW),
        lambda: svc.delete_offer(store, B, created.id, actor=ACTOR),
        lambda: svc.list_versions(store, B, created.id),
        lambda: svc.zero_priced_evses(store, B, created.id),
    ):
        with pytest.raises(NotFound) as raised:
            call()
        assert raised.value.code == "offer.not_found"
    with pytest.raises(NotFound) as raised:
        svc.create_offer(store, B, request(UNLIMITED, net), actor=ACTOR, now=NOW)
    assert raised.value.code == "network.not_found"


def test_a_draft_changes_and_is_deleted_with_audit_entries(store: Store, net: Net) -> None:
    created = svc.create_offer(store, A, request(GAP, net), actor=ACTOR, now=NOW)
    changed = svc.update_offer(
        store, A, created.id, request(UNLIMITED, net, partnerInternalId="New"), actor=ACTOR, now=NOW
    )
    assert changed.name == "New"
    svc.delete_offer(store, A, created.id, actor=ACTOR)
    with pytest.raises(NotFound):
        svc.get_offer(store, A, created.id)
    actions = [e.action for e in networks.list_audit(store, A).items]
    assert actions[:3] == ["offer.deleted", "offer.updated", "offer.created"]


def test_review_names_every_group_and_the_zero_priced_evses(store: Store, net: Net) -> None:
    created = svc.create_offer(store, A, request(GAP, net), actor=ACTOR, now=NOW)
    review = svc.review_offer(store, A, created.id, now=NOW)
    assert [(g.name, g.evse_count) for g in review.groups] == [("North", 4), ("South", 3)]
    assert [g.currency.code if g.currency else None for g in review.groups] == ["EUR", "EUR"]
    assert review.zero_priced_count == 3
    assert [row.evse_id for row in review.zero_priced_sample] == [
        "DE*ABC*E10",
        "DE*ABC*E8",
        "DE*ABC*E9",
    ]
    assert {p.code for p in review.problems} == {"schedule.gap"}
    assert "has no tariff" in review.problems[0].message
    assert min(g.covered_percent for g in review.groups) < 100
    page = svc.zero_priced_evses(store, A, created.id, KeysetPage(limit=2))
    assert page.total == 3
    assert len(page.items) == 2


def test_publishing_refuses_problems_then_a_missing_or_stale_acknowledgement(
    store: Store, net: Net
) -> None:
    created = svc.create_offer(store, A, request(GAP, net), actor=ACTOR, now=NOW)
    before = dump(store)
    with pytest.raises(svc.PublishRefused) as refused:
        svc.publish_offer(store, A, created.id, acknowledge_zero_priced=3, actor=ACTOR, now=NOW)
    assert refused.value.code == "offer.not_publishable"
    assert {p.code for p in refused.value.problems} == {"schedule.gap"}
    assert dump(store) == before
    svc.update_offer(store, A, created.id, request(UNLIMITED, net), actor=ACTOR, now=NOW)
    before = dump(store)
    for acknowledged, code in (
        (None, "offer.zero_priced_unacknowledged"),
        (2, "offer.zero_priced_count_stale"),
    ):
        with pytest.raises(Conflict) as conflict:
            svc.publish_offer(
                store, A, created.id, acknowledge_zero_priced=acknowledged, actor=ACTOR, now=NOW
            )
        assert conflict.value.code == code
        assert "3" in conflict.value.message
        assert dump(store) == before
    published = svc.publish_offer(
        store, A, created.id, acknowledge_zero_priced=3, actor=ACTOR, now=NOW
    )
    assert published.status is OfferStatus.PENDING
    assert published.published_at is not None
    assert networks.get_network(store, A, net.id).status.value == "active"
    actions = [e.action for e in networks.list_audit(store, A).items]
    assert actions[:2] == ["network.activated", "offer.published"]


def test_a_published_offer_never_changes(store: Store, net: Net) -> None:
    created = svc.create_offer(store, A, request(UNLIMITED, net), actor=ACTOR, now=NOW)
    svc.publish_offer(store, A, created.id, acknowledge_zero_priced=3, actor=ACTOR, now=NOW)
    before = dump(store)
    for call in (
        lambda: svc.update_offer(
            store, A, created.id, request(UNLIMITED, net), actor=ACTOR, now=NOW
        ),
        lambda: svc.delete_offer(store, A, created.id, actor=ACTOR),
        lambda: svc.publish_offer(
            store, A, created.id, acknowledge_zero_priced=3, actor=ACTOR, now=NOW
        ),
    ):
        with pytest.raises(Conflict) as raised:
            call()
        assert raised.value.code == "offer.published_immutable"
    assert dump(store) == before


def test_without_zero_priced_evses_no_acknowledgement_is_needed(store: Store) -> None:
    seed(store, count=7)
    net = network(store)
    created = svc.create_and_publish(
        store, A, request(UNLIMITED, net), acknowledge_zero_priced=None, actor=ACTOR, now=NOW
    )
    assert created.status is OfferStatus.PENDING


def test_a_second_offer_to_all_in_force_is_refused(store: Store, net: Net) -> None:
    svc.create_and_publish(
        store, A, request(UNLIMITED, net), acknowledge_zero_priced=3, actor=ACTOR, now=NOW
    )
    later = request(UNLIMITED, net, validFrom="2030-01-01T00:00:00Z")
    before = dump(store)
    with pytest.raises(svc.PublishRefused) as refused:
        svc.create_and_publish(store, A, later, acknowledge_zero_priced=3, actor=ACTOR, now=NOW)
    assert [p.code for p in refused.value.problems] == ["offer.offer_to_all_overlap"]
    assert dump(store) == before
    bilateral = svc.create_and_publish(
        store, A, request(LIMITED, net), acknowledge_zero_priced=3, actor=ACTOR, now=NOW
    )
    assert bilateral.status is OfferStatus.PENDING


def test_a_price_version_links_both_ways_and_keeps_old_sessions(store: Store, net: Net) -> None:
    first = svc.create_and_publish(
        store, A, request(UNLIMITED, net), acknowledge_zero_priced=3, actor=ACTOR, now=NOW
    )
    second = svc.add_price_version(
        store, A, first.id, update("update_prices.json", net), actor=ACTOR, now=NOW
    )
    assert second.version == 2
    assert second.previous_offer_id == first.id
    versions = svc.list_versions(store, A, second.id, now=NOW)
    assert [v.id for v in versions] == [first.id, second.id]
    assert versions[0].next_offer_id == second.id
    assert versions[0].effective_to == second.effective_from
    with unit_of_work(store) as uow:
        row = uow.operators.get(OperatorId.parse(A))
        assert row is not None
        operator_pk = row.pk
        before_update = second.effective_from - timedelta(seconds=1)
        assert [o.pk for o in offers_in_force(uow, operator_pk, net.id, before_update)] == [
            first.id
        ]
        assert [o.pk for o in offers_in_force(uow, operator_pk, net.id, second.effective_from)] == [
            second.id
        ]
        loaded = load_offer(uow, second.id)
        assert loaded is not None
        assert loaded.offer.tariffs[0].name == "Flat"
    with pytest.raises(Conflict) as raised:
        svc.add_price_version(
            store, A, first.id, update("update_prices.json", net), actor=ACTOR, now=NOW
        )
    assert raised.value.code == "offer.version_not_latest"


@pytest.mark.parametrize(
    ("name", "changes", "code"),
    [
        pytest.param(
            UNLIMITED,
            {"updateDate": "2026-12-20T00:00:00Z"},
            "offer.version_inside_lead_time",
            id="inside-lead-time",
        ),
        pytest.param(
            UNLIMITED, {"networkId": "999"}, "offer.version_network_mismatch", id="other-network"
        ),
        pytest.param(LIMITED, {}, "offer.version_limited", id="limited-offer"),
    ],
)
def test_a_bad_price_version_is_refused(
    store: Store, net: Net, name: str, changes: dict[str, str], code: str
) -> None:
    first = svc.create_and_publish(
        store, A, request(name, net), acknowledge_zero_priced=3, actor=ACTOR, now=NOW
    )
    sent = update("update_prices.json", net, **changes)
    before = dump(store)
    with pytest.raises(DomainError) as raised:
        svc.add_price_version(store, A, first.id, sent, actor=ACTOR, now=NOW)
    assert raised.value.code == code
    assert dump(store) == before


def test_moving_an_evse_of_an_active_network_is_refused(store: Store, net: Net) -> None:
    svc.create_and_publish(
        store, A, request(UNLIMITED, net), acknowledge_zero_priced=3, actor=ACTOR, now=NOW
    )
    with pytest.raises(Exception) as raised:  # noqa: PT011
        networks.assign_evses(
            store,
            A,
            net.id,
            GroupRef(id=net.south),
            EvseSelection(evse_ids=[f"{A}*E1"]),
            actor=ACTOR,
        )
    assert getattr(raised.value, "code", None) == "assignment.refused"
