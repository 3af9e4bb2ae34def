"""The provider's view of an operator: the offers it is subscribed to, their networks,
per-group prices, and the EVSEs of each group, paged.

A provider sees an operator only through its subscriptions in force (subscribed, or
cancelled and not yet ended): an operator it has none with, an offer it is not subscribed
to, a network or group not of that offer all answer "not found", exactly like ones that do
not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.network_lists import GroupView
from evsenet.domain.subscription import SubscriptionStatus
from evsenet.services.providers import require_provider
from evsenet.store.engine import Store
from evsenet.store.repositories.offers import StoredOffer
from evsenet.store.repositories.operators import OperatorRow
from evsenet.store.repositories.providers import GroupEvse, SubscriptionRow, group_evses
from evsenet.store.uow import UnitOfWork, unit_of_work

MAX_ID = 2**63 - 1
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class SubscribedOffer:
    """One offer the provider is subscribed to: the version in force, network and groups."""

    subscription: SubscriptionRow
    offer: StoredOffer
    network_name: str
    groups: tuple[GroupView, ...]


@dataclass(frozen=True, slots=True)
class OperatorForProvider:
    operator: OperatorRow
    offers: tuple[SubscribedOffer, ...]


@dataclass(frozen=True, slots=True)
class GroupEvsePage:
    """A page of a group's EVSEs (0-based `number`, Spring's paging)."""

    items: tuple[GroupEvse, ...]
    number: int
    size: int
    total: int

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.size)


def _in_force(row: SubscriptionRow, at: datetime) -> bool:
    if row.status is SubscriptionStatus.SUBSCRIBED:
        return True
    ends = row.cancelled_from
    return row.status is SubscriptionStatus.CANCELLED and ends is not None and ends > at


def _version_at(chain: list[StoredOffer], at: datetime) -> StoredOffer:
    started = [v for v in chain if v.effective_from <= at]
    return started[-1] if started else chain[0]


def _operator(uow: UnitOfWork, operator_id: str) -> OperatorRow:
    try:
        parsed = OperatorId.parse(operator_id)
    except DomainError:
        parsed = None
    row = uow.operators.get(parsed) if parsed is not None else None
    if row is None:
        raise _no_operator(operator_id)
    return row


def _no_operator(operator_id: str) -> NotFound:
    return NotFound(
        "operator.not_found",
        f"Operator {operator_id!r} is not found among the operators this provider is subscribed to",
    )


def _subscribed(
    uow: UnitOfWork, provider: ProviderId, operator: OperatorRow, at: datetime
) -> list[SubscribedOffer]:
    mine = require_provider(uow, provider)
    found = []
    for row in uow.providers.of_provider(mine.pk):
        if row.operator_pk != operator.pk or not _in_force(row, at):
            continue
        offer = _version_at(uow.offers.chain(row.chain_pk), at)
        network = uow.networks.get_network(operator.pk, offer.network_pk)
        groups = tuple(uow.networks.groups(offer.network_pk))
        priced = {p.group_id for p in offer.offer.groups}
        found.append(
            SubscribedOffer(
                row,
                offer,
                network.name if network is not None else "",
                tuple(g for g in groups if str(g.id) in priced),
            )
        )
    return found


def operator_for_provider(
    store: Store, provider: ProviderId, operator_id: str, *, now: datetime | None = None
) -> OperatorForProvider:
    """The operator's details and the offers the provider is subscribed to."""
    at = now or datetime.now(UTC)
    with unit_of_work(store) as uow:
        operator = _operator(uow, operator_id)
        offers = _subscribed(uow, provider, operator, at)
        if not offers:
            raise _no_operator(operator_id)
        return OperatorForProvider(operator, tuple(offers))


def evses_of_group(
    store: Store,
    provider: ProviderId,
    operator_id: str,
    offer_id: int,
    network_id: int,
    group_id: int,
    *,
    page: int,
    size: int,
    now: datetime | None = None,
) -> GroupEvsePage:
    """One page of the EVSEs of a group priced by an offer the provider is subscribed to."""
    if page < 0 or not 1 <= size <= MAX_PAGE_SIZE or page * size > MAX_ID:
        raise DomainError(
            "page.out_of_range",
            f"page must be 0 or more and size between 1 and {MAX_PAGE_SIZE}",
            field="size" if page >= 0 else "page",
        )
    at = now or datetime.now(UTC)
    with unit_of_work(store) as uow:
        operator = _operator(uow, operator_id)
        for item in _subscribed(uow, provider, operator, at):
            chain_ids = {item.subscription.chain_pk, item.offer.pk}
            if offer_id not in chain_ids:
                continue
            if item.offer.network_pk != network_id:
                break
            if group_id not in {g.id for g in item.groups}:
                break
            rows, total = group_evses(uow.connection, network_id, group_id, size, page * size)
            return GroupEvsePage(tuple(rows), page, size, total)
        raise NotFound(
            "group.not_found",
            f"No group {group_id} of network {network_id} under offer {offer_id} is open to "
            "this provider",
        )
