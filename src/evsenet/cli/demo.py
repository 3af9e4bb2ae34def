"""`evsenet demo`: a realistic demo operator to look at."""

from __future__ import annotations

from typing import Annotated

import typer

from evsenet.cli.base import JsonOption, app, open_store
from evsenet.cli.evses import run_import
from evsenet.cli.output import REFUSED, print_json, print_summary, say
from evsenet.demo import DEFAULT_SEED, demo_batch
from evsenet.demo_networks import DemoNetworkResult, build_demo_networks
from evsenet.domain.ids import OperatorId

DEMO_OPERATOR = "DE*DMO"
DEMO_EVSES = 1000


@app.command()
def demo(
    ctx: typer.Context,
    evses: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many EVSEs")] = DEMO_EVSES,
    operator: Annotated[
        str, typer.Option("--operator", "-o", metavar="ID", help="Operator ID, e.g. DE*ABC")
    ] = DEMO_OPERATOR,
    seed: Annotated[int, typer.Option(help="Same seed, same inventory")] = DEFAULT_SEED,
    as_json: JsonOption = False,
) -> None:
    """Load a realistic demo inventory for an operator (registered when new), with two
    EVSE networks.

    Charging stations of 1–6 EVSEs in German, European and a few US cities: about 70% AC
    (3.7–22 kW), the rest DC (50–350 kW). Two networks, "Germany" and "Europe roaming",
    get groups such as "AC city" and "DC highway 150 kW+", filled by filters; some EVSEs
    stay in no group. The same operator, count and seed give the same inventory and
    networks, so running it again changes nothing; a larger count adds stations (and
    assigns them). An empty database gets its schema first. --json prints the import
    summary with `networks`: each one's id, name, group counts and EVSEs assigned now.
    """
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx, initialise=True)
    batch = demo_batch(operator_id, evses, seed)
    summary = run_import(store, operator_id, batch, False, as_json)
    networks: list[DemoNetworkResult] = []
    if summary.committed and not summary.rejected:
        networks = build_demo_networks(store, operator_id)
    if as_json:
        print_json({**summary.as_dict(), "networks": [n.as_dict() for n in networks]})
    else:
        print_summary(summary, as_json, f"Demo inventory of {operator_id.display} (seed {seed})")
        for network in networks:
            say(_network_line(network))
    raise typer.Exit(REFUSED if summary.rejected else 0)


def _network_line(network: DemoNetworkResult) -> str:
    verb = "created" if network.created else "kept"
    groups = ", ".join(f"{name} {count}" for name, count in network.groups.items())
    return (
        f"Network {network.name!r} (id {network.id}) {verb}; assigned {network.assigned} "
        f"EVSE(s) now; groups: {groups}"
    )
