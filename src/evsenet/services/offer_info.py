"""The operator's view of its published offers with their subscriptions, networks and
prices (Hubject's `service-offers/info` and `historical-versions-info`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evsenet.domain.ids import OperatorId
from evsenet.domain.network_lists import GroupView
from evsenet.services import offers
from evsenet.services.offer_views import OfferView
from evsenet.services.operators import require_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.providers import SubscriptionRow
from evsenet.store.uow import unit_of_work


@dataclass(frozen=True, slots=True)
class OfferInfo:
    """One published price version, the subscriptions to its chain, its network's groups."""

    view: OfferView
    subscriptions: tuple[SubscriptionRow, ...]
    groups: tuple[GroupView, ...]


def _info(store: Store, operator: OperatorId, views: list[OfferView]) -> list[OfferInfo]:
    with unit_of_work(store) as uow:
        row = require_operator(uow, operator)
        found = []
        for view in views:
            chain = view.chain_id or view.id
            found.append(
                OfferInfo(
                    view,
                    tuple(uow.providers.of_chain(row.pk, chain)),
                    tuple(uow.networks.groups(view.network_id)),
                )
            )
        return found


def offers_info(store: Store, operator_id: str, *, now: datetime | None = None) -> list[OfferInfo]:
    """The newest version of each published offer chain of the operator, newest first."""
    operator = OperatorId.parse(operator_id)
    summaries = offers.list_offers(store, operator, now=now)
    newest = [s for s in summaries if s.status.published and s.next_offer_id is None]
    views = [offers.get_offer(store, operator, s.id, now=now) for s in newest]
    return _info(store, operator, views)


def versions_info(
    store: Store, operator_id: str, offer_id: int, *, now: datetime | None = None
) -> list[OfferInfo]:
    """Every published version of the chain of the operator's offer, oldest first."""
    operator = OperatorId.parse(operator_id)
    views = offers.list_versions(store, operator, offer_id, now=now)
    return _info(store, operator, [v for v in views if v.status.published])
