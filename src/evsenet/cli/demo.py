"""`evsenet demo`: a realistic demo operator to look at."""

from __future__ import annotations

from typing import Annotated

import typer

from evsenet.cli.base import JsonOption, app, open_store
from evsenet.cli.evses import finish_import, run_import
from evsenet.demo import DEFAULT_SEED, demo_batch
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
    """Load a realistic demo inventory for an operator (registered when new).

    Charging stations of 1–6 EVSEs in German, European and a few US cities: about 70% AC
    (3.7–22 kW), the rest DC (50–350 kW). The same operator, count and seed give the same
    inventory, so running it again changes nothing; a larger count adds stations. An
    empty database gets its schema first.
    """
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx, initialise=True)
    batch = demo_batch(operator_id, evses, seed)
    summary = run_import(store, operator_id, batch, False, as_json)
    finish_import(summary, as_json, f"Demo inventory of {operator_id.display} (seed {seed})")
