"""`evsenet operators`: the tenants (CPOs and hubs) and their sub-operator prefixes."""

from __future__ import annotations

from typing import Annotated

import typer

from evsenet.cli.base import JsonOption, OperatorArgument, command_group, open_store
from evsenet.cli.output import describe_operator, print_operators, say
from evsenet.services.operators import (
    declare_sub_operators,
    list_operators,
    register_operator,
    withdraw_sub_operator,
)

operators_app = command_group(
    "operators", "Operators (CPOs or hubs): the tenants whose EVSEs evsenet holds."
)
sub_operators_app = command_group(
    "sub-operators",
    "Sub-operator prefixes of a hub operator. A hub such as DE*ABC that pushes EVSEs "
    "for other operators declares their operator IDs as prefixes: after "
    "`evsenet operators sub-operators add DE*ABC DE*XYZ`, DE*ABC may push EVSEs whose "
    "IDs start with DE*XYZ (e.g. DE*XYZ*ETEST1). A prefix belongs to one hub at a time.",
    operators_app,
)


@operators_app.command("add")
def operators_add(
    ctx: typer.Context,
    operator: OperatorArgument,
    name: Annotated[str, typer.Option(help="The operator's name")] = "",
    sub_operator: Annotated[
        list[str] | None,
        typer.Option(
            "--sub-operator",
            metavar="PREFIX",
            help="An operator ID this hub pushes EVSEs for (repeat the option for more)",
        ),
    ] = None,
) -> None:
    """Register an operator, optionally a hub with its sub-operators.

    A hub names the operators it pushes for with --sub-operator: `evsenet operators add
    DE*ABC --sub-operator DE*XYZ` lets DE*ABC push EVSEs whose IDs start with DE*XYZ.
    """
    row = register_operator(open_store(ctx), operator, name, sub_operator or [])
    say(f"Registered operator {describe_operator(row)}")


@operators_app.command("list")
def operators_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the registered operators and their sub-operator prefixes."""
    print_operators(list_operators(open_store(ctx)), as_json)


@sub_operators_app.command("add")
def sub_operators_add(
    ctx: typer.Context,
    operator: OperatorArgument,
    prefixes: Annotated[
        list[str], typer.Argument(metavar="PREFIX...", help="Operator IDs, e.g. DE*XYZ")
    ],
) -> None:
    """Let the hub ID push EVSEs whose IDs start with each PREFIX (e.g. DE*ABC DE*XYZ)."""
    row = declare_sub_operators(open_store(ctx), operator, prefixes)
    say(f"Operator {describe_operator(row)}")


@sub_operators_app.command("remove")
def sub_operators_remove(
    ctx: typer.Context,
    operator: OperatorArgument,
    prefix: Annotated[str, typer.Argument(metavar="PREFIX", help="Operator ID, e.g. DE*XYZ")],
) -> None:
    """Stop the hub ID pushing EVSEs under PREFIX; the EVSEs it pushed there are withdrawn."""
    row, withdrawn = withdraw_sub_operator(open_store(ctx), operator, prefix)
    say(f"Operator {describe_operator(row)}; withdrew {withdrawn} EVSE(s) under {prefix}")
