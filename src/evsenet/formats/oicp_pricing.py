"""A published NGP offer as OICP 2.3 pricing bodies: `eRoamingPushPricingProductData` and
`eRoamingPushEVSEPricing` (the shapes of Hubject's CPO code snippets).

Each (group, tariff) pair of the offer is one **pricing product** (`ProductID`
`G<group id>-<tariff name>`, cut to OICP's 50 characters) available at the times the group's
schedule names that tariff (`ProductAvailabilityTimes` per weekday; OICP's `end` is
exclusive and written `HH:MM`, so a slot ending `21:59:59` ends `22:00`, `23:59:59` ends
`00:00`). The main price is `CHARGING_ENERGY` per kWh, else `CHARGING_TIME`, else 0 per
hour; `SESSION` is a `START FEE`, `PARKING` a `PARKING FEE`. Prices are net: the offer's
VAT rate is given in the notes. What OICP 2.3 cannot say is listed in the notes instead of
being dropped silently: `CHARGING_TIME` beside an energy price, parking grace periods, and
blocking fees. An offer-to-all is pushed for `ProviderID` `*`; a bilateral offer once per
provider it names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from evsenet.domain.ids import ProviderId
from evsenet.domain.offer import Offer
from evsenet.domain.schedule import SECONDS_PER_DAY, Weekday
from evsenet.domain.schedule_lookup import intervals
from evsenet.domain.tariff import ComponentType, Tariff, name_key

PRODUCT_ID_LIMIT = 50
_DAY_NAMES = {day: day.name.capitalize() for day in Weekday}


def product_id(group_id: str, tariff: str) -> str:
    """The OICP ProductID of a group's tariff."""
    return f"G{group_id}-{tariff}"[:PRODUCT_ID_LIMIT]


def _clock(second: int) -> str:
    second %= SECONDS_PER_DAY
    return f"{second // 3600:02d}:{second // 60 % 60:02d}"


def _main_price(tariff: Tariff) -> tuple[str, Decimal]:
    energy = tariff.component(ComponentType.CHARGING_ENERGY)
    if energy is not None:
        return "KILOWATT_HOUR", energy.cost
    charging = tariff.component(ComponentType.CHARGING_TIME)
    if charging is not None:
        return charging.reference_unit.value, charging.cost
    return "HOUR", Decimal(0)


def _product(
    group_id: str, tariff: Tariff, availability: Mapping[Weekday, list[dict[str, str]]],
    notes: list[str],
) -> dict[str, Any]:  # fmt: skip
    unit, price = _main_price(tariff)
    additional = []
    session = tariff.component(ComponentType.SESSION)
    if session is not None:
        additional.append(
            {
                "AdditionalReference": "START FEE",
                "AdditionalReferenceUnit": "HOUR",
                "PricePerAdditionalReferenceUnit": session.cost,
            }
        )
    parking = tariff.component(ComponentType.PARKING)
    if parking is not None:
        additional.append(
            {
                "AdditionalReference": "PARKING FEE",
                "AdditionalReferenceUnit": parking.reference_unit.value,
                "PricePerAdditionalReferenceUnit": parking.cost,
            }
        )
        if parking.grace_minutes:
            notes.append(
                f"{product_id(group_id, tariff.name)}: the parking grace period of "
                f"{parking.grace_minutes} minutes has no OICP 2.3 field"
            )
    if unit == "KILOWATT_HOUR" and tariff.component(ComponentType.CHARGING_TIME) is not None:
        notes.append(
            f"{product_id(group_id, tariff.name)}: OICP 2.3 has one main price; the "
            "CHARGING_TIME price beside the energy price is not expressed"
        )
    blocking = tariff.component(ComponentType.BLOCKING_FEE)
    if blocking is not None:
        notes.append(
            f"{product_id(group_id, tariff.name)}: the blocking fee ({blocking.cost} per "
            f"{blocking.reference_unit.value.lower()}) has no OICP 2.3 equivalent"
        )
    always = len(availability) == 7 and all(
        periods == [{"begin": "00:00", "end": "00:00"}] for periods in availability.values()
    )
    return {
        "AdditionalReferences": additional,
        "IsValid24hours": always,
        "PricePerReferenceUnit": price,
        "ProductAvailabilityTimes": []
        if always
        else [
            {"Periods": periods, "on": _DAY_NAMES[day]}
            for day, periods in sorted(availability.items())
        ],
        "ProductID": product_id(group_id, tariff.name),
        "ProductPriceCurrency": tariff.currency.code,
        "ReferenceUnit": unit,
    }


def audience(offer: Offer, provider: ProviderId | None = None) -> list[str]:
    """The `ProviderID`s an offer's bodies are for: `*` for an offer-to-all, else each
    provider the bilateral offer names; only `provider` when one provider exports it."""
    if offer.terms.offer_to_all:
        return ["*"]
    named = [p.display for p in offer.terms.providers]
    return [provider.display] if provider is not None else named


def pricing_products(
    offer: Offer, *, operator_id: str, operator_name: str, provider: ProviderId | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The `eRoamingPushPricingProductData` bodies (one per provider audience, `audience`)
    and notes."""
    notes = [
        f"Prices are net; the offer's VAT rate is {offer.terms.vat_percent} % (OICP 2.3 "
        "carries no VAT rate)"
    ]
    records = []
    tariffs = offer.tariffs_by_key
    for group in offer.groups:
        availability: dict[str, dict[Weekday, list[dict[str, str]]]] = {}
        for interval in intervals(group.slots, merge=True):
            periods = availability.setdefault(name_key(interval.tariff), {})
            periods.setdefault(interval.day, []).append(
                {"begin": _clock(interval.start), "end": _clock(interval.end + 1)}
            )
        for key, by_day in availability.items():
            tariff = tariffs.get(key)
            if tariff is not None:
                records.append(_product(group.group_id, tariff, by_day, notes))
    bodies = [
        {
            "ActionType": "fullLoad",
            "PricingProductData": {
                "OperatorID": operator_id,
                "OperatorName": operator_name,
                "PricingDefaultPrice": Decimal(0),
                "PricingDefaultPriceCurrency": records[0]["ProductPriceCurrency"]
                if records
                else "EUR",
                "PricingDefaultReferenceUnit": "HOUR",
                "PricingProductDataRecords": records,
                "ProviderID": reader,
            },
        }
        for reader in audience(offer, provider)
    ]
    return bodies, notes


def evse_pricing(
    offer: Offer, members: Mapping[str, Sequence[str]], *, provider: ProviderId | None = None
) -> list[dict[str, Any]]:
    """The `eRoamingPushEVSEPricing` bodies: each EVSE of a group (`members`: group id →
    EVSE IDs) with its group's products, per provider audience (`audience`)."""
    products: dict[str, list[str]] = {}
    for group in offer.groups:
        names = {name_key(i.tariff): i.tariff for i in intervals(group.slots, merge=True)}
        tariffs = offer.tariffs_by_key
        products[group.group_id] = [
            product_id(group.group_id, tariffs[key].name) for key in names if key in tariffs
        ]
    return [
        {
            "ActionType": "fullLoad",
            "EVSEPricing": [
                {"EvseID": evse_id, "EvseIDProductList": products[group_id], "ProviderID": reader}
                for group_id, evse_ids in members.items()
                if group_id in products
                for evse_id in evse_ids
            ],
        }
        for reader in audience(offer, provider)
    ]
