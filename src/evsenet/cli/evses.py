"""`evsenet evses`: import files into the inventory, list EVSEs."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from evsenet.cli.base import JsonOption, OperatorOption, command_group, open_store
from evsenet.cli.output import (
    REFUSED,
    CliProblem,
    import_progress,
    interactive,
    note,
    print_evses,
    print_summary,
)
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import MAX_PAGE_SIZE, SORT_KEYS, Page, PushAction
from evsenet.formats import ParsedBatch
from evsenet.formats.csv_export import write_evse_csv
from evsenet.formats.files import FileFormat, guess_format, read_file
from evsenet.services.inventory import (
    ImportRefused,
    ImportSummary,
    evse_filter,
    export_evses,
    import_evses,
    list_evses,
)
from evsenet.store.engine import Store

evses_app = command_group("evses", "The EVSE inventory: import files, list EVSEs.")


def read_source(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliProblem(
            "cli.file_unreadable", f"Cannot read {path}: {error.strerror or error}"
        ) from None


def run_import(
    store: Store,
    operator: OperatorId,
    batch: ParsedBatch,
    skip_invalid: bool,
    as_json: bool,
    confirm_withdrawals: int | None = None,
) -> ImportSummary:
    """Import with a progress bar where a person watches; a refused batch's summary too.
    A new operator is registered with its first accepted import.

    Ctrl-C says whether anything was written (KeyboardInterrupt, with that message).
    """
    with import_progress(interactive(as_json)) as progress:
        try:
            summary = import_evses(
                store,
                operator.display,
                batch,
                skip_invalid=skip_invalid,
                progress=progress,
                register_operator=True,
                confirm_withdrawals=confirm_withdrawals,
            )
        except ImportRefused as refused:
            return refused.summary
        except KeyboardInterrupt:
            raise KeyboardInterrupt(progress.interruption(operator.display)) from None
    if summary.operator_registered:
        note(f"Registered new operator {operator.display}")
    return summary


def finish_import(summary: ImportSummary, as_json: bool, source: str) -> NoReturn:
    """Print the summary; exit 0 when every record was accepted, else 1."""
    print_summary(summary, as_json, source)
    raise typer.Exit(REFUSED if summary.rejected else 0)


@evses_app.command("import")
def evses_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="The file to import (UTF-8; JSON or CSV)"),
    ],
    operator: OperatorOption,
    format: Annotated[
        FileFormat | None,
        typer.Option(
            case_sensitive=False,
            help="oicp (eRoamingPushEvseData JSON), csv (evsenet's CSV), bnetza "
            "(Ladesäulenregister) or afdc (AFDC export); guessed from the file when left out",
        ),
    ] = None,
    action: Annotated[
        PushAction | None,
        typer.Option(
            case_sensitive=False,
            help="upsert (insert or update; the default), insert, update, delete, or "
            "fullLoad (the file is the whole inventory: EVSEs it leaves out are withdrawn). "
            "An OICP body names its own.",
        ),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            help="Write the valid records and report the others (exit code 1 all the same)"
        ),
    ] = False,
    time_zone: Annotated[
        str | None,
        typer.Option(
            metavar="TZ", help="IANA time zone of every AFDC station, e.g. America/Chicago"
        ),
    ] = None,
    confirm_withdrawals: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="N",
            help="The number of EVSEs the file withdraws; required when it withdraws more "
            "than half of the active EVSEs (or all of them), and must be that count",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import EVSEs from an OICP push (JSON), evsenet CSV, BNetzA register or AFDC export.

    All or nothing: one refused record refuses the file, unless --skip-invalid. --json
    prints {action, received, inserted, updated, unchanged, withdrawn, rejected,
    committed}; each rejected entry names its line or index, evse_id, field, code and
    message. Exit code 0 when every record was accepted, 1 when any was refused (with
    or without --skip-invalid), 2 for a usage or input error (an unreadable file, a
    file of another format). A new operator is registered on the way. A file that would
    withdraw more than half of the active EVSEs is refused (exit code 1, naming the count)
    unless --confirm-withdrawals gives that count; a file without records is refused.
    """
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx)
    data = read_source(file)
    batch = read_file(data, format or guess_format(file.name, data), operator_id, action, time_zone)
    summary = run_import(store, operator_id, batch, skip_invalid, as_json, confirm_withdrawals)
    finish_import(summary, as_json, file.name)


def _text(help_text: str, metavar: str = "TEXT") -> Any:
    return typer.Option(metavar=metavar, help=help_text)


class ListFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"


def write_csv(chunks: Iterable[str]) -> None:
    """CSV text on stdout as UTF-8 bytes, unchanged (no line-end translation)."""
    out = sys.stdout.buffer
    for chunk in chunks:
        out.write(chunk.encode("utf-8"))
    out.flush()


@evses_app.command("list")
def evses_list(
    ctx: typer.Context,
    operator: OperatorOption,
    q: Annotated[
        str | None, _text("Text the EVSE ID contains (the * separators do not matter)")
    ] = None,
    country: Annotated[str | None, _text("Country, e.g. DEU or DE", "CODE")] = None,
    city: Annotated[str | None, _text("City, the whole name (any letter case)")] = None,
    postal_code: Annotated[str | None, _text("Postal code, or its beginning")] = None,
    power_type: Annotated[str | None, _text("AC_1_PHASE, AC_3_PHASE or DC", "TYPE")] = None,
    min_output: Annotated[str | None, _text("Output of at least KW kilowatts", "KW")] = None,
    max_output: Annotated[str | None, _text("Output of at most KW kilowatts", "KW")] = None,
    include_withdrawn: Annotated[
        bool, typer.Option(help="Show withdrawn EVSEs too (status withdrawn)")
    ] = False,
    limit: Annotated[
        int | None, typer.Option(help=f"EVSEs per page, 1…{MAX_PAGE_SIZE} [default: 50]")
    ] = None,
    offset: Annotated[
        int | None, typer.Option(help="EVSEs to skip (the next page's offset) [default: 0]")
    ] = None,
    sort: Annotated[
        str, typer.Option(metavar="KEY", help=f"Sort by {', '.join(SORT_KEYS)}")
    ] = "evse_id",
    desc: Annotated[bool, typer.Option("--desc", help="Sort descending")] = False,
    output_format: Annotated[
        ListFormat,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="table (a page), or csv: every EVSE that matches, in the import format "
            "(docs/csv-format.md), on stdout",
        ),
    ] = ListFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """List an operator's EVSEs: ID, location, power type, output and status.

    Filters combine (all must match). --json prints {items, total, limit, offset}.
    --format csv writes every matching EVSE as a CSV file that `evses import` reads back
    unchanged (no --limit or --offset; withdrawn EVSEs are not exported).
    """
    if output_format is ListFormat.CSV and as_json:
        raise CliProblem("request.invalid", "Choose one output: --json or --format csv")
    criteria = evse_filter(
        text=q,
        country=country,
        city=city,
        postal_code=postal_code,
        power_type=power_type,
        min_output_kw=min_output,
        max_output_kw=max_output,
        include_withdrawn=include_withdrawn,
    )
    page = Page(
        limit=50 if limit is None else limit,
        offset=offset or 0,
        sort=sort,
        descending=desc,
    )
    if output_format is ListFormat.CSV:
        paged = limit is not None or offset is not None
        write_csv(
            write_evse_csv(export_evses(open_store(ctx), operator, criteria, page, paged=paged))
        )
        return
    print_evses(list_evses(open_store(ctx), operator, criteria, page), as_json)
