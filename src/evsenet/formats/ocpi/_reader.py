"""A strict reader for OCPI JSON: every field checked, every problem with its JSON path.

Unknown keys are never dropped silently: in objects that decide a price (tariffs, elements,
price components, restrictions, prices, CDR periods and dimensions, the CDR itself) an
unknown key is a problem (`ocpi.field_unknown`, with a "did you mean" for a misspelling
such as `dayOfWeek` or `restriction`); in descriptive objects (the CDR's token and
location, display texts) it is a warning. Numbers are read as `Decimal`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from evsenet.domain.errors import DomainError, FieldProblem, InvalidRecord
from evsenet.domain.pricing import PricingWarning

JSON_MALFORMED = "ocpi.json_malformed"
FIELD_UNKNOWN = "ocpi.field_unknown"
FIELD_MISSING = "ocpi.field_missing"
FIELD_TYPE = "ocpi.field_type"
VALUE_INVALID = "ocpi.value_invalid"

_TIME = re.compile(r"([0-1][0-9]|2[0-3]):[0-5][0-9]")
_DATE = re.compile(r"([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(text: str | bytes, what: str) -> Any:
    """JSON with every fractional number as an exact Decimal; NaN and Infinity refused."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as error:
        raise DomainError(
            JSON_MALFORMED, f"The {what} is not valid JSON: {error}", field="$"
        ) from None


def _squash(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def suggestion(key: str, known: Collection[str]) -> str | None:
    """The known key `key` most likely misspells (`dayOfWeek` → `day_of_week`)."""
    squashed = {_squash(name): name for name in known}
    if _squash(key) in squashed:
        return squashed[_squash(key)]
    close = difflib.get_close_matches(_squash(key), list(squashed), n=1, cutoff=0.75)
    return squashed[close[0]] if close else None


class Reader:
    """Collects problems (fatal, raised together by `finish`) and warnings while reading."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []
        self.warnings: list[PricingWarning] = []

    def problem(self, path: str, code: str, message: str) -> None:
        self.problems.append(FieldProblem(path, code, message))

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(PricingWarning(code=code, message=message, path=path))

    def finish(self) -> None:
        """Raise `InvalidRecord` with every problem found, if any."""
        if self.problems:
            raise InvalidRecord(list(self.problems))

    def guarded(self, path: str, build: Callable[[], _T]) -> _T | None:
        """`build()`, a domain error in it recorded as a problem at `path`."""
        try:
            return build()
        except DomainError as error:
            where = f"{path}.{error.field}" if error.field else path
            self.problem(where, error.code, error.message)
            return None

    def object(
        self,
        value: object,
        path: str,
        *,
        known: Collection[str],
        required: Collection[str] = (),
        strict: bool = True,
    ) -> Mapping[str, Any] | None:
        """`value` as a JSON object whose keys are checked against `known`."""
        if not isinstance(value, dict):
            self.problem(path, FIELD_TYPE, f"{path} must be a JSON object")
            return None
        for key in value:
            if key in known:
                continue
            hint = suggestion(key, known)
            message = f"{path}.{key} is not an OCPI 2.2.1 field here" + (
                f" (did you mean {hint!r}?)" if hint else ""
            )
            if strict:
                self.problem(f"{path}.{key}", FIELD_UNKNOWN, message + "; nothing was priced")
            else:
                self.warn(f"{path}.{key}", FIELD_UNKNOWN, message + "; it was ignored")
        for key in required:
            if value.get(key) is None:
                self.problem(f"{path}.{key}", FIELD_MISSING, f"{path}.{key} is required")
        return value

    def text(
        self, data: Mapping[str, Any], key: str, path: str, limit: int | None = None
    ) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", FIELD_TYPE, f"{path}.{key} must be a string")
            return None
        if limit is not None and len(value) > limit:
            self.problem(
                f"{path}.{key}", VALUE_INVALID, f"{path}.{key} is longer than {limit} characters"
            )
        return value

    def number(self, data: Mapping[str, Any], key: str, path: str) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.problem(f"{path}.{key}", FIELD_TYPE, f"{path}.{key} must be a JSON number")
            return None
        return Decimal(value)

    def integer(self, data: Mapping[str, Any], key: str, path: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{path}.{key}", FIELD_TYPE, f"{path}.{key} must be a whole number (int)")
            return None
        return value

    def choice(self, data: Mapping[str, Any], key: str, path: str, kind: type[_E]) -> _E | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            self.problem(
                f"{path}.{key}",
                VALUE_INVALID,
                f"{path}.{key} is {value!r}, not one of {allowed}",
            )
            return None

    def instant(self, data: Mapping[str, Any], key: str, path: str) -> datetime | None:
        """An OCPI DateTime (RFC 3339; without a zone designator it is UTC, OCPI §16.1)."""
        text = self.text(data, key, path)
        if text is None:
            return None
        try:
            parsed = datetime.fromisoformat(text)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            self.problem(
                f"{path}.{key}", VALUE_INVALID, f"{path}.{key} is {text!r}, not an RFC 3339 time"
            )
            return None

    def time_of_day(self, data: Mapping[str, Any], key: str, path: str) -> time | None:
        text = self.text(data, key, path)
        if text is None:
            return None
        if not _TIME.fullmatch(text):
            self.problem(
                f"{path}.{key}", VALUE_INVALID, f"{path}.{key} is {text!r}, not HH:MM (24 h)"
            )
            return None
        return time.fromisoformat(text)

    def day(self, data: Mapping[str, Any], key: str, path: str) -> date | None:
        text = self.text(data, key, path)
        if text is None:
            return None
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.problem(
                f"{path}.{key}", VALUE_INVALID, f"{path}.{key} is {text!r}, not a YYYY-MM-DD date"
            )
            return None

    def items(self, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(f"{path}.{key}", FIELD_TYPE, f"{path}.{key} must be a JSON array")
            return []
        return value
