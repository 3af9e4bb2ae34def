"""`evsenet groups`: the EVSE groups of a network (add, rename, delete).

NETWORK and GROUP are names (any letter case) or ids, as in `evsenet networks`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from evsenet.cli.base import JsonOption, OperatorOption, command_group, open_store
from evsenet.cli.networks import (
    DescriptionOption,
    GroupArgument,
    NetworkArgument,
    find_group,
    find_network,
)
from evsenet.cli.output import print_json, say
from evsenet.cli.output_networks import group_json
from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor
from evsenet.services.networks import add_group, delete_group, get_network, update_group

groups_app = command_group(
    "groups",
    "EVSE groups of a network: add, rename, delete. A group name is 1–30 characters, "
    "unique in its network (ignoring letter case).",
)

NameArgument = Annotated[str, typer.Argument(metavar="NAME", help="The group's name (1–30)")]


@groups_app.command("add")
def groups_add(
    ctx: typer.Context,
    network: NetworkArgument,
    name: NameArgument,
    operator: OperatorOption,
    description: DescriptionOption = "",
    as_json: JsonOption = False,
) -> None:
    """Add a group to a network (also to an active one). --json prints {id, name,
    description, evse_count}."""
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx)
    found = find_network(store, operator_id, network)
    group = add_group(store, operator_id, found.id, name, description, actor=Actor.cli())
    if as_json:
        print_json(group_json(group))
        return
    say(f"Added group {group.name!r} (id {group.id}) to network {found.name!r}")


@groups_app.command("rename")
def groups_rename(
    ctx: typer.Context,
    network: NetworkArgument,
    group: GroupArgument,
    name: Annotated[str, typer.Argument(metavar="NEW_NAME", help="The new name (1–30)")],
    operator: OperatorOption,
    as_json: JsonOption = False,
) -> None:
    """Rename a group of a draft network (an active network's groups keep their names)."""
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx)
    found = find_network(store, operator_id, network)
    old = find_group(get_network(store, operator_id, found.id), group)
    renamed = update_group(store, operator_id, found.id, old.id, name=name, actor=Actor.cli())
    if as_json:
        print_json(group_json(renamed))
        return
    say(f"Renamed group {old.name!r} to {renamed.name!r} in network {found.name!r}")


@groups_app.command("delete")
def groups_delete(
    ctx: typer.Context,
    network: NetworkArgument,
    group: GroupArgument,
    operator: OperatorOption,
    as_json: JsonOption = False,
) -> None:
    """Delete a group of a draft network; its EVSEs become unassigned."""
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx)
    found = find_network(store, operator_id, network)
    old = find_group(get_network(store, operator_id, found.id), group)
    unassigned = delete_group(store, operator_id, found.id, old.id, actor=Actor.cli())
    if as_json:
        print_json({**group_json(old), "unassigned": unassigned})
        return
    say(
        f"Deleted group {old.name!r} of network {found.name!r}; "
        f"{unassigned} EVSE(s) are now unassigned"
    )
