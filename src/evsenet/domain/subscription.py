"""Subscriptions: a provider's standing with one offer chain, and how it moves.

    (offer-to-all, two-step) ──subscribe──▶ requested ──accept──▶ subscribed ──cancel──▶ cancelled
                                               │  ▲
                                          reject  resubmit
                                               ▼  │
                                             rejected

An offer-to-all without a two-step process, and a bilateral offer accepted by a provider
it names, go straight to `subscribed`. A rejection carries one of Hubject's reasons
(`twoStepErrorStatus`) and a message; the provider fixes its master data and resubmits.

A subscription runs at least the offer's minimum term from its subscribe date, and a
cancellation takes effect no earlier than the cancellation period after it is asked for
(`cancellation_end`). One subscription per (offer chain, provider) is live at a time; a
cancelled one no longer counts once it has ended (the database keeps the first rule too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pycountry
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError

from evsenet.domain.errors import Conflict, DomainError, FieldProblem, InvalidRecord, NotFound
from evsenet.domain.offer import TwoStepFields
from evsenet.domain.text import PlainText

MASTER_DATA_LIMIT = 255
REJECT_MESSAGE = PlainText(
    "Rejection message",
    500,
    "subscription.message_too_long",
    "subscription.message_control_character",
    "message",
)
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.!#$%&'*+/=?^_`{|}~-")


class SubscriptionStatus(StrEnum):
    """Where a subscription stands; the values are Hubject's, in lower case."""

    REQUESTED = "requested"
    REJECTED = "rejected"
    SUBSCRIBED = "subscribed"
    CANCELLED = "cancelled"


class RejectReason(StrEnum):
    """Why an operator refuses a two-step request (Hubject's `twoStepErrorStatus`)."""

    INCORRECT_DATA_FORMAT = "INCORRECT_DATA_FORMAT"
    INVALID_VAT_ID = "INVALID_VAT_ID"
    BUSINESS_REQUIREMENTS_NOT_MATCHED = "BUSINESS_REQUIREMENTS_NOT_MATCHED"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    OTHERS = "OTHERS"

    @classmethod
    def parse(cls, text: str) -> RejectReason:
        """The reason named `text` (letter case ignored); `subscription.reason_unknown`."""
        try:
            return cls((text or "").strip().upper())
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            raise InvalidRecord(
                [
                    FieldProblem(
                        "reason",
                        "subscription.reason_unknown",
                        f"Rejection reason {text!r} is not one of {allowed}",
                    )
                ]
            ) from None


MASTER_DATA_FIELDS = tuple(TwoStepFields.__dataclass_fields__)
"""The master data a provider may submit: the names of Hubject's ten two-step fields."""


@dataclass(frozen=True, slots=True)
class MasterData:
    """The master data a provider submitted, checked; absent fields are empty strings."""

    values: tuple[tuple[str, str], ...]
    terms_confirmed: bool

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)


def _is_email(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    if not at or not local or len(value) > 254 or "." not in domain:
        return False
    labels = domain.split(".")
    return set(local.lower()) <= _EMAIL_LOCAL and all(
        label and label.replace("-", "").isalnum() and label.isascii() for label in labels
    )


def _country(value: str) -> str | None:
    """The ISO 3166 alpha-2 code of `value` (alpha-2 or alpha-3), or None."""
    text = value.strip()
    if not text.isascii() or len(text) not in (2, 3):
        return None
    if len(text) == 2:
        found = pycountry.countries.get(alpha_2=text.upper())
    else:
        found = pycountry.countries.get(alpha_3=text.upper())
    return None if found is None else str(found.alpha_2)


def vat_id_problem(vat_id: str, country: str | None) -> str | None:
    """Why `vat_id` is not a plausible VAT ID, or None.

    The ID's own two-letter prefix picks the country's rules when it has one (DE136695976),
    otherwise the billing country does; python-stdnum checks format and check digits.
    """
    compact = "".join(vat_id.split()).upper()
    prefix = compact[:2]
    cc = prefix if prefix.isalpha() and _country(prefix) else (country or "")
    if prefix == "EL":
        cc = "GR"
    if not cc:
        return "has no country prefix and no billing country says whose rules apply"
    try:
        module = get_cc_module(cc.lower(), "vat")
    except (ImportError, ValueError):
        module = None
    if module is None:
        return None if len(compact) >= 4 and compact.isalnum() else "is too short"
    try:
        module.validate(compact)
    except ValidationError as exc:
        return f"is not a valid {cc} VAT ID ({str(exc).rstrip('.').lower()})"
    return None


def master_data(
    required: TwoStepFields, sent: Mapping[str, object], *, terms_confirmed: bool
) -> MasterData:
    """The submitted master data, checked against what the offer requires.

    Every problem is reported at once (`InvalidRecord`): a required field missing, an
    unknown field, a malformed e-mail, a country that is not ISO 3166, an implausible VAT
    ID, and terms not confirmed.
    """
    problems: list[FieldProblem] = []
    values: dict[str, str] = {}
    for name, value in sent.items():
        if name not in MASTER_DATA_FIELDS:
            problems.append(
                FieldProblem(
                    name, "subscription.field_unknown", f"{name!r} is not a master data field"
                )
            )
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(
                FieldProblem(name, "subscription.field_not_text", f"{name} must be text")
            )
            continue
        text = value.strip()
        if len(text) > MASTER_DATA_LIMIT or any(ord(c) < 32 or ord(c) == 127 for c in text):
            problems.append(
                FieldProblem(
                    name,
                    "subscription.field_malformed",
                    f"{name} must be at most {MASTER_DATA_LIMIT} characters of plain text",
                )
            )
            continue
        if text:
            values[name] = text
    for name in required.required:
        if name not in values and not any(p.field == name for p in problems):
            problems.append(
                FieldProblem(
                    name,
                    "subscription.field_missing",
                    f"The offer requires {name} in the master data",
                )
            )
    country: str | None = None
    if "billing_address_country" in values:
        country = _country(values["billing_address_country"])
        if country is None:
            problems.append(
                FieldProblem(
                    "billing_address_country",
                    "subscription.country_unknown",
                    f"{values['billing_address_country']!r} is not an ISO 3166 country code",
                )
            )
        else:
            values["billing_address_country"] = country
    email = values.get("billing_contact_email")
    if email is not None and not _is_email(email):
        problems.append(
            FieldProblem(
                "billing_contact_email",
                "subscription.email_malformed",
                f"{email!r} is not an e-mail address",
            )
        )
    vat_id = values.get("tax_id")
    if vat_id is not None:
        why = vat_id_problem(vat_id, country)
        if why is not None:
            problems.append(
                FieldProblem("tax_id", "subscription.vat_id_invalid", f"VAT ID {vat_id!r} {why}")
            )
    if not terms_confirmed:
        problems.append(
            FieldProblem(
                "terms_confirmed",
                "subscription.terms_not_confirmed",
                "The provider must confirm it has read the offer's terms and conditions",
            )
        )
    if problems:
        raise InvalidRecord(problems)
    return MasterData(tuple(sorted(values.items())), terms_confirmed)


def require_status(current: SubscriptionStatus, allowed: SubscriptionStatus, act: str) -> None:
    """Refuse `act` unless the subscription is in `allowed` (`subscription.not_<allowed>`)."""
    if current is not allowed:
        raise Conflict(
            f"subscription.not_{allowed.value}",
            f"Only a {allowed.value} subscription can be {act}; this one is {current.value}",
            field="status",
        )


def cancellation_end(
    *,
    subscribed_at: datetime,
    now: datetime,
    cancellation_days: int,
    minimum_term_days: int,
    wanted: datetime | None,
) -> datetime:
    """When a cancellation asked for at `now` takes effect.

    The earliest end is the later of `now` + the cancellation period and the end of the
    minimum term; without `wanted` it is that earliest end. A `wanted` end before the
    minimum term ends or inside the cancellation period is refused.
    """
    if wanted is not None and wanted.utcoffset() is None:
        raise DomainError(
            "subscription.time_without_zone",
            "The wanted end of the cancellation needs a UTC offset (2027-03-01T00:00:00Z)",
            field="effective_at",
        )
    term_end = subscribed_at + timedelta(days=minimum_term_days)
    notice_end = now + timedelta(days=cancellation_days)
    if wanted is None:
        return max(term_end, notice_end)
    if wanted < term_end:
        raise Conflict(
            "subscription.inside_minimum_term",
            f"The subscription runs at least until {term_end.isoformat()} (the offer's "
            f"minimum term of {minimum_term_days} days); it cannot end at {wanted.isoformat()}",
            field="effective_at",
        )
    if wanted < notice_end:
        raise Conflict(
            "subscription.inside_cancellation_period",
            f"A cancellation asked for now takes effect at {notice_end.isoformat()} at the "
            f"earliest (the offer's cancellation period of {cancellation_days} days)",
            field="effective_at",
        )
    return wanted


def offer_not_open(offer_id: int) -> NotFound:
    """The answer for an offer the provider may not see: draft, foreign bilateral, unknown."""
    return NotFound("offer.not_found", f"No published offer {offer_id} is open to this provider")


def in_force_at(
    *, subscribed_at: datetime | None, cancelled_from: datetime | None, at: datetime
) -> bool:
    """True when a subscription prices and shows prices at `at`: subscribed by then (a
    requested or rejected one never was) and its cancellation, if any, not yet effective."""
    return (
        subscribed_at is not None
        and subscribed_at <= at
        and (cancelled_from is None or at < cancelled_from)
    )
