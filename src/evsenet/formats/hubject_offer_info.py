"""Subscriptions and networks in Hubject's `service-offers/info` shape (camelCase)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evsenet.formats.hubject_offer_answer import instant


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def render_subscription(row: Any, *, valid_from: Any, valid_to: Any) -> dict[str, object]:
    """A subscription (`store.repositories.providers.SubscriptionRow`) as Hubject lists it."""
    two_step = {camel(k): v for k, v in row.master_data.items()}
    two_step["termsAndConditionsRead"] = row.terms_confirmed
    return {
        "id": str(row.pk),
        "serviceOfferId": str(row.offer_pk),
        "subscriberPartnerId": row.provider_id.display,
        "subscriberPartnerName": row.provider_name,
        "status": row.status.value.upper(),
        "requestedDate": instant(row.requested_at),
        "subscribeDate": instant(row.subscribed_at),
        "rejectedDate": instant(row.rejected_at),
        "validFrom": instant(valid_from),
        "validTo": instant(valid_to),
        "cancellationTo": instant(row.cancelled_from),
        "twoStepData": two_step,
        "twoStepErrorStatus": None if row.reject_reason is None else row.reject_reason.value,
        "twoStepErrorMessage": row.reject_message or None,
    }


def render_network(network_id: int, name: str, groups: Sequence[Any]) -> dict[str, object]:
    """`network`: id, name, and how many groups and grouped EVSEs it has."""
    return {
        "networkId": str(network_id),
        "networkName": name,
        "groupCount": len(groups),
        "evseCount": sum(g.evse_count for g in groups),
    }
