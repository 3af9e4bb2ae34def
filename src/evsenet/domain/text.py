"""Free text that people type and databases keep: trimmed, bounded, one plain line."""

from __future__ import annotations

import re

from evsenet.domain.errors import DomainError

_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
"""Characters no text field may hold: controls, line separators and lone surrogates
(which no database can store as UTF-8)."""


def plain_text(
    value: str | None,
    *,
    limit: int,
    label: str,
    codes: tuple[str, str],
    field: str | None = None,
) -> str:
    """The trimmed text: at most `limit` characters and no control characters.

    `codes` are the refusals' codes: (too long, control character).
    """
    text = value.strip() if value else ""
    if len(text) > limit:
        message = f"{label} has {len(text)} characters; at most {limit} are allowed"
        raise DomainError(codes[0], message, field=field)
    if not text.isprintable() and _CONTROL_CHARACTER.search(text):
        message = (
            f"{label} contains a control character (such as a line break or NUL); send plain text"
        )
        raise DomainError(codes[1], message, field=field)
    return text


def search_key(text: str) -> str:
    """The form in which names are compared when people search: letter case ignored in
    every script (Unicode full case folding: `KÖLN`, `Köln` and `köln` are one key;
    `Straße` and `STRASSE` too), the same on every database."""
    return text.casefold()
