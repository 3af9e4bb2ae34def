"""Delimited text is read line by line, as a file opened with `newline=""` would give it,
without a copy of the whole text (io.StringIO keeps four bytes per character)."""

from __future__ import annotations

import io
import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from evsenet.formats._tabular import BOM, _lines, iter_rows


@given(st.text(alphabet=st.sampled_from(["a", ",", '"', "\r", "\n", "ö", " ", BOM]), max_size=60))
def test_lines_are_those_of_a_file_opened_without_newline_translation(text: str) -> None:
    expected = list(io.StringIO(text.removeprefix(BOM), newline=""))
    assert list(_lines(text)) == expected


def test_rows_keep_their_line_numbers_across_every_line_ending() -> None:
    text = BOM + 'a,b\r\n1,"x\ny"\r2,z\n\n3,w'
    rows = [(row.line, row.cells) for row in iter_rows(text, ",")]
    assert rows == [(1, ["a", "b"]), (2, ["1", "x\ny"]), (4, ["2", "z"]), (6, ["3", "w"])]


def test_reading_rows_holds_no_copy_of_the_whole_text() -> None:
    text = "DE*ABC*E1,Köln,22\r\n" * 200_000
    tracemalloc.start()
    try:
        for _ in iter_rows(text, ","):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(text) // 4, peak
