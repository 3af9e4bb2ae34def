"""evsenet's own CSV format for EVSE imports (see docs/csv-format.md).

UTF-8 (a BOM is tolerated), `,`-separated, any line ending, a header row naming the
columns in any order and letter case (`EVSE ID` and `evse-id` mean `evse_id`). Every
column is required except `time_zone`; a column the format does not know refuses the
whole file, so that a misspelt column is never silently ignored. Numbers use a `.`
decimal point; plugs are OICP plug names separated by `|`. Rows whose cells are all
empty (spreadsheets leave them at the end) are skipped.

What spreadsheets write is read too: a file whose header line is separated by `;` and
holds no `,` (German-language Excel) is read with `;` and decimal commas in its numbers;
columns the header leaves unnamed (trailing separators) are ignored while empty; a cell
`="01067"` (text a spreadsheet must not turn into a number) is read as `01067`. A cell
that a spreadsheet would evaluate (`=`, `+`, `-`, `@`, also after blanks and in fullwidth
form; see `evsenet.formats.spreadsheet`) is a formula, not a value: its row becomes
`csv.row.formula`, unless the cell is neutralised the way evsenet's export writes it (a
leading apostrophe: `'+49*810*000*438`), which is undone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from evsenet.domain.errors import DomainError, RecordProblem
from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch, ParsedItem, SourceRecord
from evsenet.formats._tabular import (
    BOM,
    LINE,
    TabularRow,
    decimal_point,
    header_names,
    iter_rows,
    missing_columns_error,
    oicp_plug,
    row_width_problem,
    text_or_none,
)
from evsenet.formats.spreadsheet import TEXT_MARK, may_hold_formula, restore, would_evaluate

COLUMNS: tuple[str, ...] = (
    "evse_id",
    "charging_station_id",
    "country",
    "city",
    "postal_code",
    "street",
    "house_number",
    "latitude",
    "longitude",
    "power_type",
    "output_kw",
    "plugs",
    "time_zone",
)
"""The columns of the format, in the order of the documentation and the example."""

OPTIONAL_COLUMNS = frozenset({"time_zone"})
PLUG_SEPARATOR = "|"
PLUGS = COLUMNS.index("plugs")
NUMBERS = tuple(COLUMNS.index(column) for column in ("latitude", "longitude", "output_kw"))
ROW_MALFORMED = "csv.row.malformed"
ROW_FORMULA = "csv.row.formula"
SNIFF_CHARACTERS = 65_536
"""How much of the file's start is searched for the header line's separator."""

_TEXT_FORMULA = re.compile(r'="((?:[^"]|"")*)"')


@dataclass(frozen=True, slots=True)
class _Layout:
    """What the header says: where each column stands and how numbers are written."""

    width: int
    names: tuple[str, ...]
    """The column of each header position; `""` where the header leaves it unnamed."""
    positions: tuple[int, ...]
    """Where each of COLUMNS stands (-1: absent)."""
    unnamed: tuple[int, ...]
    decimal_comma: bool


def read_evse_csv(text: str, action: PushAction = PushAction.UPSERT) -> ParsedBatch:
    """Read an evsenet CSV file into raw EVSE records, one per data row.

    Raises DomainError `csv.header.missing` (no header row), `csv.header.malformed`,
    `csv.header.unknown_column`, `csv.header.duplicate_column` or
    `csv.header.missing_column` for a header the format cannot use; a row it cannot read
    becomes a RecordProblem `csv.row.malformed`, a row holding a formula `csv.row.formula`.
    """
    delimiter = _delimiter(text)
    rows = iter_rows(text, delimiter)
    header = next(rows, None)
    if header is None:
        raise DomainError(
            "csv.header.missing",
            "The file has no header row; its first line must name the columns "
            f"({', '.join(COLUMNS)})",
        )
    if header.error is not None:
        raise DomainError("csv.header.malformed", header.error)
    layout = _layout(header.cells, decimal_comma=delimiter == ";")
    return ParsedBatch(action, LINE, [_item(row, layout) for row in rows])


def _delimiter(text: str) -> str:
    """`;` when the header line is separated by it and holds no `,`; `,` otherwise."""
    head = text[:SNIFF_CHARACTERS].lstrip(BOM + " \t\r\n")
    line = head.splitlines()[0] if head else ""
    return ";" if ";" in line and "," not in line else ","


def _column_key(name: str) -> str:
    return name.casefold().replace(" ", "_").replace("-", "_")


def _layout(cells: Sequence[str], *, decimal_comma: bool) -> _Layout:
    """Where each column of the format stands in the header."""
    raw = header_names(cells)
    names = tuple(_column_key(name) for name in raw)
    index = _column_index(raw, names)
    return _Layout(
        width=len(names),
        names=names,
        positions=tuple(index.get(column, -1) for column in COLUMNS),
        unnamed=tuple(position for position, key in enumerate(names) if not key),
        decimal_comma=decimal_comma,
    )


def _column_index(raw: Sequence[str], names: Sequence[str]) -> dict[str, int]:
    """Position of each named column; refuses unknown, doubled and missing columns."""
    unknown = [name for name, key in zip(raw, names, strict=True) if key and key not in COLUMNS]
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        raise DomainError(
            "csv.header.unknown_column",
            f"The header has unknown column(s) {listed}; the columns are {', '.join(COLUMNS)}",
        )
    index: dict[str, int] = {}
    for position, key in enumerate(names):
        if key in index:
            raise DomainError(
                "csv.header.duplicate_column",
                f"The header names the column {raw[position]!r} twice",
            )
        if key:
            index[key] = position
    missing = [c for c in COLUMNS if c not in index and c not in OPTIONAL_COLUMNS]
    if missing:
        raise missing_columns_error("csv.header.missing_column", "CSV", missing)
    return index


def _item(row: TabularRow, layout: _Layout) -> ParsedItem:
    """The record of a row, or why the format cannot read it."""
    if row.error is not None or len(row.cells) != layout.width:
        return row_width_problem(row, layout.width, ROW_MALFORMED, _evse_id(row.cells, layout))
    filled = _filled_unnamed(row.cells, layout) if layout.unnamed else None
    if filled is not None:
        message = (
            f"Line {row.line} has a value in column {filled + 1}, which the header leaves "
            "unnamed; name the column or empty it"
        )
        return _problem(row, layout, "record", ROW_MALFORMED, message)
    if may_hold_formula(row.cells):
        cells = _without_formulas(row, layout)
        return (
            cells
            if isinstance(cells, RecordProblem)
            else SourceRecord(row.line, _record(cells, layout))
        )
    return SourceRecord(row.line, _record(row.cells, layout))


def _filled_unnamed(cells: list[str], layout: _Layout) -> int | None:
    return next((p for p in layout.unnamed if cells[p].strip()), None)


def _without_formulas(row: TabularRow, layout: _Layout) -> list[str] | RecordProblem:
    """The row's cells with neutralised cells restored and `="text"` read as its text; a
    problem for any other cell a spreadsheet would evaluate."""
    cells = list(row.cells)
    for position, cell in enumerate(cells):
        text = cell.strip()
        if text.startswith(TEXT_MARK):
            cells[position] = restore(text)
            continue
        if not would_evaluate(text):
            continue
        literal = _TEXT_FORMULA.fullmatch(text)
        if literal is None:
            column = layout.names[position]
            message = (
                f"Line {row.line}, column {column}: {text!r} is a formula to a spreadsheet "
                f"(it starts with {text[0]!r}); save the values the formulas compute, or "
                f"mark text that starts so with an apostrophe ('{text}), as evsenet's "
                "export does"
            )
            return _problem(row, layout, column, ROW_FORMULA, message)
        cells[position] = literal[1].replace('""', '"')
    return cells


def _problem(
    row: TabularRow, layout: _Layout, field: str, code: str, message: str
) -> RecordProblem:
    return RecordProblem(row.line, LINE, _evse_id(row.cells, layout), field, code, message)


def _record(cells: list[str], layout: _Layout) -> EvseInput:
    """The record of a row of the header's width."""
    positions = layout.positions
    values = [(cells[i].strip() or None) if i >= 0 else None for i in positions]
    if layout.decimal_comma:
        for i in NUMBERS:
            number = values[i]
            values[i] = decimal_point(number) if number else None
    (
        evse_id,
        station,
        country,
        city,
        postal_code,
        street,
        house_number,
        latitude,
        longitude,
        power_type,
        output_kw,
        _plugs_text,
        time_zone,
    ) = values
    return EvseInput(
        evse_id,
        station,
        country,
        city,
        postal_code,
        street,
        house_number,
        latitude,
        longitude,
        power_type,
        output_kw,
        _plugs(cells[positions[PLUGS]]),
        time_zone,
    )


@lru_cache(maxsize=1024)
def _plugs(text: str) -> tuple[str, ...]:
    return tuple(oicp_plug(plug) for plug in text.split(PLUG_SEPARATOR) if plug.strip())


def _evse_id(cells: list[str], layout: _Layout) -> str | None:
    """The EVSE ID of a row the format cannot read, where its cell can still be found."""
    position = layout.positions[0]
    return text_or_none(cells[position]) if position < len(cells) else None
