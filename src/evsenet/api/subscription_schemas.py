"""Request and answer models of subscriptions (`/api/v1/subscriptions`, `/api/v1/provider`).

Master data is sent with Hubject's field names (`taxId`, `billingContactEmail`, …, the
names of `twoStepRequiredMasterDataFields`); evsenet's snake-case names are accepted too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from evsenet.domain.subscription import MASTER_DATA_FIELDS
from evsenet.services.subscriptions import OpenOffer
from evsenet.store.repositories.providers import SubscriptionRow


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


HUBJECT_NAMES = {camel(name): name for name in MASTER_DATA_FIELDS}
"""Hubject's master data names (`taxId`) → evsenet's (`tax_id`)."""


def master_data_fields(sent: dict[str, Any]) -> dict[str, object]:
    """The sent master data under evsenet's names; unknown names pass on (and are refused
    by the domain with their own code)."""
    return {HUBJECT_NAMES.get(key, key): value for key, value in sent.items()}


class SubscribeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offer_id: int = Field(description="The offer (any price version of its chain)")
    master_data: dict[str, Any] = Field(
        default_factory=dict,
        description="The two-step master data, e.g. {'taxId': 'DE136695976'}",
    )
    terms_confirmed: bool = Field(
        default=False, description="The provider has read the offer's terms and conditions"
    )


class ResubmitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    master_data: dict[str, Any] = Field(default_factory=dict)
    terms_confirmed: bool = False


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_at: datetime | None = Field(
        default=None,
        description="When the subscription should end; the earliest allowed end when absent",
    )


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        description="INCORRECT_DATA_FORMAT, INVALID_VAT_ID, BUSINESS_REQUIREMENTS_NOT_MATCHED, "
        "NOT_ELIGIBLE or OTHERS"
    )
    message: str = ""


class Subscription(BaseModel):
    id: int
    offer_id: int = Field(description="The offer chain (the id of its version 1)")
    offer_version_id: int = Field(description="The version the provider subscribed to")
    operator_id: str
    provider_id: str
    provider_name: str
    status: str
    master_data: dict[str, str]
    terms_confirmed: bool
    reject_reason: str | None
    reject_message: str
    requested_at: datetime
    subscribed_at: datetime | None
    rejected_at: datetime | None
    cancellation_requested_at: datetime | None
    cancelled_from: datetime | None

    @classmethod
    def of(cls, row: SubscriptionRow) -> Subscription:
        return cls(
            id=row.pk,
            offer_id=row.chain_pk,
            offer_version_id=row.offer_pk,
            operator_id=row.operator_id.display,
            provider_id=row.provider_id.display,
            provider_name=row.provider_name,
            status=row.status.value,
            master_data={camel(k): v for k, v in row.master_data.items()},
            terms_confirmed=row.terms_confirmed,
            reject_reason=None if row.reject_reason is None else row.reject_reason.value,
            reject_message=row.reject_message,
            requested_at=row.requested_at,
            subscribed_at=row.subscribed_at,
            rejected_at=row.rejected_at,
            cancellation_requested_at=row.cancellation_requested_at,
            cancelled_from=row.cancelled_from,
        )


class SubscriptionList(BaseModel):
    items: list[Subscription]


class OpenOfferItem(BaseModel):
    id: int = Field(description="The newest price version")
    chain_id: int
    operator_id: str
    name: str
    status: str
    offer_to_all: bool
    valid_from: datetime
    valid_to: datetime | None
    cancellation_days: int
    minimum_term_days: int
    required_master_data: list[str] = Field(description="Hubject's names of required fields")
    two_step: bool
    subscription: Subscription | None

    @classmethod
    def of(cls, item: OpenOffer) -> OpenOfferItem:
        terms = item.offer.offer.terms
        assert item.offer.chain_pk is not None
        return cls(
            id=item.offer.pk,
            chain_id=item.offer.chain_pk,
            operator_id=item.operator_id.display,
            name=terms.name,
            status=item.status.value,
            offer_to_all=terms.offer_to_all,
            valid_from=terms.valid_from,
            valid_to=terms.valid_to,
            cancellation_days=terms.cancellation_days,
            minimum_term_days=terms.minimum_term_days,
            required_master_data=[camel(n) for n in terms.two_step.required]
            if terms.two_step
            else [],
            two_step=terms.two_step is not None,
            subscription=None if item.subscription is None else Subscription.of(item.subscription),
        )


class OpenOfferList(BaseModel):
    items: list[OpenOfferItem]
