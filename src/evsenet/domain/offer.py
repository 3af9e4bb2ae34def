"""Service offers with Next Generation Pricing: the terms and the prices.

An offer is built in two layers, so that a draft can be saved before it is complete:

1. `offer_terms(...)` checks every field rule of the offer's terms at once and raises
   `InvalidRecord` (fields in snake case: `valid_to`, `lead_time_days` …). Anything that
   cannot be a valid offer at all is refused here: a `valid_from` not in the future, a
   limited offer without notice period or with a lead time, `valid_to` beyond two years,
   two-step on a bilateral offer, a VAT rate outside 0–100 …
2. `Offer` holds the terms, the tariffs and per group a currency and a weekly schedule.
   `evsenet.domain.offer_review.offer_problems(offer, network_groups)` lists every
   *blocking* problem — gaps and overlaps per group, unknown tariff names, tariffs of
   another currency than their group, duplicate tariff names, groups not in the network
   or without a schedule. An empty list means the offer may be published. The review
   shows the same list, and the publish refusal carries it.

The lifecycle (draft → pending → active → expired/cancelled), the "one offer-to-all in
force per service type" rule and price versions are in `evsenet.domain.offer_lifecycle`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import IntEnum

from evsenet.domain.errors import DomainError, FieldProblem, InvalidRecord
from evsenet.domain.ids import ProviderId
from evsenet.domain.money import Currency
from evsenet.domain.schedule import TimeSlot
from evsenet.domain.tariff import Tariff, name_key
from evsenet.domain.text import PlainText

OFFER_NAME = PlainText("Offer name", 255, "offer.name_too_long", "offer.name_control_character")
OFFER_DESCRIPTION = PlainText(
    "Offer description", 255, "offer.description_too_long", "offer.description_control_character"
)
NOTICE_MESSAGE = PlainText(
    "Period of notice message",
    255,
    "offer.notice_message_too_long",
    "offer.notice_message_control_character",
)
MAX_YEARS = 2
"""A limited offer runs at most two years (DESIGN.md)."""
MAX_START_AHEAD = timedelta(days=5 * 366)
"""A `valid_from` further ahead than this is a typing error (year 2205, not 2025)."""
CANCELLATION_DAYS = (0, 365)
MINIMUM_TERM_DAYS = (0, 365)
NOTICE_DAYS = (0, 365)
LEAD_TIME_DAYS = (15, 365)
"""Hubject's offer API requires a lead time of at least 15 days (its `leadTime` minimum)."""
VAT_PERCENT = (Decimal(0), Decimal(100))
VAT_DECIMALS = 2


class ServiceType(IntEnum):
    """What the offer sells; the values are Hubject's `serviceTypeId`s."""

    AUTHORIZATION = 1
    RESERVATION = 10

    @property
    def label(self) -> str:
        """Hubject's `serviceTypeName`: `Authorization`, `Reservation`."""
        return self.name.capitalize()


@dataclass(frozen=True, slots=True)
class TwoStepFields:
    """Which master data a provider must submit to subscribe (Hubject's ten booleans)."""

    tax_id: bool = False
    brand_name: bool = False
    billing_contact_email: bool = False
    billing_contact_phone: bool = False
    billing_contact_first_name: bool = False
    billing_contact_last_name: bool = False
    billing_address_city: bool = False
    billing_address_country: bool = False
    billing_address_postal_code: bool = False
    billing_address_street: bool = False

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the required fields."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name))


@dataclass(frozen=True, slots=True)
class OfferTerms:
    """Everything of an offer but its prices; built by `offer_terms`, always valid.

    A limited offer has `valid_to` and `notice_days` and no `lead_time_days`; an
    unlimited one the reverse. `providers` is empty for an offer-to-all. `two_step` is
    None when the offer needs no two-step process.
    """

    name: str
    description: str
    service_type: ServiceType
    offer_to_all: bool
    providers: tuple[ProviderId, ...]
    valid_from: datetime
    valid_to: datetime | None
    notice_days: int | None
    notice_message: str
    lead_time_days: int | None
    cancellation_days: int
    minimum_term_days: int
    two_step: TwoStepFields | None
    attachment_id: str | None
    network_id: str
    vat_percent: Decimal

    @property
    def unlimited(self) -> bool:
        return self.valid_to is None


@dataclass(frozen=True, slots=True)
class GroupPrices:
    """One group's prices under an offer: its currency and weekly schedule (a "product")."""

    group_id: str
    currency: Currency
    slots: tuple[TimeSlot, ...]


@dataclass(frozen=True, slots=True)
class Offer:
    """An offer's terms, its tariffs and its per-group prices. Frozen: a published offer
    never changes, and a draft changes by building a new value."""

    terms: OfferTerms
    tariffs: tuple[Tariff, ...]
    groups: tuple[GroupPrices, ...]

    def tariff(self, name: str) -> Tariff | None:
        """The tariff called `name` (letter case ignored), or None."""
        return self.tariffs_by_key.get(name_key(name))

    @property
    def tariffs_by_key(self) -> dict[str, Tariff]:
        """The tariffs keyed by `name_key` (the first one where a name repeats)."""
        keyed: dict[str, Tariff] = {}
        for tariff in self.tariffs:
            keyed.setdefault(tariff.key, tariff)
        return keyed


def with_group_currency(offer: Offer, group_id: str, money: Currency) -> tuple[Offer, int]:
    """The draft with group `group_id` priced in `money`, and how many slots that removed.

    A schedule's slots point at tariffs of the group's currency, so changing the currency
    removes the group's slots (DESIGN.md: "the user is told first" — the count is what to
    tell). The same currency changes nothing; a group not priced yet is added empty.
    """
    groups = list(offer.groups)
    for index, prices in enumerate(groups):
        if prices.group_id == group_id:
            if prices.currency == money:
                return offer, 0
            groups[index] = GroupPrices(group_id, money, ())
            return replace(offer, groups=tuple(groups)), len(prices.slots)
    return replace(offer, groups=(*groups, GroupPrices(group_id, money, ()))), 0


def two_years_after(start: datetime) -> datetime:
    """The same wall time two years later (29 February → 28 February)."""
    try:
        return start.replace(year=start.year + MAX_YEARS)
    except ValueError:
        return start.replace(year=start.year + MAX_YEARS, day=28)


@dataclass
class _Collector:
    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, name: str, code: str, message: str) -> None:
        self.problems.append(FieldProblem(name, code, message))

    def text(self, rule: PlainText, name: str, value: str | None) -> str:
        try:
            return rule(value)
        except DomainError as error:
            self.add(name, error.code, error.message)
            return ""

    def days(
        self, name: str, code: str, value: int | None, bounds: tuple[int, int], label: str
    ) -> None:
        if value is not None and not bounds[0] <= value <= bounds[1]:
            self.add(name, code, f"{label} of {value} days is outside {bounds[0]}…{bounds[1]}")


def offer_terms(
    *,
    now: datetime,
    name: str,
    description: str | None,
    service_type: int,
    offer_to_all: bool,
    providers: Sequence[ProviderId],
    valid_from: datetime,
    valid_to: datetime | None,
    notice_days: int | None,
    notice_message: str | None = None,
    lead_time_days: int | None,
    cancellation_days: int,
    minimum_term_days: int,
    two_step: TwoStepFields | None,
    attachment_id: str | None,
    network_id: str,
    vat_percent: Decimal,
) -> OfferTerms:
    """The offer's terms, every field rule checked against `now`; raises `InvalidRecord`
    naming each problem. `valid_to` None means unlimited."""
    check = _Collector()
    title = check.text(OFFER_NAME, "name", name)
    if not title and not check.problems:
        check.add("name", "offer.name_missing", "An offer needs a name")
    about = check.text(OFFER_DESCRIPTION, "description", description)
    message = check.text(NOTICE_MESSAGE, "notice_message", notice_message)
    kind = _service_type(check, service_type)
    _check_validity(check, now, valid_from, valid_to, notice_days, lead_time_days)
    check.days(
        "cancellation_days",
        "offer.cancellation_out_of_range",
        cancellation_days,
        CANCELLATION_DAYS,
        "A cancellation period",
    )
    check.days(
        "minimum_term_days",
        "offer.minimum_term_out_of_range",
        minimum_term_days,
        MINIMUM_TERM_DAYS,
        "A minimum term",
    )
    _check_audience(check, offer_to_all, providers, two_step)
    _check_vat(check, vat_percent)
    if not network_id or not network_id.strip():
        check.add("network_id", "offer.network_missing", "An NGP offer prices one EVSE network")
    if check.problems:
        raise InvalidRecord(check.problems)
    assert kind is not None
    return OfferTerms(
        name=title,
        description=about,
        service_type=kind,
        offer_to_all=offer_to_all,
        providers=tuple(dict.fromkeys(providers)),
        valid_from=valid_from,
        valid_to=valid_to,
        notice_days=notice_days,
        notice_message=message,
        lead_time_days=lead_time_days,
        cancellation_days=cancellation_days,
        minimum_term_days=minimum_term_days,
        two_step=two_step,
        attachment_id=attachment_id.strip() if attachment_id else None,
        network_id=network_id.strip(),
        vat_percent=vat_percent,
    )


def _service_type(check: _Collector, value: int) -> ServiceType | None:
    try:
        return ServiceType(value)
    except ValueError:
        check.add(
            "service_type",
            "offer.service_type_unknown",
            f"Service type {value!r} is neither 1 (Authorization) nor 10 (Reservation)",
        )
        return None


def _check_validity(
    check: _Collector,
    now: datetime,
    valid_from: datetime,
    valid_to: datetime | None,
    notice_days: int | None,
    lead_time_days: int | None,
) -> None:
    for label, moment in (("valid_from", valid_from), ("valid_to", valid_to), ("now", now)):
        if moment is not None and moment.utcoffset() is None:
            raise DomainError("time.naive", f"{label} has no UTC offset", field=label)
    if valid_from <= now:
        check.add(
            "valid_from",
            "offer.valid_from_past",
            f"valid_from {valid_from.isoformat()} is not in the future",
        )
    elif valid_from - now > MAX_START_AHEAD:
        check.add(
            "valid_from",
            "offer.valid_from_too_far",
            f"valid_from {valid_from.isoformat()} is more than five years ahead",
        )
    if valid_to is None:
        if notice_days is not None:
            check.add(
                "notice_days",
                "offer.notice_period_not_allowed",
                "An unlimited offer has no period of notice (it has a lead time)",
            )
        if lead_time_days is None:
            check.add(
                "lead_time_days",
                "offer.lead_time_missing",
                "An unlimited offer needs a lead time in days for its price changes",
            )
        check.days(
            "lead_time_days",
            "offer.lead_time_out_of_range",
            lead_time_days,
            LEAD_TIME_DAYS,
            "A lead time",
        )
        return
    if valid_to <= valid_from:
        check.add(
            "valid_to",
            "offer.valid_to_not_after_start",
            f"valid_to {valid_to.isoformat()} is not after valid_from {valid_from.isoformat()}",
        )
    elif valid_to > two_years_after(valid_from):
        check.add(
            "valid_to",
            "offer.valid_to_too_far",
            f"valid_to {valid_to.isoformat()} is more than two years after valid_from; a "
            "limited offer runs at most two years (make it unlimited instead)",
        )
    if lead_time_days is not None:
        check.add(
            "lead_time_days",
            "offer.lead_time_not_allowed",
            "A limited offer keeps its prices to its end, so it has no lead time",
        )
    if notice_days is None:
        check.add(
            "notice_days",
            "offer.notice_period_missing",
            "A limited offer needs a period of notice in days",
        )
    else:
        check.days(
            "notice_days",
            "offer.notice_period_out_of_range",
            notice_days,
            NOTICE_DAYS,
            "A period of notice",
        )
        if valid_to > valid_from and timedelta(days=notice_days) > valid_to - valid_from:
            check.add(
                "notice_days",
                "offer.notice_period_too_long",
                f"A period of notice of {notice_days} days is longer than the offer runs",
            )


def _check_audience(
    check: _Collector,
    offer_to_all: bool,
    providers: Sequence[ProviderId],
    two_step: TwoStepFields | None,
) -> None:
    if offer_to_all and providers:
        check.add(
            "providers",
            "offer.providers_not_allowed",
            "An offer-to-all is open to every provider; list providers only on a bilateral offer",
        )
    if not offer_to_all and not providers:
        check.add(
            "providers",
            "offer.providers_missing",
            "A bilateral offer names at least one provider",
        )
    if two_step is not None:
        if not offer_to_all:
            check.add(
                "two_step",
                "offer.two_step_not_allowed",
                "The two-step process is for offers-to-all only",
            )
        elif not two_step.required:
            check.add(
                "two_step",
                "offer.two_step_fields_missing",
                "A two-step process requires at least one master data field",
            )


def _check_vat(check: _Collector, vat: Decimal) -> None:
    if not isinstance(vat, Decimal) or not vat.is_finite():
        check.add("vat_percent", "offer.vat_malformed", f"VAT rate {vat!r} is not a number")
        return
    if not VAT_PERCENT[0] <= vat <= VAT_PERCENT[1]:
        check.add("vat_percent", "offer.vat_out_of_range", f"A VAT rate of {vat} % is not 0…100")
    exponent = vat.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > VAT_DECIMALS:
        check.add(
            "vat_percent",
            "offer.vat_too_precise",
            f"VAT rate {vat} has more than {VAT_DECIMALS} decimals",
        )
