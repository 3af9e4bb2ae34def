"""Hubject's offer bodies: examples of the documented shape are read into domain offers,
every refused example names its exact code and JSON path, answers have Hubject's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from evsenet.domain.errors import DomainError, InvalidRecord
from evsenet.domain.offer_lifecycle import OfferStatus
from evsenet.domain.offer_review import NetworkGroup, offer_problems, price_problems
from evsenet.domain.schedule import Weekday
from evsenet.domain.tariff import ComponentType, FeeInitiated, ReferenceUnit
from evsenet.formats._json_body import parse_json_object
from evsenet.formats.hubject_offer import (
    OfferRequest,
    problem_path,
    read_create_offer,
    read_price_update,
    review_refusal,
)
from evsenet.formats.hubject_offer_answer import (
    OfferRecord,
    render_offer,
    render_offer_pricing,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hubject"
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
VAT = Decimal(19)
NETWORK = [NetworkGroup("g-north", "North"), NetworkGroup("g-south", "South")]


def body(name: str) -> dict[str, object]:
    return dict(parse_json_object((FIXTURES / name).read_bytes()))


def create(name: str) -> OfferRequest:
    return read_create_offer(body(name), now=NOW, vat_percent=VAT)


def test_hubjects_unlimited_offer_to_all_is_read_field_by_field() -> None:
    request = create("create_unlimited_offer_to_all.json")
    terms = request.offer.terms
    assert request.placeholder_id == "placeholder-1"
    assert (terms.name, terms.unlimited, terms.lead_time_days) == (
        "Berlin public charging 2027",
        True,
        42,
    )
    assert terms.valid_from == datetime(2026, 12, 31, 23, tzinfo=UTC)
    assert (terms.cancellation_days, terms.minimum_term_days, terms.notice_days) == (30, 1, None)
    assert terms.two_step is not None
    assert terms.two_step.required == (
        "tax_id",
        "billing_contact_email",
        "billing_address_city",
        "billing_address_country",
        "billing_address_postal_code",
        "billing_address_street",
    )
    assert (terms.network_id, terms.attachment_id, terms.vat_percent) == (
        "net-berlin",
        "att-terms-2027",
        VAT,
    )
    day, night = request.offer.tariffs
    assert [(c.type, c.reference_unit, c.cost, c.grace_minutes) for c in day.components] == [
        (ComponentType.CHARGING_ENERGY, ReferenceUnit.KILOWATT_HOUR, Decimal("0.59"), None),
        (ComponentType.PARKING, ReferenceUnit.MINUTE, Decimal("0.10"), 60),
        (ComponentType.SESSION, ReferenceUnit.NONE, Decimal("0.35"), None),
    ]
    assert night.components[0].cost == Decimal("0.4499")
    north, south = request.offer.groups
    assert (north.group_id, north.currency.code, len(north.slots)) == ("g-north", "EUR", 17)
    assert len(south.slots) == 7
    assert offer_problems(request.offer, NETWORK) == []


def test_a_limited_bilateral_offer_keeps_its_partners_vat_and_blocking_fee() -> None:
    terms = create("create_limited_bilateral.json").offer.terms
    assert [p.display for p in terms.providers] == ["DE*ICE", "CH*EMP"]
    assert (terms.unlimited, terms.notice_days, terms.vat_percent) == (False, 30, Decimal("8.1"))
    assert terms.notice_message == "This offer ends on 29 February 2028."
    assert terms.two_step is None
    offer = create("create_limited_bilateral.json").offer
    fee = offer.tariffs[0].component(ComponentType.BLOCKING_FEE)
    assert fee is not None
    assert (fee.fee_initiated, fee.grace_minutes) == (FeeInitiated.CHARGING_END, 240)
    assert offer_problems(offer, NETWORK) == []


def test_hubjects_price_update_is_read() -> None:
    update = read_price_update(body("update_prices.json"))
    assert (update.placeholder_id, update.network_id) == ("placeholder-next", "net-berlin")
    assert update.update_date == datetime(2027, 5, 31, 22, tzinfo=UTC)
    assert [t.name for t in update.tariffs] == ["Flat"]
    assert price_problems(update.tariffs, update.groups, NETWORK) == []


REFUSED = [
    ("create_valid_from_in_the_past", "offer.valid_from_past", "validFrom"),
    ("create_valid_from_absurd_year", "offer.valid_from_too_far", "validFrom"),
    ("create_valid_from_without_offset", "json.field.malformed", "validFrom"),
    ("create_valid_from_not_a_date", "json.field.malformed", "validFrom"),
    ("create_valid_to_beyond_two_years", "offer.valid_to_too_far", "validTo"),
    ("create_valid_to_before_valid_from", "offer.valid_to_not_after_start", "validTo"),
    ("create_limited_without_notice_period", "offer.notice_period_missing", "periodOfNotice"),
    ("create_lead_time_on_limited_offer", "offer.lead_time_not_allowed", "leadTime"),
    ("create_unlimited_without_lead_time", "offer.lead_time_missing", "leadTime"),
    ("create_lead_time_below_minimum", "offer.lead_time_out_of_range", "leadTime"),
    ("create_unlimited_with_valid_to", "offer.valid_to_not_allowed", "validTo"),
    ("create_limited_without_valid_to", "offer.valid_to_missing", "validTo"),
    ("create_notice_period_longer_than_offer", "offer.notice_period_too_long", "periodOfNotice"),
    ("create_minimum_term_negative", "offer.minimum_term_out_of_range", "minimumTerm"),
    ("create_unknown_currency", "currency.unknown", "tariffs[0].currency"),
    ("create_currency_without_minor_unit", "currency.no_minor_unit", "tariffs[0].currency"),
    ("create_unknown_group_currency", "currency.unknown", "products[1].product.currency"),
    (
        "create_mixed_currencies_in_one_group",
        "schedule.currency_mismatch",
        "products[0].product.timePlans",
    ),
    ("create_negative_cost", "tariff.cost_negative", "tariffs[0].pricingComponents[0].cost"),
    ("create_five_decimal_cost", "tariff.cost_too_precise", "tariffs[1].pricingComponents[0].cost"),
    ("create_cost_as_text", "json.field.type", "tariffs[0].pricingComponents[0].cost"),
    (
        "create_component_twice",
        "tariff.component_duplicate",
        "tariffs[1].pricingComponents[1].type",
    ),
    (
        "create_energy_priced_per_minute",
        "tariff.reference_unit_not_allowed",
        "tariffs[0].pricingComponents[0].referenceUnit",
    ),
    (
        "create_unknown_component_type",
        "tariff.component_type_unknown",
        "tariffs[0].pricingComponents[2].type",
    ),
    (
        "create_grace_period_on_energy",
        "tariff.grace_period_not_allowed",
        "tariffs[0].pricingComponents[0].gracePeriod",
    ),
    (
        "create_blocking_fee_without_start",
        "tariff.fee_initiated_missing",
        "tariffs[0].pricingComponents[1].feeInitiated",
    ),
    (
        "create_tariff_without_components",
        "tariff.component_missing",
        "tariffs[1].pricingComponents",
    ),
    (
        "create_slot_ending_before_it_starts",
        "slot.end_before_start",
        "products[0].product.timePlans[0].timeSlots[1].endTime",
    ),
    (
        "create_slot_ending_at_24_00_00",
        "slot.time_out_of_range",
        "products[0].product.timePlans[0].timeSlots[2].endTime",
    ),
    (
        "create_slot_time_without_seconds",
        "slot.time_malformed",
        "products[0].product.timePlans[0].timeSlots[1].startTime",
    ),
    ("create_gap_in_the_schedule", "schedule.gap", "products[0].product.timePlans"),
    ("create_overlap_in_the_schedule", "schedule.overlap", "products[0].product.timePlans"),
    ("create_unknown_tariff_in_a_slot", "schedule.unknown_tariff", "products[1].product.timePlans"),
    ("create_unknown_group", "offer.group_unknown", "products[2]"),
    ("create_duplicate_tariff_name", "offer.tariff_duplicate", "tariffs[2].name"),
    (
        "create_misspelt_grace_period",
        "json.field.unknown",
        "tariffs[0].pricingComponents[1].gracePeriode",
    ),
    (
        "create_unknown_colour",
        "slot.colour_unknown",
        "products[0].product.timePlans[1].timeSlots[0].color",
    ),
    ("create_unknown_day", "slot.day_unknown", "products[0].product.timePlans[1].daysOfTheWeek[0]"),
    ("create_bilateral_without_partners", "offer.providers_missing", "subscriberPartnerIds"),
    (
        "create_two_step_on_bilateral_offer",
        "offer.two_step_not_allowed",
        "twoStepRequiredMasterDataFields",
    ),
    (
        "create_two_step_without_fields",
        "offer.two_step_fields_missing",
        "twoStepRequiredMasterDataFields",
    ),
    ("create_malformed_partner_id", "provider_id.malformed", "subscriberPartnerIds[1]"),
    ("create_pricing_type_not_ngp", "hubject.pricing_type.unsupported", "pricingType"),
    (
        "create_unknown_service_type",
        "offer.service_type_unknown",
        "serviceTypeVersion.serviceTypeId",
    ),
    (
        "create_service_type_name_mismatch",
        "hubject.service_type.name_mismatch",
        "serviceTypeVersion.serviceTypeName",
    ),
    ("create_network_missing", "json.field.missing", "networkId"),
    ("create_vat_above_100", "offer.vat_out_of_range", "vatPercent"),
    ("create_key_twice", "json.body.malformed", None),
    ("update_without_date", "json.field.missing", "updateDate"),
    ("update_with_unknown_field", "json.field.unknown", "validFrom"),
    ("update_with_a_gap", "schedule.gap", "pricingDetails[1].product.timePlans"),
]


def _problems(path: Path) -> set[tuple[str, str | None]]:
    """What evsenet refuses in a body: the reader's problems, else the review's against
    the network (as the service runs it), each with its JSON path."""
    try:
        data = parse_json_object(path.read_bytes())
        if path.name.startswith("update_"):
            update = read_price_update(data)
            found = price_problems(update.tariffs, update.groups, NETWORK)
            return {(p.code, problem_path(p.field, products="pricingDetails")) for p in found}
        offer = read_create_offer(data, now=NOW, vat_percent=VAT).offer
        return {(p.code, problem_path(p.field)) for p in offer_problems(offer, NETWORK)}
    except InvalidRecord as error:
        return {(p.code, p.field) for p in error.problems}
    except DomainError as error:
        return {(error.code, error.field)}


@pytest.mark.parametrize(
    ("name", "code", "path"), [pytest.param(*case, id=case[0]) for case in REFUSED]
)
def test_a_refused_example_names_its_exact_code_and_path(
    name: str, code: str, path: str | None
) -> None:
    assert _problems(FIXTURES / "refused" / f"{name}.json") == {(code, path)}


def test_every_refused_example_is_in_the_table() -> None:
    assert {p.stem for p in (FIXTURES / "refused").glob("*.json")} == {case[0] for case in REFUSED}
    assert len(REFUSED) >= 25


def test_a_body_with_many_faults_reports_them_all() -> None:
    broken = body("create_unlimited_offer_to_all.json")
    broken |= {"pricingType": "FLAT", "colour": "x", "minimumTerm": True}
    broken.pop("partnerInternalId")
    with pytest.raises(InvalidRecord) as refused:
        read_create_offer(broken, now=NOW, vat_percent=VAT)
    assert {(p.field, p.code) for p in refused.value.problems} == {
        ("colour", "json.field.unknown"),
        ("pricingType", "hubject.pricing_type.unsupported"),
        ("partnerInternalId", "json.field.missing"),
        ("minimumTerm", "json.field.type"),
    }


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param("groups[3].slots", "products[3].product.timePlans", id="a-schedule"),
        pytest.param("groups[0]", "products[0]", id="a-group"),
        pytest.param("groups", "products", id="the-groups"),
        pytest.param("tariffs[1].name", "tariffs[1].name", id="a-tariff"),
    ],
)
def test_a_review_problem_points_into_the_body(field: str, expected: str) -> None:
    assert problem_path(field) == expected


def _record(**changes: object) -> OfferRecord:
    values: dict[str, object] = {
        "offer_id": "o-1",
        "operator_id": "DE*ABC",
        "status": OfferStatus.PENDING,
        "version": 1,
        "created_at": NOW,
        "modified_at": NOW,
        "original_id": "o-1",
        "original_valid_from": datetime(2026, 12, 31, 23, tzinfo=UTC),
        **changes,
    }
    return OfferRecord(**values)  # type: ignore[arg-type]


def test_an_offer_is_answered_in_hubjects_shape() -> None:
    offer = create("create_unlimited_offer_to_all.json").offer
    answer = render_offer(offer, _record(charging_points=12))
    documented = json.loads((FIXTURES / "answer_keys.json").read_text())
    assert set(documented) <= set(answer)
    assert {
        key: answer[key]
        for key in ("id", "status", "version", "validFrom", "validTo", "leadTime", "periodOfNotice")
    } == {
        "id": "o-1",
        "status": "PENDING",
        "version": 1,
        "validFrom": "2026-12-31T23:00:00Z",
        "validTo": None,
        "leadTime": 42,
        "periodOfNotice": 0,
    }
    assert answer["serviceTypeVersion"] == {
        "serviceTypeId": 1,
        "serviceTypeName": "Authorization",
        "serviceTypeVersionNumber": 1,
    }
    assert (answer["nrOfChargingPoints"], answer["nrOfActiveSubscriptions"]) == (12, 0)
    assert answer["name"] == "DE*ABC_Authorization_OfferToAll"
    assert (
        answer["twoStepRequiredMasterDataFields"]
        == body("create_unlimited_offer_to_all.json")["twoStepRequiredMasterDataFields"]
    )
    json.dumps(answer, default=str)


def test_pricing_details_list_each_day_with_its_slots_and_components() -> None:
    offer = create("create_unlimited_offer_to_all.json").offer
    north, south = render_offer_pricing(offer, {"g-north": "North", "g-south": "South"})
    assert (north["groupId"], north["groupName"], north["currency"]) == ("g-north", "North", "EUR")
    days = north["days"]
    assert isinstance(days, list)
    assert [d["Day"] for d in days] == [d.name for d in Weekday]
    assert days[0]["Tariffs"][1] == {
        "Name": "Day",
        "StartTime": "06:00:00",
        "EndTime": "21:59:59",
        "PricingComponents": [
            {
                "Type": "CHARGING_ENERGY",
                "ReferenceUnit": "KILOWATT_HOUR",
                "Cost": Decimal("0.59"),
                "FeeInitiated": None,
                "GracePeriod": None,
            },
            {
                "Type": "PARKING",
                "ReferenceUnit": "MINUTE",
                "Cost": Decimal("0.10"),
                "FeeInitiated": None,
                "GracePeriod": 60,
            },
            {
                "Type": "SESSION",
                "ReferenceUnit": "NONE",
                "Cost": Decimal("0.35"),
                "FeeInitiated": None,
                "GracePeriod": None,
            },
        ],
    }
    assert [t["Name"] for t in days[5]["Tariffs"]] == ["Night"]
    assert south["groupName"] == "South"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(42, 42, id="number"),
        pytest.param("42", 42, id="digits-as-hubject-sends-them"),
        pytest.param(Decimal("42.0"), 42, id="whole-decimal"),
    ],
)
def test_day_counts_are_read_from_numbers_and_digit_strings(value: object, expected: int) -> None:
    data = body("create_unlimited_offer_to_all.json") | {"leadTime": value}
    assert read_create_offer(data, now=NOW, vat_percent=VAT).offer.terms.lead_time_days == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(True, id="boolean"),
        pytest.param("42 days", id="text"),
        pytest.param(Decimal("4.5"), id="fraction"),
        pytest.param(Decimal("1E+999999999"), id="a-number-too-large-to-hold"),
    ],
)
def test_a_day_count_that_is_no_whole_number_is_refused(value: object) -> None:
    data = body("create_unlimited_offer_to_all.json") | {"leadTime": value}
    with pytest.raises(InvalidRecord) as refused:
        read_create_offer(data, now=NOW, vat_percent=VAT)
    assert [(p.field, p.code) for p in refused.value.problems] == [("leadTime", "json.field.type")]


def test_a_body_that_is_no_json_object_is_refused() -> None:
    for text in (b"[]", b"{", b'"offer"'):
        with pytest.raises(DomainError) as refused:
            parse_json_object(text)
        assert refused.value.code == "json.body.malformed"


def test_review_problems_become_one_refusal_of_the_body() -> None:
    data = body("refused/create_gap_in_the_schedule.json")
    offer = read_create_offer(data, now=NOW, vat_percent=VAT).offer
    refusal = review_refusal(offer_problems(offer, NETWORK))
    assert refusal.code == "schedule.gap"
    assert refusal.field == "products[0].product.timePlans"
    assert refusal.problems[0].message == "Group North: MONDAY 06:00:00–06:59:59 has no tariff"
    assert len(refusal.problems) == 5
