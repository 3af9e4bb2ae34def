"""What another operator sees (nothing), every page at 390 px wide, and keyboard use."""

from __future__ import annotations

import re

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


def _operator_with_network(server: Server, operator: str, email: str) -> tuple[int, int]:
    """An operator with 30 EVSEs, a network and a group holding 10 of them."""
    register_operator(server.store, operator)
    add_user(server.store, operator, email, PASSWORD)
    batch = read_evse_csv(inventory_csv(operator, 30).decode(), PushAction.UPSERT)
    import_evses(server.store, operator, batch)
    network = create_network(server.store, operator, f"{operator} public", actor=ACTOR)
    group = add_group(server.store, operator, network.id, "Berlin AC", actor=ACTOR)
    ids = [f"{operator}*E{1000 + n}" for n in range(1, 11)]
    assign_evses(
        server.store, operator, network.id, GroupRef(id=group.id), EvseSelection(ids), actor=ACTOR
    )
    return network.id, group.id


def test_another_operator_sees_none_of_the_data_even_by_guessing_urls(
    server: Server, wide: Page
) -> None:
    network_id, group_id = _operator_with_network(server, "DE*TEN", "ops@ten.example")
    register_operator(server.store, "DE*OTH")
    add_user(server.store, "DE*OTH", "ops@oth.example", PASSWORD)
    page = wide
    sign_in(page, "ops@oth.example")
    expect(page.locator("table")).to_contain_text("No network yet")
    page.goto("/evses")
    expect(page.locator("#evse-results .count")).to_contain_text("0 EVSEs")
    for path in (
        f"/networks/{network_id}",
        f"/networks/{network_id}/workspace",
        f"/networks/{network_id}/evses/assigned",
        f"/networks/{network_id}/evses/unassigned",
    ):
        answer = page.goto(path)
        assert answer is not None
        assert answer.status == 404, path
        expect(page.locator("body")).not_to_contain_text("DE*TEN")
    check_page(page, "not-found")
    changed = page.evaluate(
        """async (urls) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
            const statuses = [];
            for (const [url, fields] of urls) {
                const answer = await fetch(url, {method: 'POST', body: new URLSearchParams(fields),
                    headers: {'X-CSRF-Token': token, 'HX-Request': 'true'}});
                statuses.push(answer.status);
            }
            return statuses;
        }""",
        [
            [f"/networks/{network_id}/groups", {"name": "Taken over"}],
            [f"/networks/{network_id}/groups/{group_id}/delete", {}],
            [f"/networks/{network_id}/unassign", {"scope": "matching"}],
            [f"/networks/{network_id}/assign", {"group_id": str(group_id), "scope": "matching"}],
        ],
    )
    assert changed == [404, 404, 404, 404]


def test_every_page_reads_at_390_pixels_without_sideways_scrolling(
    server: Server, narrow: Page
) -> None:
    network_id, _ = _operator_with_network(server, "DE*NRW", "ops@nrw.example")
    page = narrow
    page.goto("/sign-in")
    check_page(page, "sign-in")
    sign_in(page, "ops@nrw.example")
    check_page(page, "networks")
    page.goto("/evses")
    check_page(page, "evses")
    page.goto(f"/networks/{network_id}")
    expect(page.locator("#no-group-banner")).to_contain_text("20 EVSEs are in no group")
    check_page(page, "network-detail")
    page.get_by_role("button", name="Add EVSEs group").click()
    expect(page.get_by_role("dialog", name="Add EVSEs group")).to_be_visible()
    check_page(page, "add-group-dialog")
    page.keyboard.press("Escape")
    page.goto("/audit")
    check_page(page, "audit")


def test_a_group_is_added_with_the_keyboard_alone(server: Server, wide: Page) -> None:
    network_id, _ = _operator_with_network(server, "DE*KEY", "ops@key.example")
    page = wide
    page.goto("/sign-in")
    page.keyboard.type("ops@key.example")  # the e-mail field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/networks$"))
    page.goto(f"/networks/{network_id}")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Add EVSEs group":
            break
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Add EVSEs group")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Hamburg DC")
    expect(dialog.locator("#group-name-count")).to_have_text("10 / 30")
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("Group 'Hamburg DC' added")
    expect(page.locator('#group-cards li[data-group="Hamburg DC"]')).to_be_visible()
