"""The provider's view in Hubject's EMP shapes (`/api/premium/contracts/v1/…`).

The operator answer has PascalCase keys (`CPOGeneralInformation`, `Offers[]` …) and the
per-group prices of `formats.hubject_offer_answer.render_pricing_details`; a group's EVSEs
come as a Spring page (`content`, `number`, `size`, `totalElements`, `pageable`, `sort` …).
Decimals stay `Decimal` here; the API turns them into JSON numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from evsenet.domain.offer_lifecycle import status_at
from evsenet.formats.hubject_offer_answer import instant, render_pricing_details

Row = Callable[[Any], dict[str, object]]


def render_operator_for_provider(view: Any, at: Any) -> dict[str, object]:
    """`view`: services.provider_view.OperatorForProvider; `at`: now (offer status)."""
    operator = view.operator
    return {
        "CPOGeneralInformation": {
            "Name": operator.name,
            "OperatorID": operator.operator_id.display,
            "SubPartners": list(operator.sub_operators),
            "Countries": [operator.operator_id.display[:2]]
            if operator.operator_id.display[:2].isalpha()
            else [],
        },
        "CPOContactDetails": None,
        "BillingInformation": None,
        "Offers": [_offer(item, at) for item in view.offers],
    }


def _offer(item: Any, at: Any) -> dict[str, object]:
    offer = item.offer
    terms = offer.offer.terms
    subscription = item.subscription
    names = {str(g.id): g.name for g in item.groups}
    keyed = offer.offer.tariffs_by_key
    status = status_at(
        published=offer.published, valid_from=terms.valid_from, valid_to=terms.valid_to, at=at
    )
    return {
        "OfferDetails": {
            "ServiceOfferID": str(offer.pk),
            "OriginalServiceOfferID": str(offer.chain_pk),
            "Version": offer.version,
            "Name": terms.name,
            "Description": terms.description,
            "Status": status.value.upper(),
            "ServiceType": terms.service_type.label,
            "OfferToAll": terms.offer_to_all,
            "ValidFrom": instant(terms.valid_from),
            "ValidTo": instant(terms.valid_to),
            "CancellationPeriod": terms.cancellation_days,
            "MinimumTerm": terms.minimum_term_days,
            "VatPercent": terms.vat_percent,
            "SubscriptionID": str(subscription.pk),
            "SubscriptionStatus": subscription.status.value.upper(),
            "SubscribeDate": instant(subscription.subscribed_at),
            "CancellationTo": instant(subscription.cancelled_from),
        },
        "NetworkDetails": {
            "NetworkID": str(offer.network_pk),
            "NetworkName": item.network_name,
            "GroupCount": len(item.groups),
            "EvseCount": sum(g.evse_count for g in item.groups),
            "Groups": [
                {"GroupID": str(g.id), "GroupName": g.name, "EvseCount": g.evse_count}
                for g in item.groups
            ],
        },
        "PricingDetails": [
            render_pricing_details(prices, group_name=names.get(prices.group_id, ""), tariffs=keyed)
            for prices in offer.offer.groups
            if prices.group_id in names
        ],
    }


def render_spring_page(
    items: Sequence[Any], *, number: int, size: int, total: int, row: Row
) -> dict[str, object]:
    """A Spring Data page of `items` (page `number`, 0-based, of `size`)."""
    pages = -(-total // size)
    sort = {"empty": True, "sorted": False, "unsorted": True}
    return {
        "content": [row(item) for item in items],
        "empty": not items,
        "first": number == 0,
        "last": number >= pages - 1,
        "number": number,
        "numberOfElements": len(items),
        "size": size,
        "totalElements": total,
        "totalPages": pages,
        "pageable": {
            "offset": number * size,
            "pageNumber": number,
            "pageSize": size,
            "paged": True,
            "unpaged": False,
            "sort": sort,
        },
        "sort": sort,
    }


def hubject_evse(evse: Any) -> dict[str, object]:
    """A group's EVSE as Hubject lists it: its ID."""
    return {"evseId": evse.evse_id}


def evsenet_evse(evse: Any) -> dict[str, object]:
    """A group's EVSE with the four pieces of key information: ID, location, power."""
    return {
        "evseId": evse.evse_id,
        "location": {
            "country": evse.country,
            "city": evse.city,
            "postalCode": evse.postal_code,
            "street": evse.street,
            "houseNumber": evse.house_number,
        },
        "powerType": evse.power_type,
        "outputKw": evse.output_kw,
    }
