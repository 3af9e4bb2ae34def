"""evsenet's own CSV format for EVSE imports (see docs/csv-format.md).

UTF-8 (a BOM is tolerated), `,`-separated, any line ending, a header row naming the
columns in any order and letter case (`EVSE ID` and `evse-id` mean `evse_id`). Every
column is required except `time_zone`; a column the format does not know refuses the
whole file, so that a misspelt column is never silently ignored. Numbers use a `.`
decimal point; plugs are OICP plug names separated by `|`. Rows whose cells are all
empty (spreadsheets leave them at the end) are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from evsenet.domain.errors import DomainError
from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch, ParsedItem, SourceRecord
from evsenet.formats._tabular import (
    LINE,
    TabularRow,
    header_names,
    iter_rows,
    missing_columns_error,
    oicp_plug,
    row_width_problem,
    text_or_none,
)

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
ROW_MALFORMED = "csv.row.malformed"


def read_evse_csv(text: str, action: PushAction = PushAction.UPSERT) -> ParsedBatch:
    """Read an evsenet CSV file into raw EVSE records, one per data row.

    Raises DomainError `csv.header.missing` (no header row), `csv.header.malformed`,
    `csv.header.unknown_column`, `csv.header.duplicate_column` or
    `csv.header.missing_column` for a header the format cannot use; a row it cannot read
    becomes a RecordProblem `csv.row.malformed`.
    """
    rows = iter_rows(text, ",")
    header = next(rows, None)
    if header is None:
        raise DomainError(
            "csv.header.missing",
            "The file has no header row; its first line must name the columns "
            f"({', '.join(COLUMNS)})",
        )
    if header.error is not None:
        raise DomainError("csv.header.malformed", header.error)
    index = _column_index(header.cells)
    positions = tuple(index.get(column, -1) for column in COLUMNS)
    width = len(header.cells)
    items: list[ParsedItem] = []
    for row in rows:
        if row.error is not None or len(row.cells) != width:
            items.append(row_width_problem(row, width, ROW_MALFORMED, _evse_id(row, index)))
        else:
            items.append(SourceRecord(row.line, _record(row.cells, positions)))
    return ParsedBatch(action, LINE, items)


def _column_key(name: str) -> str:
    return name.casefold().replace(" ", "_").replace("-", "_")


def _column_index(cells: Sequence[str]) -> dict[str, int]:
    """Where each column of the format stands in the header."""
    index: dict[str, int] = {}
    unknown: list[str] = []
    for position, name in enumerate(header_names(cells)):
        key = _column_key(name)
        if key not in COLUMNS:
            unknown.append(name)
        elif key in index:
            raise DomainError(
                "csv.header.duplicate_column", f"The header names the column {name!r} twice"
            )
        else:
            index[key] = position
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise DomainError(
            "csv.header.unknown_column",
            f"The header has unknown column(s) {names}; the columns are {', '.join(COLUMNS)}",
        )
    missing = [c for c in COLUMNS if c not in index and c not in OPTIONAL_COLUMNS]
    if missing:
        raise missing_columns_error("csv.header.missing_column", "CSV", missing)
    return index


def _record(cells: list[str], positions: tuple[int, ...]) -> EvseInput:
    """The record of a row; `positions` lists where each column stands (-1: absent)."""
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
    ) = [(cells[i].strip() or None) if i >= 0 else None for i in positions]
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


def _evse_id(row: TabularRow, index: dict[str, int]) -> str | None:
    """The EVSE ID of a malformed row, where its cell can still be found."""
    position = index["evse_id"]
    return text_or_none(row.cells[position]) if position < len(row.cells) else None
