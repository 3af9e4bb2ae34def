"""Free text that people type and databases keep: trimmed, bounded, one plain line, NFC.

Refused inside text, like control characters: every character of the Unicode categories
Cc (controls: NUL, line breaks, tabs, ESC, C1), Zl and Zp (line and paragraph separators),
Cs (lone surrogates, which no database can store as UTF-8) and **Cf, the whole category
of format characters**: bidi embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069) and marks (U+200E, U+200F, U+061C), zero-width characters (U+200B–U+200D,
U+2060), the byte order mark U+FEFF, the soft hyphen U+00AD, Arabic and other number
signs, invisible operators and tag characters. They are invisible, so two names that look
equal would compare different, and a bidi override can make an address read backwards on
every screen that shows it. The whole category rather than a list, so that a character
added to it by a later Unicode version is refused too. The price: scripts that use a
zero-width (non-)joiner for shaping (Persian, Indic) must be written without it; the
letters stay readable and equal to the name without it.

Text is stored in Unicode normalisation form NFC (`Köln` typed as `K`, `o`, U+0308 is
stored as `Köln` with `ö`), and compared for search by `search_key` (NFKC + case folding).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from evsenet.domain.errors import DomainError

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories no text field may hold (see the module's docstring)."""
_FORMAT = "Cf"


def refused_character(text: str) -> str | None:
    """The first character of `text` that no text field may hold, or None."""
    if text.isprintable():
        return None
    return next((c for c in text if unicodedata.category(c) in REFUSED_CATEGORIES), None)


def nfc(text: str) -> str:
    """`text` in Unicode normalisation form NFC (ASCII text is returned as is)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def describe(character: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`: a character named for a message."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" ({name})" if name else "")


@dataclass(frozen=True, slots=True)
class PlainText:
    """The rule of one free-text field: trimmed, in NFC, at most `limit` characters, no
    control or format characters. Calling it checks a value and gives the stored text."""

    label: str
    limit: int
    too_long: str
    """The code of a refusal for length."""
    control_character: str
    """The code of a refusal for a control or format character."""
    field: str | None = None

    def __call__(self, value: str | None) -> str:
        text = nfc(value.strip()) if value else ""
        if len(text) > self.limit:
            message = f"{self.label} has {len(text)} characters; at most {self.limit} are allowed"
            raise DomainError(self.too_long, message, field=self.field)
        refused = refused_character(text)
        if refused is not None:
            raise DomainError(self.control_character, self._message(refused), field=self.field)
        return text

    def _message(self, character: str) -> str:
        if unicodedata.category(character) == _FORMAT:
            return (
                f"{self.label} contains the invisible format character {describe(character)} "
                "(a bidi control, zero-width character, soft hyphen or byte order mark); "
                "send plain text"
            )
        return (
            f"{self.label} contains a control character (such as a line break or NUL); "
            "send plain text"
        )


def search_key(text: str) -> str:
    """The form in which names are compared when people search: Unicode compatibility
    normalisation and full case folding (NFKC of the case-folded NFKC form), the same on
    every database. `KÖLN`, `Köln`, `köln` and `Ko\\u0308ln` are one key; `Straße` and
    `STRASSE` too; so are the ligature `ﬁ` and `fi`, and fullwidth `ＡＢ` and `ab`."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def ascii_upper(text: str) -> str | None:
    """`text` in upper case when it is ASCII; None otherwise.

    Codes (countries, currencies, power types) are ASCII. `str.upper()` maps other letters
    onto ASCII ones (`ß` → `SS`, `ſ` → `S`, `ﬀ` → `FF`), which would turn a typo into
    another valid code (`ß` + `D` → `SSD`, South Sudan): check first, then change case.
    """
    return text.upper() if text.isascii() else None
