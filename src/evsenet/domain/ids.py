"""Operator, provider and EVSE identifiers in the eMI3 / OICP 2.3 forms.

Two spellings of an ID are the same ID when they differ only in letter case or in the
optional `*` separators: `DE*ABC*E123*1`, `deabce1231` and `DEABC*E1231` are one EVSE.
Each ID therefore has a `normalised` form (upper case, separators removed) used for
comparison and storage, and keeps the text the operator `sent`.

The numeric (DIN) form `+49*810*000*438` needs its first separator to tell the country
calling code from the operator, so its normalised form keeps that one: `+49*810000438`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import pycountry

from evsenet.domain.errors import DomainError

EVSE_ID_MAX_LENGTH = 41

_ISO_OPERATOR = re.compile(r"([A-Za-z]{2})\*?([A-Za-z0-9]{3})")
_NUMERIC_OPERATOR = re.compile(r"\+?([0-9]{1,3})\*([0-9]{3})")
_ISO_EVSE = re.compile(r"([A-Za-z]{2})\*?([A-Za-z0-9]{3})\*?[Ee]([A-Za-z0-9*]{1,30})")
_NUMERIC_EVSE = re.compile(r"\+?([0-9]{1,3})\*([0-9]{3})\*?([0-9*]{1,32})")
_PROVIDER = re.compile(r"([A-Za-z]{2})[*-]?([A-Za-z0-9]{3})")
_ID_CHARS = re.compile(r"[A-Za-z0-9*]*")


class InvalidId(DomainError):
    """An identifier does not have the form the standard requires."""


@lru_cache(maxsize=512)
def _is_country_alpha2(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code.upper()) is not None


_LABELS = {"evse_id": "EVSE ID", "operator_id": "Operator ID", "provider_id": "Provider ID"}


def _check_country(kind: str, text: str, country: str) -> None:
    if not _is_country_alpha2(country):
        raise InvalidId(
            f"{kind}.unknown_country",
            f"{_LABELS[kind]} {text!r} starts with {country.upper()!r}, "
            "which is not an ISO 3166-1 alpha-2 country code",
        )


@dataclass(frozen=True, slots=True)
class OperatorId:
    """A charge point operator, e.g. `DE*ABC` (ISO) or `+49*810` (numeric)."""

    normalised: str
    display: str

    @classmethod
    def parse(cls, text: str) -> OperatorId:
        value = (text or "").strip()
        if not value:
            raise InvalidId("operator_id.missing", "An operator ID is required, e.g. DE*ABC")
        if match := _ISO_OPERATOR.fullmatch(value):
            country, party = match.group(1).upper(), match.group(2).upper()
            _check_country("operator_id", value, country)
            return cls(country + party, f"{country}*{party}")
        if match := _NUMERIC_OPERATOR.fullmatch(value):
            code, party = match.groups()
            return cls(f"+{code}*{party}", f"+{code}*{party}")
        raise InvalidId(
            "operator_id.malformed",
            f"Operator ID {value!r} is malformed: use a two-letter country code and three "
            "letters or digits (DE*ABC or DEABC), or the numeric form +49*810",
        )

    def __str__(self) -> str:
        return self.display


@dataclass(frozen=True, slots=True)
class ProviderId:
    """An e-mobility provider, e.g. `DE*ICE` (also written `DE-ICE` or `DEICE`)."""

    normalised: str
    display: str

    @classmethod
    def parse(cls, text: str) -> ProviderId:
        value = (text or "").strip()
        if not value:
            raise InvalidId("provider_id.missing", "A provider ID is required, e.g. DE*ICE")
        match = _PROVIDER.fullmatch(value)
        if match is None:
            raise InvalidId(
                "provider_id.malformed",
                f"Provider ID {value!r} is malformed: use a two-letter country code and "
                "three letters or digits, optionally separated by '*' or '-' (DE*ICE)",
            )
        country, party = match.group(1).upper(), match.group(2).upper()
        _check_country("provider_id", value, country)
        return cls(country + party, f"{country}*{party}")

    def __str__(self) -> str:
        return self.display


class EvseId(NamedTuple):
    """An EVSE, e.g. `DE*ABC*E123456*1` or `+49*810*000*438`.

    `operator` is the normalised operator part (`DEABC`, `+49*810`): the operator, or
    sub-operator, whose EVSE this is. Two EvseIds are equal when their normalised forms
    are; the spelling `sent` does not count. (A NamedTuple: an import builds 100,000.)
    """

    normalised: str
    sent: str
    operator: str

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EvseId) and other.normalised == self.normalised

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.normalised)

    @classmethod
    def parse(cls, text: str) -> EvseId:
        value = text.strip() if text else ""
        if not value:
            raise InvalidId("evse_id.missing", "An EVSE ID is required, e.g. DE*ABC*E123456*1")
        if len(value) > EVSE_ID_MAX_LENGTH:
            raise InvalidId(
                "evse_id.too_long",
                f"EVSE ID {value[:20]!r}… has {len(value)} characters; "
                f"at most {EVSE_ID_MAX_LENGTH} are allowed",
            )
        if value[0] in "+0123456789":
            return cls._parse_numeric(value)
        return cls._parse_iso(value)

    @classmethod
    def _parse_iso(cls, value: str) -> EvseId:
        match = _ISO_EVSE.fullmatch(value)
        if match is None:
            raise InvalidId("evse_id.malformed", _explain_iso(value))
        country, party, local = match.groups()
        if not _is_country_alpha2(country):
            _check_country("evse_id", value, country)
        local = local.replace("*", "")
        if not local:
            raise InvalidId(
                "evse_id.malformed",
                f"EVSE ID {value!r} is malformed: the part after 'E' has no letter or digit",
            )
        operator = (country + party).upper()
        return cls(f"{operator}E{local.upper()}", value, operator)

    @classmethod
    def _parse_numeric(cls, value: str) -> EvseId:
        match = _NUMERIC_EVSE.fullmatch(value)
        if match is None or not match.group(3).replace("*", ""):
            raise InvalidId(
                "evse_id.malformed",
                f"EVSE ID {value!r} is malformed: numeric EVSE IDs are written like "
                "+49*810*000*438 (country calling code, '*', three-digit operator, '*', "
                "digits)",
            )
        code, party, local = match.groups()
        operator = f"+{code}*{party}"
        return cls(operator + local.replace("*", ""), value, operator)

    def belongs_to(self, operator: OperatorId) -> bool:
        return self.operator == operator.normalised

    def __str__(self) -> str:
        return self.sent


def evse_id_start(operator: OperatorId) -> str:
    """How every normalised EVSE ID of `operator` starts: `DEABCE` (ISO: the operator and
    the `E`), `+49*810` (numeric)."""
    if operator.normalised.startswith("+"):
        return operator.normalised
    return operator.normalised + "E"


def operator_display(normalised: str) -> str:
    """The usual spelling of a normalised operator ID: `DEABC` → `DE*ABC`."""
    if normalised.startswith("+"):
        return normalised
    return f"{normalised[:2]}*{normalised[2:]}"


def _explain_iso(value: str) -> str:
    """Say in words which part of an ISO-form EVSE ID is wrong."""
    head = f"EVSE ID {value!r} is malformed: "
    bad = _ID_CHARS.fullmatch(value) is None
    if bad:
        char = next(c for c in value if not (c.isascii() and (c.isalnum() or c == "*")))
        return head + f"{char!r} is not allowed; use letters, digits and '*' only"
    if not value[:2].isalpha():
        return head + "it must start with a two-letter country code (DE*ABC*E123456*1)"
    rest = value[2:].lstrip("*")
    if len(rest) < 3 or "*" in rest[:3]:
        return head + "the operator part after the country code needs three letters or digits"
    after_operator = rest[3:].lstrip("*")
    if not after_operator or after_operator[0].upper() != "E":
        return head + (
            f"after the operator {value[:2].upper()}*{rest[:3].upper()} an EVSE ID needs "
            "'E' followed by its own ID (DE*ABC*E123456*1)"
        )
    if len(after_operator) == 1:
        return head + "nothing follows the 'E'; add the EVSE's own ID (DE*ABC*E123456*1)"
    return head + "the part after 'E' may have at most 30 letters, digits or '*'"
