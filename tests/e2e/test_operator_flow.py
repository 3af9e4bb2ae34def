"""An operator's first session in the web UI, in a real browser: sign in, import EVSEs,
build a network with groups, assign, move and unassign, then see what an active network
forbids."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from evsenet.domain.network import Actor
from evsenet.services.networks import activate_network
from evsenet.services.operators import register_operator
from evsenet.services.users import add_user
from tests.conftest import PEER_DATA
from tests.e2e.conftest import PASSWORD, Server, check_page, sign_in

HUBJECT_PUSH = (
    PEER_DATA
    / "hubject-oicp"
    / "OICP-2.3"
    / "CPO_code_snippets"
    / "eRoamingPushEvseData.request.json"
)
CITIES = (("Berlin", "10115", "DEU"), ("Hamburg", "20095", "DEU"), ("Wien", "1010", "AUT"))
POWER = (("AC_1_PHASE", "11"), ("AC_3_PHASE", "22"), ("DC", "150"))
HEADER = (
    "evse_id,charging_station_id,country,city,postal_code,street,house_number,"
    "latitude,longitude,power_type,output_kw,plugs,time_zone"
)


def inventory_csv(operator: str, count: int, *, bad_rows: int = 0) -> bytes:
    """`count` EVSEs spread over three cities and three power types, and `bad_rows`
    records with an unknown power type."""
    lines = [HEADER]
    for n in range(1, count + bad_rows + 1):
        city, postal, country = CITIES[n % 3]
        power, output = POWER[(n // 3) % 3] if n <= count else ("XX", "22")
        lines.append(
            f"{operator}*E{1000 + n},ST-{n},{country},{city},{postal},Hauptstraße,{n},"
            f"52.5,13.4,{power},{output},Type 2 Outlet,"
        )
    return ("\n".join(lines) + "\n").encode()


def shown_number(page: Page, selector: str) -> int:
    return int(page.locator(selector).first.inner_text().replace(",", "").split()[0])


def expect_banner(page: Page, in_no_group: int) -> None:
    expect(page.locator("#no-group-banner")).to_contain_text(
        f"{in_no_group} EVSEs are in no group; an offer published on this network prices "
        "them at zero"
    )


def choose_group(dialog: Locator, name: str) -> None:
    """Pick a group in a dialog's drop-down (its options read "name (N EVSEs)")."""
    select = dialog.get_by_label("Group")
    value = select.locator("option", has_text=f"{name} (").get_attribute("value")
    assert value is not None
    select.select_option(value)


def upload(page: Page, name: str, data: bytes, mime: str, *, keep_valid: bool = False) -> None:
    page.get_by_label("File", exact=True).set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    page.get_by_label("Keep the valid records when some are refused").set_checked(keep_valid)
    page.get_by_role("button", name="Upload").click()


def test_an_operator_builds_a_network_from_sign_in_to_an_active_network(
    server: Server, wide: Page
) -> None:
    register_operator(server.store, "DE*ABC", "ABC technologies", ["DE*XYZ"])
    add_user(server.store, "DE*ABC", "ops@abc.example", PASSWORD)
    page = wide

    # Signed out, every page leads to the sign-in form; a wrong password is refused.
    page.goto("/networks")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    check_page(page, "sign-in")
    page.get_by_label("E-mail address").fill("ops@abc.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".problem")).to_contain_text("e-mail address or the password is wrong")
    sign_in(page, "ops@abc.example", "/evses")

    # Import Hubject's example push, then a CSV whose refused row is shown in the page.
    upload(page, "push.json", HUBJECT_PUSH.read_bytes(), "application/json")
    expect(page.locator("#import-report")).to_contain_text("1 added")
    csv = inventory_csv("DE*ABC", 60, bad_rows=1)
    upload(page, "inventory.csv", csv, "text/csv")
    report = page.locator("#import-report")
    expect(report).to_contain_text("Nothing imported")
    expect(report).to_contain_text("DE*ABC*E1061")
    expect(report).to_contain_text("power_type")
    upload(page, "inventory.csv", csv, "text/csv", keep_valid=True)
    expect(report).to_contain_text("60 added")
    expect(report).to_contain_text("1 refused")
    expect(page.locator("#evse-results .count")).to_contain_text("61 EVSEs")
    page.get_by_label("City").fill("wien")
    expect(page.locator("#evse-results .count")).to_contain_text("20 EVSEs")
    page.get_by_role("link", name="Output").click()
    expect(page.locator("#evse-results th[aria-sort]")).to_contain_text("Output")
    check_page(page, "evses")

    # A new network, from the Networks page's dialog.
    page.get_by_role("link", name="Networks", exact=True).click()
    page.get_by_role("button", name="Add EVSE network").click()
    dialog = page.get_by_role("dialog", name="Add EVSE network")
    dialog.get_by_label("Name").fill("Germany and Austria")
    dialog.get_by_label("Description").fill("Public charging, all sites")
    dialog.get_by_role("button", name="Add network").click()
    expect(page.get_by_role("heading", name="Germany and Austria")).to_be_visible()
    network_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.locator("#no-group-banner")).to_contain_text(
        "61 EVSEs are in no group; an offer published on this network prices them at zero"
    )

    # Groups: the counter shows the limit while typing; duplicates are refused readably.
    add_group = page.get_by_role("dialog", name="Add EVSEs group")
    for name in ("DC fast", "AC city"):
        page.get_by_role("button", name="Add EVSEs group").click()
        add_group.get_by_label("Name").fill(name)
        add_group.get_by_role("button", name="Add group").click()
        expect(page.locator("#flash")).to_contain_text(f"Group '{name}' added")
        expect(page.locator(f'#group-cards li[data-group="{name}"]')).to_be_visible()
    page.get_by_role("button", name="Add EVSEs group").click()
    add_group.get_by_label("Name").fill("dc FAST")
    add_group.get_by_role("button", name="Add group").click()
    expect(add_group.locator(".problem")).to_contain_text("already has a group named 'dc FAST'")
    add_group.get_by_label("Name").fill("x" * 31)
    expect(add_group.locator("#group-name-count")).to_have_text("31 / 30")
    expect(add_group.locator("#group-name-count")).to_have_class(re.compile("over"))
    add_group.get_by_role("button", name="Add group").click()
    expect(add_group).to_be_visible()  # the browser refuses to send it
    refused = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
            const body = new URLSearchParams({name: 'x'.repeat(31)});
            const answer = await fetch(url, {method: 'POST', body,
                headers: {'X-CSRF-Token': token, 'HX-Request': 'true'}});
            return [answer.status, await answer.text()];
        }""",
        f"/networks/{network_id}/groups",
    )
    assert refused[0] == 400
    assert "at most 30 are allowed" in refused[1]
    add_group.get_by_role("button", name="Cancel").click()

    # Filter the unassigned list, select all that match, assign them through the dialog.
    unassigned = page.locator("#unassigned")
    unassigned.get_by_label("Power type").select_option("DC")
    expect(unassigned.locator(".count")).to_contain_text("match the filter")
    dc_total = shown_number(page, "#unassigned-results [data-total]")
    assert dc_total >= 15
    unassigned.get_by_role("button", name=f"Select all {dc_total} matching").click()
    unassigned.get_by_role("button", name="Assign EVSEs…").click()
    assign = page.get_by_role("dialog", name="Assign EVSEs")
    expect(assign).to_contain_text(f"All {dc_total} EVSEs that match the filter")
    choose_group(assign, "DC fast")
    with page.expect_request(re.compile(r"/assign$")) as posted:
        assign.get_by_role("button", name="Assign").click()
    assert posted.value.post_data is not None
    assert "scope=matching" in posted.value.post_data
    expect(page.locator("#flash")).to_contain_text(f"{dc_total} assigned")
    expect(page.locator('#group-cards li[data-group="DC fast"] .group-count')).to_have_text(
        str(dc_total)
    )
    expect_banner(page, 61 - dc_total)

    # Tick two EVSEs of the (now unfiltered) unassigned list and assign them to AC city.
    unassigned = page.locator("#unassigned")
    unassigned.get_by_label("Power type").select_option("")
    boxes = unassigned.locator("tbody input[name=evse_id]")
    expect(unassigned.locator(".count")).to_contain_text(str(61 - dc_total))
    boxes.nth(0).check()
    boxes.nth(1).check()
    expect(unassigned.locator("[data-selection-status]")).to_have_text("2 selected")
    unassigned.get_by_role("button", name="Assign EVSEs…").click()
    choose_group(assign, "AC city")
    assign.get_by_role("button", name="Assign").click()
    expect(page.locator("#flash")).to_contain_text("2 assigned")
    expect(page.locator('#group-cards li[data-group="AC city"] .group-count')).to_have_text("2")
    expect_banner(page, 61 - dc_total - 2)

    # Move one EVSE of DC fast to AC city, from the assigned list filtered by group.
    assigned = page.locator("#assigned")
    assigned.get_by_label("Group").select_option(label="DC fast")
    expect(assigned.locator(".count")).to_contain_text(f"{dc_total} EVSEs match")
    assigned.locator("tbody input[name=evse_id]").first.check()
    assigned.get_by_role("button", name="Move to group…").click()
    move = page.get_by_role("dialog", name="Move EVSEs to another group")
    choose_group(move, "AC city")
    move.get_by_role("button", name="Move").click()
    expect(page.locator("#flash")).to_contain_text("1 moved")
    expect(page.locator('#group-cards li[data-group="AC city"] .group-count')).to_have_text("3")
    expect(page.locator('#group-cards li[data-group="DC fast"] .group-count')).to_have_text(
        str(dc_total - 1)
    )

    # Unassign one: it is back in no group, and the banner says so.
    assigned = page.locator("#assigned")
    assigned.locator("tbody input[name=evse_id]").first.check()
    assigned.get_by_role("button", name="Unassign…").click()
    page.get_by_role("dialog", name="Unassign EVSEs?").get_by_role(
        "button", name="Unassign"
    ).click()
    expect(page.locator("#flash")).to_contain_text("1 unassigned")
    expect_banner(page, 61 - dc_total - 2 + 1)
    # Rename and delete a group while the network is draft.
    page.get_by_role("button", name="Add EVSEs group").click()
    add_group.get_by_label("Name").fill("Spare")
    add_group.get_by_role("button", name="Add group").click()
    page.get_by_role("button", name="Rename Spare").click()
    rename = page.get_by_role("dialog", name="Rename group Spare")
    rename.get_by_label("New name").fill("AC city")
    rename.get_by_role("button", name="Rename").click()
    expect(rename.locator(".problem")).to_contain_text("already has a group named 'AC city'")
    rename.get_by_label("New name").fill("Spare AC")
    rename.get_by_role("button", name="Rename").click()
    expect(page.locator("#flash")).to_contain_text("Group renamed to 'Spare AC'")
    page.get_by_role("button", name="Delete Spare AC").click()
    page.get_by_role("dialog", name="Delete group Spare AC?").get_by_role(
        "button", name="Delete group"
    ).click()
    expect(page.locator("#flash")).to_contain_text("Group deleted")
    expect(page.locator('#group-cards li[data-group="Spare AC"]')).to_have_count(0)

    page.goto(f"/networks/{network_id}")
    check_page(page, "network-detail")

    # Once an offer uses the network (activation through the service), the rules bite.
    activate_network(server.store, "DE*ABC", network_id, actor=Actor.system())
    page.reload()
    expect(page.locator("#network-status")).to_have_text("Active")
    expect(page.locator("#active-banner")).to_contain_text("assigned EVSEs stay in their group")
    rename = page.get_by_role("button", name="Rename DC fast")
    expect(rename).to_be_disabled()
    expect(rename).to_have_attribute("title", re.compile("cannot be renamed or deleted"))
    expect(page.get_by_role("button", name="Delete DC fast")).to_be_disabled()
    assigned = page.locator("#assigned")
    assigned.locator("tbody input[name=evse_id]").first.check()
    expect(assigned.get_by_role("button", name="Move to group…")).to_be_disabled()
    expect(assigned.get_by_role("button", name="Unassign…")).to_be_disabled()
    expect(assigned.locator(".reason")).to_contain_text("Move and unassign are disabled")
    refused = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
            const body = new URLSearchParams({scope: 'matching'});
            const answer = await fetch(url, {method: 'POST', body,
                headers: {'X-CSRF-Token': token, 'HX-Request': 'true'}});
            return [answer.status, await answer.text()];
        }""",
        f"/networks/{network_id}/unassign",
    )
    assert refused[0] == 409
    assert "never overwritten or removed" in refused[1]
    check_page(page, "network-active")

    # New EVSEs can still be assigned in an active network.
    unassigned = page.locator("#unassigned")
    unassigned.locator("tbody input[name=evse_id]").first.check()
    unassigned.get_by_role("button", name="Assign EVSEs…").click()
    page.get_by_role("dialog", name="Assign EVSEs").get_by_role("button", name="Assign").click()
    expect(page.locator("#flash")).to_contain_text("1 assigned")

    # The EVSEs page tells EVSEs in a group from those in none.
    page.get_by_role("link", name="EVSEs", exact=True).click()
    page.get_by_label("In a group").select_option("unassigned")
    expect(page.locator("#evse-results .count")).to_contain_text(f"{59 - dc_total} EVSEs")
    page.get_by_label("In a group").select_option("assigned")
    expect(page.locator("#evse-results .count")).to_contain_text(f"{dc_total + 2} EVSEs")

    page.get_by_role("link", name="Networks", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Germany and Austria"))
    expect(row).to_contain_text("Active")
    check_page(page, "networks")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table")).to_contain_text("evses.assigned")
    expect(page.locator("table")).to_contain_text("ops@abc.example")
    check_page(page, "audit")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.goto(f"/networks/{network_id}")
    expect(page).to_have_url(re.compile(r"/sign-in"))
