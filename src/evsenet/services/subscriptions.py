"""Subscriptions: providers subscribe to offers, operators accept or reject them.

Every use case is one transaction; every change writes an audit entry into the log of the
operator whose offer it concerns. A provider sees only published offers open to it (an
offer-to-all, or a bilateral offer naming it); anything else is "not found", the same
answer as for an offer that does not exist. An operator sees only the subscriptions to
its own offers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from evsenet.domain.errors import Conflict, NotFound
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.network import Actor, AuditRecord
from evsenet.domain.offer import TwoStepFields
from evsenet.domain.offer_lifecycle import OfferStatus, status_at
from evsenet.domain.subscription import (
    REJECT_MESSAGE,
    MasterData,
    RejectReason,
    SubscriptionStatus,
    cancellation_end,
    in_force_at,
    master_data,
    offer_not_open,
    require_status,
)
from evsenet.services.operators import require_operator
from evsenet.services.providers import require_provider
from evsenet.store.engine import Store
from evsenet.store.repositories.offers import StoredOffer
from evsenet.store.repositories.providers import ProviderRow, SubscriptionRow
from evsenet.store.uow import UnitOfWork, unit_of_work

MAX_ID = 2**63 - 1
OPEN = frozenset({OfferStatus.PENDING, OfferStatus.ACTIVE})
"""A provider may subscribe to an offer before it starts and while it runs."""


@dataclass(frozen=True, slots=True)
class OpenOffer:
    """A published offer open to a provider, with the provider's subscription to it."""

    offer: StoredOffer
    operator_id: OperatorId
    status: OfferStatus
    subscription: SubscriptionRow | None


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def is_open_to(offer: StoredOffer, provider: ProviderId) -> bool:
    """True when the published `offer` is an offer-to-all or a bilateral one naming `provider`."""
    terms = offer.offer.terms
    return offer.published and (terms.offer_to_all or provider in terms.providers)


def _status(offer: StoredOffer, at: datetime) -> OfferStatus:
    terms = offer.offer.terms
    return status_at(
        published=offer.published, valid_from=terms.valid_from, valid_to=terms.valid_to, at=at
    )


def _open_offer(uow: UnitOfWork, provider: ProviderId, offer_id: int) -> StoredOffer:
    """The newest version of the chain of offer `offer_id`, if it is open to the provider."""
    stored = uow.offers.get(offer_id) if 1 <= offer_id <= MAX_ID else None
    if stored is None or not is_open_to(stored, provider) or stored.chain_pk is None:
        raise offer_not_open(offer_id)
    return uow.offers.chain(stored.chain_pk)[-1]


def _audit(uow: UnitOfWork, row: SubscriptionRow, action: str, actor: Actor, at: datetime) -> None:
    """An audit entry in the log of the operator whose offer the subscription is to."""
    subject = f"subscription {row.pk} of {row.provider_id} to offer {row.chain_pk}"
    uow.audit.add(row.operator_pk, actor, AuditRecord(f"subscription.{action}", subject), at)


def _changed(
    uow: UnitOfWork, row: SubscriptionRow, at: datetime, action: str, actor: Actor, **values: object
) -> SubscriptionRow:
    """Write `values` to the subscription, log `action`, and answer it as it now is."""
    uow.providers.change(row.pk, at, **values)
    _audit(uow, row, action, actor, at)
    changed = uow.providers.subscription(row.pk)
    assert changed is not None
    return changed


def offers_open_to(
    store: Store, provider_id: ProviderId, *, now: datetime | None = None
) -> list[OpenOffer]:
    """The pending and active offers the provider may subscribe to, with its subscriptions."""
    at = _now(now)
    with unit_of_work(store) as uow:
        row = require_provider(uow, provider_id)
        mine = {
            s.chain_pk: s
            for s in uow.providers.of_provider(row.pk)
            if s.status is not SubscriptionStatus.CANCELLED
        }
        operators = {o.pk: o.operator_id for o in uow.operators.all()}
        found = []
        for pk in uow.providers.open_offer_pks(provider_id):
            stored = uow.offers.get(pk)
            if stored is None or stored.chain_pk is None:
                continue
            status = _status(stored, at)
            if status in OPEN:
                found.append(
                    OpenOffer(
                        stored, operators[stored.operator_pk], status, mine.get(stored.chain_pk)
                    )
                )
        return found


def subscribe(
    store: Store,
    provider_id: ProviderId,
    offer_id: int,
    sent: Mapping[str, object],
    *,
    terms_confirmed: bool,
    actor: Actor,
    now: datetime | None = None,
) -> SubscriptionRow:
    """Subscribe the provider to the offer's chain.

    With a two-step process the master data is checked and the request waits for the
    operator (`requested`); otherwise — an offer-to-all without two-step, or a bilateral
    offer that names the provider — the provider is subscribed at once.
    """
    at = _now(now)
    with unit_of_work(store, write=True) as uow:
        provider = require_provider(uow, provider_id)
        offer = _open_offer(uow, provider_id, offer_id)
        status = _status(offer, at)
        if status not in OPEN:
            raise Conflict(
                "subscription.offer_not_open",
                f"Offer {offer_id} is {status.value}: only a pending or active offer takes "
                "subscriptions",
            )
        assert offer.chain_pk is not None
        _refuse_second(uow, provider, offer.chain_pk, at)
        two_step = offer.offer.terms.two_step
        data = master_data(two_step or TwoStepFields(), sent, terms_confirmed=terms_confirmed)
        new = SubscriptionStatus.REQUESTED if two_step else SubscriptionStatus.SUBSCRIBED
        pk = uow.providers.add_subscription(
            provider_pk=provider.pk,
            operator_pk=offer.operator_pk,
            offer_pk=offer.pk,
            chain_pk=offer.chain_pk,
            status=new,
            data=data,
            now=at,
        )
        row = uow.providers.subscription(pk)
        assert row is not None
        _audit(uow, row, new.value, actor, at)
        return row


def _refuse_second(uow: UnitOfWork, provider: ProviderRow, chain_pk: int, at: datetime) -> None:
    live = uow.providers.live(chain_pk, provider.pk)
    if live is not None:
        raise Conflict(
            "subscription.exists",
            f"Provider {provider.provider_id} already has subscription {live.pk} to this "
            f"offer ({live.status.value})",
        )
    ends = uow.providers.latest_cancelled_end(chain_pk, provider.pk)
    if ends is not None and ends > at:
        raise Conflict(
            "subscription.exists",
            f"Provider {provider.provider_id}'s cancelled subscription to this offer runs "
            f"until {ends.isoformat()}; subscribe again after that",
        )


def _own(uow: UnitOfWork, provider: ProviderRow, subscription_id: int) -> SubscriptionRow:
    row = (
        uow.providers.subscription(subscription_id, provider_pk=provider.pk, lock=True)
        if 1 <= subscription_id <= MAX_ID
        else None
    )
    if row is None:
        raise _no_subscription(subscription_id)
    return row


def _no_subscription(subscription_id: int) -> NotFound:
    return NotFound("subscription.not_found", f"No subscription {subscription_id} is found")


def resubmit(
    store: Store,
    provider_id: ProviderId,
    subscription_id: int,
    sent: Mapping[str, object],
    *,
    terms_confirmed: bool,
    actor: Actor,
    now: datetime | None = None,
) -> SubscriptionRow:
    """A rejected request with fixed master data goes back to the operator (`requested`)."""
    at = _now(now)
    with unit_of_work(store, write=True) as uow:
        provider = require_provider(uow, provider_id)
        row = _own(uow, provider, subscription_id)
        require_status(row.status, SubscriptionStatus.REJECTED, "resubmitted")
        offer = uow.offers.chain(row.chain_pk)[-1]
        two_step = offer.offer.terms.two_step or TwoStepFields()
        data: MasterData = master_data(two_step, sent, terms_confirmed=terms_confirmed)
        return _changed(
            uow,
            row,
            at,
            "resubmitted",
            actor,
            status=SubscriptionStatus.REQUESTED.value,
            master_data=data.as_dict(),
            terms_confirmed=data.terms_confirmed,
            reject_reason=None,
            requested_at=at,
        )


def cancel(
    store: Store,
    provider_id: ProviderId,
    subscription_id: int,
    *,
    effective_at: datetime | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> SubscriptionRow:
    """Cancel a subscription: it ends after the cancellation period, never inside the
    minimum term (`domain.subscription.cancellation_end`)."""
    at = _now(now)
    with unit_of_work(store, write=True) as uow:
        provider = require_provider(uow, provider_id)
        row = _own(uow, provider, subscription_id)
        require_status(row.status, SubscriptionStatus.SUBSCRIBED, "cancelled")
        assert row.subscribed_at is not None
        terms = uow.offers.chain(row.chain_pk)[-1].offer.terms
        ends = cancellation_end(
            subscribed_at=row.subscribed_at,
            now=at,
            cancellation_days=terms.cancellation_days,
            minimum_term_days=terms.minimum_term_days,
            wanted=effective_at,
        )
        return _changed(
            uow,
            row,
            at,
            "cancelled",
            actor,
            status=SubscriptionStatus.CANCELLED.value,
            cancellation_requested_at=at,
            cancelled_from=ends,
        )


def provider_subscriptions(store: Store, provider_id: ProviderId) -> list[SubscriptionRow]:
    """The provider's subscriptions, oldest first."""
    with unit_of_work(store) as uow:
        provider = require_provider(uow, provider_id)
        return uow.providers.of_provider(provider.pk)


# --- the operator's side -------------------------------------------------------------------


def _of_operator(uow: UnitOfWork, operator_pk: int, subscription_id: int) -> SubscriptionRow:
    row = (
        uow.providers.subscription(subscription_id, operator_pk=operator_pk, lock=True)
        if 1 <= subscription_id <= MAX_ID
        else None
    )
    if row is None:
        raise _no_subscription(subscription_id)
    return row


def _decide(
    store: Store,
    operator_id: OperatorId,
    subscription_id: int,
    decision: str,
    stamp: str,
    *,
    actor: Actor,
    now: datetime | None,
    **values: object,
) -> SubscriptionRow:
    """The operator's decision on a requested subscription: `values` written, the time
    in column `stamp`, `decision` ("accepted", "rejected") in the audit log."""
    at = _now(now)
    with unit_of_work(store, write=True) as uow:
        operator = require_operator(uow, operator_id)
        row = _of_operator(uow, operator.pk, subscription_id)
        require_status(row.status, SubscriptionStatus.REQUESTED, decision)
        return _changed(uow, row, at, decision, actor, **values, **{stamp: at})


def accept(
    store: Store,
    operator_id: OperatorId,
    subscription_id: int,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> SubscriptionRow:
    """The operator accepts a requested subscription: the provider is subscribed."""
    return _decide(
        store, operator_id, subscription_id, "accepted", "subscribed_at",
        actor=actor, now=now, status=SubscriptionStatus.SUBSCRIBED.value,
    )  # fmt: skip


def reject(
    store: Store,
    operator_id: OperatorId,
    subscription_id: int,
    reason: str,
    message: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> SubscriptionRow:
    """The operator rejects a requested subscription with one of Hubject's reasons."""
    why = RejectReason.parse(reason)
    text = REJECT_MESSAGE(message)
    return _decide(
        store, operator_id, subscription_id, "rejected", "rejected_at",
        actor=actor, now=now, status=SubscriptionStatus.REJECTED.value,
        reject_reason=why.value, reject_message=text,
    )  # fmt: skip


def offer_subscriptions(
    store: Store, operator_id: OperatorId, offer_id: int
) -> list[SubscriptionRow]:
    """The subscriptions to the chain of the operator's offer `offer_id` (any version)."""
    with unit_of_work(store) as uow:
        operator = require_operator(uow, operator_id)
        stored = uow.offers.get(offer_id, operator.pk) if 1 <= offer_id <= MAX_ID else None
        if stored is None:
            raise NotFound("offer.not_found", f"Offer {offer_id} is not found")
        if stored.chain_pk is None:
            return []
        return uow.providers.of_chain(operator.pk, stored.chain_pk)


def operator_subscriptions(store: Store, operator_id: OperatorId) -> list[SubscriptionRow]:
    """Every subscription to the operator's offers, oldest first."""
    with unit_of_work(store) as uow:
        operator = require_operator(uow, operator_id)
        return uow.providers.of_operator(operator.pk)


def subscribed_offers_only(
    uow: UnitOfWork,
    operator_pk: int,
    provider: ProviderId,
    at: datetime,
    offers: list[StoredOffer],
) -> list[StoredOffer]:
    """The offers of `offers` (the operator's, on one network) `provider` may be priced
    under at `at`: those of chains it has a subscription to in force then (subscribed by
    `at`, cancellation not yet effective). An unknown provider has none.

    The pricing service's `offers_open_to` seam for a provider's token.
    """
    row = uow.providers.get(provider)
    if row is None:
        return []
    return subscribed_among(uow.providers.of_provider(row.pk), operator_pk, at, offers)


def subscribed_among(
    subscriptions: list[SubscriptionRow],
    operator_pk: int,
    at: datetime,
    offers: list[StoredOffer],
) -> list[StoredOffer]:
    """The offers of `offers` whose chain one of `subscriptions` (one provider's) to the
    operator is in force for at `at`."""
    chains = {s.chain_pk for s in subscribed_among_operator(subscriptions, operator_pk, at)}
    return [offer for offer in offers if offer.chain_pk in chains]


def subscribed_version(
    uow: UnitOfWork, provider: ProviderId, offer_id: int, at: datetime
) -> tuple[StoredOffer, SubscriptionRow] | None:
    """The published offer version `offer_id` (any version of its chain) and the
    provider's subscription to its chain, when one is in force at `at` and the version is
    open to the provider; None otherwise (unknown, draft, another provider's bilateral
    offer, not subscribed), so that all of those answer alike."""
    stored = uow.offers.get(offer_id) if 1 <= offer_id <= MAX_ID else None
    row = uow.providers.get(provider)
    if stored is None or row is None or not is_open_to(stored, provider):
        return None
    mine = uow.providers.of_provider(row.pk)
    live = [
        s
        for s in subscribed_among_operator(mine, stored.operator_pk, at)
        if s.chain_pk == stored.chain_pk
    ]
    return (stored, live[0]) if live else None


def subscribed_among_operator(
    subscriptions: list[SubscriptionRow], operator_pk: int, at: datetime
) -> list[SubscriptionRow]:
    """The subscriptions of `subscriptions` to the operator's offers in force at `at`."""
    return [
        s
        for s in subscriptions
        if s.operator_pk == operator_pk
        and in_force_at(subscribed_at=s.subscribed_at, cancelled_from=s.cancelled_from, at=at)
    ]
