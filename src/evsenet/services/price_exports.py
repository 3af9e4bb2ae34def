"""A published offer's prices as the exports need them (OCPI tariffs, OICP pricing), for
the operator that owns the offer or a provider subscribed to it.

An operator exports any of its published offer versions (a draft is
`pricing.offer_not_published`). A provider exports the published versions of the offer
chains it has a subscription in force to now, of any operator; any other offer — unknown,
a draft, another operator's it is not subscribed to, a bilateral offer not naming it —
answers `offer.not_found`, exactly like an offer that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from evsenet.domain.errors import Conflict, NotFound
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.offer import Offer
from evsenet.domain.pricing.ngp import CompiledGroup
from evsenet.services.operators import require_operator
from evsenet.services.pricing import PricingCache, compiled_group
from evsenet.services.subscriptions import MAX_ID, subscribed_version
from evsenet.store.engine import Store
from evsenet.store.repositories.offers import StoredOffer
from evsenet.store.repositories.operators import OperatorRow
from evsenet.store.uow import UnitOfWork, unit_of_work

Party = OperatorId | ProviderId
"""Who exports: the offer's operator, or a provider subscribed to it."""


@dataclass(frozen=True, slots=True)
class GroupTariff:
    """A published offer's group and its prices as one engine tariff (for exports)."""

    group_id: int
    group: CompiledGroup
    effective_from: datetime
    effective_to: datetime | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class PublishedTariffs:
    """Every priced group of a published offer, and the operator whose offer it is."""

    operator_id: OperatorId
    groups: list[GroupTariff]


@dataclass(frozen=True, slots=True)
class PublishedOffer:
    """A published offer with what its exports need: the operator's ID and name and, per
    group id, the EVSE IDs (as sent) assigned to the group. `provider` is the provider
    exporting it (its OICP bodies then name only that provider), None for the operator."""

    offer: Offer
    operator_id: OperatorId
    operator_name: str
    members: dict[str, list[str]]
    provider: ProviderId | None


def _published(
    uow: UnitOfWork, party: Party | str, offer_id: int, at: datetime
) -> tuple[OperatorRow, StoredOffer]:
    """The operator and the published offer `offer_id` that `party` may export."""
    if isinstance(party, ProviderId):
        found = subscribed_version(uow, party, offer_id, at)
        if found is None:
            raise NotFound("offer.not_found", f"No offer {offer_id} you are subscribed to")
        return require_operator(uow, found[1].operator_id), found[0]
    operator_id = party if isinstance(party, OperatorId) else OperatorId.parse(party)
    row = require_operator(uow, operator_id)
    stored = uow.offers.get(offer_id, row.pk) if 1 <= offer_id <= MAX_ID else None
    if stored is None:
        raise NotFound("offer.not_found", f"This operator has no offer {offer_id}")
    if not stored.published:
        raise Conflict(
            "pricing.offer_not_published",
            f"Offer {offer_id} is a draft; only a published offer's prices are exported",
        )
    return row, stored


def published_group_tariffs(
    store: Store, party: Party | str, offer_id: int, *, now: datetime | None = None
) -> PublishedTariffs:
    """Every group of the published offer `offer_id` compiled to the engine tariff that
    prices it. Raises `NotFound` `offer.not_found` and `Conflict`
    `pricing.offer_not_published` (an operator's draft)."""
    with unit_of_work(store) as uow:
        row, stored = _published(uow, party, offer_id, now or datetime.now(UTC))
    groups = []
    cache = PricingCache()
    for prices in stored.offer.groups:
        compiled = compiled_group(cache, stored.pk, stored.offer, int(prices.group_id))
        if compiled is not None:
            groups.append(
                GroupTariff(
                    int(prices.group_id),
                    compiled[0],
                    stored.effective_from,
                    stored.effective_to,
                    stored.published_at,
                )
            )
    return PublishedTariffs(row.operator_id, groups)


def published_offer_members(
    store: Store, party: Party | str, offer_id: int, *, now: datetime | None = None
) -> PublishedOffer:
    """The published offer `offer_id` and its groups' EVSEs (one transaction).

    Raises `NotFound` `offer.not_found` and `Conflict` `pricing.offer_not_published`.
    """
    with unit_of_work(store) as uow:
        row, stored = _published(uow, party, offer_id, now or datetime.now(UTC))
        members = {
            g.group_id: uow.networks.group_members(stored.network_pk, int(g.group_id))
            for g in stored.offer.groups
        }
    provider = party if isinstance(party, ProviderId) else None
    return PublishedOffer(stored.offer, row.operator_id, row.name, members, provider)
