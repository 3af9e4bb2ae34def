"""Providers (EMPs) and their subscriptions to offer chains."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from evsenet.domain.errors import Conflict
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.subscription import MasterData, RejectReason, SubscriptionStatus
from evsenet.store.tables import (
    assignments,
    evses,
    offer_providers,
    offers,
    operators,
    providers,
    subscriptions,
)


@dataclass(frozen=True, slots=True)
class ProviderRow:
    pk: int
    provider_id: ProviderId
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """A subscription as stored, with the names a reader needs beside it."""

    pk: int
    provider_pk: int
    provider_id: ProviderId
    provider_name: str
    operator_pk: int
    operator_id: OperatorId
    offer_pk: int
    chain_pk: int
    status: SubscriptionStatus
    master_data: dict[str, str]
    terms_confirmed: bool
    reject_reason: RejectReason | None
    reject_message: str
    requested_at: datetime
    subscribed_at: datetime | None
    rejected_at: datetime | None
    cancellation_requested_at: datetime | None
    cancelled_from: datetime | None
    updated_at: datetime


def _provider_row(row: Any) -> ProviderRow:
    return ProviderRow(
        row.id, ProviderId(row.provider_id, row.display_id), row.name, row.created_at
    )


_SUBSCRIPTION_QUERY = (
    select(
        subscriptions,
        providers.c.provider_id.label("p_id"),
        providers.c.display_id.label("p_display"),
        providers.c.name.label("p_name"),
        operators.c.operator_id.label("o_id"),
        operators.c.display_id.label("o_display"),
    )
    .join(providers, providers.c.id == subscriptions.c.provider_pk)
    .join(operators, operators.c.id == subscriptions.c.operator_pk)
)


def _subscription(row: Any) -> SubscriptionRow:
    return SubscriptionRow(
        pk=row.id,
        provider_pk=row.provider_pk,
        provider_id=ProviderId(row.p_id, row.p_display),
        provider_name=row.p_name,
        operator_pk=row.operator_pk,
        operator_id=OperatorId(row.o_id, row.o_display),
        offer_pk=row.offer_pk,
        chain_pk=row.chain_pk,
        status=SubscriptionStatus(row.status),
        master_data=json.loads(row.master_data),
        terms_confirmed=bool(row.terms_confirmed),
        reject_reason=None if row.reject_reason is None else RejectReason(row.reject_reason),
        reject_message=row.reject_message,
        requested_at=row.requested_at,
        subscribed_at=row.subscribed_at,
        rejected_at=row.rejected_at,
        cancellation_requested_at=row.cancellation_requested_at,
        cancelled_from=row.cancelled_from,
        updated_at=row.updated_at,
    )


class ProviderRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, provider: ProviderId) -> ProviderRow | None:
        row = self.connection.execute(
            select(providers).where(providers.c.provider_id == provider.normalised)
        ).one_or_none()
        return None if row is None else _provider_row(row)

    def add(self, provider: ProviderId, name: str, now: datetime) -> ProviderRow:
        """Register the provider; `Conflict` `provider.exists` when its ID is taken."""
        try:
            with self.connection.begin_nested():
                pk = self.connection.execute(
                    insert(providers).values(
                        provider_id=provider.normalised,
                        display_id=provider.display,
                        name=name,
                        created_at=now,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as exc:
            raise Conflict(
                "provider.exists", f"Provider {provider.display} is already registered"
            ) from exc
        return ProviderRow(int(pk), provider, name, now)

    def all(self) -> list[ProviderRow]:
        rows = self.connection.execute(select(providers).order_by(providers.c.provider_id))
        return [_provider_row(row) for row in rows]

    # --- offers a provider may see -------------------------------------------------------

    def open_offer_pks(self, provider: ProviderId) -> list[int]:
        """The newest published version of every chain open to the provider: offers-to-all
        and bilateral offers that name it, any operator."""
        named = exists().where(
            offer_providers.c.offer_pk == offers.c.id,
            offer_providers.c.provider_id == provider.normalised,
        )
        rows = self.connection.execute(
            select(offers.c.id)
            .where(
                offers.c.status == "published",
                offers.c.next_offer_id.is_(None),
                or_(offers.c.offer_to_all.is_(True), named),
            )
            .order_by(offers.c.id)
        )
        return [int(pk) for pk in rows.scalars()]

    # --- subscriptions --------------------------------------------------------------------

    def subscription(
        self,
        pk: int,
        *,
        provider_pk: int | None = None,
        operator_pk: int | None = None,
        lock: bool = False,
    ) -> SubscriptionRow | None:
        """The subscription `pk`, scoped to a provider or an operator when given."""
        query = _SUBSCRIPTION_QUERY.where(subscriptions.c.id == pk)
        if provider_pk is not None:
            query = query.where(subscriptions.c.provider_pk == provider_pk)
        if operator_pk is not None:
            query = query.where(subscriptions.c.operator_pk == operator_pk)
        if lock:
            query = query.with_for_update(of=subscriptions)
        row = self.connection.execute(query).one_or_none()
        return None if row is None else _subscription(row)

    def live(self, chain_pk: int, provider_pk: int) -> SubscriptionRow | None:
        """The provider's subscription to the chain that is not cancelled, if any."""
        row = self.connection.execute(
            _SUBSCRIPTION_QUERY.where(
                subscriptions.c.chain_pk == chain_pk,
                subscriptions.c.provider_pk == provider_pk,
                subscriptions.c.status != SubscriptionStatus.CANCELLED.value,
            )
        ).one_or_none()
        return None if row is None else _subscription(row)

    def latest_cancelled_end(self, chain_pk: int, provider_pk: int) -> datetime | None:
        """When the provider's last cancelled subscription to the chain ends, if any."""
        ends = self.connection.execute(
            select(subscriptions.c.cancelled_from).where(
                subscriptions.c.chain_pk == chain_pk,
                subscriptions.c.provider_pk == provider_pk,
                subscriptions.c.status == SubscriptionStatus.CANCELLED.value,
            )
        ).scalars()
        return max(ends, default=None)

    def of_provider(self, provider_pk: int) -> list[SubscriptionRow]:
        rows = self.connection.execute(
            _SUBSCRIPTION_QUERY.where(subscriptions.c.provider_pk == provider_pk).order_by(
                subscriptions.c.id
            )
        )
        return [_subscription(row) for row in rows]

    def of_chain(self, operator_pk: int, chain_pk: int) -> list[SubscriptionRow]:
        rows = self.connection.execute(
            _SUBSCRIPTION_QUERY.where(
                subscriptions.c.operator_pk == operator_pk, subscriptions.c.chain_pk == chain_pk
            ).order_by(subscriptions.c.id)
        )
        return [_subscription(row) for row in rows]

    def of_operator(self, operator_pk: int) -> list[SubscriptionRow]:
        rows = self.connection.execute(
            _SUBSCRIPTION_QUERY.where(subscriptions.c.operator_pk == operator_pk).order_by(
                subscriptions.c.id
            )
        )
        return [_subscription(row) for row in rows]

    def add_subscription(
        self,
        *,
        provider_pk: int,
        operator_pk: int,
        offer_pk: int,
        chain_pk: int,
        status: SubscriptionStatus,
        data: MasterData,
        now: datetime,
    ) -> int:
        """A new subscription; `Conflict` `subscription.exists` when a live one is there
        (the database's unique index decides between two requests at once)."""
        try:
            with self.connection.begin_nested():
                pk = self.connection.execute(
                    insert(subscriptions).values(
                        provider_pk=provider_pk,
                        operator_pk=operator_pk,
                        offer_pk=offer_pk,
                        chain_pk=chain_pk,
                        status=status.value,
                        master_data=json.dumps(data.as_dict(), sort_keys=True),
                        terms_confirmed=data.terms_confirmed,
                        requested_at=now,
                        subscribed_at=now if status is SubscriptionStatus.SUBSCRIBED else None,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as exc:
            raise Conflict(
                "subscription.exists",
                "The provider already has a subscription to this offer",
            ) from exc
        return int(pk)

    def change(self, pk: int, now: datetime, **values: Any) -> None:
        """Write `values` to subscription `pk` (the service has checked the move)."""
        if "master_data" in values:
            values["master_data"] = json.dumps(values["master_data"], sort_keys=True)
        self.connection.execute(
            update(subscriptions).where(subscriptions.c.id == pk).values(updated_at=now, **values)
        )


@dataclass(frozen=True, slots=True)
class GroupEvse:
    """An EVSE of a group as a provider sees it: ID, location, power."""

    evse_id: str
    country: str
    city: str
    postal_code: str
    street: str
    house_number: str
    power_type: str
    output_kw: Any


def group_evses(
    connection: Connection, network_pk: int, group_pk: int, limit: int, offset: int
) -> tuple[list[GroupEvse], int]:
    """One page of the active EVSEs of a group in ID order, and how many there are."""
    where = (
        assignments.c.network_pk == network_pk,
        assignments.c.group_pk == group_pk,
        evses.c.withdrawn_at.is_(None),
    )
    total = connection.execute(
        select(func.count())
        .select_from(assignments.join(evses, evses.c.id == assignments.c.evse_pk))
        .where(*where)
    ).scalar_one()
    rows = connection.execute(
        select(evses)
        .join(assignments, assignments.c.evse_pk == evses.c.id)
        .where(*where)
        .order_by(assignments.c.evse_key)
        .limit(limit)
        .offset(offset)
    )
    items = [
        GroupEvse(
            r.evse_id_sent,
            r.country,
            r.city,
            r.postal_code,
            r.street,
            r.house_number,
            r.power_type,
            r.output_kw,
        )
        for r in rows
    ]
    return items, int(total)
