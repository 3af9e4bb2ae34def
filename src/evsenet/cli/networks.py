"""`evsenet networks`: EVSE networks, and assigning EVSEs to their groups in bulk.

A NETWORK is named by its name (any letter case) or its id, a GROUP likewise within its
network; a name wins over an id that reads the same. A bulk assignment selects EVSEs by
--evse (repeated) or by the filters of `evsenet evses list` (all matching EVSEs at once;
--all for every one): all or nothing, and a refused request prints every refused EVSE
and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from evsenet.api.hubject_schemas import EvseNetworkIn
from evsenet.cli.base import JsonOption, OperatorOption, command_group, open_store
from evsenet.cli.evses import read_source
from evsenet.cli.output import REFUSED, CliProblem
from evsenet.cli.output_networks import (
    describe_network,
    print_network,
    print_network_detail,
    print_networks,
    print_refused,
    print_report,
)
from evsenet.domain.errors import NotFound
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import EvseFilter
from evsenet.domain.network import Actor, AssignmentRefused, GroupRef, name_key
from evsenet.domain.network_lists import (
    EvseSelection,
    GroupSpec,
    GroupView,
    NetworkDetail,
    NetworkEvseFilter,
    NetworkSummary,
)
from evsenet.services.inventory import evse_filter
from evsenet.services.networks import (
    assign_evses,
    create_network,
    create_network_with_groups,
    delete_network,
    get_network,
    list_networks,
    unassign_evses,
    unassigned_count,
)
from evsenet.store.engine import Store

networks_app = command_group(
    "networks",
    "EVSE networks: create, list, show, delete, import a Hubject body; assign EVSEs to "
    "their groups and unassign them.",
)

NetworkArgument = Annotated[
    str, typer.Argument(metavar="NETWORK", help="The network's name (any letter case) or id")
]
GroupArgument = Annotated[
    str, typer.Argument(metavar="GROUP", help="The group's name (any letter case) or id")
]
DescriptionOption = Annotated[str, typer.Option(help="A description (optional)")]


def _text(help_text: str, metavar: str = "TEXT") -> Any:
    return typer.Option(metavar=metavar, help=help_text)


EvseOption = Annotated[
    list[str] | None,
    typer.Option(
        "--evse", metavar="ID", help="An EVSE ID, e.g. DE*ABC*E1 (repeat the option for more)"
    ),
]
TextFilter = Annotated[
    str | None, _text("Filter: text the EVSE ID contains (the * separators do not matter)")
]
CountryFilter = Annotated[str | None, _text("Filter: country, e.g. DEU or DE", "CODE")]
CityFilter = Annotated[str | None, _text("Filter: city, the whole name (any letter case)")]
PostalCodeFilter = Annotated[str | None, _text("Filter: postal code, or its beginning")]
PowerTypeFilter = Annotated[str | None, _text("Filter: AC_1_PHASE, AC_3_PHASE or DC", "TYPE")]
MinOutputFilter = Annotated[str | None, _text("Filter: output of at least KW kilowatts", "KW")]
MaxOutputFilter = Annotated[str | None, _text("Filter: output of at most KW kilowatts", "KW")]
AllOption = Annotated[
    bool, typer.Option("--all", help="Select every EVSE of the list (no --evse, no filter)")
]


def _number(text: str) -> int | None:
    stripped = text.strip()
    return int(stripped) if stripped.isascii() and stripped.isdigit() else None


def find_network(store: Store, operator: OperatorId, text: str) -> NetworkSummary:
    """The operator's network named `text` (letter case ignored), else the one with that
    id; not found otherwise."""
    networks = list_networks(store, operator)
    key = name_key(text.strip())
    for network in networks:
        if name_key(network.name) == key:
            return network
    number = _number(text)
    for network in networks:
        if network.id == number:
            return network
    raise NotFound(
        "network.not_found",
        f"The operator {operator.display} has no network named {text!r}; "
        f"`evsenet networks list --operator {operator.display}` lists them",
    )


def find_group(network: NetworkDetail, text: str) -> GroupView:
    """The group of `network` named `text` (letter case ignored), else the one with that id."""
    key = name_key(text.strip())
    for group in network.groups:
        if name_key(group.name) == key:
            return group
    number = _number(text)
    for group in network.groups:
        if group.id == number:
            return group
    raise NotFound(
        "group.not_found",
        f"Network {network.name!r} has no group named {text!r}; "
        f"`evsenet networks show {network.name!r}` lists its groups",
    )


def selection(
    evse_ids: list[str] | None,
    criteria: EvseFilter,
    select_all: bool,
    *,
    group_id: int | None = None,
) -> EvseSelection:
    """The EVSEs a bulk command changes: --evse IDs, or a filter (--all: no filter)."""
    filtered = criteria != EvseFilter() or group_id is not None
    if evse_ids and (filtered or select_all):
        raise CliProblem(
            "cli.selection_ambiguous",
            "Select EVSEs either by --evse or by filter options (or --all), not both",
        )
    if evse_ids:
        return EvseSelection(evse_ids=list(evse_ids))
    if not filtered and not select_all:
        raise CliProblem(
            "cli.selection_required",
            "Select EVSEs by --evse ID (repeat it for more) or by filter options such as "
            "--city or --power-type; --all selects every EVSE of the list",
        )
    if group_id is not None:
        return EvseSelection(criteria=NetworkEvseFilter.of(criteria, group_id))
    return EvseSelection(criteria=criteria)


def refused(error: AssignmentRefused, as_json: bool) -> NoReturn:
    print_refused(error, as_json)
    raise typer.Exit(REFUSED)


@networks_app.command("create")
def networks_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The network's name")],
    operator: OperatorOption,
    description: DescriptionOption = "",
    as_json: JsonOption = False,
) -> None:
    """Create an empty network (draft). --json prints {id, name, description, status,
    created_at}."""
    operator_id = OperatorId.parse(operator)
    network = create_network(open_store(ctx), operator_id, name, description, actor=Actor.cli())
    print_network(network, as_json, f"Created network {describe_network(network)}")


@networks_app.command("list")
def networks_list(
    ctx: typer.Context, operator: OperatorOption, as_json: JsonOption = False
) -> None:
    """List the operator's networks alphabetically, with their groups and EVSEs counted."""
    print_networks(list_networks(open_store(ctx), OperatorId.parse(operator)), as_json)


@networks_app.command("show")
def networks_show(
    ctx: typer.Context,
    network: NetworkArgument,
    operator: OperatorOption,
    as_json: JsonOption = False,
) -> None:
    """Show a network, its groups with their EVSE counts, and how many of the operator's
    EVSEs are in no group (an offer on the network prices those at zero)."""
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx)
    found = find_network(store, operator_id, network)
    detail = get_network(store, operator_id, found.id)
    print_network_detail(detail, unassigned_count(store, operator_id, found.id), as_json)


@networks_app.command("delete")
def networks_delete(
    ctx: typer.Context,
    network: NetworkArgument,
    operator: OperatorOption,
    as_json: JsonOption = False,
) -> None:
    """Delete a draft network with its groups (their EVSEs become unassigned). An active
    network (an offer uses it) cannot be deleted."""
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx)
    found = find_network(store, operator_id, network)
    delete_network(store, operator_id, found.id, actor=Actor.cli())
    print_network(found, as_json, f"Deleted network {describe_network(found)}")


def read_hubject_network(path: Path) -> EvseNetworkIn:
    """A Hubject create-network body from a file; another shape is an input error."""
    data = read_source(path)
    try:
        return EvseNetworkIn.model_validate_json(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors()[:5]
        )
        raise CliProblem(
            "cli.body_malformed",
            f"{path} is not a Hubject EVSE network body (evseNetworkName, "
            f"evseNetworkDescription, evseGroups[groupName, groupDescription, evseIds]): "
            f"{problems}",
        ) from None


@networks_app.command("import")
def networks_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A body of Hubject's create-network call (POST …/operators/{id}/networks)",
        ),
    ],
    operator: OperatorOption,
    as_json: JsonOption = False,
) -> None:
    """Create a network with its groups and their EVSEs from a Hubject EVSE Network body,
    all or nothing: one refused EVSE or group name refuses the file (each is listed)."""
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx)
    body = read_hubject_network(file)
    groups = [
        GroupSpec(group.group_name, group.group_description or "", list(group.evse_ids))
        for group in body.evse_groups
    ]
    try:
        network = create_network_with_groups(
            store,
            operator_id,
            body.evse_network_name,
            body.evse_network_description or "",
            groups,
            actor=Actor.cli(),
        )
    except AssignmentRefused as error:
        refused(error, as_json)
    assigned = sum(group.evse_count for group in network.groups)
    sentence = (
        f"{file.name}: created network {describe_network(network)} with "
        f"{len(network.groups)} group(s) and {assigned} EVSE(s) assigned"
    )
    print_network(network, as_json, sentence)


@networks_app.command("assign")
def networks_assign(
    ctx: typer.Context,
    network: NetworkArgument,
    group: GroupArgument,
    operator: OperatorOption,
    evse: EvseOption = None,
    q: TextFilter = None,
    country: CountryFilter = None,
    city: CityFilter = None,
    postal_code: PostalCodeFilter = None,
    power_type: PowerTypeFilter = None,
    min_output: MinOutputFilter = None,
    max_output: MaxOutputFilter = None,
    select_all: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """Assign EVSEs to GROUP: the --evse IDs, or every unassigned EVSE that matches the
    filters. In a draft network an EVSE named by --evse moves from its group; in an active
    one only unassigned EVSEs can be assigned. All or nothing: a refused request lists
    each refused EVSE and why (exit code 1). --json prints {assigned, moved, unchanged,
    unassigned}.
    """
    operator_id = OperatorId.parse(operator)
    criteria = evse_filter(
        text=q,
        country=country,
        city=city,
        postal_code=postal_code,
        power_type=power_type,
        min_output_kw=min_output,
        max_output_kw=max_output,
    )
    chosen = selection(evse, criteria, select_all)
    store = open_store(ctx)
    found = find_network(store, operator_id, network)
    target = find_group(get_network(store, operator_id, found.id), group)
    try:
        report = assign_evses(
            store, operator_id, found.id, GroupRef(id=target.id), chosen, actor=Actor.cli()
        )
    except AssignmentRefused as error:
        refused(error, as_json)
    print_report(report, as_json, f"Group {target.name!r} of network {found.name!r}")


@networks_app.command("unassign")
def networks_unassign(
    ctx: typer.Context,
    network: NetworkArgument,
    operator: OperatorOption,
    evse: EvseOption = None,
    group: Annotated[
        str | None, _text("Filter: only EVSEs of this group (name or id)", "GROUP")
    ] = None,
    q: TextFilter = None,
    country: CountryFilter = None,
    city: CityFilter = None,
    postal_code: PostalCodeFilter = None,
    power_type: PowerTypeFilter = None,
    min_output: MinOutputFilter = None,
    max_output: MaxOutputFilter = None,
    select_all: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """Take EVSEs out of the network's groups: the --evse IDs, or every assigned EVSE that
    matches the filters (--group: of one group). Only in a draft network: an assignment in
    an active network is never removed. All or nothing, like assign."""
    operator_id = OperatorId.parse(operator)
    criteria = evse_filter(
        text=q,
        country=country,
        city=city,
        postal_code=postal_code,
        power_type=power_type,
        min_output_kw=min_output,
        max_output_kw=max_output,
    )
    store = open_store(ctx)
    found = find_network(store, operator_id, network)
    group_id = None
    if group is not None:
        group_id = find_group(get_network(store, operator_id, found.id), group).id
    chosen = selection(evse, criteria, select_all, group_id=group_id)
    try:
        report = unassign_evses(store, operator_id, found.id, chosen, actor=Actor.cli())
    except AssignmentRefused as error:
        refused(error, as_json)
    print_report(report, as_json, f"Network {found.name!r}")
