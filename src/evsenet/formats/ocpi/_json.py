"""JSON text with `Decimal`s written as exact JSON numbers, never through a float."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """`value` (dicts, lists, strings, numbers, Decimals, None) as JSON text."""
    return _encode(value, indent, 0)


def _encode(value: Any, indent: int | None, depth: int) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} has no JSON form")
        return format(value, "f")
    if isinstance(value, Mapping):
        items = [f"{json.dumps(str(k))}: {_encode(v, indent, depth + 1)}" for k, v in value.items()]
        return _join("{", items, "}", indent, depth)
    if isinstance(value, list | tuple):
        return _join("[", [_encode(v, indent, depth + 1) for v in value], "]", indent, depth)
    return json.dumps(value, ensure_ascii=False)


def _join(opening: str, items: list[str], closing: str, indent: int | None, depth: int) -> str:
    if not items:
        return opening + closing
    if indent is None:
        return opening + ", ".join(items) + closing
    inner = " " * (indent * (depth + 1))
    outer = " " * (indent * depth)
    return opening + "\n" + ",\n".join(inner + item for item in items) + "\n" + outer + closing
