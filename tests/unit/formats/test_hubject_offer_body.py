"""An offer rendered as Hubject's create body reads back into the same offer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from evsenet.domain.offer import GroupPrices
from evsenet.domain.schedule import ordered
from evsenet.formats._json_body import parse_json_object
from evsenet.formats.hubject_offer import read_create_offer, read_price_update
from evsenet.formats.hubject_offer_body import render_create_body, render_price_update

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hubject"
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def in_week_order(groups: tuple[GroupPrices, ...]) -> list[GroupPrices]:
    """The groups with their slots in week order (a body may list them in any order)."""
    return [replace(g, slots=tuple(ordered(g.slots))) for g in groups]


@pytest.mark.parametrize(
    "name", ["create_unlimited_offer_to_all.json", "create_limited_bilateral.json"]
)
def test_a_rendered_body_reads_back_into_the_same_offer(name: str) -> None:
    sent = read_create_offer(
        parse_json_object((FIXTURES / name).read_bytes()), now=NOW, vat_percent=Decimal(19)
    )
    body = render_create_body(sent.offer, placeholder_id=sent.placeholder_id)
    again = read_create_offer(body, now=NOW, vat_percent=Decimal(0))
    assert again.placeholder_id == sent.placeholder_id
    assert again.offer.terms == sent.offer.terms
    assert again.offer.tariffs == sent.offer.tariffs
    assert in_week_order(again.offer.groups) == in_week_order(sent.offer.groups)


def test_a_rendered_price_update_reads_back() -> None:
    sent = read_price_update(parse_json_object((FIXTURES / "update_prices.json").read_bytes()))
    offer = read_create_offer(
        parse_json_object((FIXTURES / "create_unlimited_offer_to_all.json").read_bytes()),
        now=NOW,
        vat_percent=Decimal(19),
    ).offer
    versioned = replace(offer, tariffs=sent.tariffs, groups=sent.groups)
    body = render_price_update(
        versioned, update_date=sent.update_date, placeholder_id=sent.placeholder_id
    )
    again = read_price_update(body)
    assert again.tariffs == sent.tariffs
    assert in_week_order(again.groups) == in_week_order(sent.groups)
    assert again.update_date == sent.update_date
