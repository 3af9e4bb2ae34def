"""An operator prices a network in the browser: the offer wizard with its weekly schedule
editor, a gap found and fixed, the EVSEs in no group acknowledged, publishing, the network
then active, and a new price version refused inside the lead time and accepted after it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from evsenet.domain.inventory import PushAction
from evsenet.domain.network import Actor, GroupRef
from evsenet.domain.network_lists import EvseSelection
from evsenet.formats.csv import read_evse_csv
from evsenet.services.inventory import import_evses
from evsenet.services.networks import add_group, assign_evses, create_network
from evsenet.services.operators import register_operator
from evsenet.services.users import add_user
from tests.e2e.conftest import PASSWORD, Server, check_page, sign_in
from tests.e2e.test_operator_flow import inventory_csv

ACTOR = Actor.system()
OPERATOR = "DE*OFR"
EMAIL = "prices@ofr.example"
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
LEAD_DAYS = 30


def _network_with_groups(server: Server) -> int:
    """13 EVSEs: 5 in group North, 5 in group South, 3 in no group; and a second network
    whose name sorts first."""
    register_operator(server.store, OPERATOR)
    add_user(server.store, OPERATOR, EMAIL, PASSWORD)
    batch = read_evse_csv(inventory_csv(OPERATOR, 13).decode(), PushAction.UPSERT)
    import_evses(server.store, OPERATOR, batch)
    create_network(server.store, OPERATOR, "Airport chargers", "Two sites", actor=ACTOR)
    network = create_network(server.store, OPERATOR, "Berlin public", "City sites", actor=ACTOR)
    for name, first in (("North", 1), ("South", 6)):
        group = add_group(server.store, OPERATOR, network.id, name, actor=ACTOR)
        ids = [f"{OPERATOR}*E{1000 + n}" for n in range(first, first + 5)]
        chosen = EvseSelection(evse_ids=ids)
        assign_evses(server.store, OPERATOR, network.id, GroupRef(id=group.id), chosen, actor=ACTOR)
    return network.id


def _week(*, gap_on_tuesday: bool = False) -> str:
    """Night before 06:00 and from 22:00, Day in between; optionally no tariff on Tuesday
    from 06:00 to 06:59:59."""
    lines = []
    for day in DAYS:
        lines.append(f"{day} 00:00:00-05:59:59 Night")
        start = "07:00:00" if gap_on_tuesday and day == "TUESDAY" else "06:00:00"
        lines.append(f"{day} {start}-21:59:59 Day")
        lines.append(f"{day} 22:00:00-23:59:59 Night")
    return "\n".join(lines)


def _local(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _add_tariff(page: Page, name: str, components: dict[str, str]) -> None:
    form = page.locator("#tariff-form")
    form.get_by_label("Tariff name").fill(name)
    for kind, cost in components.items():
        form.get_by_label(f"Use {kind}").check()
        form.get_by_label(f"{kind} cost").fill(cost)
    form.get_by_role("button", name="Add tariff").click()


def test_an_operator_prices_a_network_with_an_offer_from_draft_to_a_second_price_version(
    server: Server, wide: Page, narrow: Page
) -> None:
    network_id = _network_with_groups(server)
    page = wide
    sign_in(page, EMAIL, "/offers")
    expect(page.locator("table")).to_contain_text("No offer yet")
    check_page(page, "offers-empty")

    # Terms, then the network (alphabetical, with description and group count).
    page.get_by_role("link", name="New offer").click()
    starts = (datetime.now(UTC) + timedelta(days=60)).replace(hour=0, minute=0, second=0)
    page.get_by_label("Name", exact=True).fill("Berlin 2027")
    page.get_by_label("Description").fill("Day and night prices")
    page.get_by_label("Valid from (UTC)").fill(_local(starts))
    page.get_by_label("Lead time (days, unlimited)").fill(str(LEAD_DAYS))
    page.get_by_label("Cancellation period (days)").fill("30")
    page.get_by_label("Minimum term (days)").fill("1")
    page.get_by_label("VAT (%)").fill("19")
    check_page(page, "offer-terms")
    page.get_by_role("button", name="Continue: choose the network").click()
    choices = page.locator("label.choice")
    expect(choices.nth(0)).to_contain_text("Airport chargers")
    expect(choices.nth(1)).to_contain_text("Berlin public")
    expect(choices.nth(1)).to_contain_text("2 groups")
    expect(choices.nth(1)).to_contain_text("City sites")
    check_page(page, "offer-network")
    page.get_by_label(re.compile("Berlin public")).check()
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r"/offers/\d+/tariffs$"))
    offer_id = int(page.url.rsplit("/", 2)[1])

    # Tariffs: a cost with five decimals is refused with the domain's message.
    _add_tariff(page, "Day", {"CHARGING_ENERGY": "0.12345"})
    refusal = page.locator("#tariff-form .problem")
    expect(refusal).to_contain_text("Cost 0.12345 has 5 decimals; at most 4")
    page.reload()
    _add_tariff(page, "Day", {"CHARGING_ENERGY": "0.59", "SESSION": "0.35"})
    expect(page.locator('[data-tariff="Day"]')).to_contain_text("SESSION")
    _add_tariff(page, "Night", {"CHARGING_ENERGY": "0.4499"})
    expect(page.locator('[data-tariff="Night"]')).to_contain_text("0.4499")
    check_page(page, "offer-tariffs")

    # Schedules: North with a gap on Tuesday morning, South painted in the grid.
    page.get_by_role("link", name="Continue: schedules →").click()
    north = page.locator("section", has=page.get_by_role("heading", name="Group North"))
    north.get_by_label(re.compile("Exact times")).fill(_week(gap_on_tuesday=True))
    north.get_by_role("button", name="Save schedule of North").click()
    page.wait_for_url(re.compile(r"/schedule"))
    north = page.locator("section", has=page.get_by_role("heading", name="Group North"))
    expect(north.get_by_role("button", name="TUESDAY 06:00 no tariff")).to_have_class(
        re.compile(r"\bgap\b")
    )
    south = page.locator("section", has=page.get_by_role("heading", name="Group South"))
    south.get_by_role("button", name="Night", exact=True).click()
    south.get_by_role("button", name="MONDAY 00:00 no tariff").hover()
    page.mouse.down()
    south.get_by_role("button", name="SUNDAY 23:00 no tariff").hover()
    page.mouse.up()
    slots = south.get_by_label(re.compile("Exact times"))
    expect(slots).to_have_value(re.compile(r"^MONDAY 00:00:00-23:59:59 Night\n"))
    expect(slots).to_have_value(re.compile(r"SUNDAY 00:00:00-23:59:59 Night$"))
    south.get_by_label("Currency").fill("EUR")
    south.get_by_role("button", name="Save schedule of South").click()
    page.wait_for_url(re.compile(r"/schedule"))
    check_page(page, "offer-schedule")

    # Review names the gap; publishing is refused with it.
    page.get_by_role("link", name="Continue: review →").click()
    expect(page.locator("#review-problems")).to_contain_text(
        "TUESDAY 06:00:00–06:59:59 has no tariff"
    )
    page.get_by_role("button", name="Publish offer").click()
    expect(page.locator("#publish-form .problem")).to_contain_text(
        "TUESDAY 06:00:00–06:59:59 has no tariff"
    )

    # The gap fixed in the grid by keyboard: Day chosen, the hour painted with Enter.
    page.get_by_role("link", name="4. Schedules").click()
    north = page.locator("section", has=page.get_by_role("heading", name="Group North"))
    north.get_by_role("button", name="Day", exact=True).click()
    monday = north.get_by_role("button", name="TUESDAY 05:00 Night")
    monday.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(north.get_by_role("button", name="TUESDAY 06:00 Day")).to_be_focused()
    expect(north.get_by_label(re.compile("Exact times"))).to_have_value(
        re.compile("TUESDAY 06:00:00-21:59:59 Day")
    )
    north.get_by_role("button", name="Save schedule of North").click()
    page.wait_for_url(re.compile(r"/schedule"))

    # Review: no problem left; the 3 EVSEs in no group are listed and counted.
    page.get_by_role("link", name="5. Review").click()
    expect(page.locator("#review-problems")).to_contain_text("None: the offer can be published")
    zero = page.locator("#zero-priced")
    expect(zero).to_contain_text("3 EVSEs will be priced at zero")
    for n in (11, 12, 13):
        expect(zero).to_contain_text(f"{OPERATOR}*E{1000 + n}")
    check_page(page, "offer-review")

    # Without the acknowledgement refused; with it published, and the network active.
    page.get_by_role("button", name="Publish offer").click()
    expect(page.locator("#publish-form .problem")).to_contain_text(
        "3 EVSE(s) of the operator are in no group"
    )
    page.get_by_label("I acknowledge that 3 EVSEs will be priced at zero").check()
    page.get_by_role("button", name="Publish offer").click()
    page.wait_for_url(re.compile(rf"/offers/{offer_id}/versions$"))
    expect(page.locator("#versions")).to_contain_text("Pending")
    check_page(page, "offer-versions")
    page.get_by_role("link", name="Offers", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Berlin 2027"))
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("Berlin public")
    expect(row).to_contain_text("Offer to all")
    check_page(page, "offers")
    row.get_by_role("link", name="Berlin public").click()
    expect(page.locator("#network-status")).to_have_text("Active")

    # Moving an assigned EVSE is refused with the rule's code and message.
    south_id = page.locator('#group-cards li[data-group="South"] a').first.get_attribute("href")
    assert south_id is not None
    group_id = re.search(r"a_group=(\d+)", south_id)
    assert group_id is not None
    refused = page.evaluate(
        """async ([url, group]) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
            const body = new URLSearchParams({group_id: group, side: 'assigned',
                scope: 'selected', evse_id: 'DE*OFR*E1001'});
            const answer = await fetch(url, {method: 'POST', body,
                headers: {'X-CSRF-Token': token, 'HX-Request': 'true'}});
            return [answer.status, await answer.text()];
        }""",
        [f"/networks/{network_id}/assign", group_id.group(1)],
    )
    assert refused[0] == 409
    assert "is assigned in this active network" in refused[1]
    assert "never overwritten or removed" in refused[1]

    # A new price version: inside the lead time refused with the message, after it accepted.
    page.goto(f"/offers/{offer_id}/versions")
    page.get_by_role("link", name="New price version").click()
    check_page(page, "offer-version-new")
    page.get_by_label("Update date (UTC)").fill(_local(datetime.now(UTC) + timedelta(days=5)))
    page.get_by_role("button", name="Publish the new price version").click()
    expect(page.locator("#version-form .problem")).to_contain_text(
        f"({LEAD_DAYS} days of lead time)"
    )
    later = starts + timedelta(days=LEAD_DAYS)
    page.get_by_label("Update date (UTC)").fill(_local(later))
    page.get_by_role("button", name="Publish the new price version").click()
    page.wait_for_url(re.compile(r"/offers/\d+/versions$"))
    second = int(page.url.rsplit("/", 2)[1])
    assert second != offer_id
    versions = page.locator("#versions")
    expect(versions.locator("tbody tr")).to_have_count(2)
    expect(versions).to_contain_text(later.strftime("%Y-%m-%d %H:%M:00 UTC"))
    page.get_by_role("link", name="Previous version").click()
    expect(page).to_have_url(re.compile(rf"/offers/{offer_id}/versions$"))
    page.get_by_role("link", name="Next version").click()
    expect(page).to_have_url(re.compile(rf"/offers/{second}/versions$"))

    # Every new page at 390 px: no sideways scroll, no serious axe finding.
    sign_in(narrow, EMAIL, "/offers")
    check_page(narrow, "offers")
    for path, name in (
        ("/offers/new", "offer-terms"),
        (f"/offers/{offer_id}/review", "offer-review"),
        (f"/offers/{second}/versions", "offer-versions"),
        (f"/offers/{second}/versions/new", "offer-version-new"),
    ):
        narrow.goto(path)
        check_page(narrow, name)
