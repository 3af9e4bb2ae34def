"""What the provider's pages show of an offer: the master data fields by their labels, and
each priced group's week as the grid the operator's schedule editor draws (one colour per
tariff, the legend with the tariffs' prices). Presentation only: the prices are the
offer's, read by `services.provider_view`."""

from __future__ import annotations

from dataclasses import dataclass

from evsenet.domain.network_lists import GroupView
from evsenet.domain.tariff import Tariff
from evsenet.services.provider_view import SubscribedOffer
from evsenet.web.offer_forms import COLOURS, DAYS, HOURS, GridCell, grid, slots_text

MASTER_DATA_LABELS = {
    "billing_contact_email": ("Billing e-mail address", "email"),
    "billing_address_country": ("Billing country (ISO code, e.g. DE)", "text"),
    "tax_id": ("VAT ID", "text"),
    "brand_name": ("Brand name", "text"),
    "billing_contact_phone": ("Billing phone", "tel"),
    "billing_contact_first_name": ("Billing contact's first name", "text"),
    "billing_contact_last_name": ("Billing contact's last name", "text"),
    "billing_address_street": ("Billing street", "text"),
    "billing_address_postal_code": ("Billing postal code", "text"),
    "billing_address_city": ("Billing city", "text"),
}
"""Each master data field's label and input type, in the order the forms ask them."""


@dataclass(frozen=True, slots=True)
class GroupWeek:
    group: GroupView
    currency: str
    grid: list[list[GridCell]]
    text: str


@dataclass(frozen=True, slots=True)
class OfferPrices:
    item: SubscribedOffer
    tariffs: tuple[Tariff, ...]
    colours: dict[str, int]
    weeks: tuple[GroupWeek, ...]
    days: list[str]
    hours: list[int]


def offer_prices(item: SubscribedOffer) -> OfferPrices:
    """The weekly grid of every group the offer prices, with the tariffs' colours."""
    offer = item.offer.offer
    colours = {t.name: index % len(COLOURS) for index, t in enumerate(offer.tariffs)}
    prices = {p.group_id: p for p in offer.groups}
    weeks = tuple(
        GroupWeek(
            group,
            prices[str(group.id)].currency.code,
            grid(prices[str(group.id)]),
            slots_text(prices[str(group.id)]),
        )
        for group in item.groups
        if str(group.id) in prices
    )
    return OfferPrices(item, offer.tariffs, colours, weeks, DAYS, HOURS)
