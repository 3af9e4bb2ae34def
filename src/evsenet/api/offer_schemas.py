"""Pydantic shapes of `/api/v1/offers` answers, and the JSON numbers of offer bodies.

An offer's content (`body`) is answered in the shape of Hubject's create body — the shape a
client sends — so that a draft can be read, changed and sent back. Costs and VAT rates are
JSON numbers there, as Hubject writes them: `json_numbers` turns each `Decimal` into a
float, which is exact in text for these values (a cost has at most 4 decimals and at most
10 significant digits, a VAT rate 2 decimals; Python writes the shortest text that reads
back as the same float, so `0.4499` stays `0.4499`). Readers use `parse_float=Decimal`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from evsenet.domain.network_lists import NetworkEvseRow
from evsenet.domain.offer_review import OfferProblem
from evsenet.formats.hubject_offer_body import render_create_body
from evsenet.services.offer_views import (
    AttachmentView,
    GroupReview,
    OfferReview,
    OfferSummary,
    OfferView,
)


def json_numbers(value: Any) -> Any:
    """`value` with every Decimal as an int (whole) or a float (see the module's note)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {key: json_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_numbers(item) for item in value]
    return value


class Offer(BaseModel):
    """An offer (a draft or one published price version)."""

    id: int
    operator_id: str = Field(examples=["DE*ABC"])
    name: str
    status: str = Field(description="draft, pending, active or expired (at the time of asking)")
    version: int
    previous_offer_id: int | None
    next_offer_id: int | None
    chain_id: int | None = Field(description="The id of version 1 of a published offer")
    effective_from: datetime = Field(description="When this version starts pricing sessions")
    effective_to: datetime | None = Field(description="When the next version starts, or the end")
    network_id: int
    network_name: str
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    body: dict[str, Any] = Field(
        description="The offer's content in the shape of Hubject's create body "
        "(send it back, changed, to PUT a draft)"
    )

    @classmethod
    def of(cls, view: OfferView) -> Offer:
        return cls(
            id=view.id,
            operator_id=view.operator_id,
            name=view.name,
            status=view.status.value,
            version=view.version,
            previous_offer_id=view.previous_offer_id,
            next_offer_id=view.next_offer_id,
            chain_id=view.chain_id,
            effective_from=view.effective_from,
            effective_to=view.effective_to,
            network_id=view.network_id,
            network_name=view.network_name,
            published_at=view.published_at,
            created_at=view.created_at,
            updated_at=view.updated_at,
            body=json_numbers(render_create_body(view.offer, placeholder_id=view.placeholder_id)),
        )


class OfferListItem(BaseModel):
    id: int
    name: str
    status: str
    version: int
    offer_to_all: bool
    service_type: int
    network_id: int
    network_name: str
    valid_from: datetime
    valid_to: datetime | None
    effective_from: datetime
    effective_to: datetime | None
    next_offer_id: int | None
    updated_at: datetime

    @classmethod
    def of(cls, item: OfferSummary) -> OfferListItem:
        return cls(
            id=item.id,
            name=item.name,
            status=item.status.value,
            version=item.version,
            offer_to_all=item.offer_to_all,
            service_type=item.service_type,
            network_id=item.network_id,
            network_name=item.network_name,
            valid_from=item.valid_from,
            valid_to=item.valid_to,
            effective_from=item.effective_from,
            effective_to=item.effective_to,
            next_offer_id=item.next_offer_id,
            updated_at=item.updated_at,
        )


class OfferList(BaseModel):
    items: list[OfferListItem]


class OfferVersions(BaseModel):
    items: list[Offer] = Field(description="Every price version, oldest first")

    @classmethod
    def of(cls, views: Sequence[OfferView]) -> OfferVersions:
        return cls(items=[Offer.of(v) for v in views])


class Problem(BaseModel):
    """One blocking problem: its code, message and where it is."""

    code: str
    message: str
    field: str
    group_id: str | None = None
    day: str | None = None
    start: int | None = Field(None, description="First second of the day (inclusive)")
    end: int | None = Field(None, description="Last second of the day (inclusive)")

    @classmethod
    def of(cls, problem: OfferProblem) -> Problem:
        return cls(
            code=problem.code,
            message=problem.message,
            field=problem.field,
            group_id=problem.group_id,
            day=problem.day.name if problem.day is not None else None,
            start=problem.start,
            end=problem.end,
        )


class GroupUnderReview(BaseModel):
    group_id: int
    name: str
    currency: str | None
    covered_percent: str = Field(examples=["100.00"])
    evse_count: int

    @classmethod
    def of(cls, group: GroupReview) -> GroupUnderReview:
        return cls(
            group_id=group.group_id,
            name=group.name,
            currency=group.currency.code if group.currency else None,
            covered_percent=str(group.covered_percent),
            evse_count=group.evse_count,
        )


class ZeroPricedEvse(BaseModel):
    evse_id: str
    city: str
    postal_code: str
    street: str
    country: str
    power_type: str
    output_kw: str

    @classmethod
    def of(cls, row: NetworkEvseRow) -> ZeroPricedEvse:
        return cls(
            evse_id=row.evse_id,
            city=row.city,
            postal_code=row.postal_code,
            street=row.street,
            country=row.country,
            power_type=row.power_type,
            output_kw=str(row.output_kw),
        )


class Review(BaseModel):
    offer: Offer
    publishable: bool
    problems: list[Problem]
    groups: list[GroupUnderReview]
    zero_priced_count: int = Field(
        description="The operator's EVSEs in no group, priced at zero: publish with "
        "acknowledge_zero_priced equal to this count"
    )
    zero_priced_sample: list[ZeroPricedEvse]

    @classmethod
    def of(cls, review: OfferReview) -> Review:
        return cls(
            offer=Offer.of(review.offer),
            publishable=review.publishable,
            problems=[Problem.of(p) for p in review.problems],
            groups=[GroupUnderReview.of(g) for g in review.groups],
            zero_priced_count=review.zero_priced_count,
            zero_priced_sample=[ZeroPricedEvse.of(r) for r in review.zero_priced_sample],
        )


class ZeroPricedPage(BaseModel):
    items: list[ZeroPricedEvse]
    total: int
    next_cursor: str | None


class Publish(BaseModel):
    model_config = ConfigDict(extra="forbid")

    acknowledge_zero_priced: int | None = Field(
        None,
        ge=0,
        le=10_000_000,
        description="The review's zero_priced_count, when it is not zero",
    )


class Attachment(BaseModel):
    """Hubject's answer to an upload."""

    uploadedAttachmentId: str  # noqa: N815 (Hubject's name)
    originalFileName: str  # noqa: N815

    @classmethod
    def of(cls, view: AttachmentView) -> Attachment:
        return cls(uploadedAttachmentId=str(view.id), originalFileName=view.file_name)
