"""Shared helpers of the readers: rows of delimited text with their physical line numbers,
decimal commas, OICP plug names in any letter case, and EVSE IDs generated for registers
that carry none."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from evsenet.domain.errors import DomainError, RecordProblem
from evsenet.domain.evse import PLUG_TYPES
from evsenet.domain.ids import OperatorId

BOM = "\ufeff"
LINE = "line"


class TabularRow(NamedTuple):
    """One record of a delimited text: the physical line it starts on and its cells.

    `error` is set (and `cells` empty) when the csv module could not parse the record.
    """

    line: int
    cells: list[str]
    error: str | None = None


def iter_rows(text: str, delimiter: str) -> Iterator[TabularRow]:
    """Records of `text` with the line where each starts (the first line is 1).

    A leading BOM is dropped, any line ending is accepted, quoted fields may span lines,
    and blank lines are skipped. A record the csv module cannot parse is reported as a
    row with `error` set, and reading goes on with the next record.
    """
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    end = 0
    while True:
        try:
            for cells in reader:
                if cells and not is_blank(cells):
                    yield TabularRow(end + 1, cells)
                end = reader.line_num
            return
        except csv.Error as error:
            yield TabularRow(end + 1, [], _explain_csv_error(error, end + 1, reader.line_num))
            end = reader.line_num


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings (`\n`, `\r\n` or `\r`), after a leading
    BOM, as a file opened with `newline=""` gives them. One line at a time: `io.StringIO`
    would copy the whole text into a buffer of four bytes per character first."""
    for match in _LINE.finditer(text, 1 if text.startswith(BOM) else 0):
        yield match.group()


def _explain_csv_error(error: csv.Error, start: int, end: int) -> str:
    reason = str(error)
    if reason == "unexpected end of data":
        return (
            f"A quoted field opened on line {start} is never closed; lines {start}–{end} "
            "were read as one record"
        )
    return f"The record on line {start} cannot be read as CSV: {reason}"


def is_blank(cells: Sequence[str]) -> bool:
    return not "".join(cells).strip()


def text_or_none(value: str) -> str | None:
    """The trimmed text, or None for an empty cell."""
    text = value.strip()
    return text or None


_SPREADSHEET_LINE_BREAK = re.compile(r"(?:_x000[DA]_)+", re.IGNORECASE)


def one_line(value: str) -> str:
    """A register cell as one line of text: the line breaks that spreadsheet exports leave
    in addresses (`_x000D_`, CR, LF, tabs) become single spaces."""
    if value.isprintable() and "_x000" not in value:
        return value.strip()
    return " ".join(_SPREADSHEET_LINE_BREAK.sub(" ", value).split())


def decimal_point(value: str) -> str:
    """A number written with a decimal comma (`50,937417`, `1.234,5`) in `.` notation.

    Text without a comma is returned trimmed and otherwise unchanged.
    """
    text = value.strip()
    if "," not in text:
        return text
    return text.replace(".", "").replace(",", ".")


_PLUGS_BY_KEY = {plug.casefold(): plug for plug in PLUG_TYPES}


def oicp_plug(value: str) -> str:
    """The OICP spelling of a plug name written in any ASCII letter case; other text
    unchanged (case folding maps `ſ` onto `s`: `Teſla Connector` is no OICP name)."""
    if value in PLUG_TYPES:
        return value
    text = value.strip()
    return _PLUGS_BY_KEY.get(text.casefold(), text) if text.isascii() else text


def header_names(cells: Sequence[str]) -> list[str]:
    """Header cells trimmed, without a BOM that a spreadsheet may have left on the first."""
    return [cell.replace(BOM, "").strip() for cell in cells]


def row_width_problem(
    row: TabularRow, expected: int, code: str, evse_id: str | None = None
) -> RecordProblem:
    """The problem of a row that is unreadable or has the wrong number of fields."""
    if row.error is not None:
        message = row.error
    else:
        message = (
            f"Line {row.line} has {len(row.cells)} fields; the header has {expected}, so "
            f"{expected} were expected (a stray delimiter or quote?)"
        )
    return RecordProblem(row.line, LINE, evse_id, "record", code, message)


def generated_evse_id(operator: OperatorId, local: str, point: str) -> str:
    """An EVSE ID of `operator` for a source that carries none.

    ISO operators get `DE*ABC*E<local>*<point>`; numeric operators `+49*810*<local>*<point>`,
    which needs `local` and `point` in digits. ID comparison ignores the `*` separators,
    so callers keep `local` or `point` at a fixed width to keep IDs apart.
    """
    if is_numeric_operator(operator):
        return f"{operator.display}*{local}*{point}"
    return f"{operator.display}*E{local}*{point}"


def is_numeric_operator(operator: OperatorId) -> bool:
    return operator.display.startswith("+")


def missing_columns_error(code: str, source: str, missing: Sequence[str]) -> DomainError:
    names = ", ".join(repr(name) for name in missing)
    plural = "s" if len(missing) > 1 else ""
    return DomainError(code, f"The {source} header lacks the column{plural} {names}")
