"""`evsenet providers`: e-mobility providers (EMPs), the parties that subscribe to offers."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from evsenet.cli.base import JsonOption, command_group, open_store
from evsenet.cli.output import say
from evsenet.services.providers import list_providers, register_provider

providers_app = command_group(
    "providers",
    "E-mobility providers (EMPs): they subscribe to offers and read their prices; they "
    "change no operator data.",
)
ProviderArgument = Annotated[str, typer.Argument(metavar="ID", help="Provider ID, e.g. DE*ICE")]


@providers_app.command("add")
def providers_add(
    ctx: typer.Context,
    provider: ProviderArgument,
    name: Annotated[str, typer.Option(help="The provider's name")] = "",
) -> None:
    """Register a provider; give it a token with `evsenet tokens create --provider ID`."""
    row = register_provider(open_store(ctx), provider, name)
    say(f"Registered provider {row.provider_id.display}" + (f" ({row.name})" if row.name else ""))


@providers_app.command("list")
def providers_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the registered providers."""
    rows = list_providers(open_store(ctx))
    if as_json:
        say(json.dumps([{"provider_id": r.provider_id.display, "name": r.name} for r in rows]))
        return
    for row in rows:
        say(f"{row.provider_id.display}\t{row.name}")
