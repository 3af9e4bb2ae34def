"""EVSE records: every field's rule and code, every fault at once, content identity."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError, InvalidRecord
from evsenet.domain.evse import (
    PLUG_TYPES,
    EvseInput,
    EvseRecord,
    OperatorScope,
    PowerType,
    parse_evse_id,
    plain_decimal,
    validate_evse,
)
from evsenet.domain.ids import EvseId, OperatorId

SCOPE = OperatorScope(OperatorId.parse("DE*ABC"))
HUB = OperatorScope(OperatorId.parse("DE*ABC"), frozenset({"DEXYZ", "+49*810"}))

VALID: dict[str, Any] = {
    "evse_id": "DE*ABC*E100*1",
    "charging_station_id": "STATION 1",
    "country": "DEU",
    "city": "Berlin",
    "postal_code": "10829",
    "street": "EUREF-Campus",
    "house_number": "22",
    "latitude": "52.480495",
    "longitude": "13.356465",
    "power_type": "AC_3_PHASE",
    "output_kw": "22",
    "plugs": ("Type 2 Outlet",),
    "time_zone": None,
    "utc_offset": None,
}


def raw(**changes: Any) -> EvseInput:
    return EvseInput(**{**VALID, **changes})


def problems(record: EvseInput, scope: OperatorScope = SCOPE) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRecord) as caught:
        validate_evse(record, scope)
    error = caught.value
    assert error.problems, "an InvalidRecord names at least one problem"
    assert (error.code, error.field) == (error.problems[0].code, error.problems[0].field)
    for problem in error.problems:
        assert problem.message
    return [(p.field, p.code) for p in error.problems]


# --- a valid record -----------------------------------------------------------------------


def test_a_valid_record() -> None:
    record = validate_evse(raw(), SCOPE)
    assert record == EvseRecord(
        EvseId.parse("DE*ABC*E100*1"),
        "STATION 1",
        "DEU",
        "Berlin",
        "10829",
        "EUREF-Campus",
        "22",
        Decimal("52.480495"),
        Decimal("13.356465"),
        PowerType.AC_3_PHASE,
        Decimal("22.00"),
        ("Type 2 Outlet",),
        "Europe/Berlin",
    )
    assert record.evse_id.sent == "DE*ABC*E100*1"
    assert str(record.output_kw) == "22.00"
    assert str(record.latitude) == "52.480495"
    assert record.location == "EUREF-Campus 22, 10829 Berlin, DEU"


def test_values_are_normalised() -> None:
    record = validate_evse(
        raw(
            evse_id=" deabce100*1 ",
            charging_station_id="  STATION 1 ",
            country=" de ",
            city=" Berlin ",
            postal_code=None,
            street=" EUREF-Campus\t",
            house_number="",
            latitude="52.4804951",
            longitude="13.3564649",
            power_type=" ac_3_phase ",
            output_kw="22.000",
            plugs=("Type 2 Outlet", " ", "Type 2 Outlet", "CHAdeMO", ""),
        ),
        SCOPE,
    )
    assert record.evse_id.normalised == "DEABCE1001"
    assert record.evse_id.sent == "deabce100*1"
    assert (record.charging_station_id, record.country, record.city) == (
        "STATION 1",
        "DEU",
        "Berlin",
    )
    assert (record.postal_code, record.street, record.house_number) == ("", "EUREF-Campus", "")
    assert (record.latitude, record.longitude) == (Decimal("52.480495"), Decimal("13.356465"))
    assert record.power_type is PowerType.AC_3_PHASE
    assert record.output_kw == Decimal("22.00")
    assert record.plugs == ("Type 2 Outlet", "CHAdeMO")
    assert record.location == "EUREF-Campus, Berlin, DEU"


@pytest.mark.parametrize(
    ("changes", "zone"),
    [
        ({"country": "USA", "time_zone": "America/Chicago"}, "America/Chicago"),
        ({"country": "USA", "utc_offset": "UTC-05:00"}, "America/New_York"),
        ({"country": "PRT", "utc_offset": "UTC+00:00"}, "Europe/Lisbon"),
        ({"country": "FRA"}, "Europe/Paris"),
        ({"country": "DEU", "time_zone": "Europe/Busingen"}, "Europe/Busingen"),
    ],
)
def test_time_zone_of_the_site(changes: dict[str, str], zone: str) -> None:
    assert validate_evse(raw(**changes), SCOPE).time_zone == zone


@pytest.mark.parametrize(
    ("output", "kept"),
    [
        ("0.01", "0.01"),
        ("1000", "1000.00"),
        ("7.4", "7.40"),
        ("150.0", "150.00"),
        ("999.990000", "999.99"),
    ],
)
def test_output_limits(output: str, kept: str) -> None:
    assert str(validate_evse(raw(output_kw=output), SCOPE).output_kw) == kept


@pytest.mark.parametrize(
    ("latitude", "longitude"), [("90", "180"), ("-90", "-180"), ("0", "0"), ("-0.0000004", "1")]
)
def test_coordinate_limits(latitude: str, longitude: str) -> None:
    record = validate_evse(raw(latitude=latitude, longitude=longitude), SCOPE)
    assert record.latitude == Decimal(latitude).quantize(Decimal("0.000001"))


@pytest.mark.parametrize("plug", sorted(PLUG_TYPES))
def test_every_oicp_plug_type_is_accepted(plug: str) -> None:
    assert validate_evse(raw(plugs=(plug,)), SCOPE).plugs == (plug,)


@pytest.mark.parametrize("kind", list(PowerType))
def test_every_power_type_is_accepted(kind: PowerType) -> None:
    assert validate_evse(raw(power_type=kind.value.lower()), SCOPE).power_type is kind


# --- operators and sub-operators --------------------------------------------------------


def test_hub_pushes_for_declared_sub_operators() -> None:
    assert validate_evse(raw(evse_id="DE*XYZ*ETEST1"), HUB).evse_id.operator == "DEXYZ"
    assert validate_evse(raw(evse_id="+49*810*000*438"), HUB).evse_id.operator == "+49*810"
    assert problems(raw(evse_id="DE*XYZ*ETEST1")) == [("evse_id", "evse_id.operator_mismatch")]
    assert problems(raw(evse_id="DE*XYY*ETEST1"), HUB) == [("evse_id", "evse_id.operator_mismatch")]


def test_operator_mismatch_message_names_id_operator_and_declared_prefixes() -> None:
    with pytest.raises(DomainError) as caught:
        parse_evse_id("FR*QQQ*E1", HUB)
    message = caught.value.message
    assert caught.value.code == "evse_id.operator_mismatch"
    assert "'FR*QQQ*E1'" in message
    assert "FR*QQQ" in message
    assert "DE*ABC" in message
    assert "DE*XYZ" in message


def test_numeric_operator_pushes_its_numeric_ids() -> None:
    scope = OperatorScope(OperatorId.parse("+49*810"))
    assert validate_evse(raw(evse_id="49*810*000*438"), scope).evse_id.normalised == (
        "+49*810000438"
    )
    assert problems(raw(evse_id="+4*981*000*438"), scope) == [
        ("evse_id", "evse_id.operator_mismatch")
    ]


# --- every field, every code -------------------------------------------------------------

FIELD_CASES: list[tuple[str, Any, str, str]] = [
    # (input field, value, reported field, code)
    ("evse_id", None, "evse_id", "evse_id.missing"),
    ("evse_id", "  ", "evse_id", "evse_id.missing"),
    ("evse_id", "DE*ABC*E" + "1" * 40, "evse_id", "evse_id.too_long"),
    ("evse_id", "DE*ABC*X1", "evse_id", "evse_id.malformed"),
    ("evse_id", "DE-ABC-E1", "evse_id", "evse_id.malformed"),
    ("evse_id", "+49*81*1", "evse_id", "evse_id.malformed"),
    ("evse_id", "XX*ABC*E1", "evse_id", "evse_id.unknown_country"),
    ("evse_id", "FR*ABC*E1", "evse_id", "evse_id.operator_mismatch"),
    ("charging_station_id", None, "charging_station_id", "charging_station_id.missing"),
    ("charging_station_id", " ", "charging_station_id", "charging_station_id.missing"),
    ("charging_station_id", "S" * 51, "charging_station_id", "charging_station_id.too_long"),
    ("country", None, "country", "country.missing"),
    ("country", "", "country", "country.missing"),
    ("country", "XXX", "country", "country.unknown"),
    ("country", "Deutschland", "country", "country.unknown"),
    ("city", None, "city", "city.missing"),
    ("city", "   ", "city", "city.missing"),
    ("city", "C" * 51, "city", "city.too_long"),
    ("city", "Kö\x00ln", "city", "city.control_character"),
    ("street", "Hohe Straße\n12", "street", "street.control_character"),
    (
        "charging_station_id",
        "A\x1bB",
        "charging_station_id",
        "charging_station_id.control_character",
    ),
    ("postal_code", "1" * 11, "postal_code", "postal_code.too_long"),
    ("street", None, "street", "street.missing"),
    ("street", "", "street", "street.missing"),
    ("street", "S" * 101, "street", "street.too_long"),
    ("house_number", "1" * 11, "house_number", "house_number.too_long"),
    ("latitude", None, "latitude", "latitude.missing"),
    ("latitude", " ", "latitude", "latitude.missing"),
    ("latitude", "north", "latitude", "latitude.malformed"),
    ("latitude", "52,48", "latitude", "latitude.malformed"),
    ("latitude", "NaN", "latitude", "latitude.malformed"),
    ("latitude", "-Infinity", "latitude", "latitude.malformed"),
    ("latitude", "90.000001", "latitude", "latitude.out_of_range"),
    ("latitude", "-91", "latitude", "latitude.out_of_range"),
    ("longitude", None, "longitude", "longitude.missing"),
    ("longitude", "13.35.64", "longitude", "longitude.malformed"),
    ("longitude", "180.0000001", "longitude", "longitude.out_of_range"),
    ("longitude", "-200", "longitude", "longitude.out_of_range"),
    ("power_type", None, "power_type", "power_type.missing"),
    ("power_type", " ", "power_type", "power_type.missing"),
    ("power_type", "AC", "power_type", "power_type.unknown"),
    ("power_type", "DC_FAST", "power_type", "power_type.unknown"),
    ("power_type", "AC 3 PHASE", "power_type", "power_type.unknown"),
    ("output_kw", None, "output_kw", "output.missing"),
    ("output_kw", "", "output_kw", "output.missing"),
    ("output_kw", "fast", "output_kw", "output.malformed"),
    ("output_kw", "22,5", "output_kw", "output.malformed"),
    ("output_kw", "NaN", "output_kw", "output.malformed"),
    ("output_kw", "Infinity", "output_kw", "output.malformed"),
    ("output_kw", "0", "output_kw", "output.not_positive"),
    ("output_kw", "0.004", "output_kw", "output.not_positive"),
    ("output_kw", "22.0000000000000000000001", "output_kw", "output.too_many_decimals"),
    ("output_kw", "22.005", "output_kw", "output.too_many_decimals"),
    ("output_kw", "999.994", "output_kw", "output.too_many_decimals"),
    ("output_kw", "5e1", "output_kw", "output.malformed"),
    ("output_kw", "+52.5", "output_kw", "output.malformed"),
    ("output_kw", " 52.5", "output_kw", "output.malformed"),
    ("latitude", "+52.5", "latitude", "latitude.malformed"),
    ("longitude", "1.3e1", "longitude", "longitude.malformed"),
    ("country", "ß", "country", "country.unknown"),
    ("country", "ßD", "country", "country.unknown"),
    ("country", "ſE", "country", "country.unknown"),
    ("country", "ＤＥＵ", "country", "country.unknown"),
    ("power_type", "Dſ", "power_type", "power_type.unknown"),
    ("power_type", "AC_1_PHAſE", "power_type", "power_type.unknown"),
    ("city", "Köln\u202e", "city", "city.control_character"),
    ("city", "Kö\u200bln", "city", "city.control_character"),
    ("street", "Hohe\u00adStraße", "street", "street.control_character"),
    ("street", "\ufeffHohe Straße", "street", "street.control_character"),
    (
        "charging_station_id",
        "ST\u20661\u2069",
        "charging_station_id",
        "charging_station_id.control_character",
    ),
    ("house_number", "1\u200d2", "house_number", "house_number.control_character"),
    ("postal_code", "\u200e10115", "postal_code", "postal_code.control_character"),
    ("output_kw", "-22", "output_kw", "output.not_positive"),
    ("output_kw", "-Infinity", "output_kw", "output.malformed"),
    ("output_kw", "1000.01", "output_kw", "output.too_large"),
    ("output_kw", "10000", "output_kw", "output.too_large"),
    ("output_kw", "22000", "output_kw", "output.too_large"),
    ("plugs", ("Type 2",), "plugs", "plug.unknown"),
    ("plugs", ("Type 2 Outlet", "Schuko"), "plugs", "plug.unknown"),
    ("time_zone", "Mars/Olympus_Mons", "time_zone", "time_zone.unknown"),
    ("time_zone", "America/New_York", "time_zone", "time_zone.country_mismatch"),
]


@pytest.mark.parametrize(
    ("name", "value", "field", "code"),
    FIELD_CASES,
    ids=[f"{case[3]}-{i}" for i, case in enumerate(FIELD_CASES)],
)
def test_each_field_fault_has_its_code(name: str, value: Any, field: str, code: str) -> None:
    assert problems(raw(**{name: value})) == [(field, code)]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"country": "USA"}, "time_zone.required"),
        ({"country": "ESP"}, "time_zone.required"),
        ({"country": "USA", "utc_offset": "UTC-07:00"}, "time_zone.required"),
        ({"country": "USA", "time_zone": "Europe/Berlin"}, "time_zone.country_mismatch"),
    ],
)
def test_time_zone_faults(changes: dict[str, str], code: str) -> None:
    assert problems(raw(**changes)) == [("time_zone", code)]


@pytest.mark.parametrize("output", ["-99999999999999999999999999999", "-1" + "0" * 400])
def test_hugely_negative_output_is_not_positive_not_a_crash(output: str) -> None:
    assert problems(raw(output_kw=output)) == [("output_kw", "output.not_positive")]


@pytest.mark.parametrize(
    "zone", ["Europe", "America", pytest.param("x" * 300, id="300-characters")]
)
def test_zone_folder_or_overlong_zone_is_unknown_not_a_crash(zone: str) -> None:
    assert problems(raw(country="USA", time_zone=zone)) == [("time_zone", "time_zone.unknown")]


def test_messages_name_the_offending_value() -> None:
    with pytest.raises(InvalidRecord) as caught:
        validate_evse(
            raw(power_type="AC_4_PHASE", output_kw="fast", plugs=("Schuko",), country="XXX"),
            SCOPE,
        )
    messages = {p.field: p.message for p in caught.value.problems}
    assert "AC_4_PHASE" in messages["power_type"]
    assert "fast" in messages["output_kw"]
    assert "Schuko" in messages["plugs"]
    assert "XXX" in messages["country"]


def test_every_problem_of_a_record_is_reported_at_once() -> None:
    record = EvseInput(
        evse_id="FR*ABC*E1",
        charging_station_id="",
        country="USA",
        city="C" * 51,
        postal_code="1" * 11,
        street=None,
        house_number="1" * 11,
        latitude="91",
        longitude="east",
        power_type="AC",
        output_kw="0",
        plugs=("Schuko",),
        time_zone=None,
    )
    assert problems(record) == [
        ("evse_id", "evse_id.operator_mismatch"),
        ("charging_station_id", "charging_station_id.missing"),
        ("city", "city.too_long"),
        ("postal_code", "postal_code.too_long"),
        ("street", "street.missing"),
        ("house_number", "house_number.too_long"),
        ("latitude", "latitude.out_of_range"),
        ("longitude", "longitude.malformed"),
        ("power_type", "power_type.unknown"),
        ("output_kw", "output.not_positive"),
        ("plugs", "plug.unknown"),
        ("time_zone", "time_zone.required"),
    ]


def test_an_empty_record_names_every_required_field() -> None:
    assert set(problems(EvseInput(evse_id=None))) == {
        ("evse_id", "evse_id.missing"),
        ("charging_station_id", "charging_station_id.missing"),
        ("country", "country.missing"),
        ("city", "city.missing"),
        ("street", "street.missing"),
        ("latitude", "latitude.missing"),
        ("longitude", "longitude.missing"),
        ("power_type", "power_type.missing"),
        ("output_kw", "output.missing"),
    }


# Each field: values that pass, and values that fail with their code.
GOOD: dict[str, list[Any]] = {
    "evse_id": ["DE*ABC*E1", "deabce2", "DE*ABC*E3*1"],
    "charging_station_id": ["S1", " S 2 "],
    "country": ["DEU", "de", "USA"],
    "city": ["Berlin", " Köln "],
    "postal_code": ["10115", "", None],
    "street": ["Main Street"],
    "house_number": ["1a", "", None],
    "latitude": ["52.5", "-90", "0"],
    "longitude": ["13.4", "180"],
    "power_type": ["DC", "ac_3_phase", " AC_1_PHASE "],
    "output_kw": ["50", "0.01", "1000", "22.5"],
    "plugs": [(), ("Type 2 Outlet",), ("CHAdeMO", "CHAdeMO")],
    "time_zone": [None, "Europe/Berlin", "America/Chicago"],
}
BAD: dict[str, list[tuple[Any, str]]] = {
    "evse_id": [
        ("", "evse_id.missing"),
        ("DE*ABC", "evse_id.malformed"),
        ("XX*ABC*E1", "evse_id.unknown_country"),
        ("DE*XYZ*E1", "evse_id.operator_mismatch"),
    ],
    "charging_station_id": [
        (None, "charging_station_id.missing"),
        ("x" * 51, "charging_station_id.too_long"),
    ],
    "country": [("", "country.missing"), ("XXX", "country.unknown")],
    "city": [("", "city.missing"), ("x" * 51, "city.too_long")],
    "postal_code": [("1" * 11, "postal_code.too_long")],
    "street": [(None, "street.missing"), ("x" * 101, "street.too_long")],
    "house_number": [("1" * 11, "house_number.too_long")],
    "latitude": [
        ("", "latitude.missing"),
        ("abc", "latitude.malformed"),
        ("-91", "latitude.out_of_range"),
    ],
    "longitude": [
        (None, "longitude.missing"),
        ("1,5", "longitude.malformed"),
        ("181", "longitude.out_of_range"),
    ],
    "power_type": [("", "power_type.missing"), ("AC", "power_type.unknown")],
    "output_kw": [
        ("", "output.missing"),
        ("abc", "output.malformed"),
        ("0", "output.not_positive"),
        ("1000.01", "output.too_large"),
    ],
    "plugs": [(("Type 2",), "plug.unknown")],
    "time_zone": [("Mars/Base", "time_zone.unknown")],
}


def _expected_zone_problem(country: str, zone: str | None) -> str | None:
    alpha3 = {"DEU": "DEU", "de": "DEU", "USA": "USA"}[country]
    if zone == "Mars/Base":
        return "time_zone.unknown"
    zones_that_fit: dict[str, set[str | None]] = {
        "DEU": {None, "Europe/Berlin"},
        "USA": {"America/Chicago"},
    }
    fits = zones_that_fit[alpha3]
    if zone in fits:
        return None
    return "time_zone.required" if zone is None else "time_zone.country_mismatch"


@st.composite
def mixed_records(draw: st.DrawFn) -> tuple[EvseInput, set[tuple[str, str]]]:
    """A record whose fields are each good or bad, and the problems it must report."""
    values: dict[str, Any] = {}
    expected: set[tuple[str, str]] = set()
    for name in GOOD:
        if name != "time_zone" and draw(st.booleans()):
            value, code = draw(st.sampled_from(BAD[name]))
            expected.add((name, code))
        else:
            value = draw(st.sampled_from(GOOD[name]))
        values[name] = value
    if draw(st.booleans()):
        values["time_zone"] = "Mars/Base"
    country = values["country"]
    if not any(field == "country" for field, _ in expected):
        zone_problem = _expected_zone_problem(country, values["time_zone"])
        if zone_problem is not None:
            expected.add(("time_zone", zone_problem))
    return EvseInput(**values), expected


@given(mixed_records())
@settings(max_examples=200)
def test_validation_reports_exactly_the_faulty_fields(
    case: tuple[EvseInput, set[tuple[str, str]]],
) -> None:
    record, expected = case
    if not expected:
        assert isinstance(validate_evse(record, SCOPE), EvseRecord)
    else:
        found = problems(record)
        assert len(found) == len(set(found))
        assert set(found) == expected


# --- content identity ---------------------------------------------------------------------

# For each field, two valid values that mean different things.
CHANGES: dict[str, tuple[Any, Any]] = {
    "evse_id": ("DE*ABC*E100*1", "DE*ABC*E100*2"),
    "charging_station_id": ("STATION 1", "STATION 2"),
    "country": ("DEU", "FRA"),
    "city": ("Berlin", "berlin"),
    "postal_code": ("10829", "10828"),
    "street": ("EUREF-Campus", "EUREF Campus"),
    "house_number": ("22", "22a"),
    "latitude": ("52.480495", "52.480496"),
    "longitude": ("13.356465", "-13.356465"),
    "power_type": ("AC_3_PHASE", "AC_1_PHASE"),
    "output_kw": ("22", "22.01"),
    "plugs": (("Type 2 Outlet",), ("Type 2 Outlet", "CHAdeMO")),
    "time_zone": ("Europe/Berlin", "Europe/Busingen"),
}
# Spellings that mean the same thing as VALID.
SAME: dict[str, list[Any]] = {
    "evse_id": ["deabce1001", "DEABC*E100*1", " DE*ABC*E1*0*0*1 "],
    "charging_station_id": [" STATION 1 "],
    "country": ["de", "deu", " DE "],
    "city": ["Berlin  "],
    "postal_code": [" 10829"],
    "street": [" EUREF-Campus"],
    "house_number": ["22 "],
    "latitude": ["52.4804950", "52.480495", "52.48049501"],
    "longitude": ["13.35646500", "13.3564650"],
    "power_type": ["ac_3_phase", " AC_3_phase"],
    "output_kw": ["22.00", "22.000", "22", "022"],
    "plugs": [("Type 2 Outlet", "Type 2 Outlet"), (" Type 2 Outlet ", "")],
    "time_zone": [None, "", "Europe/Berlin"],
}


@given(st.sampled_from(sorted(CHANGES)), st.data())
@settings(max_examples=100)
def test_content_identity_changes_iff_a_field_changes(name: str, data: st.DataObject) -> None:
    before, after = CHANGES[name]
    one = validate_evse(raw(**{name: before}), SCOPE)
    other = validate_evse(raw(**{name: after}), SCOPE)
    assert one != other
    assert hash(one) != hash(other)
    # Any number of same-meaning respellings of other fields keep the identity. (A zone
    # named for the country DEU would not mean the same for FRA: not respelled there.)
    others = sorted(set(SAME) - {name} - ({"time_zone"} if name == "country" else set()))
    respelled = {
        field: data.draw(st.sampled_from(SAME[field]))
        for field in data.draw(st.sets(st.sampled_from(others)))
    }
    again = validate_evse(raw(**{name: before, **respelled}), SCOPE)
    assert again == one
    assert hash(again) == hash(one)
    changed = validate_evse(raw(**{name: after, **respelled}), SCOPE)
    assert changed == other
    assert changed != one


@given(st.data())
@settings(max_examples=100)
def test_same_meaning_spellings_give_equal_records(data: st.DataObject) -> None:
    fields = data.draw(st.sets(st.sampled_from(sorted(SAME)), min_size=1))
    changes = {field: data.draw(st.sampled_from(SAME[field])) for field in fields}
    base = validate_evse(raw(), SCOPE)
    respelled = validate_evse(raw(**changes), SCOPE)
    assert respelled == base
    assert hash(respelled) == hash(base)


@pytest.mark.parametrize("street", ["Hohe\u00a0Straße", "Rue de l’Église", "東京都千代田区"])
def test_printable_unicode_is_plain_text_not_a_control_character(street: str) -> None:
    assert validate_evse(raw(street=street), SCOPE).street == street


def test_location_leaves_out_what_is_missing() -> None:
    record = validate_evse(raw(postal_code="", house_number=""), SCOPE)
    assert "  " not in record.location
    assert ", ," not in record.location


@pytest.mark.parametrize(
    ("text", "number"),
    [("50.9", "50.9"), ("-0.5", "-0.5"), ("7", "7"), ("007.50", "7.5"), ("-0", "0")],
)
def test_plain_numbers_are_read(text: str, number: str) -> None:
    assert plain_decimal(text) == Decimal(number)


@pytest.mark.parametrize(
    "text",
    [
        "5_0.9", "٥٠", "NaN", "-Infinity", "sNaN", "", "1,5", "0x10",
        "5e1", "2E+1", "1e-7", "+52.5", "+7", " 52.5", "52.5 ", "\t52.5", "5 2", ".5", "5.",
        "--5", "-", "５２", "52.5\n",
    ],
)  # fmt: skip
def test_numbers_an_operator_does_not_mean_are_not_read(text: str) -> None:
    assert plain_decimal(text) is None


@pytest.mark.parametrize(("field", "text"), [("latitude", "5_0.9"), ("output_kw", "٥٠")])
def test_such_numbers_are_malformed_fields(field: str, text: str) -> None:
    code = "output.malformed" if field == "output_kw" else f"{field}.malformed"
    assert problems(raw(**{field: text})) == [(field, code)]


def test_a_lone_surrogate_is_a_control_character() -> None:
    assert problems(raw(city="K\udcf6ln")) == [("city", "city.control_character")]
