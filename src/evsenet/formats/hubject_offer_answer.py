"""Domain offers → Hubject's answer shapes (the `ServiceOfferDTO` and `pricingDetails`).

`render_offer` gives the offer as Hubject answers a create or a price update: `id`,
`status` (`PENDING` right after publishing), `version`, the counts of subscriptions and
charging points, the terms in Hubject's field names, the version links. Hubject answers an
unlimited offer with a far-future `validTo`; evsenet answers `null`, which its own
bodies also use for "no end".

`render_pricing_details` gives one group's prices as Hubject's offer `info` does: per day
(Monday first) the slots in time order, each with its tariff's name, `StartTime`,
`EndTime` (`HH:MM:SS`, inclusive) and `PricingComponents` (PascalCase, as Hubject's
answer has them; costs as `Decimal`, which the API's JSON encoder writes as numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from evsenet.domain.offer import GroupPrices, Offer, TwoStepFields
from evsenet.domain.offer_lifecycle import OfferStatus
from evsenet.domain.schedule import Weekday, clock, ordered
from evsenet.domain.tariff import PricingComponent, Tariff, name_key
from evsenet.formats.hubject_offer import TWO_STEP_KEYS


@dataclass(frozen=True, slots=True)
class OfferRecord:
    """What the store knows of a published offer beyond its content."""

    offer_id: str
    operator_id: str
    status: OfferStatus
    version: int
    created_at: datetime
    modified_at: datetime
    original_id: str
    original_valid_from: datetime
    previous_id: str | None = None
    next_id: str | None = None
    active_subscriptions: int = 0
    pending_subscriptions: int = 0
    charging_points: int | None = None
    cancelled_from: datetime | None = None


def instant(moment: datetime | None) -> str | None:
    """An instant as Hubject writes it: UTC, `Z`, microseconds only when there are any."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def render_offer(offer: Offer, record: OfferRecord) -> dict[str, object]:
    """The `ServiceOfferDTO` of a published offer."""
    terms = offer.terms
    kind = terms.service_type
    audience = "OfferToAll" if terms.offer_to_all else "Bilateral"
    return {
        "createdBy": "SYSTEM",
        "createdOn": instant(record.created_at),
        "lastModifiedBy": "SYSTEM",
        "lastModificationDate": instant(record.modified_at),
        "id": record.offer_id,
        "ownerPartnerId": record.operator_id,
        "partnerInternalId": terms.name,
        "externalPartnerId": record.operator_id,
        "name": f"{record.operator_id}_{kind.label}_{audience}",
        "description": terms.description,
        "serviceTypeVersion": {
            "serviceTypeId": int(kind),
            "serviceTypeName": kind.label,
            "serviceTypeVersionNumber": 1,
        },
        "offerToAll": terms.offer_to_all,
        "subscriberPartnerIds": None
        if terms.offer_to_all
        else [provider.display for provider in terms.providers],
        "nrOfActiveSubscriptions": record.active_subscriptions,
        "nrOfChargingPoints": record.charging_points,
        "status": record.status.value.upper(),
        "pricingType": "NGP",
        "defaultPricePerRefUnit": None,
        "currency": None,
        "priceReferenceUnit": None,
        "minimumTerm": terms.minimum_term_days,
        "cancellationPeriod": terms.cancellation_days,
        "periodOfNotice": terms.notice_days if terms.notice_days is not None else 0,
        "periodOfNoticeMessage": terms.notice_message or None,
        "attachments": [{"id": terms.attachment_id, "type": "pdf"}] if terms.attachment_id else [],
        "validFrom": instant(terms.valid_from),
        "validTo": instant(terms.valid_to),
        "cancellationTo": instant(record.cancelled_from),
        "unlimited": terms.unlimited,
        "leadTime": terms.lead_time_days,
        "version": record.version,
        "originalServiceOfferId": record.original_id,
        "originalValidFrom": instant(record.original_valid_from),
        "previousServiceOfferId": record.previous_id,
        "nextServiceOfferId": record.next_id,
        "productPricingDTOSet": None,
        "nrOfPendingSubscriptions": record.pending_subscriptions,
        "twoStepProcess": terms.two_step is not None,
        "twoStepRequiredMasterDataFields": _two_step(terms.two_step),
        "vatPercent": terms.vat_percent,
    }


def _two_step(fields: TwoStepFields | None) -> dict[str, bool] | None:
    if fields is None:
        return None
    return {key: getattr(fields, name) for key, name in TWO_STEP_KEYS.items()}


def render_component(component: PricingComponent) -> dict[str, object]:
    """A component in the PascalCase of Hubject's pricing answers."""
    return {
        "Type": component.type.value,
        "ReferenceUnit": component.reference_unit.value,
        "Cost": component.cost,
        "FeeInitiated": component.fee_initiated.value if component.fee_initiated else None,
        "GracePeriod": component.grace_minutes,
    }


def render_pricing_details(
    prices: GroupPrices, *, group_name: str, tariffs: Mapping[str, Tariff]
) -> dict[str, object]:
    """One group's `pricingDetails` entry; `tariffs` keyed by `name_key`. Days without a
    slot are left out, as Hubject does."""
    days: list[dict[str, object]] = []
    by_day: dict[Weekday, list[dict[str, object]]] = {}
    for slot in ordered(prices.slots):
        known = tariffs.get(name_key(slot.tariff))
        by_day.setdefault(slot.day, []).append(
            {
                "Name": known.name if known else slot.tariff,
                "StartTime": clock(slot.start),
                "EndTime": clock(slot.end),
                "PricingComponents": [render_component(c) for c in known.components]
                if known
                else [],
            }
        )
    for day in Weekday:
        if day in by_day:
            days.append({"Day": day.name, "Tariffs": by_day[day]})
    return {
        "groupId": prices.group_id,
        "groupName": group_name,
        "currency": prices.currency.code,
        "days": days,
    }


def render_offer_pricing(offer: Offer, group_names: Mapping[str, str]) -> list[dict[str, object]]:
    """`pricingDetails` of every group of the offer, in the offer's order."""
    keyed = offer.tariffs_by_key
    return [
        render_pricing_details(
            prices, group_name=group_names.get(prices.group_id, ""), tariffs=keyed
        )
        for prices in offer.groups
    ]
