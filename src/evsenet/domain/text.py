"""Free text that people type and databases keep: trimmed, bounded, one plain line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from evsenet.domain.errors import DomainError

_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
"""Characters no text field may hold: controls, line separators and lone surrogates
(which no database can store as UTF-8)."""


@dataclass(frozen=True, slots=True)
class PlainText:
    """The rule of one free-text field: trimmed, at most `limit` characters, no control
    characters. Calling it checks a value and gives the trimmed text."""

    label: str
    limit: int
    too_long: str
    """The code of a refusal for length."""
    control_character: str
    """The code of a refusal for a control character."""
    field: str | None = None

    def __call__(self, value: str | None) -> str:
        text = value.strip() if value else ""
        if len(text) > self.limit:
            message = f"{self.label} has {len(text)} characters; at most {self.limit} are allowed"
            raise DomainError(self.too_long, message, field=self.field)
        if not text.isprintable() and _CONTROL_CHARACTER.search(text):
            message = (
                f"{self.label} contains a control character (such as a line break or NUL); "
                "send plain text"
            )
            raise DomainError(self.control_character, message, field=self.field)
        return text


def search_key(text: str) -> str:
    """The form in which names are compared when people search: letter case ignored in
    every script (Unicode full case folding: `KÖLN`, `Köln` and `köln` are one key;
    `Straße` and `STRASSE` too), the same on every database."""
    return text.casefold()
