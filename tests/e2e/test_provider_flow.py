"""An operator publishes an offer-to-all with a two-step process through the offer wizard
(terms with the master data required, a two-step process without any refused beside its
field; network, tariffs, schedules, review, publish), then a provider subscribes in the
browser and the operator answers: the provider's master data refused per field and then
sent, the operator rejecting it with INVALID_VAT_ID, the provider fixing and resubmitting,
the operator accepting, the provider reading the weekly prices and paging the EVSEs of a
group, then pricing a session through the API under the subscribed offer. A provider
reaches no operator page by URL, and a second provider sees nothing of the first one's
subscription."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect

from evsenet.domain.inventory import PushAction
from evsenet.domain.network import Actor, GroupRef
from evsenet.domain.network_lists import EvseSelection
from evsenet.formats.csv import read_evse_csv
from evsenet.services.inventory import import_evses
from evsenet.services.networks import add_group, assign_evses, create_network
from evsenet.services.operators import register_operator
from evsenet.services.providers import create_provider_token, register_provider
from evsenet.services.users import add_party_user, add_user
from tests.e2e.conftest import PASSWORD, Server, check_page, sign_in
from tests.e2e.test_offer_flow import DAYS, _add_tariff, _local
from tests.e2e.test_operator_flow import inventory_csv

ACTOR = Actor.system()
OPERATOR = "DE*PRV"
OPS = "prices@prv.example"
ICE = "team@ice.example"
EMP = "team@emp.example"
NORTH_SIZE = 30
PAGE_SIZE = 25
OFFER_NAME = "Berlin public charging 2027"
REQUIRED = (
    "VAT ID",
    "Billing e-mail address",
    "Billing country (ISO code, e.g. DE)",
    "Billing street",
    "Billing postal code",
    "Billing city",
)
"""The master data the offer requires: what `_fill_master_data` sends."""
STARTS = (datetime.now(UTC) + timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)
"""The offer's start: the wizard refuses a start that is not in the future."""
_TUESDAY = STARTS + timedelta(days=7 + (1 - STARTS.weekday()) % 7)
SESSION = {
    "id": "ice-1",
    "evse_id": f"{OPERATOR}*E1001",
    "session_start": (_TUESDAY + timedelta(hours=20)).isoformat(),
    "session_end": (_TUESDAY + timedelta(hours=22)).isoformat(),
    "charging_start": (_TUESDAY + timedelta(hours=20)).isoformat(),
    "charging_end": (_TUESDAY + timedelta(hours=21, minutes=30)).isoformat(),
    "energy_kwh": 30,
}
"""A Tuesday evening at an EVSE of group North, a week or more into the offer."""


def _parties(server: Server) -> str:
    """The operator's network (North: 30 EVSEs, South: 5, 5 in no group), its user, the
    providers DE*ICE and FR*EMP with their users; a token of DE*ICE."""
    store = server.store
    register_operator(store, OPERATOR)
    add_user(store, OPERATOR, OPS, PASSWORD)
    import_evses(
        store, OPERATOR, read_evse_csv(inventory_csv(OPERATOR, 40).decode(), PushAction.UPSERT)
    )
    network = create_network(store, OPERATOR, "Berlin public", "City sites", actor=ACTOR)
    for name, first, count in (("North", 1, NORTH_SIZE), ("South", 31, 5)):
        group = add_group(store, OPERATOR, network.id, name, actor=ACTOR)
        ids = [f"{OPERATOR}*E{1000 + n}" for n in range(first, first + count)]
        chosen = EvseSelection(evse_ids=ids)
        assign_evses(store, OPERATOR, network.id, GroupRef(id=group.id), chosen, actor=ACTOR)
    register_provider(store, "DE*ICE", "Ice charging")
    register_provider(store, "FR*EMP", "EMP France")
    add_party_user(store, ICE, PASSWORD, provider_id="DE*ICE")
    add_party_user(store, EMP, PASSWORD, provider_id="FR*EMP")
    _, token = create_provider_token(store, "DE*ICE", "e2e")
    return token


def _schedule(page: Page, group: str, lines: list[str]) -> None:
    section = page.locator("section", has=page.get_by_role("heading", name=f"Group {group}"))
    section.get_by_label(re.compile("Exact times")).fill("\n".join(lines))
    section.get_by_role("button", name=f"Save schedule of {group}").click()
    page.wait_for_url(re.compile(r"/schedule"))


def _publish_offer_with_two_steps(page: Page) -> int:
    """The operator builds and publishes the offer-to-all through the wizard; its ID."""
    sign_in(page, OPS, "/offers")
    page.get_by_role("link", name="New offer").click()
    page.get_by_label("Name", exact=True).fill(OFFER_NAME)
    page.get_by_label("Description").fill("Day and night prices for our Berlin sites")
    page.get_by_label("Valid from (UTC)").fill(_local(STARTS))
    page.get_by_label("Lead time (days, unlimited)").fill("42")
    page.get_by_label("Cancellation period (days)").fill("30")
    page.get_by_label("Minimum term (days)").fill("1")
    page.get_by_label("VAT (%)").fill("19")

    # Two steps are for offers to all: a bilateral offer hides them.
    two_step = page.locator("#two-step")
    page.get_by_label("Bilateral, to these provider IDs:").check()
    expect(two_step).to_be_hidden()
    page.get_by_label("Offer to all", exact=True).check()
    expect(two_step).to_be_visible()

    # Two steps with no master data required: refused beside the switch, values kept.
    switch = page.get_by_label(
        "Providers subscribe in two steps (submit master data, operator approves)"
    )
    switch.check()
    page.get_by_role("button", name="Continue: choose the network").click()
    page.get_by_label(re.compile("Berlin public")).check()
    page.get_by_role("button", name="Create the draft").click()
    expect(page.locator('[data-field-problem="two_step"]')).to_have_text(
        "A two-step process requires at least one master data field"
    )
    expect(switch).to_be_checked()
    expect(page.get_by_label("Name", exact=True)).to_have_value(OFFER_NAME)
    check_page(page, "offer-terms-two-step-refused")
    for label in REQUIRED:
        two_step.get_by_label(label, exact=True).check()
    check_page(page, "offer-terms-two-step")
    page.get_by_role("button", name="Continue: choose the network").click()
    page.get_by_label(re.compile("Berlin public")).check()
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r"/offers/\d+/tariffs$"))
    offer_id = int(page.url.rsplit("/", 2)[1])

    # Edit again: the two-step process and its master data come back.
    page.get_by_role("link", name="1. Terms").click()
    expect(switch).to_be_checked()
    for label in REQUIRED:
        expect(two_step.get_by_label(label, exact=True)).to_be_checked()
    expect(two_step.get_by_label("Brand name", exact=True)).not_to_be_checked()
    page.get_by_role("link", name="3. Tariffs").click()

    _add_tariff(page, "Day", {"CHARGING_ENERGY": "0.59", "SESSION": "0.35"})
    expect(page.locator('[data-tariff="Day"]')).to_contain_text("SESSION")
    _add_tariff(page, "Night", {"CHARGING_ENERGY": "0.4499"})
    expect(page.locator('[data-tariff="Night"]')).to_contain_text("0.4499")
    page.get_by_role("link", name="Continue: schedules →").click()
    week = [f"{day} 00:00:00-05:59:59 Night" for day in DAYS[:5]]
    week += [f"{day} 06:00:00-21:59:59 Day" for day in DAYS[:5]]
    week += [f"{day} 22:00:00-23:59:59 Night" for day in DAYS[:5]]
    week += [f"{day} 00:00:00-23:59:59 Night" for day in DAYS[5:]]
    _schedule(page, "North", week)
    _schedule(page, "South", [f"{day} 00:00:00-23:59:59 Day" for day in DAYS])

    page.get_by_role("link", name="Continue: review →").click()
    audience = page.locator("#offer-audience")
    expect(audience.locator("[data-audience]")).to_have_text("Offer to all")
    expect(audience.locator("[data-two-step]")).to_contain_text("Two steps")
    for label in REQUIRED:
        expect(audience.locator("[data-master-data]")).to_contain_text(label)
    expect(page.locator("#review-problems")).to_contain_text("None: the offer can be published")
    check_page(page, "offer-review-two-step")
    page.get_by_label("I acknowledge that 5 EVSEs will be priced at zero").check()
    page.get_by_role("button", name="Publish offer").click()
    page.wait_for_url(re.compile(rf"/offers/{offer_id}/versions$"))
    expect(page.locator("#versions")).to_contain_text("Pending")
    return offer_id


def _as(page: Page, email: str, next_path: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email, next_path)


def _price(page: Page, token: str) -> tuple[int, dict[str, object]]:
    answer = page.request.post(
        "/api/v1/prices",
        data=json.dumps(SESSION),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return answer.status, json.loads(answer.text(), parse_float=Decimal)


def _fill_master_data(page: Page, tax_id: str) -> None:
    form = page.locator("#subscribe-form")
    form.get_by_label("Billing e-mail address").fill("billing@ice.example")
    form.get_by_label("Billing country (ISO code, e.g. DE)").fill("DE")
    form.get_by_label("VAT ID").fill(tax_id)
    form.get_by_label("Billing street").fill("Invalidenstraße 1")
    form.get_by_label("Billing postal code").fill("10115")
    form.get_by_label("Billing city").fill("Berlin")


def test_a_provider_subscribes_is_rejected_resubmits_and_reads_the_prices_it_pays(
    server: Server, wide: Page, narrow: Page
) -> None:
    token = _parties(server)
    page = wide
    offer_id = _publish_offer_with_two_steps(page)

    # Not subscribed: the provider's token prices nothing at this operator's EVSEs.
    status, body = _price(page, token)
    assert status == 404, body
    assert body["code"] == "evse.not_found"

    # The provider finds the offer, and its master data is refused field by field.
    _as(page, ICE, "/provider/offers")
    row = page.locator(f'#open-offers tr[data-offer="{offer_id}"]')
    expect(row).to_contain_text(OFFER_NAME)
    expect(row).to_contain_text("Offer to all")
    check_page(page, "provider-offers")
    row.get_by_role("link", name=re.compile("Subscribe")).click()
    page.wait_for_url(re.compile(rf"/provider/offers/{offer_id}/subscribe$"))
    check_page(page, "provider-subscribe")
    _fill_master_data(page, "DE123")
    page.get_by_role("button", name="Send the subscription request").click()
    expect(page.locator('[data-field-problem="tax_id"]')).to_contain_text("VAT ID 'DE123'")
    expect(page.locator('[data-field-problem="terms_confirmed"]')).to_be_visible()
    expect(page.get_by_label("Billing city")).to_have_value("Berlin")
    check_page(page, "provider-subscribe-refused")
    page.get_by_label("VAT ID").fill("DE136695976")
    page.get_by_label("I have read and accept the offer's terms and conditions").check()
    page.get_by_role("button", name="Send the subscription request").click()
    page.wait_for_url("**/provider/subscriptions")
    card = page.locator("section.subscription").first
    expect(card.locator("[data-status]")).to_have_text("Requested")
    expect(card).to_contain_text("DE136695976")

    # The operator rejects it: the VAT ID is of another company.
    _as(page, OPS, "/subscriptions")
    card = page.locator("section.subscription", has_text="DE*ICE")
    expect(card.locator("[data-status]")).to_have_text("Requested")
    expect(card).to_contain_text("billing@ice.example")
    check_page(page, "subscriptions")
    card.get_by_label("Reason").select_option("INVALID_VAT_ID")
    card.get_by_label("Message to the provider").fill("This VAT ID is not Ice charging's")
    card.get_by_role("button", name=re.compile("^Reject")).click()
    page.wait_for_url("**/subscriptions")
    expect(card.locator("[data-status]")).to_have_text("Rejected")

    # The provider reads why, fixes the VAT ID and sends the request again.
    _as(page, ICE, "/provider/subscriptions")
    card = page.locator("section.subscription").first
    expect(card.locator("[data-status]")).to_have_text("Rejected")
    expect(card.locator("[data-reject-reason]")).to_have_text("INVALID_VAT_ID")
    expect(card.locator("[data-reject-message]")).to_have_text("This VAT ID is not Ice charging's")
    check_page(page, "provider-subscriptions-rejected")
    fix = card.locator("form[data-resubmit]")
    expect(fix.get_by_label("VAT ID")).to_have_value("DE136695976")
    fix.get_by_label("VAT ID").fill("DE 811 907 980")
    fix.get_by_label("I have read and accept the offer's terms and conditions").check()
    fix.get_by_role("button", name=re.compile("Send again")).click()
    page.wait_for_url("**/provider/subscriptions")
    expect(card.locator("[data-status]")).to_have_text("Requested")
    expect(card).to_contain_text("DE 811 907 980")

    # The operator accepts; the offer's page lists the subscriber.
    _as(page, OPS, "/subscriptions")
    card = page.locator("section.subscription", has_text="DE*ICE")
    card.get_by_role("button", name=re.compile("^Accept")).click()
    page.wait_for_url("**/subscriptions")
    expect(card.locator("[data-status]")).to_have_text("Subscribed")
    page.goto(f"/offers/{offer_id}/versions")
    subscriber = page.locator("#subscribers tbody tr", has_text="DE*ICE")
    expect(subscriber).to_contain_text("Subscribed")
    expect(subscriber).to_contain_text("Ice charging")
    check_page(page, "offer-versions-subscribers")

    # The provider reads the weekly prices of each group and pages North's EVSEs.
    _as(page, ICE, "/provider/subscriptions")
    check_page(page, "provider-subscriptions")
    page.get_by_role("link", name=re.compile("Prices and EVSEs")).first.click()
    page.wait_for_url("**/provider/operators/DEPRV")
    offer = page.locator(f'section[data-offer="{offer_id}"]')
    expect(offer.locator('[data-legend="Day"]')).to_contain_text("0.59 EUR per kWh")
    expect(offer.locator('[data-legend="Night"]')).to_contain_text("0.4499 EUR per kWh")
    north = offer.locator(".group-week", has_text="Group North")
    monday = north.locator("tbody tr").first.locator(".cell")
    expect(monday).to_have_count(24)
    expect(monday.nth(3)).to_have_attribute("data-tariff", "Night")
    expect(monday.nth(12)).to_have_attribute("data-tariff", "Day")
    sunday_noon = north.locator("tbody tr").nth(6).locator(".cell").nth(12)
    expect(sunday_noon).to_have_attribute("data-tariff", "Night")
    south = offer.locator(".group-week", has_text="Group South")
    expect(south.locator('.cell[data-tariff="Day"]')).to_have_count(7 * 24)
    check_page(page, "provider-prices")
    north.get_by_role("link", name="The EVSEs of group North").click()
    expect(page.locator("#evse-count")).to_contain_text(f"{NORTH_SIZE} EVSEs · page 1 of 2")
    expect(page.locator("#group-evses tbody tr")).to_have_count(PAGE_SIZE)
    expect(page.locator("#group-evses")).to_contain_text(f"{OPERATOR}*E1001")
    check_page(page, "provider-group")
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#evse-count")).to_contain_text("page 2 of 2")
    expect(page.locator("#group-evses tbody tr")).to_have_count(NORTH_SIZE - PAGE_SIZE)
    expect(page.locator("#group-evses")).to_contain_text(f"{OPERATOR}*E1030")
    group_path = page.url.split("?")[0].removeprefix(server.url)

    # Subscribed: the provider's token prices the session under the subscribed offer.
    status, body = _price(page, token)
    assert status == 200, body
    assert body["offer_id"] == offer_id
    assert body["provider_id"] == "DE*ICE"
    total = body["total"]
    assert isinstance(total, dict)
    assert total["excl_vat"] > 0

    # No operator page answers the provider, whatever URL it guesses.
    for path in (
        "/networks",
        "/evses",
        "/offers",
        f"/offers/{offer_id}/versions",
        "/subscriptions",
        "/audit",
    ):
        answer = page.goto(path)
        assert answer is not None
        assert answer.status == 404, path
        expect(page.locator("main")).not_to_contain_text("Berlin public")

    # A second provider sees nothing of the first one's subscription.
    _as(page, EMP, "/provider/subscriptions")
    expect(page.locator("section.subscription")).to_have_count(0)
    answer = page.goto("/provider/operators/DEPRV")
    assert answer is not None
    assert answer.status == 404
    answer = page.goto(group_path)
    assert answer is not None
    assert answer.status == 404
    page.goto("/provider/offers")
    expect(page.locator(f'#open-offers tr[data-offer="{offer_id}"]')).to_contain_text("Subscribe")

    # Every new page at 390 px: no sideways scroll, no serious axe finding.
    sign_in(narrow, ICE, "/provider/offers")
    check_page(narrow, "provider-offers")
    for path, name in (
        (f"/provider/offers/{offer_id}/subscribe", "provider-subscribe"),
        ("/provider/subscriptions", "provider-subscriptions"),
        ("/provider/operators/DEPRV", "provider-prices"),
        (group_path, "provider-group"),
    ):
        narrow.goto(path)
        check_page(narrow, name)
    _as(narrow, OPS, "/subscriptions")
    check_page(narrow, "subscriptions")
    narrow.goto(f"/offers/{offer_id}/versions")
    check_page(narrow, "offer-versions-subscribers")
    narrow.goto(f"/offers/{offer_id}/review")
    check_page(narrow, "offer-review-two-step")
    narrow.goto("/offers/new")
    check_page(narrow, "offer-terms-two-step")
