"""Plain text: trimmed, bounded, without control characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.text import PlainText

X20 = PlainText("X", 20, "x.too_long", "x.control_character")
X30 = PlainText("X", 30, "x.too_long", "x.control_character")
CITY = PlainText("City", 4, "x.too_long", "x.control_character", "city")
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20)


@given(PRINTABLE)
def test_printable_text_comes_back_trimmed(text: str) -> None:
    assert X20(f" {text} ") == text.strip()


@given(PRINTABLE, st.sampled_from(["\x00", "\n", "\r", "\t", "\x1b", "\x85", "\u2028", "\ud800"]))
def test_a_control_character_inside_is_refused(text: str, control: str) -> None:
    with pytest.raises(DomainError) as caught:
        X30(f"a{control}{text}b")
    assert caught.value.code == "x.control_character"


def test_the_limit_counts_characters_after_trimming() -> None:
    assert CITY("  Köln  ") == "Köln"
    with pytest.raises(DomainError) as caught:
        CITY("Kölner")
    assert (caught.value.code, caught.value.field) == ("x.too_long", "city")
    assert "6 characters; at most 4" in caught.value.message


def test_nothing_is_empty_text() -> None:
    assert X20(None) == ""
