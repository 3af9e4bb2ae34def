"""The offer wizard's forms → Hubject's create-offer body, and the body → what the forms show.

The web UI saves drafts through the same conversion as the API: it edits the members of
the create-offer body (`formats.hubject_offer_body.render_create_body`) and reads the
result with `api.offer_bodies.read_offer`, so every rule stays in the domain. This module
only moves form fields into body members and back; it decides nothing about prices.

Slots travel as text, one per line: `MONDAY 06:00:00-21:59:59 Day` (the "exact times"
form); the weekly grid of `static/app.js` writes the same text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from evsenet.api.offer_bodies import read_offer, read_update
from evsenet.api.offer_schemas import json_numbers
from evsenet.domain.errors import FieldProblem, InvalidRecord
from evsenet.domain.offer import GroupPrices, Offer
from evsenet.domain.schedule import Colour, Weekday, clock, ordered
from evsenet.domain.tariff import ComponentType
from evsenet.formats.hubject_offer import TWO_STEP_KEYS, OfferRequest, PriceUpdateRequest

DAYS = [day.name for day in Weekday]
HOURS = list(range(24))
COLOURS = list(Colour)
COMPONENT_TYPES = [kind.value for kind in ComponentType]
SERVICE_TYPES = {1: "Authorization", 10: "Reservation"}
TWO_STEP_FIELDS = tuple(TWO_STEP_KEYS.values())
"""The master data an offer with a two-step process may require (`TwoStepFields`)."""

TERMS_FIELDS = (
    "name",
    "description",
    "service_type",
    "audience",
    "providers",
    "valid_from",
    "kind",
    "valid_to",
    "notice_days",
    "notice_message",
    "lead_time_days",
    "cancellation_days",
    "minimum_term_days",
    "vat_percent",
    "two_step",
    *(f"two_step.{name}" for name in TWO_STEP_FIELDS),
)
_FIELD_OF_MEMBER = {
    "partnerInternalId": "name",
    "description": "description",
    "serviceTypeVersion": "service_type",
    "offerToAll": "audience",
    "subscriberPartnerIds": "providers",
    "validFrom": "valid_from",
    "unlimited": "kind",
    "validTo": "valid_to",
    "periodOfNotice": "notice_days",
    "periodOfNoticeMessage": "notice_message",
    "leadTime": "lead_time_days",
    "cancellationPeriod": "cancellation_days",
    "minimumTerm": "minimum_term_days",
    "twoStepProcess": "two_step",
    "twoStepRequiredMasterDataFields": "two_step",
    "vatPercent": "vat_percent",
}
"""The terms form's field of each member of the create-offer body."""


def _text(form: Mapping[str, object], key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _number(text: str) -> object:
    """A number field as the body carries it: a Decimal when it reads as one, else the
    text itself (the reader refuses it with its path), or None when left empty."""
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return number if number.is_finite() else text


def instant_of(text: str) -> str | None:
    """A `datetime-local` value (read as UTC) as the body's instant."""
    if not text:
        return None
    return text + (":00" if len(text) == 16 else "") + "+00:00"


def local_value(moment: datetime | None) -> str:
    """An instant as a `datetime-local` value in UTC."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def empty_body() -> dict[str, Any]:
    """The body of a new draft before its terms are filled in."""
    return {
        "serviceOfferId": "",
        "pricingType": "NGP",
        "twoStepProcess": False,
        "twoStepRequiredMasterDataFields": None,
        "uploadedAttachmentId": None,
        "periodOfNoticeMessage": None,
        "tariffs": [],
        "products": [],
    }


def _ticked(form: Mapping[str, object], key: str) -> bool:
    return _text(form, key) == "on"


def _two_step_fields(form: Mapping[str, object]) -> dict[str, bool] | None:
    """The master data ticked, as the body's ten booleans; None with the switch off (the
    choices belong to the switch)."""
    if not _ticked(form, "two_step"):
        return None
    return {key: _ticked(form, f"two_step.{name}") for key, name in TWO_STEP_KEYS.items()}


def apply_terms(body: dict[str, Any], form: Mapping[str, object]) -> dict[str, Any]:
    """`body` with the terms of the terms form.

    The two-step process travels as ticked, whatever the audience: the domain refuses it
    on a bilateral offer (`offer.two_step_not_allowed`), and without any master data."""
    unlimited = _text(form, "kind") != "limited"
    offer_to_all = _text(form, "audience") != "bilateral"
    service = _text(form, "service_type") or "1"
    providers = _text(form, "providers").replace(",", " ").split()
    changed = dict(body)
    changed.update(
        {
            "partnerInternalId": _text(form, "name"),
            "description": _text(form, "description"),
            "serviceTypeVersion": {
                "serviceTypeId": int(service) if service.isdigit() else service,
                "serviceTypeName": SERVICE_TYPES.get(int(service), "") if service.isdigit() else "",
                "serviceTypeVersionNumber": 1,
            },
            "offerToAll": offer_to_all,
            "subscriberPartnerIds": [] if offer_to_all else providers,
            "validFrom": instant_of(_text(form, "valid_from")),
            "unlimited": unlimited,
            "validTo": None if unlimited else instant_of(_text(form, "valid_to")),
            "periodOfNotice": None if unlimited else _number(_text(form, "notice_days")),
            "periodOfNoticeMessage": None if unlimited else _text(form, "notice_message") or None,
            "leadTime": _number(_text(form, "lead_time_days")) if unlimited else None,
            "cancellationPeriod": _number(_text(form, "cancellation_days")),
            "minimumTerm": _number(_text(form, "minimum_term_days")),
            "vatPercent": _number(_text(form, "vat_percent")),
            "twoStepProcess": _ticked(form, "two_step"),
            "twoStepRequiredMasterDataFields": _two_step_fields(form),
        }
    )
    return changed


def terms_values(offer: Offer | None) -> dict[str, str]:
    """What the terms form shows for `offer` (defaults for a new one)."""
    if offer is None:
        return {"service_type": "1", "audience": "all", "kind": "unlimited", "vat_percent": "19"}
    terms = offer.terms

    def text(value: object) -> str:
        return "" if value is None else str(value)

    required = terms.two_step.required if terms.two_step is not None else ()
    return {
        "name": terms.name,
        "description": terms.description,
        "service_type": str(int(terms.service_type)),
        "audience": "all" if terms.offer_to_all else "bilateral",
        "providers": " ".join(p.display for p in terms.providers),
        "valid_from": local_value(terms.valid_from),
        "kind": "unlimited" if terms.unlimited else "limited",
        "valid_to": local_value(terms.valid_to),
        "notice_days": text(terms.notice_days),
        "notice_message": terms.notice_message,
        "lead_time_days": text(terms.lead_time_days),
        "cancellation_days": text(terms.cancellation_days),
        "minimum_term_days": text(terms.minimum_term_days),
        "vat_percent": text(terms.vat_percent),
        "two_step": "on" if terms.two_step is not None else "",
        **{f"two_step.{name}": "on" for name in required},
    }


def terms_sent(form: Mapping[str, object]) -> dict[str, str]:
    """The terms fields of a posted form, to show them again or carry them to the next step."""
    return {key: _text(form, key) for key in TERMS_FIELDS if _text(form, key)}


@dataclass(frozen=True, slots=True)
class TermsProblems:
    """A refusal of the terms: each message beside its form field (the first per field),
    and those of no terms field."""

    fields: dict[str, str]
    others: list[str]


def terms_problems(refused: InvalidRecord) -> TermsProblems:
    """`refused` (its problems named by body paths) by field of the terms form."""
    found: dict[str, str] = {}
    others: list[str] = []
    for problem in refused.problems:
        member = problem.field.split(".", 1)[0].split("[", 1)[0]
        name = _FIELD_OF_MEMBER.get(member)
        if name is None:
            others.append(problem.message)
        else:
            found.setdefault(name, problem.message)
    return TermsProblems(found, others)


def tariff_from_form(form: Mapping[str, object]) -> dict[str, Any]:
    """One tariff of the tariff form: its name, currency and the components ticked."""
    components: list[dict[str, Any]] = []
    for kind in COMPONENT_TYPES:
        if _text(form, f"{kind}.on") != "on":
            continue
        component: dict[str, Any] = {
            "type": kind,
            "referenceUnit": _text(form, f"{kind}.unit"),
            "cost": _number(_text(form, f"{kind}.cost")),
            "gracePeriod": _number(_text(form, f"{kind}.grace")),
        }
        initiated = _text(form, f"{kind}.initiated")
        if initiated:
            component["feeInitiated"] = initiated
        components.append(component)
    return {
        "name": _text(form, "name"),
        "currency": _text(form, "currency").upper(),
        "pricingComponents": components,
    }


def with_tariff(body: dict[str, Any], tariff: dict[str, Any]) -> dict[str, Any]:
    """`body` with `tariff` added, or replacing the tariff of the same name."""
    kept = [t for t in body.get("tariffs") or [] if t.get("name") != tariff["name"]]
    return {**body, "tariffs": [*kept, tariff]}


def without_tariff(body: dict[str, Any], name: str) -> dict[str, Any]:
    return {**body, "tariffs": [t for t in body.get("tariffs") or [] if t.get("name") != name]}


def colour_of(tariffs: Sequence[str], name: str) -> Colour:
    """The display colour of tariff `name`: one per tariff, in the offer's tariff order."""
    index = tariffs.index(name) if name in tariffs else 0
    return COLOURS[index % len(COLOURS)]


def slots_from_text(text: str, tariffs: Sequence[str], field: str) -> list[dict[str, Any]]:
    """The time plans of the exact-times text (`MONDAY 06:00:00-21:59:59 Day` a line).

    A line that is not of that shape is refused with its number; the times, the days and
    the tariff names are checked by the domain when the body is read."""
    plans: list[dict[str, Any]] = []
    problems: list[FieldProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(None, 2)
        times = parts[1].split("-") if len(parts) == 3 else []
        if len(times) != 2:
            problems.append(
                FieldProblem(
                    field,
                    "slot.line_unreadable",
                    f"Line {number} ({line.strip()!r}) is not 'DAY HH:MM:SS-HH:MM:SS tariff'",
                )
            )
            continue
        name = parts[2].strip()
        plans.append(
            {
                "daysOfTheWeek": [parts[0].upper()],
                "timeSlots": [
                    {
                        "startTime": times[0],
                        "endTime": times[1],
                        "tariffName": name,
                        "color": colour_of(tariffs, name).value,
                    }
                ],
            }
        )
    if problems:
        raise InvalidRecord(problems)
    return plans


def with_group_prices(
    body: dict[str, Any], group_id: str, currency: str, plans: list[dict[str, Any]]
) -> dict[str, Any]:
    """`body` with the prices of group `group_id` replaced (or added)."""
    key = "pricingDetails" if "pricingDetails" in body else "products"
    kept = [p for p in body.get(key) or [] if str(p.get("groupId")) != group_id]
    product = {"groupId": group_id, "product": {"currency": currency.upper(), "timePlans": plans}}
    return {**body, key: [*kept, product]}


def slots_text(prices: GroupPrices | None) -> str:
    """The exact-times text of a group's slots."""
    if prices is None:
        return ""
    return "\n".join(
        f"{s.day.name} {clock(s.start)}-{clock(s.end)} {s.tariff}" for s in ordered(prices.slots)
    )


@dataclass(frozen=True, slots=True)
class GridCell:
    day: str
    hour: int
    tariff: str
    """The tariff at the start of the hour ("" when none: a gap)."""


def grid(prices: GroupPrices | None) -> list[list[GridCell]]:
    """7 × 24 cells: for each day and hour, the tariff its first second falls in."""
    rows = []
    slots = list(prices.slots) if prices else []
    for day in Weekday:
        row = []
        for hour in HOURS:
            second = hour * 3600
            found = next(
                (s.tariff for s in slots if s.day == day and s.start <= second <= s.end), ""
            )
            row.append(GridCell(day.name, hour, found))
        rows.append(row)
    return rows


def as_json(body: Mapping[str, Any]) -> bytes:
    return json.dumps(json_numbers(dict(body))).encode()


def read_draft(body: Mapping[str, Any], now: datetime) -> OfferRequest:
    """The draft the body describes, read as the API reads it."""
    return read_offer(as_json(body), now)


def read_version(body: Mapping[str, Any]) -> PriceUpdateRequest:
    """The price version the body describes, read as the API reads it."""
    return read_update(as_json(body))
