"""Domain offers → Hubject's create-offer body (the shape `read_create_offer` reads).

evsenet's own offer paths answer an offer's content in the very shape a client sends it,
so that a draft can be read, changed and sent back (`PATCH` merges the members sent into
this body and reads the result again). `render_price_update` gives a price version's body
(`PUT …/service-offers/{id}`). Costs and the VAT rate stay `Decimal` here; the API writes
them as JSON numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from evsenet.domain.offer import GroupPrices, Offer
from evsenet.domain.schedule import clock, ordered
from evsenet.domain.tariff import Tariff
from evsenet.formats.hubject_offer import TWO_STEP_KEYS
from evsenet.formats.hubject_offer_answer import instant


def render_tariffs(tariffs: Sequence[Tariff]) -> list[dict[str, object]]:
    """Tariffs in the body's shape (`name`, `currency`, `pricingComponents`)."""
    rendered: list[dict[str, object]] = []
    for tariff in tariffs:
        components: list[dict[str, object]] = []
        for c in tariff.components:
            component: dict[str, object] = {
                "type": c.type.value,
                "referenceUnit": c.reference_unit.value,
                "cost": c.cost,
                "gracePeriod": c.grace_minutes,
            }
            if c.fee_initiated is not None:
                component["feeInitiated"] = c.fee_initiated.value
            components.append(component)
        rendered.append(
            {"name": tariff.name, "currency": tariff.currency.code, "pricingComponents": components}
        )
    return rendered


def render_products(groups: Sequence[GroupPrices]) -> list[dict[str, object]]:
    """Per group its currency and time plans, one plan per day that has slots."""
    products: list[dict[str, object]] = []
    for prices in groups:
        plans: dict[str, list[dict[str, object]]] = {}
        for slot in ordered(prices.slots):
            plans.setdefault(slot.day.name, []).append(
                {
                    "startTime": clock(slot.start),
                    "endTime": clock(slot.end),
                    "tariffName": slot.tariff,
                    "color": slot.colour.value,
                }
            )
        products.append(
            {
                "groupId": prices.group_id,
                "product": {
                    "currency": prices.currency.code,
                    "timePlans": [
                        {"daysOfTheWeek": [day], "timeSlots": slots} for day, slots in plans.items()
                    ],
                },
            }
        )
    return products


def render_create_body(offer: Offer, *, placeholder_id: str = "") -> dict[str, object]:
    """The create-offer body that reads back into `offer` (given a `now` before it starts)."""
    terms = offer.terms
    kind = terms.service_type
    two_step = terms.two_step
    return {
        "serviceOfferId": placeholder_id,
        "partnerInternalId": terms.name,
        "description": terms.description,
        "validFrom": instant(terms.valid_from),
        "validTo": instant(terms.valid_to),
        "unlimited": terms.unlimited,
        "cancellationPeriod": terms.cancellation_days,
        "leadTime": terms.lead_time_days,
        "minimumTerm": terms.minimum_term_days,
        "periodOfNotice": terms.notice_days,
        "periodOfNoticeMessage": terms.notice_message or None,
        "pricingType": "NGP",
        "serviceTypeVersion": {
            "serviceTypeId": int(kind),
            "serviceTypeName": kind.label,
            "serviceTypeVersionNumber": 1,
        },
        "offerToAll": terms.offer_to_all,
        "subscriberPartnerIds": [p.display for p in terms.providers],
        "twoStepProcess": two_step is not None,
        "twoStepRequiredMasterDataFields": None
        if two_step is None
        else {key: getattr(two_step, name) for key, name in TWO_STEP_KEYS.items()},
        "networkId": terms.network_id,
        "uploadedAttachmentId": terms.attachment_id,
        "vatPercent": terms.vat_percent,
        "tariffs": render_tariffs(offer.tariffs),
        "products": render_products(offer.groups),
    }


def render_price_update(
    offer: Offer, *, update_date: datetime, placeholder_id: str = ""
) -> dict[str, object]:
    """The price-update body of a version: its network, start, tariffs and prices."""
    return {
        "nextServiceOfferId": placeholder_id,
        "networkId": offer.terms.network_id,
        "updateDate": instant(update_date),
        "tariffs": render_tariffs(offer.tariffs),
        "pricingDetails": render_products(offer.groups),
    }
