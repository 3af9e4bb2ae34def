"""Plain text: trimmed, bounded, in NFC, without control or format characters; search keys."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.text import PlainText, ascii_upper, search_key

X20 = PlainText("X", 20, "x.too_long", "x.control_character")
X30 = PlainText("X", 30, "x.too_long", "x.control_character")
CITY = PlainText("City", 4, "x.too_long", "x.control_character", "city")
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=10)
FORMAT_CHARACTERS = [
    chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
]


@given(PRINTABLE)
def test_printable_text_comes_back_trimmed_in_nfc(text: str) -> None:
    assert X30(f" {text} ") == unicodedata.normalize("NFC", text.strip())


@given(PRINTABLE, st.sampled_from(["\x00", "\n", "\r", "\t", "\x1b", "\x85", "\u2028", "\ud800"]))
def test_a_control_character_inside_is_refused(text: str, control: str) -> None:
    with pytest.raises(DomainError) as caught:
        X30(f"a{control}{text}b")
    assert caught.value.code == "x.control_character"


@pytest.mark.parametrize(
    "character",
    [
        pytest.param("\u202a", id="left-to-right-embedding"),
        pytest.param("\u202e", id="right-to-left-override"),
        pytest.param("\u2066", id="left-to-right-isolate"),
        pytest.param("\u2069", id="pop-directional-isolate"),
        pytest.param("\u200b", id="zero-width-space"),
        pytest.param("\u200c", id="zero-width-non-joiner"),
        pytest.param("\u200d", id="zero-width-joiner"),
        pytest.param("\ufeff", id="byte-order-mark"),
        pytest.param("\u00ad", id="soft-hyphen"),
        pytest.param("\u2060", id="word-joiner"),
        pytest.param("\U000e0041", id="tag-latin-capital-a"),
    ],
)
def test_a_format_character_is_refused_and_named(character: str) -> None:
    with pytest.raises(DomainError) as caught:
        X30(f"Kö{character}ln")
    assert caught.value.code == "x.control_character"
    assert f"U+{ord(character):04X}" in caught.value.message
    assert "invisible" in caught.value.message


@given(PRINTABLE, st.sampled_from(FORMAT_CHARACTERS))
def test_every_character_of_category_cf_is_refused_anywhere(text: str, character: str) -> None:
    with pytest.raises(DomainError):
        X30(f"{text}{character}x")


def test_text_is_stored_in_nfc() -> None:
    assert X20("Ko\u0308ln") == "Köln"
    assert X20("Köln") == "Köln"
    assert X20("\u212b") == "\u00c5", "the Angstrom sign is canonically Å"


def test_the_limit_counts_characters_after_trimming_and_nfc() -> None:
    assert CITY("  Köln  ") == "Köln"
    assert CITY("Ko\u0308ln") == "Köln", "five code points in NFD, four in NFC"
    with pytest.raises(DomainError) as caught:
        CITY("Kölner")
    assert (caught.value.code, caught.value.field) == ("x.too_long", "city")
    assert "6 characters; at most 4" in caught.value.message


def test_nothing_is_empty_text() -> None:
    assert X20(None) == ""


@pytest.mark.parametrize(
    ("one", "other"),
    [
        pytest.param("Köln", "Ko\u0308ln", id="nfc-and-nfd"),
        pytest.param("KÖLN", "köln", id="letter-case"),
        pytest.param("Straße", "STRASSE", id="sharp-s"),
        pytest.param("\ufb01nsterwalde", "Finsterwalde", id="fi-ligature"),
        pytest.param("ＢＥＲＬＩＮ", "berlin", id="fullwidth"),
        pytest.param("ΣΊΣΥΦΟΣ", "σίσυφος", id="greek-final-sigma"),
    ],
)
def test_spellings_that_mean_the_same_name_have_one_search_key(one: str, other: str) -> None:
    assert search_key(one) == search_key(other)


@given(st.text(max_size=20))
def test_a_search_key_is_its_own_key(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key


@given(st.text(max_size=20))
def test_canonically_equivalent_texts_have_one_key(text: str) -> None:
    assert search_key(unicodedata.normalize("NFD", text)) == search_key(
        unicodedata.normalize("NFC", text)
    )


@pytest.mark.parametrize(
    ("text", "upper"),
    [("deu", "DEU"), ("De", "DE"), ("ß", None), ("ſe", None), ("ﬀ", None), ("ＤＥ", None)],
)
def test_codes_change_case_only_when_ascii(text: str, upper: str | None) -> None:
    assert ascii_upper(text) == upper
