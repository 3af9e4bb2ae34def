"""Hubject's NGP offer bodies → domain offers and price updates.

Two bodies (NGP-API.md; Hubject's `NGP-Automation-APIs`, CPO pages 4 and 5):

- create an offer, `POST …/service-offers` → `read_create_offer` → `OfferRequest`;
- replace an unlimited offer's prices, `PUT …/service-offers/{id}` → `read_price_update`
  → `PriceUpdateRequest`.

Every fault is collected and raised together as `InvalidRecord`, each `FieldProblem`
carrying the JSON path (`tariffs[0].pricingComponents[1].cost`) and a stable code: the
shape codes of `evsenet.formats._json_body` (`json.field.unknown` for a key Hubject does
not define — reported, never ignored), `hubject.*` for Hubject's own fixed values, and the
domain's codes (`tariff.*`, `slot.*`, `offer.*`, `currency.*`, `provider_id.*`) for the
rules of tariffs, slots and offer terms.

What a body alone cannot know — whether the groups belong to the network, and the
schedule's gaps and overlaps against the offer's tariffs — is left to
`evsenet.domain.offer.offer_problems`, which the service runs with the network's groups;
`problem_path` turns such a problem's field back into the body's JSON path.

Choices where Hubject's pages are silent or loose:

- `leadTime`, `cancellationPeriod`, `minimumTerm`, `periodOfNotice` accept a string of
  digits too: Hubject's own create example sends `"leadTime": "42"`.
- The blocking fee's start is read from `feeInitiated` (`SESSION_START`,
  `CHARGING_END`), the camelCase of the `FeeInitiated` key Hubject's answers carry.
- Hubject's body has no VAT rate; the caller passes the operator's rate, and the evsenet
  extension `vatPercent` (a number, e.g. 19) overrides it for one offer.
- `unlimited` must agree with `validTo`: an unlimited offer omits it (or sends null), a
  limited one gives it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from evsenet.domain.errors import DomainError, FieldProblem, InvalidRecord
from evsenet.domain.ids import ProviderId
from evsenet.domain.money import currency
from evsenet.domain.offer import (
    GroupPrices,
    Offer,
    OfferTerms,
    TwoStepFields,
    offer_terms,
)
from evsenet.domain.offer_review import OfferProblem
from evsenet.domain.schedule import TimeSlot, parse_day, time_slot
from evsenet.domain.tariff import PricingComponent, Tariff, pricing_component, tariff
from evsenet.formats._json_body import JsonBody, join

CREATE_KEYS = frozenset(
    {
        "serviceOfferId", "partnerInternalId", "description", "validFrom", "validTo",
        "unlimited", "cancellationPeriod", "leadTime", "minimumTerm", "periodOfNotice",
        "periodOfNoticeMessage", "pricingType", "serviceTypeVersion", "offerToAll",
        "subscriberPartnerIds", "twoStepProcess", "twoStepRequiredMasterDataFields",
        "networkId", "uploadedAttachmentId", "tariffs", "products", "vatPercent",
    }
)  # fmt: skip
UPDATE_KEYS = frozenset(
    {"nextServiceOfferId", "networkId", "updateDate", "tariffs", "pricingDetails"}
)
SERVICE_TYPE_KEYS = frozenset({"serviceTypeId", "serviceTypeName", "serviceTypeVersionNumber"})
TWO_STEP_KEYS: dict[str, str] = {
    "taxId": "tax_id",
    "brandName": "brand_name",
    "billingContactEmail": "billing_contact_email",
    "billingContactPhone": "billing_contact_phone",
    "billingContactFirstName": "billing_contact_first_name",
    "billingContactLastName": "billing_contact_last_name",
    "billingAddressCity": "billing_address_city",
    "billingAddressCountry": "billing_address_country",
    "billingAddressPostalCode": "billing_address_postal_code",
    "billingAddressStreet": "billing_address_street",
}
TARIFF_KEYS = frozenset({"name", "currency", "pricingComponents"})
COMPONENT_KEYS = frozenset({"type", "referenceUnit", "cost", "gracePeriod", "feeInitiated"})
PRODUCT_KEYS = frozenset({"groupId", "product"})
PRICES_KEYS = frozenset({"currency", "timePlans"})
PLAN_KEYS = frozenset({"daysOfTheWeek", "timeSlots"})
SLOT_KEYS = frozenset({"startTime", "endTime", "tariffName", "color"})

_TERMS_FIELDS = {
    "name": "partnerInternalId",
    "description": "description",
    "service_type": "serviceTypeVersion.serviceTypeId",
    "providers": "subscriberPartnerIds",
    "valid_from": "validFrom",
    "valid_to": "validTo",
    "notice_days": "periodOfNotice",
    "notice_message": "periodOfNoticeMessage",
    "lead_time_days": "leadTime",
    "cancellation_days": "cancellationPeriod",
    "minimum_term_days": "minimumTerm",
    "two_step": "twoStepRequiredMasterDataFields",
    "network_id": "networkId",
    "vat_percent": "vatPercent",
}
_COMPONENT_FIELDS = {
    "type": "type",
    "reference_unit": "referenceUnit",
    "cost": "cost",
    "grace_minutes": "gracePeriod",
    "fee_initiated": "feeInitiated",
}
_TARIFF_FIELDS = {"name": "name", "currency": "currency", "components": "pricingComponents"}
_SLOT_FIELDS = {"start": "startTime", "end": "endTime", "tariff": "tariffName", "colour": "color"}
_GROUP_PATH = re.compile(r"groups\[([0-9]+)\](.*)")


@dataclass(frozen=True, slots=True)
class OfferRequest:
    """A create-offer body read: the client's placeholder id and the offer."""

    placeholder_id: str
    offer: Offer


@dataclass(frozen=True, slots=True)
class PriceUpdateRequest:
    """A price-update body read: new tariffs and per-group prices from `update_date`."""

    placeholder_id: str
    network_id: str
    update_date: datetime
    tariffs: tuple[Tariff, ...]
    groups: tuple[GroupPrices, ...]


def read_create_offer(
    body: Mapping[str, object], *, now: datetime, vat_percent: Decimal
) -> OfferRequest:
    """The offer of a Hubject create-offer body, checked against `now`; raises
    `InvalidRecord` with every problem, each field a JSON path of the body."""
    reader = JsonBody()
    top = reader.obj(body, "", CREATE_KEYS)
    if top is None:
        reader.raise_if_any()
        raise AssertionError("unreachable")
    placeholder = reader.string(top, "serviceOfferId", "") or ""
    pricing_type = reader.string(top, "pricingType", "")
    if pricing_type is not None and pricing_type != "NGP":
        reader.fail(
            "pricingType",
            "hubject.pricing_type.unsupported",
            f"pricingType {pricing_type!r} is not supported; evsenet offers use NGP",
        )
    terms = _terms(reader, top, now, vat_percent)
    tariffs = _tariffs(reader, top.get("tariffs"), "tariffs")
    groups = _products(reader, top.get("products"), "products")
    reader.raise_if_any()
    assert terms is not None
    return OfferRequest(placeholder, Offer(terms, tariffs, groups))


def read_price_update(body: Mapping[str, object]) -> PriceUpdateRequest:
    """The new prices of a Hubject price-update body; raises `InvalidRecord` with every
    problem. Whether the date respects the lead time is the domain's
    `check_price_update`, which needs the offer."""
    reader = JsonBody()
    top = reader.obj(body, "", UPDATE_KEYS)
    if top is None:
        reader.raise_if_any()
        raise AssertionError("unreachable")
    placeholder = reader.string(top, "nextServiceOfferId", "") or ""
    network = reader.string(top, "networkId", "")
    if network is not None and not network.strip():
        reader.fail("networkId", "offer.network_missing", "networkId is empty")
    update_date = reader.date_time(top, "updateDate", "")
    tariffs = _tariffs(reader, top.get("tariffs"), "tariffs")
    groups = _products(reader, top.get("pricingDetails"), "pricingDetails")
    reader.raise_if_any()
    assert network is not None
    assert update_date is not None
    return PriceUpdateRequest(placeholder, network.strip(), update_date, tariffs, groups)


def problem_path(field: str, *, products: str = "products") -> str:
    """The JSON path in the body of an `OfferProblem.field`: `groups[1].slots` →
    `products[1].product.timePlans` (`products="pricingDetails"` for a price update)."""
    match = _GROUP_PATH.fullmatch(field)
    if match is None:
        return products if field == "groups" else field
    index, rest = match.groups()
    tail = ".product.timePlans" if rest == ".slots" else rest
    return f"{products}[{index}]{tail}"


def review_refusal(
    problems: Sequence[OfferProblem], *, products: str = "products"
) -> InvalidRecord:
    """The review's blocking problems as one refusal of the body they came from, each
    field a JSON path of it (for the Hubject paths, which create and publish at once)."""
    return InvalidRecord(
        [
            FieldProblem(problem_path(p.field, products=products), p.code, p.message)
            for p in problems
        ]
    )


def _terms(
    reader: JsonBody, top: Mapping[str, object], now: datetime, vat_percent: Decimal
) -> OfferTerms | None:
    before = len(reader.problems)
    name = reader.string(top, "partnerInternalId", "")
    description = reader.string(top, "description", "", required=False)
    valid_from = reader.date_time(top, "validFrom", "")
    valid_to = reader.date_time(top, "validTo", "", required=False)
    unlimited = reader.boolean(top, "unlimited", "")
    cancellation = reader.integer(top, "cancellationPeriod", "")
    lead_time = reader.integer(top, "leadTime", "", required=False)
    minimum_term = reader.integer(top, "minimumTerm", "")
    notice = reader.integer(top, "periodOfNotice", "", required=False)
    notice_message = reader.string(top, "periodOfNoticeMessage", "", required=False)
    service_type = _service_type(reader, top.get("serviceTypeVersion"))
    offer_to_all = reader.boolean(top, "offerToAll", "")
    providers = _providers(reader, top)
    two_step = _two_step(reader, top)
    network = reader.string(top, "networkId", "")
    attachment = reader.string(top, "uploadedAttachmentId", "", required=False)
    vat = reader.number(top, "vatPercent", "", required=False)
    if unlimited is True and valid_to is not None:
        reader.fail(
            "validTo",
            "offer.valid_to_not_allowed",
            "An unlimited offer has no validTo; omit it or send null",
        )
    if unlimited is False and valid_to is None and "validTo" not in _faulty_fields(reader):
        reader.fail("validTo", "offer.valid_to_missing", "A limited offer needs validTo")
    if len(reader.problems) > before:
        return None
    assert name is not None and valid_from is not None and unlimited is not None  # noqa: PT018
    assert cancellation is not None and minimum_term is not None  # noqa: PT018
    assert service_type is not None and offer_to_all is not None and network is not None  # noqa: PT018
    try:
        return offer_terms(
            now=now,
            name=name,
            description=description,
            service_type=service_type,
            offer_to_all=offer_to_all,
            providers=providers,
            valid_from=valid_from,
            valid_to=None if unlimited else valid_to,
            notice_days=notice,
            notice_message=notice_message,
            lead_time_days=lead_time,
            cancellation_days=cancellation,
            minimum_term_days=minimum_term,
            two_step=two_step,
            attachment_id=attachment,
            network_id=network,
            vat_percent=vat if vat is not None else vat_percent,
        )
    except DomainError as error:
        reader.absorb("", error, _TERMS_FIELDS)
        return None


def _faulty_fields(reader: JsonBody) -> set[str]:
    return {p.field for p in reader.problems}


def _service_type(reader: JsonBody, value: object) -> int | None:
    path = "serviceTypeVersion"
    if value is None:
        reader.fail(path, "json.field.missing", "serviceTypeVersion is required")
        return None
    version = reader.obj(value, path, SERVICE_TYPE_KEYS)
    if version is None:
        return None
    type_id = reader.integer(version, "serviceTypeId", path)
    name = reader.string(version, "serviceTypeName", path, required=False)
    number = reader.integer(version, "serviceTypeVersionNumber", path)
    if number is not None and number != 1:
        reader.fail(
            join(path, "serviceTypeVersionNumber"),
            "hubject.service_type.version_unsupported",
            f"serviceTypeVersionNumber {number} is not 1, the only version Hubject defines",
        )
    names = {1: "Authorization", 10: "Reservation"}
    if type_id is not None and name is not None and names.get(type_id, name) != name:
        reader.fail(
            join(path, "serviceTypeName"),
            "hubject.service_type.name_mismatch",
            f"serviceTypeName {name!r} does not match serviceTypeId {type_id} ({names[type_id]})",
        )
    return type_id


def _providers(reader: JsonBody, top: Mapping[str, object]) -> list[ProviderId]:
    listed = reader.array(top, "subscriberPartnerIds", "", required=False) or []
    providers = []
    for index, entry in enumerate(listed):
        path = join("subscriberPartnerIds", index)
        if not isinstance(entry, str):
            reader.fail(path, "json.field.type", f"{path} must be a provider ID string")
            continue
        try:
            providers.append(ProviderId.parse(entry))
        except DomainError as error:
            reader.fail(path, error.code, error.message)
    return providers


def _two_step(reader: JsonBody, top: Mapping[str, object]) -> TwoStepFields | None:
    process = reader.boolean(top, "twoStepProcess", "", required=False)
    value = top.get("twoStepRequiredMasterDataFields")
    path = "twoStepRequiredMasterDataFields"
    flags: dict[str, bool] = {}
    if value is not None:
        members = reader.obj(value, path, TWO_STEP_KEYS)
        for key, name in TWO_STEP_KEYS.items():
            if members is not None and reader.boolean(members, key, path, required=False):
                flags[name] = True
    if not process:
        if flags:
            reader.fail(
                path,
                "hubject.two_step.fields_without_process",
                "Master data fields are required only with twoStepProcess true",
            )
        return None
    return TwoStepFields(**flags)


def _tariffs(reader: JsonBody, value: object, path: str) -> tuple[Tariff, ...]:
    listed = _list(reader, value, path)
    built = []
    for index, entry in enumerate(listed):
        where = join(path, index)
        member = reader.obj(entry, where, TARIFF_KEYS)
        if member is None:
            continue
        before = len(reader.problems)
        name = reader.string(member, "name", where)
        code = reader.string(member, "currency", where)
        components = _components(reader, member.get("pricingComponents"), where)
        if len(reader.problems) > before or name is None or code is None:
            continue
        try:
            built.append(tariff(name=name, currency_code=code, components=components))
        except DomainError as error:
            reader.absorb(where, error, _TARIFF_FIELDS)
    return tuple(built)


def _components(reader: JsonBody, value: object, path: str) -> list[PricingComponent]:
    where_list = join(path, "pricingComponents")
    listed = _list(reader, value, where_list)
    built = []
    for index, entry in enumerate(listed):
        where = join(where_list, index)
        member = reader.obj(entry, where, COMPONENT_KEYS)
        if member is None:
            continue
        before = len(reader.problems)
        kind = reader.string(member, "type", where)
        unit = reader.string(member, "referenceUnit", where)
        cost = reader.number(member, "cost", where)
        grace = reader.integer(member, "gracePeriod", where, required=False)
        initiated = reader.string(member, "feeInitiated", where, required=False)
        if len(reader.problems) > before:
            continue
        assert kind is not None and unit is not None and cost is not None  # noqa: PT018
        try:
            built.append(
                pricing_component(
                    type=kind,
                    reference_unit=unit,
                    cost=cost,
                    grace_minutes=grace,
                    fee_initiated=initiated,
                )
            )
        except DomainError as error:
            reader.absorb(where, error, _COMPONENT_FIELDS)
    return built


def _products(reader: JsonBody, value: object, path: str) -> tuple[GroupPrices, ...]:
    listed = _list(reader, value, path)
    built = []
    for index, entry in enumerate(listed):
        where = join(path, index)
        member = reader.obj(entry, where, PRODUCT_KEYS)
        if member is None:
            continue
        group_id = reader.string(member, "groupId", where)
        inner = join(where, "product")
        prices = reader.obj(member.get("product"), inner, PRICES_KEYS)
        if prices is None or group_id is None:
            continue
        code = reader.string(prices, "currency", inner)
        money = None
        if code is not None:
            try:
                money = currency(code)
            except DomainError as error:
                reader.fail(join(inner, "currency"), error.code, error.message)
        slots = _time_plans(reader, prices.get("timePlans"), join(inner, "timePlans"))
        if money is not None:
            built.append(GroupPrices(group_id.strip(), money, slots))
    return tuple(built)


def _time_plans(reader: JsonBody, value: object, path: str) -> tuple[TimeSlot, ...]:
    slots: list[TimeSlot] = []
    for index, entry in enumerate(_list(reader, value, path)):
        where = join(path, index)
        plan = reader.obj(entry, where, PLAN_KEYS)
        if plan is None:
            continue
        days = []
        days_path = join(where, "daysOfTheWeek")
        for position, day in enumerate(_list(reader, plan.get("daysOfTheWeek"), days_path)):
            try:
                days.append(parse_day(day, join(days_path, position)))
            except InvalidRecord as error:
                reader.problems.extend(error.problems)
        if not days and plan.get("daysOfTheWeek") == []:
            reader.fail(days_path, "json.field.missing", f"{days_path} names no day")
        slots_path = join(where, "timeSlots")
        for position, raw in enumerate(_list(reader, plan.get("timeSlots"), slots_path)):
            slot_path = join(slots_path, position)
            member = reader.obj(raw, slot_path, SLOT_KEYS)
            if member is None:
                continue
            texts = [reader.string(member, key, slot_path) for key in sorted(SLOT_KEYS)]
            if any(text is None for text in texts):
                continue
            colour, end, start, tariff_name = (text or "" for text in texts)
            for day in days:
                try:
                    slots.append(
                        time_slot(day=day, start=start, end=end, tariff=tariff_name, colour=colour)
                    )
                except DomainError as error:
                    reader.absorb(slot_path, error, _SLOT_FIELDS)
                    break
    return tuple(slots)


def _list(reader: JsonBody, value: object, path: str) -> list[object]:
    if value is None:
        reader.fail(path, "json.field.missing", f"{path} is required")
        return []
    if not isinstance(value, list):
        reader.fail(path, "json.field.type", f"{path} must be an array")
        return []
    return value
