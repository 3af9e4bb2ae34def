"""OCPI 2.2.1 Tariffs and CDRs: strict reading with JSON paths, writing, round trips."""

from __future__ import annotations

import copy
import json
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from evsenet.domain.errors import DomainError, InvalidRecord
from evsenet.domain.pricing import Restrictions, Tariff, TariffElement, price_session
from evsenet.formats.ocpi import dumps, read_cdr, read_tariff, write_tariff
from tests.unit.pricing.builders import charge, element, energy, parking, session, tariff

D = Decimal
EXAMPLES = "ocpi-ocpi/2.2.1/examples"
ERRATA = "ocpi-ocpi/release-2.2.1-bugfixes/examples"

TARIFF: dict[str, Any] = {
    "country_code": "DE",
    "party_id": "ALL",
    "id": "T",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [{"type": "ENERGY", "price": 0.25, "vat": 19, "step_size": 1}],
            "restrictions": {"day_of_week": ["MONDAY"], "start_time": "08:00"},
        }
    ],
    "last_updated": "2025-01-01T00:00:00Z",
}
CDR: dict[str, Any] = {
    "country_code": "DE",
    "party_id": "ALL",
    "id": "C",
    "start_date_time": "2025-01-06T09:00:00Z",
    "end_date_time": "2025-01-06T10:00:00Z",
    "currency": "EUR",
    "charging_periods": [
        {
            "start_date_time": "2025-01-06T09:00:00Z",
            "dimensions": [{"type": "ENERGY", "volume": 10}, {"type": "TIME", "volume": 1.0}],
        }
    ],
    "total_cost": {"excl_vat": 2.50},
    "total_energy": 10,
    "total_time": 1,
    "last_updated": "2025-01-06T10:00:00Z",
}


def _with(base: dict[str, Any], path: tuple[object, ...], value: object) -> str:
    """`base` as JSON text with the key at `path` set (or deleted when value is ...)."""
    document = copy.deepcopy(base)
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(document)


def _renamed(base: dict[str, Any], path: tuple[object, ...], new: str) -> str:
    document = copy.deepcopy(base)
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[new] = target.pop(path[-1])
    return json.dumps(document)


ELEMENT = ("elements", 0)
COMPONENT = (*ELEMENT, "price_components", 0)
RESTRICTIONS = (*ELEMENT, "restrictions")

TARIFF_PROBLEMS = [
    pytest.param(
        _renamed(TARIFF, (*RESTRICTIONS, "day_of_week"), "dayOfWeek"),
        "$.elements[0].restrictions.dayOfWeek",
        "ocpi.field_unknown",
        "day_of_week",
        id="scenario-24-dayOfWeek-in-camel-case",
    ),
    pytest.param(
        _renamed(TARIFF, RESTRICTIONS, "restriction"),
        "$.elements[0].restriction",
        "ocpi.field_unknown",
        "restrictions",
        id="scenario-24-restriction-in-the-singular",
    ),
    pytest.param(
        _renamed(TARIFF, (*COMPONENT, "step_size"), "stepsize"),
        "$.elements[0].price_components[0].stepsize",
        "ocpi.field_unknown",
        "step_size",
        id="misspelt-step-size",
    ),
    pytest.param(
        _with(TARIFF, (*COMPONENT, "price"), "0.25"),
        "$.elements[0].price_components[0].price",
        "ocpi.field_type",
        "number",
        id="price-as-a-string",
    ),
    pytest.param(
        _with(TARIFF, (*COMPONENT, "step_size"), 1.5),
        "$.elements[0].price_components[0].step_size",
        "ocpi.field_type",
        "whole number",
        id="fractional-step-size",
    ),
    pytest.param(
        _with(TARIFF, (*COMPONENT, "step_size"), 0),
        "$.elements[0].price_components[0].step_size",
        "tariff.step_size_not_positive",
        "at least 1",
        id="energy-step-size-0",
    ),
    pytest.param(
        _with(TARIFF, (*COMPONENT, "type"), "KWH"),
        "$.elements[0].price_components[0].type",
        "ocpi.value_invalid",
        "ENERGY",
        id="unknown-tariff-dimension",
    ),
    pytest.param(
        _with(TARIFF, (*RESTRICTIONS, "start_time"), "25:00"),
        "$.elements[0].restrictions.start_time",
        "ocpi.value_invalid",
        "HH:MM",
        id="hour-25",
    ),
    pytest.param(
        _with(TARIFF, (*RESTRICTIONS, "day_of_week"), ["MON"]),
        "$.elements[0].restrictions.day_of_week[0].day",
        "ocpi.value_invalid",
        "MONDAY",
        id="abbreviated-weekday",
    ),
    pytest.param(
        _with(TARIFF, (*RESTRICTIONS, "start_date"), "2025-02-30"),
        "$.elements[0].restrictions.start_date",
        "ocpi.value_invalid",
        "YYYY-MM-DD",
        id="impossible-date",
    ),
    pytest.param(
        _with(TARIFF, (*ELEMENT, "price_components"), ...),
        "$.elements[0].price_components",
        "ocpi.field_missing",
        "required",
        id="element-without-price-components",
    ),
    pytest.param(
        _with(TARIFF, ("currency",), "EURO"),
        "$.currency",
        "currency.unknown",
        "ISO 4217",
        id="currency-not-iso-4217",
    ),
    pytest.param(
        _with(TARIFF, ("max_price",), {"incl_vat": 1, "excl_vat": 2, "vat": 1}),
        "$.max_price.vat",
        "ocpi.field_unknown",
        "OCPI 2.2.1",
        id="unknown-field-in-a-price",
    ),
    pytest.param(
        _with(TARIFF, (*RESTRICTIONS, "evsenet_min_duration_after_charging"), 600),
        "$.elements[0].restrictions.evsenet_min_duration_after_charging",
        "ocpi.field_unknown",
        "OCPI 2.2.1",
        id="evsenet-extension-without-asking-for-it",
    ),
]


@pytest.mark.parametrize(("text", "path", "code", "words"), TARIFF_PROBLEMS)
def test_a_tariff_problem_is_reported_with_its_json_path(
    text: str, path: str, code: str, words: str
) -> None:
    with pytest.raises(InvalidRecord) as refused:
        read_tariff(text)
    found = {(p.field, p.code): p.message for p in refused.value.problems}
    assert (path, code) in found, found
    assert words in found[(path, code)]


def test_every_problem_of_a_tariff_is_reported_at_once() -> None:
    document = copy.deepcopy(TARIFF)
    document["elements"][0]["restrictions"] = {"dayOfWeek": ["MONDAY"], "startTime": "08:00"}
    document["elements"][0]["price_components"][0]["price"] = "free"
    with pytest.raises(InvalidRecord) as refused:
        read_tariff(json.dumps(document))
    assert len(refused.value.problems) == 3


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{", id="truncated"),
        pytest.param('{"price": NaN}', id="nan"),
        pytest.param("[]", id="an-array"),
    ],
)
def test_text_that_is_no_tariff_object_is_refused(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        read_tariff(text)
    assert refused.value.code in {"ocpi.json_malformed", "ocpi.field_type"}


CDR_PROBLEMS = [
    pytest.param(
        _with(CDR, ("charging_periods", 0, "dimensions", 0, "type"), "ENERGY_TOTAL"),
        "$.charging_periods[0].dimensions[0].type",
        "ocpi.value_invalid",
        id="unknown-cdr-dimension",
    ),
    pytest.param(
        _with(
            CDR,
            ("charging_periods", 0, "dimensions"),
            [{"type": "ENERGY", "volume": 1}, {"type": "ENERGY", "volume": 2}],
        ),
        "$.charging_periods[0].dimensions[1].type",
        "ocpi.value_invalid",
        id="dimension-twice-in-a-period",
    ),
    pytest.param(
        _renamed(CDR, ("charging_periods",), "charging_period"),
        "$.charging_period",
        "ocpi.field_unknown",
        id="charging-periods-in-the-singular",
    ),
    pytest.param(
        _with(CDR, ("charging_periods", 0, "start_date_time"), "yesterday"),
        "$.charging_periods[0].start_date_time",
        "ocpi.value_invalid",
        id="unreadable-period-start",
    ),
    pytest.param(
        _with(CDR, ("charging_periods", 0, "dimensions", 0, "volume"), None),
        "$.charging_periods[0].dimensions[0].volume",
        "ocpi.field_missing",
        id="dimension-without-volume",
    ),
]


@pytest.mark.parametrize(("text", "path", "code"), CDR_PROBLEMS)
def test_a_cdr_problem_is_reported_with_its_json_path(text: str, path: str, code: str) -> None:
    with pytest.raises(InvalidRecord) as refused:
        read_cdr(text, time_zone=ZoneInfo("Europe/Berlin"))
    assert (path, code) in {(p.field, p.code) for p in refused.value.problems}


def test_a_negative_cdr_volume_is_refused_when_priced() -> None:
    text = _with(CDR, ("charging_periods", 0, "dimensions", 0, "volume"), -10)
    cdr = read_cdr(text, time_zone=ZoneInfo("Europe/Berlin"))
    with pytest.raises(DomainError) as refused:
        price_session(read_tariff(json.dumps(TARIFF)).tariff, cdr.session)
    assert refused.value.code == "session.volume_negative"


def test_an_unknown_field_in_the_cdr_location_is_a_warning_not_a_refusal() -> None:
    document = copy.deepcopy(CDR)
    document["cdr_location"] = {"id": "LOC1", "evseId": "DE*ABC*E1"}
    cdr = read_cdr(json.dumps(document), time_zone=None)
    assert [(w.code, w.path) for w in cdr.warnings] == [
        ("ocpi.field_unknown", "$.cdr_location.evseId")
    ]
    assert "evse_id" in cdr.warnings[0].message


def test_cdr_numbers_are_read_as_exact_decimals() -> None:
    cdr = read_cdr(
        _with(CDR, ("charging_periods", 0, "dimensions", 0, "volume"), 0.1),
        time_zone=None,
    )
    assert cdr.session.periods[0].energy_kwh == D("0.1")
    assert cdr.stated_costs["total_cost"].excl_vat == D("2.5")


def test_a_cdrs_period_runs_to_the_next_period_and_the_last_to_the_session_end() -> None:
    document = copy.deepcopy(CDR)
    document["charging_periods"].append(
        {
            "start_date_time": "2025-01-06T09:40:00Z",
            "dimensions": [{"type": "PARKING_TIME", "volume": 0.3333}],
        }
    )
    cdr = read_cdr(json.dumps(document), time_zone=None)
    first, last = cdr.session.periods
    assert first.end == last.start
    assert last.end == cdr.session.end


@pytest.mark.peer_data
@pytest.mark.parametrize("folder", [EXAMPLES, ERRATA])
def test_every_ocpi_example_tariff_reads_and_round_trips(peer_data: Path, folder: str) -> None:
    names = sorted((peer_data / folder).glob("tariff*.json"))
    assert len(names) >= 20
    for path in names:
        original = read_tariff(path.read_bytes()).tariff
        written = write_tariff(original)
        again = read_tariff(dumps(written.body)).tariff
        assert again == original, path.name
        assert written.notes == () or original.last_updated is None, path.name


@pytest.mark.peer_data
@pytest.mark.parametrize("folder", [EXAMPLES, ERRATA])
def test_the_ocpi_example_cdr_reads_without_problems(peer_data: Path, folder: str) -> None:
    cdr = read_cdr((peer_data / folder / "cdr_example.json").read_bytes(), time_zone=None)
    assert cdr.warnings == ()
    assert [t.id for t in cdr.tariffs] == ["12"]


def test_the_extension_is_written_only_with_a_note_and_read_back_only_when_asked() -> None:
    compiled = tariff(
        element(parking("2.40", step=60), min_duration_after_charging=900),
        element(energy("0.30")),
    )
    written = write_tariff(compiled)
    restrictions = written.body["elements"][0]["restrictions"]
    assert restrictions == {"evsenet_min_duration_after_charging": 900}
    assert any("evsenet's extension" in note for note in written.notes)
    with pytest.raises(InvalidRecord):
        read_tariff(dumps(written.body))
    assert read_tariff(dumps(written.body), extensions=True).tariff == compiled


def test_a_time_of_day_with_seconds_is_not_expressible_in_ocpi() -> None:
    slot = Tariff(
        id="NGP",
        currency=tariff(element(energy("1"))).currency,
        elements=(
            TariffElement(
                components=(energy("0.30"),),
                restrictions=Restrictions(end_time=time(21, 59, 59)),
            ),
        ),
    )
    with pytest.raises(DomainError) as refused:
        write_tariff(slot)
    assert refused.value.code == "ocpi.not_expressible"


def test_dumps_writes_decimals_as_exact_json_numbers() -> None:
    text = dumps({"price": D("0.10"), "vat": D("19.0"), "list": [D("1E+2")], "text": "é"})
    assert json.loads(text, parse_float=D) == {
        "price": D("0.10"),
        "vat": D("19.0"),
        "list": [100],
        "text": "é",
    }
    assert '"price": 0.10' in text


def test_a_written_tariff_prices_like_the_original() -> None:
    original = tariff(
        element(energy("0.30"), start_time="08:00", end_time="20:00", day_of_week="MONDAY"),
        element(energy("0.20")),
        min_price=("1.00", "1.19"),
    )
    again = read_tariff(dumps(write_tariff(original).body)).tariff
    the_session = session(charge("2025-01-06 19:00", "21:00", "20"))
    assert price_session(again, the_session) == price_session(original, the_session)
