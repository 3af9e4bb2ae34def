"""OICP 2.3 eRoamingPushEvseData reader: Hubject's own example and the format's corners."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from evsenet.domain.errors import DomainError, InvalidRecord, RecordProblem
from evsenet.domain.evse import EvseInput, OperatorScope, validate_evse
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction, validate_batch
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.formats.oicp import dms_to_decimal, read_oicp_push, read_oicp_push_bytes

HUBJECT_PUSH = Path("hubject-oicp/OICP-2.3/CPO_code_snippets/eRoamingPushEvseData.request.json")
HUBJECT_PULL = Path("hubject-oicp/OICP-2.3/EMP_code_snippets/eRoamingPullEVSEData.response.json")
SWAGGER = Path("hubject-oicp/OICP-2.2/SWAGGER DOCUMENTATION/evse-api-docs-2.2.json")
ABC = OperatorScope(OperatorId.parse("DE*ABC"), frozenset({"DEXYZ"}))


def record(**changes: Any) -> dict[str, Any]:
    """A minimal valid EvseDataRecord, with top-level keys replaced by `changes`."""
    base: dict[str, Any] = {
        "EvseID": "DE*ABC*E1001",
        "ChargingStationID": "STATION-1",
        "Address": {
            "Country": "DEU",
            "City": "Berlin",
            "PostalCode": "10115",
            "Street": "Invalidenstraße",
            "HouseNum": "1",
            "TimeZone": "UTC+01:00",
        },
        "GeoCoordinates": {"Google": {"Coordinates": "52.530000 13.380000"}},
        "ChargingFacilities": [{"PowerType": "AC_3_PHASE", "Power": 22}],
        "Plugs": ["Type 2 Outlet"],
    }
    base.update(changes)
    return base


def body(*records: object, action: str = "insert") -> dict[str, Any]:
    return {
        "ActionType": action,
        "OperatorEvseData": {
            "OperatorID": "DE*ABC",
            "OperatorName": "ABC Laden",
            "EvseDataRecord": list(records),
        },
    }


def only(batch: ParsedBatch) -> EvseInput:
    assert len(batch.items) == 1
    item = batch.items[0]
    assert isinstance(item, SourceRecord), item
    return item.evse


def problem(batch: ParsedBatch, index: int) -> RecordProblem:
    item = batch.items[index]
    assert isinstance(item, RecordProblem), item
    return item


def read_one(**changes: Any) -> EvseInput:
    return only(read_oicp_push(body(record(**changes))))


@pytest.mark.peer_data
class TestHubjectExample:
    def test_reads_into_one_record_with_every_mapped_value(self, peer_data: Path) -> None:
        batch = read_oicp_push_bytes((peer_data / HUBJECT_PUSH).read_bytes())

        assert batch.action is PushAction.FULL_LOAD
        assert batch.position_kind == "index"
        assert batch.operator_id == "DE*ABC"
        assert batch.items[0].position == 0
        assert only(batch) == EvseInput(
            evse_id="DE*XYZ*ETEST1",
            charging_station_id="TEST 1",
            country="DEU",
            city="Berlin",
            postal_code="10829",
            street="EUREF CAMPUS",
            house_number="22",
            latitude="52.480495",
            longitude="13.356465",
            power_type="AC_3_PHASE",
            output_kw="22",
            plugs=("Type 2 Outlet",),
            time_zone=None,
            utc_offset="UTC+01:00",
        )

    def test_every_record_passes_the_domain_rules(self, peer_data: Path) -> None:
        batch = read_oicp_push_bytes((peer_data / HUBJECT_PUSH).read_bytes())

        valid = [validate_evse(item.evse, ABC) for item in batch.records]

        assert [v.time_zone for v in valid] == ["Europe/Berlin"]

    def test_the_swagger_coordinate_forms_are_the_ones_read(self, peer_data: Path) -> None:
        definitions = json.loads((peer_data / SWAGGER).read_text("utf-8"))["definitions"]
        forms = definitions["GeoCoordinates"]["properties"]
        dms = definitions["GeoCoordinatesDegreeMinuteSeconds"]["properties"]["Latitude"]
        google = definitions["GeoCoordinatesGoogle"]["properties"]["Coordinates"]

        assert set(forms) == {"Google", "DecimalDegree", "DegreeMinuteSeconds"}
        assert re.fullmatch(dms["pattern"], "52°28'49.78''")
        assert dms_to_decimal("52°28'49.78''") == "52.480494"
        assert re.fullmatch(google["pattern"], "52.480495,13.356465")
        assert read_one(GeoCoordinates={"Google": {"Coordinates": "52.480495,13.356465"}}) == (
            read_one(GeoCoordinates={"Google": {"Coordinates": "52.480495 13.356465"}})
        )

    def test_the_records_of_hubjects_pull_response_read_like_pushed_ones(
        self, peer_data: Path
    ) -> None:
        pulled = json.loads((peer_data / HUBJECT_PULL).read_text("utf-8"))["content"]
        pushed = read_oicp_push_bytes((peer_data / HUBJECT_PUSH).read_bytes())

        batch = read_oicp_push(body(*pulled, action="fullLoad"))

        assert [item.evse for item in batch.records] == [item.evse for item in pushed.records]
        assert [validate_evse(item.evse, ABC).evse_id.sent for item in batch.records] == [
            "DE*XYZ*ETEST1"
        ]


class TestCoordinates:
    @pytest.mark.parametrize(
        "coordinates", ["52.480495 13.356465", "52.480495,13.356465", "52.480495 , 13.356465"]
    )
    def test_google_form_with_blank_or_comma(self, coordinates: str) -> None:
        evse = read_one(GeoCoordinates={"Google": {"Coordinates": coordinates}})

        assert (evse.latitude, evse.longitude) == ("52.480495", "13.356465")

    def test_decimal_degree_form(self) -> None:
        geo = {"DecimalDegree": {"Latitude": "-33.868820", "Longitude": "151.209296"}}

        evse = read_one(GeoCoordinates=geo)

        assert (evse.latitude, evse.longitude) == ("-33.868820", "151.209296")

    def test_degree_minute_seconds_form_becomes_decimal_text(self) -> None:
        geo = {"DegreeMinuteSeconds": {"Latitude": "52°28'49.78''", "Longitude": "13°21'23.27''"}}

        evse = read_one(GeoCoordinates=geo)

        assert (evse.latitude, evse.longitude) == ("52.480494", "13.356464")
        assert validate_evse(evse, ABC).latitude == Decimal("52.480494")

    @pytest.mark.parametrize(
        ("text", "decimal"),
        [
            ("52°28'49.78''", "52.480494"),
            ("-33°52'7.75''", "-33.868819"),
            ("33° 52' 7.75\" S", "-33.868819"),
            ("151°12'33.47'' E", "151.209297"),
            ("-0°30'0.0''", "-0.500000"),
            ("0°0'0.0''", "0.000000"),
        ],
    )
    def test_dms_conversion(self, text: str, decimal: str) -> None:
        assert dms_to_decimal(text) == decimal

    @pytest.mark.parametrize(
        ("text", "decimal"),
        [("9°21'39.32’'", "9.360922"), ("-21°34'23.16’'", "-21.573100")],
    )
    def test_the_examples_of_the_oicp_2_3_data_types_convert(self, text: str, decimal: str) -> None:
        """OICP 2.3's GeoCoordinatesDegreeMinuteSecondsFormatType closes the seconds with
        a typographic apostrophe: `^-?1?\\d{1,2}°[ ]?\\d{1,2}'[ ]?\\d{1,2}\\.\\d+’'$`."""
        assert dms_to_decimal(text) == decimal

    @pytest.mark.parametrize(
        "text",
        ["52.48", "north", "52°60'0.0''", "52°28'60.0''", "-33°52'7.75'' S", "+33°52'7.75''"],
        ids=["decimal", "word", "60-minutes", "60-seconds", "sign-and-hemisphere", "plus-sign"],
    )
    def test_text_that_is_not_dms_is_not_converted(self, text: str) -> None:
        assert dms_to_decimal(text) is None

    def test_plain_decimal_in_the_dms_form_passes_through(self) -> None:
        geo = {"DegreeMinuteSeconds": {"Latitude": "52.48", "Longitude": "13.35"}}

        assert read_one(GeoCoordinates=geo).latitude == "52.48"

    def test_unreadable_dms_is_a_field_problem(self) -> None:
        geo = {"DegreeMinuteSeconds": {"Latitude": "52 deg 28", "Longitude": "13°21'23.27''"}}

        found = problem(read_oicp_push(body(record(GeoCoordinates=geo))), 0)

        assert found.code == "oicp.field.malformed"
        assert found.field == "GeoCoordinates.DegreeMinuteSeconds.Latitude"
        assert found.evse_id == "DE*ABC*E1001"

    def test_google_coordinates_with_one_number_are_a_field_problem(self) -> None:
        batch = read_oicp_push(
            body(record(), record(GeoCoordinates={"Google": {"Coordinates": "52.53"}}))
        )

        found = problem(batch, 1)
        assert (found.position, found.position_kind) == (1, "index")
        assert found.code == "oicp.field.malformed"
        assert found.field == "GeoCoordinates.Google.Coordinates"

    @pytest.mark.parametrize("unused", [None, {}], ids=["null", "empty"])
    def test_forms_serialised_empty_are_skipped(self, unused: object) -> None:
        """Java and .NET clients write every property of GeoCoordinates, the unused ones as
        null (or as empty objects)."""
        geo = {
            "Google": unused,
            "DecimalDegree": {"Latitude": "52.480495", "Longitude": "13.356465"},
            "DegreeMinuteSeconds": unused,
        }

        evse = read_one(GeoCoordinates=geo)

        assert (evse.latitude, evse.longitude) == ("52.480495", "13.356465")

    def test_coordinates_given_as_json_numbers_are_read(self) -> None:
        data = (
            json.dumps(
                body(record(GeoCoordinates={"DecimalDegree": {"Latitude": 0, "Longitude": 0}}))
            )
            .replace('"Latitude": 0', '"Latitude": 52.4804950')
            .replace('"Longitude": 0', '"Longitude": -13.356465')
        )

        evse = only(read_oicp_push_bytes(data.encode()))

        assert (evse.latitude, evse.longitude) == ("52.4804950", "-13.356465")

    def test_missing_coordinates_are_left_for_the_domain(self) -> None:
        evse = read_one(GeoCoordinates=None)

        assert (evse.latitude, evse.longitude) == (None, None)
        with pytest.raises(InvalidRecord) as refused:
            validate_evse(evse, ABC)
        assert {p.code for p in refused.value.problems} == {"latitude.missing", "longitude.missing"}


class TestFacilitiesAndPlugs:
    def test_the_facility_with_the_highest_power_gives_type_and_output(self) -> None:
        facilities = [
            {"PowerType": "AC_3_PHASE", "Power": 22},
            {"PowerType": "DC", "Power": 150},
            {"PowerType": "DC", "Power": 50},
        ]

        evse = read_one(ChargingFacilities=facilities)

        assert (evse.power_type, evse.output_kw) == ("DC", "150")

    def test_a_tie_keeps_the_first_facility(self) -> None:
        facilities = [{"PowerType": "AC_3_PHASE", "Power": 22}, {"PowerType": "DC", "Power": 22}]

        assert read_one(ChargingFacilities=facilities).power_type == "AC_3_PHASE"

    def test_a_facility_without_readable_power_ranks_last(self) -> None:
        facilities: list[dict[str, object]] = [
            {"PowerType": "DC", "Power": "Unspecified"},
            {"PowerType": "AC_1_PHASE"},
            {"PowerType": "AC_3_PHASE", "Power": 11},
        ]

        assert read_one(ChargingFacilities=facilities).output_kw == "11"

    def test_unspecified_passes_through_for_the_domain_to_refuse(self) -> None:
        facilities = [{"PowerType": "Unspecified", "Power": "Unspecified"}]

        evse = read_one(ChargingFacilities=facilities)

        assert (evse.power_type, evse.output_kw) == ("Unspecified", "Unspecified")
        with pytest.raises(InvalidRecord) as refused:
            validate_evse(evse, ABC)
        assert {p.code for p in refused.value.problems} == {
            "power_type.unknown",
            "output.malformed",
        }

    @pytest.mark.parametrize(("power", "text"), [(3.7, "3.7"), (22, "22"), ("11.0", "11.0")])
    def test_power_becomes_text_with_a_decimal_point(self, power: object, text: str) -> None:
        facilities = [{"PowerType": "AC_1_PHASE", "Power": power}]

        assert read_one(ChargingFacilities=facilities).output_kw == text

    def test_numbers_read_from_bytes_keep_their_decimal_digits(self) -> None:
        data = json.dumps(body(record())).replace('"Power": 22', '"Power": 22.10').encode()

        assert only(read_oicp_push_bytes(data)).output_kw == "22.10"

    def test_plugs_keep_oicp_names_and_get_their_letter_case_fixed(self) -> None:
        evse = read_one(Plugs=["type 2 outlet", " CHAdeMO ", "Moon Plug", ""])

        assert evse.plugs == ("Type 2 Outlet", "CHAdeMO", "Moon Plug")

    def test_no_facilities_leave_power_for_the_domain(self) -> None:
        evse = read_one(ChargingFacilities=[])

        assert (evse.power_type, evse.output_kw) == (None, None)


class TestTimeZones:
    def test_utc_offset_comes_from_the_address(self) -> None:
        assert read_one().utc_offset == "UTC+01:00"

    def test_time_zone_iana_extension_on_the_record(self) -> None:
        assert read_one(TimeZoneIANA="Europe/Berlin").time_zone == "Europe/Berlin"

    def test_time_zone_iana_extension_in_the_address(self) -> None:
        address = {**record()["Address"], "TimeZoneIANA": "Atlantic/Canary", "Country": "ESP"}

        evse = read_one(Address=address)

        assert evse.time_zone == "Atlantic/Canary"
        assert validate_evse(evse, ABC).time_zone == "Atlantic/Canary"

    def test_record_level_zone_wins(self) -> None:
        address = {**record()["Address"], "TimeZoneIANA": "Europe/Paris"}

        assert read_one(Address=address, TimeZoneIANA="Europe/Berlin").time_zone == "Europe/Berlin"


class TestOptionalFields:
    def test_a_record_without_charging_station_id_is_its_own_station(self) -> None:
        """OICP 2.3 marks ChargingStationID optional (M/O `O`); evsenet needs one."""
        minimal = record()
        del minimal["ChargingStationID"]

        evse = only(read_oicp_push(body(minimal)))

        assert evse.charging_station_id == "DE*ABC*E1001"
        assert validate_evse(evse, ABC).charging_station_id == "DE*ABC*E1001"

    def test_the_data_types_spelling_charging_station_id_is_read(self) -> None:
        """OICP 2.3's EvseDataRecordType table spells the field `ChargingStationId`."""
        spelt = record(ChargingStationId="STATION-2")
        del spelt["ChargingStationID"]

        assert only(read_oicp_push(body(spelt))).charging_station_id == "STATION-2"

    @pytest.mark.parametrize(
        "absent",
        ["Address.PostalCode", "Address.HouseNum", "Address.TimeZone", "Plugs"],
    )
    def test_a_record_without_an_optional_field_validates(self, absent: str) -> None:
        shape = record()
        parent, _, key = absent.rpartition(".")
        del (shape[parent] if parent else shape)[key]

        validate_evse(only(read_oicp_push(body(shape))), ABC)

    def test_unknown_fields_and_nulls_are_ignored(self) -> None:
        address = {**record()["Address"], "Floor": None, "Region": None, "PostalCode": None}

        evse = read_one(Address=address, ChargingPoolID=None, Extra={"x": [1, None]})

        assert evse.postal_code is None
        validate_evse(evse, ABC)


class TestScalars:
    def test_text_with_a_lone_surrogate_is_a_field_problem(self) -> None:
        """JSON may escape half a UTF-16 pair (`\\ud800`); such text cannot be stored."""
        data = json.dumps(body(record(), record(EvseID="DE*ABC*E1002"))).replace(
            '"Berlin"', '"Ber\\ud800lin"', 1
        )

        found = problem(read_oicp_push_bytes(data.encode()), 0)

        assert (found.code, found.field, found.evse_id) == (
            "oicp.field.malformed",
            "Address.City",
            "DE*ABC*E1001",
        )

    @pytest.mark.parametrize("action", ["insert", "delete"])
    def test_a_lone_surrogate_in_the_evse_id_is_shown_replaced_for_the_domain_to_refuse(
        self, action: str
    ) -> None:
        data = json.dumps(body(record(EvseID="DE*ABC*E1\ud800"), action=action)).encode()

        evse = only(read_oicp_push_bytes(data))

        assert evse.evse_id == "DE*ABC*E1\ufffd"
        with pytest.raises(InvalidRecord) as refused:
            validate_evse(evse, ABC)
        assert refused.value.code == "evse_id.malformed"

    def test_a_record_refused_for_its_shape_names_its_evse_id_in_storable_text(self) -> None:
        shaped = record(EvseID="DE*ABC*E1\udcf6", Plugs="Type 2 Outlet")

        found = problem(read_oicp_push_bytes(json.dumps(body(shaped)).encode()), 0)

        assert (found.field, found.evse_id) == ("Plugs", "DE*ABC*E1\ufffd")

    def test_text_is_trimmed_and_empty_text_is_none(self) -> None:
        address = {**record()["Address"], "PostalCode": "   "}

        evse = read_one(EvseID="  DE*ABC*E1001 ", ChargingStationID=" S1 ", Address=address)

        assert (evse.evse_id, evse.charging_station_id) == ("DE*ABC*E1001", "S1")
        assert evse.postal_code is None
        assert read_one(ChargingStationID="   ").charging_station_id == "DE*ABC*E1001"

    def test_a_number_where_text_is_due_is_read_as_text(self) -> None:
        address = {**record()["Address"], "PostalCode": 10115, "HouseNum": 1}

        evse = read_one(Address=address)

        assert (evse.postal_code, evse.house_number) == ("10115", "1")

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"Address": "Berlin"}, "Address"),
            ({"Address": {"City": ["Berlin"]}}, "Address.City"),
            ({"EvseID": True}, "EvseID"),
            ({"ChargingFacilities": {"PowerType": "DC", "Power": 50}}, "ChargingFacilities"),
            ({"ChargingFacilities": [{"PowerType": "DC"}, 50]}, "ChargingFacilities[1]"),
            ({"Plugs": "Type 2 Outlet"}, "Plugs"),
            ({"Plugs": ["Type 2 Outlet", 2]}, "Plugs[1]"),
            ({"GeoCoordinates": [52.5, 13.4]}, "GeoCoordinates"),
        ],
    )
    def test_a_field_of_the_wrong_json_type_is_a_field_problem(
        self, changes: dict[str, Any], field: str
    ) -> None:
        found = problem(read_oicp_push(body(record(**changes))), 0)

        assert (found.code, found.field, found.position_kind) == (
            "oicp.field.malformed",
            field,
            "index",
        )


class TestBody:
    @pytest.mark.parametrize(
        "data",
        [b"{", b"", b"\xfa\xfb\xfc", b'{"ActionType": "insert",}'],
        ids=["truncated", "empty", "not-utf", "trailing-comma"],
    )
    def test_invalid_json_refuses_the_body(self, data: bytes) -> None:
        with pytest.raises(DomainError) as refused:
            read_oicp_push_bytes(data)

        assert refused.value.code == "oicp.body.malformed"

    def test_deeply_nested_json_refuses_the_body(self) -> None:
        with pytest.raises(DomainError) as refused:
            read_oicp_push_bytes(b"[" * 100_000)

        assert refused.value.code == "oicp.body.malformed"

    @pytest.mark.parametrize(
        "data",
        [
            b'{"ActionType": "fullLoad", "ActionType": "insert", "OperatorEvseData": '
            b'{"OperatorID": "DE*ABC", "EvseDataRecord": []}}',
            b'{"ActionType": "insert", "OperatorEvseData": {"OperatorID": "DE*ABC", '
            b'"EvseDataRecord": [{"EvseID": "DE*ABC*E1", "EvseID": "DE*ABC*E2"}]}}',
        ],
        ids=["action", "evse-id"],
    )
    def test_a_key_repeated_in_one_object_refuses_the_body(self, data: bytes) -> None:
        """JSON parsers disagree on which of two equal keys counts (RFC 8259, 4): one
        party's fullLoad must not be another's insert."""
        with pytest.raises(DomainError, match="twice") as refused:
            read_oicp_push_bytes(data)

        assert refused.value.code == "oicp.body.malformed"

    def test_a_json_array_is_not_a_body(self) -> None:
        with pytest.raises(DomainError, match="JSON object") as refused:
            read_oicp_push_bytes(b"[]")

        assert refused.value.code == "oicp.body.malformed"

    def test_a_utf8_bom_is_accepted(self) -> None:
        data = "\ufeff".encode() + json.dumps(body(record())).encode()

        assert only(read_oicp_push_bytes(data)).evse_id == "DE*ABC*E1001"

    @pytest.mark.parametrize(
        "mutate",
        [
            lambda b: b.pop("OperatorEvseData"),
            lambda b: b.update(OperatorEvseData=[]),
            lambda b: b["OperatorEvseData"].pop("OperatorID"),
            lambda b: b["OperatorEvseData"].update(OperatorID="  "),
            lambda b: b["OperatorEvseData"].pop("EvseDataRecord"),
            lambda b: b["OperatorEvseData"].update(EvseDataRecord={"EvseID": "DE*ABC*E1"}),
            lambda b: b.pop("ActionType"),
        ],
        ids=[
            "no-operator-data",
            "operator-data-array",
            "no-operator-id",
            "blank-operator-id",
            "no-record-list",
            "records-not-a-list",
            "no-action",
        ],
    )
    def test_a_body_of_the_wrong_shape_is_refused(
        self, mutate: Callable[[dict[str, Any]], object]
    ) -> None:
        broken = copy.deepcopy(body(record()))
        mutate(broken)

        with pytest.raises(DomainError) as refused:
            read_oicp_push(broken)

        assert refused.value.code == "oicp.body.malformed"

    @pytest.mark.parametrize("action", ["replace", "upsert"])
    def test_an_action_oicp_does_not_know_is_refused(self, action: str) -> None:
        with pytest.raises(DomainError) as refused:
            read_oicp_push(body(record(), action=action))

        assert refused.value.code == "action.unknown"

    @pytest.mark.parametrize(
        ("text", "action"),
        [
            ("fullLoad", PushAction.FULL_LOAD),
            ("insert", PushAction.INSERT),
            ("update", PushAction.UPDATE),
            ("delete", PushAction.DELETE),
            ("FULLLOAD", PushAction.FULL_LOAD),
        ],
    )
    def test_the_four_oicp_actions(self, text: str, action: PushAction) -> None:
        assert read_oicp_push(body(record(), action=text)).action is action

    def test_an_empty_full_load_is_a_valid_body_without_records(self) -> None:
        batch = read_oicp_push(body(action="fullLoad"))

        assert (batch.action, batch.items, batch.operator_id) == (
            PushAction.FULL_LOAD,
            [],
            "DE*ABC",
        )

    def test_a_record_that_is_not_an_object_is_a_record_problem(self) -> None:
        batch = read_oicp_push(body(record(), "DE*ABC*E1003", record(EvseID="DE*ABC*E1002")))

        found = problem(batch, 1)
        assert found == RecordProblem(
            1,
            "index",
            None,
            "record",
            "oicp.record.malformed",
            "EvseDataRecord 1 is a string, not a JSON object",
        )
        assert [item.position for item in batch.records] == [0, 2]

    def test_delete_reads_the_evse_id_alone(self) -> None:
        batch = read_oicp_push(body({"EvseID": "DE*ABC*E1001", "Address": "gone"}, action="delete"))

        assert only(batch) == EvseInput(evse_id="DE*ABC*E1001")

    def test_the_batch_validates_end_to_end(self) -> None:
        batch = read_oicp_push(
            body(record(), record(EvseID="DE*ABC*E1002", Plugs=["Moon Plug"]), "junk")
        )

        validated = validate_batch(batch, ABC)

        assert [v.position for v in validated.records] == [0]
        assert [(p.position, p.code) for p in validated.problems] == [
            (1, "plug.unknown"),
            (2, "oicp.record.malformed"),
        ]
