"""Strict reading of JSON request bodies: every fault collected with its JSON path.

`JsonBody` walks a parsed body and records a `FieldProblem` (path, code, message) for
each field that is missing, of the wrong JSON type, or not known to the format, then
goes on, so that one answer lists every fault. Paths read like JavaScript:
`tariffs[0].pricingComponents[1].cost`.

Codes: `json.body.malformed` (not JSON, a key twice, not an object), `json.field.missing`,
`json.field.unknown` (a key the format does not define: reported, never ignored, so a
misspelt `gracePeriod` cannot silently price nothing), `json.field.type` (the wrong
JSON type), `json.field.malformed` (right type, unreadable value, e.g. a date-time).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final

from evsenet.domain.errors import DomainError, FieldProblem, InvalidRecord

BODY_MALFORMED: Final = "json.body.malformed"
MISSING: Final = "json.field.missing"
UNKNOWN: Final = "json.field.unknown"
WRONG_TYPE: Final = "json.field.type"
MALFORMED: Final = "json.field.malformed"
_DIGITS = re.compile(r"[0-9]{1,9}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?")


class _RepeatedKey(ValueError):
    pass


def parse_json_object(data: bytes | str) -> Mapping[str, object]:
    """A JSON object with numbers as `Decimal`; raises `DomainError` `json.body.malformed`
    for text that is not JSON, an object naming a key twice, or a body not an object."""
    try:
        body = json.loads(data, parse_float=Decimal, object_pairs_hook=_unique_keys)
    except _RepeatedKey as error:
        raise DomainError(BODY_MALFORMED, str(error)) from None
    except (ValueError, RecursionError) as error:
        raise DomainError(BODY_MALFORMED, f"The body is not valid JSON: {error}") from None
    if not isinstance(body, Mapping):
        raise DomainError(BODY_MALFORMED, f"The body must be a JSON object, not {kind(body)}")
    return body


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    members = dict(pairs)
    if len(members) != len(pairs):
        repeated = next(key for key in members if sum(k == key for k, _ in pairs) > 1)
        raise _RepeatedKey(f"The body names the key {repeated!r} twice in one JSON object")
    return members


def kind(value: object) -> str:
    """How JSON would call the type of `value`, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


def join(path: str, key: str | int) -> str:
    """`path` extended by an object key or an array index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class JsonBody:
    """Collects the problems of one body while its fields are read."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def fail(self, path: str, code: str, message: str) -> None:
        self.problems.append(FieldProblem(path, code, message))

    def absorb(self, path: str, error: DomainError, names: Mapping[str, str]) -> None:
        """Record a domain refusal under `path`, its fields renamed by `names`."""
        found = error.problems if isinstance(error, InvalidRecord) else None
        if found is None:
            found = [FieldProblem(error.field or "", error.code, error.message)]
        for problem in found:
            head, dot, rest = problem.field.partition(".")
            base, bracket, index = head.partition("[")
            renamed = names.get(base, base) + (bracket + index) + (dot + rest)
            self.fail(join(path, renamed) if renamed else path, problem.code, problem.message)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidRecord(self.problems)

    def obj(self, value: object, path: str, known: Collection[str]) -> Mapping[str, object] | None:
        """`value` as an object whose unknown keys are reported, or None (reported)."""
        if not isinstance(value, Mapping):
            label = path or "The body"
            self.fail(path, WRONG_TYPE, f"{label} must be an object, not {kind(value)}")
            return None
        for key in value:
            if key not in known:
                self.fail(
                    join(path, key), UNKNOWN, f"{join(path, key)} is not a field of this body"
                )
        return value

    def get(self, value: Mapping[str, object], key: str, path: str, *, required: bool) -> object:
        """The member `key`; a missing or null required member is reported (None)."""
        member = value.get(key)
        if member is None and required:
            self.fail(join(path, key), MISSING, f"{join(path, key)} is required")
        return member

    def string(
        self, value: Mapping[str, object], key: str, path: str, *, required: bool = True
    ) -> str | None:
        member = self.get(value, key, path, required=required)
        if member is None:
            return None
        if not isinstance(member, str):
            self.fail(join(path, key), WRONG_TYPE, f"{join(path, key)} must be a string")
            return None
        return member

    def boolean(
        self, value: Mapping[str, object], key: str, path: str, *, required: bool = True
    ) -> bool | None:
        member = self.get(value, key, path, required=required)
        if member is None:
            return None
        if not isinstance(member, bool):
            self.fail(join(path, key), WRONG_TYPE, f"{join(path, key)} must be true or false")
            return None
        return member

    def integer(
        self, value: Mapping[str, object], key: str, path: str, *, required: bool = True
    ) -> int | None:
        """A whole number; a string of digits is read too (Hubject's own example sends
        `"leadTime": "42"`)."""
        member = self.get(value, key, path, required=required)
        if member is None:
            return None
        if isinstance(member, str) and _DIGITS.fullmatch(member.strip()):
            return int(member.strip())
        if isinstance(member, int) and not isinstance(member, bool):
            return member
        if (
            isinstance(member, Decimal)
            and member.is_finite()
            and member.adjusted() < 10  # no int() of 1e999999999: it would fill the memory
            and member == member.to_integral()
        ):
            return int(member)
        self.fail(
            join(path, key),
            WRONG_TYPE,
            f"{join(path, key)} must be a whole number of days, not {member!r}",
        )
        return None

    def number(
        self, value: Mapping[str, object], key: str, path: str, *, required: bool = True
    ) -> Decimal | None:
        """A JSON number as an exact `Decimal` (never a float, never a string)."""
        member = self.get(value, key, path, required=required)
        if member is None:
            return None
        if isinstance(member, bool) or not isinstance(member, int | Decimal):
            self.fail(
                join(path, key),
                WRONG_TYPE,
                f"{join(path, key)} must be a number, not {kind(member)}",
            )
            return None
        return Decimal(member)

    def date_time(
        self, value: Mapping[str, object], key: str, path: str, *, required: bool = True
    ) -> datetime | None:
        """An ISO 8601 date-time with its UTC offset (`Z` or `+01:00`)."""
        text = self.string(value, key, path, required=required)
        if text is None:
            return None
        where = join(path, key)
        match = _DATE_TIME.match(text)
        try:
            moment = datetime.fromisoformat(text) if match else None
        except ValueError:
            moment = None
        if moment is None:
            self.fail(
                where,
                MALFORMED,
                f"{where} {text!r} is not a date-time such as 2027-01-01T00:00:00Z",
            )
            return None
        if moment.utcoffset() is None:
            self.fail(
                where,
                MALFORMED,
                f"{where} {text!r} has no UTC offset; add Z or +01:00 so it names one instant",
            )
            return None
        return moment

    def array(
        self, value: Mapping[str, object], key: str, path: str, *, required: bool = True
    ) -> list[object] | None:
        member = self.get(value, key, path, required=required)
        if member is None:
            return None
        if not isinstance(member, list):
            self.fail(
                join(path, key),
                WRONG_TYPE,
                f"{join(path, key)} must be an array, not {kind(member)}",
            )
            return None
        return member
