"""Subscriptions as the web UI lists them: each with the offer it is to (name, newest
version, the master data it requires), for the provider who holds them and for the
operator whose offers they are to.

Reads only; the changes are `services.subscriptions`. The same scoping holds: a provider
reads its own subscriptions and the offers open to it, an operator the subscriptions to
its own offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.subscription import SubscriptionStatus, offer_not_open
from evsenet.services.operators import require_operator
from evsenet.services.providers import require_provider
from evsenet.services.subscriptions import MAX_ID, OpenOffer, offers_open_to
from evsenet.store.engine import Store
from evsenet.store.repositories.offers import StoredOffer
from evsenet.store.repositories.providers import SubscriptionRow
from evsenet.store.uow import UnitOfWork, unit_of_work


@dataclass(frozen=True, slots=True)
class SubscriptionLine:
    """A subscription with the newest version of the offer chain it is to."""

    subscription: SubscriptionRow
    offer: StoredOffer

    @property
    def required(self) -> tuple[str, ...]:
        """The master data fields the offer requires (none without a two-step process)."""
        two_step = self.offer.offer.terms.two_step
        return two_step.required if two_step is not None else ()

    @property
    def waiting(self) -> bool:
        return self.subscription.status is SubscriptionStatus.REQUESTED


def _lines(uow: UnitOfWork, rows: list[SubscriptionRow]) -> list[SubscriptionLine]:
    newest: dict[int, StoredOffer] = {}
    for row in rows:
        if row.chain_pk not in newest:
            newest[row.chain_pk] = uow.offers.chain(row.chain_pk)[-1]
    return [SubscriptionLine(row, newest[row.chain_pk]) for row in rows]


def provider_subscription_lines(store: Store, provider_id: ProviderId) -> list[SubscriptionLine]:
    """The provider's subscriptions with their offers, newest first."""
    with unit_of_work(store) as uow:
        provider = require_provider(uow, provider_id)
        return _lines(uow, uow.providers.of_provider(provider.pk))[::-1]


def operator_subscription_lines(store: Store, operator_id: OperatorId) -> list[SubscriptionLine]:
    """The subscriptions to the operator's offers with those offers: requests waiting for
    an answer first, then the others, newest first."""
    with unit_of_work(store) as uow:
        operator = require_operator(uow, operator_id)
        lines = _lines(uow, uow.providers.of_operator(operator.pk))[::-1]
        return sorted(lines, key=lambda line: not line.waiting)


def open_offer(
    store: Store, provider_id: ProviderId, offer_id: int, *, now: datetime | None = None
) -> OpenOffer:
    """One offer open to the provider (by its newest version's ID or its chain's), as the subscribe
    form shows it; `offer.not_found` for any other offer, like one that does not exist."""
    if 1 <= offer_id <= MAX_ID:
        for found in offers_open_to(store, provider_id, now=now):
            if offer_id in (found.offer.pk, found.offer.chain_pk):
                return found
    raise offer_not_open(offer_id)
