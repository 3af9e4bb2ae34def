"""Service offers, their audience and attachments.

An offer's terms are columns; its prices (tariffs and per-group schedules) are one JSON
document (`pricing`, see `encode_pricing`), written with the draft and frozen when it is
published. Costs are written as decimal strings, never as floats.

`offers_in_force` and `load_offer` are the read side that pricing and providers use.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from evsenet.domain.ids import ProviderId
from evsenet.domain.money import currency
from evsenet.domain.offer import GroupPrices, Offer, OfferTerms, ServiceType, TwoStepFields
from evsenet.domain.offer_lifecycle import InForce
from evsenet.domain.schedule import Colour, TimeSlot, Weekday
from evsenet.domain.tariff import (
    ComponentType,
    FeeInitiated,
    PricingComponent,
    ReferenceUnit,
    Tariff,
)
from evsenet.store.tables import offer_attachments, offer_providers, offers

PRICING_FORMAT = 1
"""The version of the pricing document's layout."""


@dataclass(frozen=True, slots=True)
class StoredOffer:
    """An offer as stored: a draft, or one published price version of a chain."""

    pk: int
    operator_pk: int
    network_pk: int
    chain_pk: int | None
    version: int
    previous_offer_id: int | None
    next_offer_id: int | None
    published: bool
    placeholder_id: str
    offer: Offer
    effective_from: datetime
    effective_to: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    pk: int
    operator_pk: int
    file_name: str
    size: int
    sha256: str
    created_at: datetime


# --- the pricing document -------------------------------------------------------------


def encode_pricing(tariffs: Sequence[Tariff], groups: Sequence[GroupPrices]) -> str:
    """Tariffs and per-group prices as the stored JSON document."""
    document = {
        "format": PRICING_FORMAT,
        "tariffs": [
            {
                "name": t.name,
                "currency": t.currency.code,
                "components": [
                    {
                        "type": c.type.value,
                        "reference_unit": c.reference_unit.value,
                        "cost": str(c.cost),
                        "grace_minutes": c.grace_minutes,
                        "fee_initiated": c.fee_initiated.value if c.fee_initiated else None,
                    }
                    for c in t.components
                ],
            }
            for t in tariffs
        ],
        "groups": [
            {
                "group_id": g.group_id,
                "currency": g.currency.code,
                "slots": [[s.day.name, s.start, s.end, s.tariff, s.colour.value] for s in g.slots],
            }
            for g in groups
        ],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def decode_pricing(text: str) -> tuple[tuple[Tariff, ...], tuple[GroupPrices, ...]]:
    """The tariffs and per-group prices of a stored document."""
    document = json.loads(text)
    tariffs = tuple(
        Tariff(
            t["name"],
            currency(t["currency"]),
            tuple(
                PricingComponent(
                    ComponentType(c["type"]),
                    ReferenceUnit(c["reference_unit"]),
                    Decimal(c["cost"]),
                    c["grace_minutes"],
                    FeeInitiated(c["fee_initiated"]) if c["fee_initiated"] else None,
                )
                for c in t["components"]
            ),
        )
        for t in document["tariffs"]
    )
    groups = tuple(
        GroupPrices(
            g["group_id"],
            currency(g["currency"]),
            tuple(
                TimeSlot(Weekday[day], start, end, tariff, Colour(colour))
                for day, start, end, tariff, colour in g["slots"]
            ),
        )
        for g in document["groups"]
    )
    return tariffs, groups


def _provider(normalised: str) -> ProviderId:
    return ProviderId(normalised, f"{normalised[:2]}*{normalised[2:]}")


def _terms_values(terms: OfferTerms) -> dict[str, Any]:
    return {
        "name": terms.name,
        "description": terms.description,
        "service_type": int(terms.service_type),
        "offer_to_all": terms.offer_to_all,
        "valid_from": terms.valid_from,
        "valid_to": terms.valid_to,
        "notice_days": terms.notice_days,
        "notice_message": terms.notice_message,
        "lead_time_days": terms.lead_time_days,
        "cancellation_days": terms.cancellation_days,
        "minimum_term_days": terms.minimum_term_days,
        "two_step": None if terms.two_step is None else json.dumps(asdict(terms.two_step)),
        "attachment_id": terms.attachment_id,
        "vat_percent": terms.vat_percent,
    }


def _stored(row: Any, providers: Sequence[str]) -> StoredOffer:
    tariffs, groups = decode_pricing(row.pricing)
    terms = OfferTerms(
        name=row.name,
        description=row.description,
        service_type=ServiceType(row.service_type),
        offer_to_all=bool(row.offer_to_all),
        providers=tuple(_provider(p) for p in providers),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        notice_days=row.notice_days,
        notice_message=row.notice_message,
        lead_time_days=row.lead_time_days,
        cancellation_days=row.cancellation_days,
        minimum_term_days=row.minimum_term_days,
        two_step=None if row.two_step is None else TwoStepFields(**json.loads(row.two_step)),
        attachment_id=row.attachment_id,
        network_id=str(row.network_pk),
        vat_percent=row.vat_percent,
    )
    return StoredOffer(
        pk=row.id,
        operator_pk=row.operator_pk,
        network_pk=row.network_pk,
        chain_pk=row.chain_pk,
        version=row.version,
        previous_offer_id=row.previous_offer_id,
        next_offer_id=row.next_offer_id,
        published=row.status == "published",
        placeholder_id=row.placeholder_id,
        offer=Offer(terms, tariffs, groups),
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        published_at=row.published_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class OfferRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- offers -----------------------------------------------------------------------

    def add(
        self,
        operator_pk: int,
        network_pk: int,
        offer: Offer,
        now: datetime,
        *,
        placeholder_id: str = "",
        version: int = 1,
        previous_offer_id: int | None = None,
        chain_pk: int | None = None,
        effective_from: datetime | None = None,
        effective_to: datetime | None = None,
        published_at: datetime | None = None,
    ) -> int:
        """Insert an offer (a draft unless `published_at` is given) and its audience."""
        values = {
            **_terms_values(offer.terms),
            "operator_pk": operator_pk,
            "network_pk": network_pk,
            "chain_pk": chain_pk,
            "version": version,
            "previous_offer_id": previous_offer_id,
            "status": "published" if published_at is not None else "draft",
            "placeholder_id": placeholder_id[:100],
            "pricing": encode_pricing(offer.tariffs, offer.groups),
            "effective_from": effective_from or offer.terms.valid_from,
            "effective_to": effective_to if published_at is not None else offer.terms.valid_to,
            "published_at": published_at,
            "created_at": now,
            "updated_at": now,
        }
        pk = int(
            self.connection.execute(
                insert(offers).values(values).returning(offers.c.id)
            ).scalar_one()
        )
        self._set_providers(pk, offer.terms.providers)
        return pk

    def _set_providers(self, pk: int, providers: Sequence[ProviderId]) -> None:
        self.connection.execute(delete(offer_providers).where(offer_providers.c.offer_pk == pk))
        rows = [{"offer_pk": pk, "provider_id": p.normalised} for p in dict.fromkeys(providers)]
        if rows:
            self.connection.execute(insert(offer_providers), rows)

    def replace_draft(
        self, pk: int, network_pk: int, offer: Offer, placeholder_id: str, now: datetime
    ) -> None:
        """Overwrite a draft's terms and prices (the caller checked it is a draft)."""
        values = {
            **_terms_values(offer.terms),
            "network_pk": network_pk,
            "placeholder_id": placeholder_id[:100],
            "pricing": encode_pricing(offer.tariffs, offer.groups),
            "effective_from": offer.terms.valid_from,
            "effective_to": offer.terms.valid_to,
            "updated_at": now,
        }
        self.connection.execute(
            update(offers).where(offers.c.id == pk, offers.c.status == "draft").values(values)
        )
        self._set_providers(pk, offer.terms.providers)

    def delete_draft(self, pk: int) -> None:
        self.connection.execute(delete(offers).where(offers.c.id == pk, offers.c.status == "draft"))

    def publish(self, pk: int, now: datetime) -> None:
        """Freeze a draft as version 1 of its own chain, in force over its validity."""
        self.connection.execute(
            update(offers)
            .where(offers.c.id == pk, offers.c.status == "draft")
            .values(
                status="published",
                chain_pk=pk,
                published_at=now,
                effective_from=offers.c.valid_from,
                effective_to=offers.c.valid_to,
                updated_at=now,
            )
        )

    def link_next(self, pk: int, next_pk: int, effective_to: datetime, now: datetime) -> None:
        """Version `pk` now ends at `effective_to`, where version `next_pk` starts."""
        self.connection.execute(
            update(offers)
            .where(offers.c.id == pk, offers.c.next_offer_id.is_(None))
            .values(next_offer_id=next_pk, effective_to=effective_to, updated_at=now)
        )

    def get(
        self, pk: int, operator_pk: int | None = None, *, lock: bool = False
    ) -> StoredOffer | None:
        """The offer `pk` (of `operator_pk` when given: another operator's is None)."""
        query = select(offers).where(offers.c.id == pk)
        if operator_pk is not None:
            query = query.where(offers.c.operator_pk == operator_pk)
        if lock:
            query = query.with_for_update()
        row = self.connection.execute(query).one_or_none()
        if row is None:
            return None
        return _stored(row, self._providers([row.id]).get(row.id, []))

    def _providers(self, pks: Sequence[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        if not pks:
            return found
        rows = self.connection.execute(
            select(offer_providers.c.offer_pk, offer_providers.c.provider_id)
            .where(offer_providers.c.offer_pk.in_(pks))
            .order_by(offer_providers.c.offer_pk, offer_providers.c.provider_id)
        )
        for offer_pk, provider in rows:
            found.setdefault(offer_pk, []).append(provider)
        return found

    def _many(self, query: Any) -> list[StoredOffer]:
        rows = list(self.connection.execute(query))
        providers = self._providers([row.id for row in rows])
        return [_stored(row, providers.get(row.id, [])) for row in rows]

    def of_operator(self, operator_pk: int) -> list[StoredOffer]:
        """The operator's offers, newest first."""
        return self._many(
            select(offers).where(offers.c.operator_pk == operator_pk).order_by(offers.c.id.desc())
        )

    def chain(self, chain_pk: int) -> list[StoredOffer]:
        """Every version of a chain, oldest first."""
        return self._many(
            select(offers).where(offers.c.chain_pk == chain_pk).order_by(offers.c.version)
        )

    def offers_to_all(self, operator_pk: int) -> list[InForce]:
        """When each published offer-to-all chain of the operator is in force."""
        rows = self.connection.execute(
            select(offers.c.id, offers.c.service_type, offers.c.valid_from, offers.c.valid_to)
            .where(
                offers.c.operator_pk == operator_pk,
                offers.c.status == "published",
                offers.c.offer_to_all.is_(True),
                offers.c.version == 1,
            )
            .order_by(offers.c.valid_from)
        )
        return [
            InForce(str(row.id), ServiceType(row.service_type), row.valid_from, row.valid_to)
            for row in rows
        ]

    def in_force(self, operator_pk: int, network_pk: int, at: datetime) -> list[StoredOffer]:
        """Published versions on the network whose [effective_from, effective_to) holds
        `at`."""
        return self._many(
            select(offers)
            .where(
                offers.c.operator_pk == operator_pk,
                offers.c.network_pk == network_pk,
                offers.c.status == "published",
                offers.c.effective_from <= at,
                or_(offers.c.effective_to.is_(None), offers.c.effective_to > at),
            )
            .order_by(offers.c.id)
        )

    # --- attachments ------------------------------------------------------------------

    def add_attachment(
        self, operator_pk: int, file_name: str, content: bytes, sha256: str, now: datetime
    ) -> AttachmentRow:
        pk = self.connection.execute(
            insert(offer_attachments)
            .values(
                operator_pk=operator_pk,
                file_name=file_name,
                content=content,
                size=len(content),
                sha256=sha256,
                created_at=now,
            )
            .returning(offer_attachments.c.id)
        ).scalar_one()
        return AttachmentRow(int(pk), operator_pk, file_name, len(content), sha256, now)

    def attachment(self, operator_pk: int, pk: int) -> AttachmentRow | None:
        row = self.connection.execute(
            select(
                offer_attachments.c.id,
                offer_attachments.c.operator_pk,
                offer_attachments.c.file_name,
                offer_attachments.c.size,
                offer_attachments.c.sha256,
                offer_attachments.c.created_at,
            ).where(offer_attachments.c.id == pk, offer_attachments.c.operator_pk == operator_pk)
        ).one_or_none()
        return None if row is None else AttachmentRow(*row)

    def attachment_content(self, operator_pk: int, pk: int) -> bytes | None:
        return self.connection.execute(
            select(offer_attachments.c.content).where(
                offer_attachments.c.id == pk, offer_attachments.c.operator_pk == operator_pk
            )
        ).scalar_one_or_none()


def offers_in_force(
    uow_or_connection: Any, operator_pk: int, network_pk: int, at: datetime
) -> list[StoredOffer]:
    """Published versions on the network in force at `at` (for pricing)."""
    return _repository(uow_or_connection).in_force(operator_pk, network_pk, at)


def load_offer(uow_or_connection: Any, offer_id: int) -> StoredOffer | None:
    """The offer `offer_id` of any operator (callers scope), or None."""
    return _repository(uow_or_connection).get(offer_id)


def _repository(uow_or_connection: Any) -> OfferRepository:
    offers_repo = getattr(uow_or_connection, "offers", None)
    if isinstance(offers_repo, OfferRepository):
        return offers_repo
    return OfferRepository(uow_or_connection)
