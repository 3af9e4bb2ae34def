"""`evsenet price FILE`: price a file of sessions under the operator's published offers.

The file is JSON Lines, CSV or OICP 2.3 charge detail records (`formats/price_files.py`).
With `--json` each session's answer is one JSON line on stdout (a price, or a problem with
the session's line), in the file's order; otherwise a table and a summary. With `--totals`
each price has its totals without the itemised lines, priced by the C kernel (much faster
for large files). A progress bar shows on a terminal. Exit code 0 when every session was
priced, 1 when any was refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from evsenet.cli.base import JsonOption, OperatorOption, app, open_store
from evsenet.cli.output import REFUSED, CliProblem, interactive, note, stderr, stdout
from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.pricing.priced_session import SessionPrice, SessionRequest
from evsenet.formats.ocpi import dumps
from evsenet.formats.price_files import read_session_file
from evsenet.formats.price_sessions import refusal_json, session_price_json
from evsenet.services import pricing as service


def _status(error: DomainError) -> int:
    return 404 if isinstance(error, NotFound) else 400


@app.command("price")
def price(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="JSON Lines, CSV or OICP 2.3 CDRs")],
    operator: OperatorOption,
    as_json: JsonOption = False,
    totals: Annotated[
        bool,
        typer.Option("--totals", help="Totals only, without the itemised lines (faster)"),
    ] = False,
) -> None:
    """Price a file of sessions at the operator's EVSEs: each session's total and why."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CliProblem("cli.file_unreadable", f"Cannot read {file}: {error}") from None
    store = open_store(ctx)
    read = list(read_session_file(text))
    positions = [position for position, _ in read]
    sessions = [(p, r) for p, r in read if isinstance(r, SessionRequest)]
    cache = service.PricingCache(totals_only=totals)
    priced = service.price_sessions(store, operator, [r for _, r in sessions], cache=cache)
    answers: dict[int, SessionPrice | DomainError] = {
        p: r for p, r in read if isinstance(r, DomainError)
    }
    refused = len(answers)
    shown = interactive(as_json)
    table = Table("line", "session", "EVSE", "currency", "excl. VAT", "incl. VAT", "note")
    with _progress(shown, len(sessions)) as advance:
        for (position, _request), result in zip(sessions, priced, strict=True):
            if isinstance(result, service.PricingRefusal):
                answers[position] = result.error
                refused += 1
            else:
                answers[position] = result
            advance()
    for position in positions:
        answer = answers[position]
        if as_json:
            body = (
                {"line": position, "price": session_price_json(answer, lines=not totals)}
                if isinstance(answer, SessionPrice)
                else refusal_json(position, None, answer, _status(answer))
            )
            typer.echo(dumps(body, indent=None))
        elif isinstance(answer, SessionPrice):
            table.add_row(
                str(position),
                answer.id or "",
                answer.evse_id,
                answer.currency or "",
                str(answer.total.excl_vat),
                str(answer.total.incl_vat),
                answer.zero_reason or "",
            )
        else:
            table.add_row(str(position), "", "", "", "", "", f"{answer.code}: {answer.message}")
    if not as_json:
        stdout().print(table)
        note(f"{len(positions) - refused} of {len(positions)} sessions priced, {refused} refused")
    if refused:
        raise typer.Exit(REFUSED)


@contextmanager
def _progress(shown: bool, total: int) -> Iterator[Callable[[], None]]:
    """A transient progress bar on stderr when a person watches; a no-op otherwise."""
    if not shown:
        yield lambda: None
        return
    columns = (TextColumn("pricing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=stderr(), transient=True) as bar:
        task = bar.add_task("pricing", total=total)
        yield lambda: bar.advance(task)
