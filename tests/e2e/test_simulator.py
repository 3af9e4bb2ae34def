"""An operator asks the simulator of a draft offer what a session costs: the EVSE found by
a search, its time zone named, the total and the stacked bars in place, a bad value
refused next to its field, and an EVSE in no group priced at zero with the reason."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from evsenet.domain.inventory import PushAction
from evsenet.domain.network import Actor, GroupRef
from evsenet.domain.network_lists import EvseSelection
from evsenet.formats.csv import read_evse_csv
from evsenet.services.inventory import import_evses
from evsenet.services.networks import add_group, assign_evses, create_network
from evsenet.services.offers import create_offer
from evsenet.services.operators import register_operator
from evsenet.services.users import add_user
from tests.e2e.conftest import PASSWORD, Server, check_page, sign_in
from tests.e2e.test_operator_flow import inventory_csv
from tests.integration.offer_fixtures import NOW, Net, request

ACTOR = Actor.system()
OPERATOR = "DE*SIM"
EMAIL = "prices@sim.example"


def _draft(server: Server) -> int:
    """13 EVSEs, 5 in group North, 5 in South, 3 in no group; a draft offer pricing both
    groups (Hubject's unlimited offer-to-all example)."""
    register_operator(server.store, OPERATOR)
    add_user(server.store, OPERATOR, EMAIL, PASSWORD)
    batch = read_evse_csv(inventory_csv(OPERATOR, 13).decode(), PushAction.UPSERT)
    import_evses(server.store, OPERATOR, batch)
    network = create_network(server.store, OPERATOR, "Berlin public", "City sites", actor=ACTOR)
    groups = []
    for name, first in (("North", 1), ("South", 6)):
        group = add_group(server.store, OPERATOR, network.id, name, actor=ACTOR)
        ids = [f"{OPERATOR}*E{1000 + n}" for n in range(first, first + 5)]
        chosen = EvseSelection(evse_ids=ids)
        assign_evses(server.store, OPERATOR, network.id, GroupRef(id=group.id), chosen, actor=ACTOR)
        groups.append(group.id)
    net = Net(network.id, groups[0], groups[1])
    offer = create_offer(
        server.store,
        OPERATOR,
        request("create_unlimited_offer_to_all.json", net),
        actor=ACTOR,
        now=NOW,
    )
    return offer.id


def _fill(page: Page, evse: str, energy: str = "30") -> None:
    form = page.locator("form.simulator-form")
    form.get_by_label("EVSE", exact=True).fill(evse)
    form.get_by_label("Provider ID").fill("DE*EMP")
    form.get_by_label("or date").fill("2027-01-05")
    form.get_by_label("Time", exact=True).fill("21:00")
    form.get_by_label("Charging (min)", exact=True).fill("90")
    form.get_by_label("Energy (kWh)").fill(energy)
    form.get_by_label("Plugged in after charging (min)").fill("30")


def test_an_operator_simulates_a_session_under_a_draft(
    server: Server, wide: Page, narrow: Page
) -> None:
    offer_id = _draft(server)
    page = wide
    sign_in(page, EMAIL, f"/offers/{offer_id}/tariffs")
    page.get_by_role("link", name="Simulate a session under this draft").click()
    page.wait_for_url(f"**/offers/{offer_id}/simulator")
    expect(page.get_by_role("heading", level=1)).to_contain_text("pricing simulator")
    expect(page.locator("#simulator-evses")).to_contain_text("10 of the 10 EVSEs")
    check_page(page, "simulator-form")

    page.get_by_label("EVSE ID or part of it").fill("E1003")
    expect(page.locator("#simulator-evses")).to_contain_text("matching “E1003”")
    expect(page.locator("#simulator-evse-list option")).to_have_count(1)

    _fill(page, f"{OPERATOR}*E1001")
    page.get_by_label("Provider ID").focus()
    expect(page.locator("#sim-zone")).to_contain_text("Europe/Berlin")
    page.get_by_role("button", name="Simulate").click()
    result = page.locator("#simulation-result")
    expect(result.locator('[data-total="excl"]')).to_have_text("16.65 EUR")
    expect(result.locator("svg.bar")).to_have_count(4)
    expect(result.locator('rect.segment[data-component="CHARGING_ENERGY"]').first).to_be_visible()
    expect(result.locator("#breakdown")).to_contain_text("TUESDAY 22:00:00–23:59:59")
    assert page.url.endswith(f"/offers/{offer_id}/simulator")
    check_page(page, "simulator-result")

    page.locator("form.simulator-form").get_by_label("Energy (kWh)").fill("-5")
    page.get_by_role("button", name="Simulate").click()
    expect(page.locator("#sim-energy_kwh-problem")).to_contain_text("-5")
    expect(page.get_by_label("Energy (kWh)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#simulation-result")).to_have_count(0)
    expect(page.locator("#sim-zone")).to_contain_text("Europe/Berlin")
    check_page(page, "simulator-refused")

    page = narrow
    sign_in(page, EMAIL, f"/offers/{offer_id}/simulator")
    _fill(page, f"{OPERATOR}*E1012")
    page.get_by_role("button", name="Simulate").click()
    zero = page.locator(".zero-price")
    expect(zero).to_contain_text("Priced at zero.")
    expect(zero).to_contain_text("in no EVSE group")
    check_page(page, "simulator-zero")

    _fill(page, f"{OPERATOR}*E1007")
    page.get_by_role("button", name="Simulate").click()
    expect(page.locator('#simulation-result [data-total="excl"]')).not_to_have_text("0 ")
    expect(page.locator("#simulation-result svg.bar").first).to_be_visible()
    check_page(page, "simulator-result")
