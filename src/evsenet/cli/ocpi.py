"""`evsenet ocpi`: OCPI 2.2.1 tools — reprice a CDR from its charging periods."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from evsenet.cli.base import JsonOption, command_group
from evsenet.cli.output import USAGE, CliProblem, note, print_error, stdout
from evsenet.domain.errors import DomainError, InvalidRecord
from evsenet.domain.geography import time_zone
from evsenet.domain.pricing import PriceBound, PriceBreakdown, PricingWarning, price_in_force
from evsenet.formats.ocpi import dumps, read_cdr, read_tariff
from evsenet.formats.ocpi.priced import cdr_totals_json

ocpi_app = command_group("ocpi", "OCPI 2.2.1: reprice CDRs under OCPI tariffs.")


@dataclass(frozen=True, slots=True)
class RepricedCdr:
    """What the command shows: the CDR's ID, evsenet's price, the CDR's own totals, and
    the warnings from reading (the breakdown carries the engine's)."""

    cdr_id: str
    breakdown: PriceBreakdown
    stated_costs: dict[str, PriceBound]
    reading_warnings: tuple[PricingWarning, ...]


def _zone(name: str | None) -> ZoneInfo | None:
    """The --tz zone; an unknown one is a usage error (exit code 2)."""
    if not name:
        return None
    try:
        return time_zone(name)
    except DomainError as error:
        raise CliProblem(error.code, error.message) from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliProblem(
            "cli.file_unreadable", f"Cannot read {path}: {error.strerror or error}"
        ) from None


@ocpi_app.command("price")
def ocpi_price(
    cdr: Annotated[
        Path, typer.Option("--cdr", metavar="C.json", help="An OCPI 2.2.1 CDR object (JSON)")
    ],
    as_json: JsonOption = False,
    tariff: Annotated[
        Path | None,
        typer.Option(
            "--tariff",
            metavar="T.json",
            help="An OCPI 2.2.1 Tariff object; default: the CDR's own tariffs (the one in "
            "force at the session start)",
        ),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            metavar="ZONE",
            help="The EVSE's IANA time zone, e.g. Europe/Berlin (OCPI CDRs carry none); "
            "needed when the tariff has time, date or weekday restrictions",
        ),
    ] = None,
) -> None:
    """Reprice a CDR from its charging_periods: CDR totals and an itemised breakdown."""
    zone = _zone(tz)
    cdr_text = _read(cdr)
    tariff_text = None if tariff is None else _read(tariff)
    try:
        parsed = read_cdr(cdr_text, time_zone=zone)
        given = None if tariff_text is None else read_tariff(tariff_text)
    except InvalidRecord as invalid:
        _refuse_input(invalid, as_json)
    warnings = parsed.warnings + (() if given is None else given.warnings)
    breakdown = price_in_force(parsed.tariffs if given is None else [given.tariff], parsed.session)
    repriced = RepricedCdr(parsed.id, breakdown, dict(parsed.stated_costs), warnings)
    if as_json:
        body = cdr_totals_json(
            repriced.breakdown,
            cdr_id=repriced.cdr_id,
            stated=repriced.stated_costs,
            reading_warnings=repriced.reading_warnings,
        )
        typer.echo(dumps(body))
        return
    _print_table(repriced)


def _refuse_input(invalid: InvalidRecord, as_json: bool) -> NoReturn:
    """Every problem of the JSON input, each with its path; exit code 2."""
    if as_json:
        typer.echo(
            dumps(
                {
                    "error": {
                        "code": invalid.code,
                        "message": invalid.message,
                        "field": invalid.field,
                        "problems": [
                            {"field": p.field, "code": p.code, "message": p.message}
                            for p in invalid.problems
                        ],
                    }
                }
            )
        )
    for problem in invalid.problems:
        print_error(problem.code, problem.message)
    raise typer.Exit(USAGE)


def _money(value: object) -> str:
    return f"{value}"


def _print_table(repriced: RepricedCdr) -> None:
    priced: PriceBreakdown = repriced.breakdown
    body = cdr_totals_json(priced)
    lines = Table(title=f"CDR {repriced.cdr_id or '—'} under tariff {priced.tariff_id}")
    for heading in (
        "slice (UTC)",
        "dimension",
        "quantity",
        "unit price",
        "excl. VAT",
        "incl. VAT",
        "why",
    ):
        lines.add_column(
            heading,
            justify="right"
            if heading in ("quantity", "unit price", "excl. VAT", "incl. VAT")
            else "left",
        )
    for line in body["breakdown"]:
        lines.add_row(
            f"{line['start'][11:16]}–{line['end'][11:16]}",
            line["dimension"],
            f"{line['quantity']} {line['unit']}",
            _money(line["unit_price"]),
            _money(line["amount_excl_vat"]),
            _money(line["amount_incl_vat"]),
            line["reason"],
        )
    totals = Table(title=f"Totals ({priced.currency.code})")
    for heading in ("", "excl. VAT", "incl. VAT", "CDR states"):
        totals.add_column(heading, justify="left" if not heading else "right")
    for name in (
        "total_energy_cost",
        "total_time_cost",
        "total_parking_cost",
        "total_fixed_cost",
        "total_reservation_cost",
        "total_cost",
    ):
        stated = repriced.stated_costs.get(name)
        totals.add_row(
            name,
            _money(body[name]["excl_vat"]),
            _money(body[name]["incl_vat"]),
            "—" if stated is None else f"{stated.excl_vat} / {stated.incl_vat}",
        )
    console = stdout()
    console.print(lines)
    console.print(totals)
    console.print(
        f"total_energy {body['total_energy']} kWh, total_time {body['total_time']} h, "
        f"total_parking_time {body['total_parking_time']} h"
    )
    if priced.adjustment is not None:
        console.print(f"{priced.adjustment.kind}: {priced.adjustment.reason}")
    for warning in (*repriced.reading_warnings, *priced.warnings):
        _warn(warning)


def _warn(warning: PricingWarning) -> None:
    where = f" ({warning.path})" if warning.path else ""
    note(f"warning [{warning.code}]{where}: {warning.message}")
