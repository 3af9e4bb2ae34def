"""Cells a spreadsheet would evaluate, defined once for the CSV export and the CSV import.

Excel, LibreOffice Calc and Google Sheets read a cell as a formula when it starts with `=`,
`+`, `-` or `@`; some also after leading blanks, or after a tab or carriage return they
drop, and in East Asian locales in the fullwidth forms `＝＋－＠`. A formula in a list of
EVSEs can compute wrong values (`+49*810*000*438` becomes 0) or run commands (CSV
injection, OWASP). Plain numbers (`-73.997`) are exempt: a spreadsheet reads them as the
same number.

The export **neutralises** such a cell with a leading apostrophe, the spreadsheets' own
mark for "text, not a formula": `=1+1` is written `'=1+1`, `+49*810*000*438` is written
`'+49*810*000*438`. A text that already starts with apostrophes before such a start gets
one more (`'=x` is written `''=x`), so the import can always undo exactly one. The import
**restores** a neutralised cell (drops that one apostrophe) and refuses every other cell a
spreadsheet would evaluate as a formula (`csv.row.formula`), except the `="text"` form
that keeps text such as `="01067"` from becoming a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
"""Characters that make a cell a formula, at its start or after leading blanks."""
TEXT_MARK = "'"
"""The leading apostrophe that marks a neutralised cell."""

_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def would_evaluate(cell: str) -> bool:
    """Whether a spreadsheet would read `cell` as a formula rather than as its text."""
    start = cell[:1]
    if start not in FORMULA_STARTS:
        start = cell.lstrip()[:1]
        if start not in FORMULA_STARTS:
            return False
    return _PLAIN_NUMBER.fullmatch(cell) is None


_LOOK_CLOSER = FORMULA_STARTS | {TEXT_MARK}


def may_hold_formula(cells: Iterable[str]) -> bool:
    """A quick test of a row's cells: whether any may need a closer look (a formula start,
    a leading blank, or a text mark; a negative number needs none). It may flag more than
    `would_evaluate` refuses, never less."""
    for cell in cells:
        start = cell[:1]
        if start in _LOOK_CLOSER or start.isspace():
            if start == "-" and _PLAIN_NUMBER.fullmatch(cell):
                continue
            return True
    return False


def neutralise(cell: str) -> str:
    """The cell as the export writes it: with a leading apostrophe where a spreadsheet
    would evaluate it (or the text after its own leading apostrophes)."""
    start = cell[:1]
    if start not in _LOOK_CLOSER and not start.isspace():
        return cell  # nearly every cell: nothing a spreadsheet would evaluate
    if would_evaluate(cell.lstrip(TEXT_MARK)):
        return TEXT_MARK + cell
    return cell


def is_neutralised(cell: str) -> bool:
    """Whether the export neutralised `cell` (so that `restore` drops its mark)."""
    return cell.startswith(TEXT_MARK) and would_evaluate(cell.lstrip(TEXT_MARK))


def restore(cell: str) -> str:
    """The text of a cell the export wrote: `neutralise` undone."""
    return cell[1:] if is_neutralised(cell) else cell
