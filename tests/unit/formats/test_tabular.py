"""Cell helpers shared by the register readers."""

from __future__ import annotations

import pytest

from evsenet.formats._tabular import one_line


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("  Hohe Straße 12 ", "Hohe Straße 12"),
        ("Six Flags_x000D_\n9993 Allegheny Rd", "Six Flags 9993 Allegheny Rd"),
        ("Six Flags_x000d__x000a_9993", "Six Flags 9993"),
        ("Line\r\nbreak\tand  tab", "Line break and tab"),
        ("Hohe\u00a0Straße", "Hohe Straße"),
        ("", ""),
    ],
)
def test_a_register_cell_becomes_one_line(cell: str, text: str) -> None:
    assert one_line(cell) == text
