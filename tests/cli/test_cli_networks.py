"""`evsenet networks` and `evsenet groups` on SQLite and PostgreSQL: the same messages,
--json and exit codes as the inventory commands; bulk assignment by IDs and by filter, all
or nothing with every refused EVSE named; a Hubject body imported; the demo's networks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evsenet.domain.network import Actor
from evsenet.services.networks import activate_network
from evsenet.store.engine import Store
from tests.cli.test_cli import CSV_HEADER, Cli
from tests.integration.snapshots import dump

HUBJECT_BODY = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "hubject"
    / "networks"
    / "create.request.json"
)
OPERATOR = ("--operator", "DE*ABC")


def row(evse_id: str, city: str, power: str, output: str) -> str:
    return (
        f"{evse_id},ST-{evse_id[-3:]},DEU,{city},50667,Hohe Straße,1,50.936810,6.955860,"
        f"{power},{output},Type 2 Outlet,"
    )


INVENTORY = [
    row("DE*ABC*E001", "Köln", "AC_3_PHASE", "22"),
    row("DE*ABC*E002", "Köln", "DC", "150"),
    row("DE*ABC*E003", "Köln", "DC", "300"),
    row("DE*ABC*E004", "Berlin", "DC", "50"),
    row("DE*ABC*E005", "Berlin", "AC_3_PHASE", "11"),
    row("DE*ABC*E100001*1", "Bonn", "AC_3_PHASE", "22"),
    row("DE*ABC*E100001*2", "Bonn", "AC_3_PHASE", "22"),
    row("DE*XYZ*E200001*1", "Bonn", "DC", "150"),
    row("DE*ABC*E009", "Bonn", "DC", "150"),
]


@pytest.fixture
def cli(store: Store, tmp_path: Path) -> Cli:
    """DE*ABC (hub of DE*XYZ) with the EVSEs above, DE*ABC*E009 withdrawn; NL*EVN with one."""
    cli = Cli(store.url)
    cli("operators", "add", "DE*ABC", "--sub-operator", "DE*XYZ")
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("\n".join([CSV_HEADER, *INVENTORY]) + "\n", encoding="utf-8")
    cli("evses", "import", str(inventory), *OPERATOR)
    withdrawn = tmp_path / "withdrawn.csv"
    withdrawn.write_text(f"{CSV_HEADER}\n{INVENTORY[-1]}\n", encoding="utf-8")
    cli("evses", "import", str(withdrawn), *OPERATOR, "--action", "delete")
    other = tmp_path / "other.csv"
    other.write_text(f"{CSV_HEADER}\n{row('NL*EVN*E001', 'Köln', 'DC', '150')}\n")
    cli("evses", "import", str(other), "--operator", "NL*EVN")
    return cli


def groups_of(cli: Cli, network: str, operator: str = "DE*ABC") -> dict[str, int]:
    shown = cli.json("networks", "show", network, "--operator", operator)
    return {group["name"]: group["evse_count"] for group in shown["groups"]}


def test_networks_are_created_listed_shown_and_deleted(cli: Cli) -> None:
    created = cli.json("networks", "create", "Köln Mitte", *OPERATOR, "--description", "Innenstadt")
    assert (created["name"], created["status"], created["description"]) == (
        "Köln Mitte",
        "draft",
        "Innenstadt",
    )
    human = cli("networks", "create", "Autobahn", *OPERATOR).stdout
    assert "Created network 'Autobahn' (id " in human
    listed = cli.json("networks", "list", *OPERATOR)
    assert [item["name"] for item in listed["items"]] == ["Autobahn", "Köln Mitte"]
    assert listed["total"] == 2
    assert "2 networks" in cli("networks", "list", *OPERATOR).stdout
    shown = cli.json("networks", "show", "köln mitte", *OPERATOR)
    assert (shown["id"], shown["groups"], shown["unassigned_count"]) == (created["id"], [], 8)
    by_id = cli("networks", "show", str(created["id"]), *OPERATOR).stdout
    assert "8 EVSEs of the operator in no group" in by_id
    assert "Deleted network 'Autobahn'" in cli("networks", "delete", "AUTOBAHN", *OPERATOR).stdout
    assert cli.json("networks", "list", *OPERATOR)["total"] == 1


def test_groups_are_added_renamed_and_deleted(cli: Cli) -> None:
    cli("networks", "create", "Net", *OPERATOR)
    added = cli.json("groups", "add", "Net", "AC city", *OPERATOR, "--description", "AC")
    assert (added["name"], added["evse_count"]) == ("AC city", 0)
    assert "Added group 'DC' (id " in cli("groups", "add", "Net", "DC", *OPERATOR).stdout
    renamed = cli("groups", "rename", "Net", "ac CITY", "AC street", *OPERATOR).stdout
    assert "Renamed group 'AC city' to 'AC street' in network 'Net'" in renamed
    cli("networks", "assign", "Net", "AC street", *OPERATOR, "--evse", "DE*ABC*E001")
    deleted = cli.json("groups", "delete", "Net", "AC street", *OPERATOR)
    assert (deleted["name"], deleted["unassigned"]) == ("AC street", 1)
    assert groups_of(cli, "Net") == {"DC": 0}


def test_assign_by_ids_by_filter_and_all(cli: Cli) -> None:
    cli("networks", "create", "Net", *OPERATOR)
    for name in ("AC", "DC fast", "Rest"):
        cli("groups", "add", "Net", name, *OPERATOR)
    by_ids = cli.json("networks", "assign", "Net", "AC", *OPERATOR, "--evse", "DE*ABC*E001",
                      "--evse", "deabce005")  # fmt: skip
    assert by_ids == {"assigned": 2, "moved": 0, "unchanged": 0, "unassigned": 0}
    by_filter = cli("networks", "assign", "Net", "dc fast", *OPERATOR, "--power-type", "DC",
                    "--min-output", "150", "--city", "köln").stdout  # fmt: skip
    assert "Group 'DC fast' of network 'Net': assigned 2, moved 0" in by_filter
    rest = cli.json("networks", "assign", "Net", "Rest", *OPERATOR, "--all")
    assert rest["assigned"] == 4
    assert groups_of(cli, "Net") == {"AC": 2, "DC fast": 2, "Rest": 4}
    moved = cli.json("networks", "assign", "Net", "AC", *OPERATOR, "--evse", "DE*ABC*E002")
    assert (moved["assigned"], moved["moved"]) == (0, 1)


def test_a_refused_bulk_names_every_refused_evse_and_writes_nothing(cli: Cli, store: Store) -> None:
    cli("networks", "create", "Net", *OPERATOR)
    cli("groups", "add", "Net", "G", *OPERATOR)
    before = dump(store)
    ids = ["DE*ABC*E001", "DE*ABC*E404", "DE*ABC*E009", "NL*EVN*E001", "deabce001"]
    arguments = ["networks", "assign", "Net", "G", *OPERATOR]
    for evse_id in ids:
        arguments += ["--evse", evse_id]
    result = cli(*arguments, code=1)
    for evse_id, code in (
        ("DE*ABC*E404", "evse.unknown"),
        ("DE*ABC*E009", "evse.withdrawn"),
        ("NL*EVN*E001", "evse.unknown"),
        ("deabce001", "evse.listed_twice"),
    ):
        assert any(evse_id in line and code in line for line in result.stdout.splitlines()), (
            evse_id,
            result.stdout,
        )
    assert "Nothing was written" in result.stdout
    assert result.stderr.strip().startswith("error [assignment.refused]: ")
    refused = cli.json(*arguments, code=1)
    assert refused["error"]["code"] == "assignment.refused"
    assert sorted((e["index"], e["code"]) for e in refused["errors"]) == [
        (0, "evse.listed_twice"),
        (1, "evse.unknown"),
        (2, "evse.withdrawn"),
        (3, "evse.unknown"),
        (4, "evse.listed_twice"),
    ]
    assert dump(store) == before


@pytest.mark.parametrize(
    ("arguments", "code", "exit_code"),
    [
        pytest.param(["Net", "G"], "cli.selection_required", 2, id="no-selection"),
        pytest.param(
            ["Net", "G", "--evse", "DE*ABC*E001", "--city", "Köln"],
            "cli.selection_ambiguous",
            2,
            id="ids-and-filter",
        ),
        pytest.param(["Net", "G", "--power-type", "AC"], "filter.power_type", 2, id="bad-filter"),
        pytest.param(
            ["Net", "G", "--min-output", "50", "--max-output", "22"],
            "filter.output_range",
            2,
            id="impossible-bounds",
        ),
        pytest.param(["Nope", "G", "--all"], "network.not_found", 1, id="unknown-network"),
        pytest.param(["Net", "Nope", "--all"], "group.not_found", 1, id="unknown-group"),
    ],
)
def test_assign_refuses_a_bad_command_line(
    cli: Cli, arguments: list[str], code: str, exit_code: int
) -> None:
    cli("networks", "create", "Net", *OPERATOR)
    cli("groups", "add", "Net", "G", *OPERATOR)
    message = cli.error("networks", "assign", *arguments, *OPERATOR, code=exit_code)
    assert message.startswith(f"error [{code}]: ")
    assert groups_of(cli, "Net") == {"G": 0}


def test_another_operators_network_is_not_found(cli: Cli) -> None:
    cli("networks", "create", "Mine", "--operator", "NL*EVN")
    message = cli.error("networks", "show", "Mine", *OPERATOR, code=1)
    assert "network.not_found" in message
    assert cli.json("networks", "list", *OPERATOR)["total"] == 0


def test_unassign_by_group_and_by_ids(cli: Cli) -> None:
    cli("networks", "create", "Net", *OPERATOR)
    cli("groups", "add", "Net", "A", *OPERATOR)
    cli("groups", "add", "Net", "B", *OPERATOR)
    cli("networks", "assign", "Net", "A", *OPERATOR, "--city", "Köln")
    cli("networks", "assign", "Net", "B", *OPERATOR, "--city", "Berlin")
    by_group = cli.json("networks", "unassign", "Net", *OPERATOR, "--group", "a")
    assert by_group["unassigned"] == 3
    by_ids = cli("networks", "unassign", "Net", *OPERATOR, "--evse", "DE*ABC*E004").stdout
    assert "Network 'Net': assigned 0, moved 0, unassigned 1" in by_ids
    assert groups_of(cli, "Net") == {"A": 0, "B": 1}


def test_an_active_networks_groups_keep_their_names_and_assignments(cli: Cli, store: Store) -> None:
    network_id = cli.json("networks", "create", "Live", *OPERATOR)["id"]
    cli("groups", "add", "Live", "G", *OPERATOR)
    cli("networks", "assign", "Live", "G", *OPERATOR, "--evse", "DE*ABC*E001")
    activate_network(store, "DE*ABC", network_id, actor=Actor.system())
    assert "group.active_not_renamable" in cli.error(
        "groups", "rename", "Live", "G", "H", *OPERATOR, code=1
    )
    assert "network.active_not_deletable" in cli.error(
        "networks", "delete", "Live", *OPERATOR, code=1
    )
    refused = cli.json("networks", "unassign", "Live", *OPERATOR, "--evse", "DE*ABC*E001", code=1)
    assert [e["code"] for e in refused["errors"]] == ["evse.assigned_in_active_network"]
    assert cli.json("groups", "add", "Live", "New", *OPERATOR)["name"] == "New"


def test_a_hubject_body_is_imported_all_or_nothing(cli: Cli, store: Store, tmp_path: Path) -> None:
    imported = cli.json("networks", "import", str(HUBJECT_BODY), *OPERATOR)
    assert imported["name"] == "Rhein-Ruhr public"
    assert [(g["name"], g["evse_count"]) for g in imported["groups"]] == [
        ("AC street", 2),
        ("DC hub", 1),
    ]
    human = cli("networks", "show", "Rhein-Ruhr public", *OPERATOR).stdout
    assert "2 groups, 3 EVSEs assigned" in human
    again = cli.error("networks", "import", str(HUBJECT_BODY), *OPERATOR, code=1)
    assert "network.name_taken" in again
    body = json.loads(HUBJECT_BODY.read_text())
    body["evseNetworkName"] = "Second"
    body["evseGroups"][0]["evseIds"] = ["DE*ABC*E002", "DE*ABC*E404"]
    second = tmp_path / "second.json"
    second.write_text(json.dumps(body))
    before = dump(store)
    refused = cli(*("networks", "import", str(second)), *OPERATOR, code=1)
    assert "DE*ABC*E404" in refused.stdout
    assert "evse.in_other_network" in refused.stdout
    assert dump(store) == before


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{", id="not-json"),
        pytest.param('{"NetworkName": "N", "GroupsAssignments": []}', id="the-assignment-body"),
        pytest.param('{"evseNetworkName": "N", "evseGroups": [{"groupName": 1}]}', id="bad-group"),
    ],
)
def test_a_file_that_is_no_hubject_network_body_is_an_input_error(
    cli: Cli, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "body.json"
    path.write_text(content)
    message = cli.error("networks", "import", str(path), *OPERATOR, code=2)
    assert "cli.body_malformed" in message
    assert "is not a Hubject EVSE network body" in message
    assert "cli.file_unreadable" in cli.error(
        "networks", "import", str(tmp_path / "missing.json"), *OPERATOR, code=2
    )


def test_the_demo_builds_two_networks_and_leaves_evses_unassigned(cli: Cli, store: Store) -> None:
    first = cli.json("demo", "--evses", "600", "--operator", "NL*DMO")
    networks = {network["name"]: network for network in first["networks"]}
    assert list(networks) == ["Germany", "Europe roaming"]
    germany = networks["Germany"]
    assert germany["created"] is True
    assert set(germany["groups"]) == {"AC city", "AC slow", "DC highway 150 kW+"}
    assert all(count > 0 for count in germany["groups"].values()), germany
    assert networks["Europe roaming"]["assigned"] > 0
    shown = cli.json("networks", "show", "Germany", "--operator", "NL*DMO")
    assert 0 < shown["unassigned_count"] < 600
    assigned = sum(sum(n["groups"].values()) for n in first["networks"])
    assert assigned + shown["unassigned_count"] == 600
    before = dump(store)
    again = cli.json("demo", "--evses", "600", "--operator", "NL*DMO")
    assert [(n["created"], n["assigned"]) for n in again["networks"]] == [(False, 0), (False, 0)]
    assert [n["groups"] for n in again["networks"]] == [n["groups"] for n in first["networks"]]
    assert dump(store) == before, "running the demo again changes nothing"
    human = cli("demo", "--evses", "600", "--operator", "NL*DMO").stdout
    assert "Network 'Germany' (id " in human
    assert "kept; assigned 0 EVSE(s) now; groups: AC city " in human
