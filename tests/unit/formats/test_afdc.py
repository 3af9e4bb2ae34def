"""US DOE/NREL AFDC station exports: the real New York export and the format's corners."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from evsenet.domain.errors import DomainError, InvalidRecord, RecordProblem
from evsenet.domain.evse import EvseInput, OperatorScope, validate_evse
from evsenet.domain.ids import EvseId, OperatorId
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch
from evsenet.formats.afdc import read_afdc

EXPORT = Path("jingniz-ev-charging/alt_fuel_stations.csv")
LEVELS = ("EV Level1 EVSE Num", "EV Level2 EVSE Num", "EV DC Fast Count")
OPERATOR = OperatorId.parse("US*ABC")
SCOPE = OperatorScope(OPERATOR)
HEADER = (
    "Fuel Type Code,Station Name,Street Address,City,State,ZIP,EV Level1 EVSE Num,"
    "EV Level2 EVSE Num,EV DC Fast Count,EV Network,Latitude,Longitude,ID,"
    "EV Connector Types,Country"
)


def station(
    station_id: str = "1001",
    *,
    counts: tuple[str, str, str] = ("", "2", ""),
    connectors: str = "J1772",
    state: str = "NY",
    fuel: str = "ELEC",
    country: str = "US",
) -> str:
    level1, level2, dc = counts
    return (
        f'{fuel},"Garage {station_id}, Level P1",{station_id} W 34th St,New York,{state},'
        f"10001,{level1},{level2},{dc},Non-Networked,40.750000,-73.997000,{station_id},"
        f"{connectors},{country}"
    )


def export(*rows: str, header: str = HEADER) -> str:
    return "\ufeff" + "\n".join([header, *rows]) + "\n"


def records(batch: ParsedBatch) -> list[EvseInput]:
    return [item.evse for item in batch.records]


def problems(batch: ParsedBatch) -> list[RecordProblem]:
    return [item for item in batch.items if isinstance(item, RecordProblem)]


def read(*rows: str, time_zone: str | None = None) -> list[EvseInput]:
    return records(read_afdc(export(*rows), OPERATOR, time_zone=time_zone))


@pytest.fixture(scope="module")
def text(peer_data: Path) -> str:
    """The real New York export, decoded as the importer receives it."""
    return (peer_data / EXPORT).read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def rows(text: str) -> list[dict[str, str]]:
    """The export's rows read independently with the csv module."""
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.mark.peer_data
class TestRealExport:
    def test_the_file_is_the_export_described(self, rows: list[dict[str, str]]) -> None:
        fuels = Counter(row["Fuel Type Code"] for row in rows)

        assert len(rows) == 4857
        assert fuels["ELEC"] == 4736

    def test_one_evse_per_charging_point_of_the_electric_stations(
        self, text: str, rows: list[dict[str, str]]
    ) -> None:
        batch = read_afdc(text, OPERATOR)

        expected = sum(
            int(row[level] or 0)
            for row in rows
            if row["Fuel Type Code"] == "ELEC"
            for level in LEVELS
        )
        assert problems(batch) == []
        assert len(batch.items) == expected == 16788

    def test_ids_are_unique_and_belong_to_the_operator(self, text: str) -> None:
        ids = [EvseId.parse(e.evse_id or "") for e in records(read_afdc(text, OPERATOR))]

        assert len({evse_id.normalised for evse_id in ids}) == len(ids)
        assert all(evse_id.belongs_to(OPERATOR) for evse_id in ids)

    def test_every_record_passes_the_domain_rules_in_new_york_time(self, text: str) -> None:
        failures: list[str] = []
        zones: Counter[str] = Counter()
        for item in read_afdc(text, OPERATOR).records:
            try:
                zones[validate_evse(item.evse, SCOPE).time_zone] += 1
            except InvalidRecord as error:
                failures += [f"line {item.position}: {p.code} {p.message}" for p in error.problems]

        assert failures == []
        assert list(zones) == ["America/New_York"]

    def test_power_types_and_outputs_are_the_nominal_ones(self, text: str) -> None:
        kinds = Counter((e.power_type, e.output_kw) for e in records(read_afdc(text, OPERATOR)))

        assert set(kinds) == {("AC_1_PHASE", "1.9"), ("AC_1_PHASE", "7.2"), ("DC", "50")}

    def test_the_120_volt_outlet_of_station_88498_is_on_its_level_1_point(self, text: str) -> None:
        evses = [e for e in records(read_afdc(text, OPERATOR)) if e.charging_station_id == "88498"]

        assert [(e.output_kw, e.plugs) for e in evses] == [
            ("1.9", ("Type 1 Connector (Cable Attached)", "NEMA 5-20")),
            ("7.2", ("Type 1 Connector (Cable Attached)",)),
        ]


class TestStations:
    def test_line_breaks_a_spreadsheet_left_in_an_address_become_spaces(self) -> None:
        row = station().replace("1001 W 34th St", '"Garage_x000D_\n1001 W\t34th St"')
        [first, _] = read(row)
        assert first.street == "Garage 1001 W 34th St"
        validate_evse(first, SCOPE)

    def test_a_station_maps_into_its_points(self) -> None:
        batch = read_afdc(export(station()), OPERATOR, PushAction.INSERT)

        assert (batch.action, batch.position_kind) == (PushAction.INSERT, "line")
        assert [item.position for item in batch.items] == [2, 2]
        first, second = records(batch)
        assert first == EvseInput(
            evse_id="US*ABC*E1001*001",
            charging_station_id="1001",
            country="US",
            city="New York",
            postal_code="10001",
            street="1001 W 34th St",
            house_number=None,
            latitude="40.750000",
            longitude="-73.997000",
            power_type="AC_1_PHASE",
            output_kw="7.2",
            plugs=("Type 1 Connector (Cable Attached)",),
            time_zone="America/New_York",
        )
        assert second.evse_id == "US*ABC*E1001*002"
        assert validate_evse(first, SCOPE).country == "USA"

    def test_points_are_numbered_level_1_then_2_then_dc(self) -> None:
        evses = read(station(counts=("1", "2", "1"), connectors="J1772 J1772COMBO"))

        assert [(e.evse_id, e.power_type, e.output_kw) for e in evses] == [
            ("US*ABC*E1001*001", "AC_1_PHASE", "1.9"),
            ("US*ABC*E1001*002", "AC_1_PHASE", "7.2"),
            ("US*ABC*E1001*003", "AC_1_PHASE", "7.2"),
            ("US*ABC*E1001*004", "DC", "50"),
        ]

    def test_point_numbers_keep_ids_of_different_stations_apart(self) -> None:
        many = read(station("4417", counts=("", "41", "")))[-1]
        one = read(station("44174", counts=("", "1", "")))[0]

        assert EvseId.parse(many.evse_id or "") != EvseId.parse(one.evse_id or "")

    def test_non_electric_rows_are_not_records(self) -> None:
        batch = read_afdc(
            export(station("1"), station("2", fuel="CNG", counts=("", "", "")), station("3")),
            OPERATOR,
        )

        assert [item.position for item in batch.items] == [2, 2, 4, 4]

    def test_a_numeric_operator_gets_numeric_ids(self) -> None:
        numeric = OperatorId.parse("+1*234")

        evses = records(read_afdc(export(station()), numeric))

        assert [e.evse_id for e in evses] == ["+1*234*1001*001", "+1*234*1001*002"]
        assert all(EvseId.parse(e.evse_id or "").belongs_to(numeric) for e in evses)


class TestConnectors:
    @pytest.mark.parametrize(
        ("connectors", "counts", "ac", "dc"),
        [
            ("J1772", ("", "1", ""), ("Type 1 Connector (Cable Attached)",), None),
            (
                "CHADEMO J1772COMBO",
                ("", "", "1"),
                None,
                ("CHAdeMO", "CCS Combo 1 Plug (Cable Attached)"),
            ),
            ("TESLA", ("", "1", ""), ("Tesla Connector",), None),
            ("TESLA", ("", "", "1"), None, ("Tesla Connector",)),
            (
                "J1772 TESLA J1772COMBO",
                ("", "1", "1"),
                ("Type 1 Connector (Cable Attached)",),
                ("Tesla Connector", "CCS Combo 1 Plug (Cable Attached)"),
            ),
            (
                "J1772 NEMA520",
                ("1", "", ""),
                ("Type 1 Connector (Cable Attached)", "NEMA 5-20"),
                None,
            ),
            ("NEMA515 NEMA1450", ("", "1", ""), ("Unspecified",), None),
            ("J1772COMBO", ("", "1", ""), (), None),
        ],
    )
    def test_ac_points_get_ac_connectors_and_dc_points_dc_ones(
        self,
        connectors: str,
        counts: tuple[str, str, str],
        ac: tuple[str, ...] | None,
        dc: tuple[str, ...] | None,
    ) -> None:
        evses = read(station(counts=counts, connectors=connectors))

        by_kind = {e.power_type == "DC": e.plugs for e in evses}
        assert by_kind.get(False) == ac
        assert by_kind.get(True) == dc

    def test_j3400_is_the_nacs_tesla_connector(self) -> None:
        """SAE J3400 is the standard name of NACS, the Tesla connector."""
        evses = read(station(counts=("", "1", "1"), connectors="J1772 J3400"))

        assert [e.plugs for e in evses] == [
            ("Type 1 Connector (Cable Attached)",),
            ("Tesla Connector",),
        ]

    def test_120_volt_outlets_belong_to_the_level_1_points(self) -> None:
        """A NEMA 5-20 outlet gives 120 V, 20 A: it cannot be a 7.2 kW Level 2 point
        (the real export has such a station, ID 88498, `J1772 NEMA520`, one point each)."""
        level1, level2 = read(station(counts=("1", "1", ""), connectors="J1772 NEMA520"))

        assert level1.plugs == ("Type 1 Connector (Cable Attached)", "NEMA 5-20")
        assert level2.plugs == ("Type 1 Connector (Cable Attached)",)

    def test_240_volt_outlets_belong_to_the_level_2_points(self) -> None:
        level1, level2 = read(station(counts=("1", "1", ""), connectors="NEMA515 NEMA1450"))

        assert (level1.plugs, level2.plugs) == (("Unspecified",), ("Unspecified",))
        [only_level1] = read(station(counts=("1", "", ""), connectors="J1772 NEMA1450"))
        assert only_level1.plugs == ("Type 1 Connector (Cable Attached)", "Unspecified")

    def test_an_unknown_connector_passes_through_for_the_domain_to_refuse(self) -> None:
        [evse] = read(station(counts=("", "1", ""), connectors="J1772 WIRELESS"))

        assert evse.plugs == ("Type 1 Connector (Cable Attached)", "WIRELESS")
        with pytest.raises(InvalidRecord) as refused:
            validate_evse(evse, SCOPE)
        assert refused.value.code == "plug.unknown"


class TestTimeZones:
    @pytest.mark.parametrize(
        ("state", "zone"),
        [
            ("NY", "America/New_York"),
            ("DC", "America/New_York"),
            ("IL", "America/Chicago"),
            ("CO", "America/Denver"),
            ("CA", "America/Los_Angeles"),
            ("HI", "Pacific/Honolulu"),
        ],
    )
    def test_single_clock_states_get_their_zone(self, state: str, zone: str) -> None:
        [evse] = read(station(counts=("", "1", ""), state=state))

        assert evse.time_zone == zone
        assert validate_evse(evse, SCOPE).time_zone == zone

    @pytest.mark.parametrize("state", ["TX", "FL", "IN", "KY", "TN", "MI", "AZ", "AK", "OR"])
    def test_split_states_get_none_and_the_domain_asks_for_one(self, state: str) -> None:
        [evse] = read(station(counts=("", "1", ""), state=state))

        assert evse.time_zone is None
        with pytest.raises(InvalidRecord) as refused:
            validate_evse(evse, SCOPE)
        assert refused.value.code == "time_zone.required"

    def test_the_caller_may_name_the_zone_of_the_whole_file(self) -> None:
        evses = read(
            station("1", counts=("", "1", ""), state="TX"),
            station("2", counts=("", "1", ""), state="NY"),
            time_zone="America/Chicago",
        )

        assert [e.time_zone for e in evses] == ["America/Chicago", "America/Chicago"]
        assert validate_evse(evses[0], SCOPE).time_zone == "America/Chicago"

    def test_a_territory_is_its_own_country(self) -> None:
        [evse] = read(station(counts=("", "1", ""), state="PR"))

        assert (evse.country, evse.time_zone) == ("PR", "America/Puerto_Rico")
        assert validate_evse(evse, SCOPE).country == "PRI"

    def test_canadian_provinces(self) -> None:
        alberta, ontario = read(
            station("1", counts=("", "1", ""), state="AB", country="CA"),
            station("2", counts=("", "1", ""), state="ON", country="CA"),
        )

        assert (alberta.country, alberta.time_zone) == ("CA", "America/Edmonton")
        assert ontario.time_zone is None
        assert validate_evse(alberta, SCOPE).country == "CAN"

    def test_without_a_country_column_the_country_is_the_us(self) -> None:
        header = HEADER.removesuffix(",Country")
        row = station(counts=("", "1", "")).removesuffix(",US")

        [evse] = records(read_afdc(export(row, header=header), OPERATOR))

        assert (evse.country, evse.time_zone) == ("US", "America/New_York")


class TestMalformed:
    def test_a_count_that_is_not_a_number_is_a_record_problem(self) -> None:
        batch = read_afdc(
            export(station("1"), station("2", counts=("", "two", "")), station("3")), OPERATOR
        )

        [problem] = problems(batch)
        assert (problem.position, problem.field, problem.code) == (
            3,
            "EV Level2 EVSE Num",
            "afdc.row.malformed",
        )
        assert "'two'" in problem.message

    def test_a_count_too_long_for_an_integer_is_a_record_problem(self) -> None:
        batch = read_afdc(export(station(counts=("", "9" * 5000, ""))), OPERATOR)

        [problem] = problems(batch)
        assert (problem.code, problem.field) == ("afdc.row.malformed", "EV Level2 EVSE Num")

    def test_a_station_without_points_is_one_record_problem(self) -> None:
        batch = read_afdc(export(station(counts=("", "0", ""))), OPERATOR)

        assert [p.code for p in problems(batch)] == ["afdc.row.no_charging_points"]
        assert batch.items == problems(batch)

    def test_a_station_with_more_points_than_ids_can_number_is_refused(self) -> None:
        batch = read_afdc(export(station(counts=("", "600", "400"))), OPERATOR)

        [problem] = problems(batch)
        assert problem.code == "afdc.row.malformed"
        assert "1000 charging points" in problem.message
        assert len(read(station(counts=("", "600", "399")))) == 999

    def test_a_station_without_id_is_a_record_problem(self) -> None:
        row = station().replace("Non-Networked,40.750000,-73.997000,1001,", "x,40.75,-73.99,,")

        [problem] = problems(read_afdc(export(row), OPERATOR))

        assert (problem.field, problem.code) == ("ID", "afdc.row.malformed")

    def test_a_row_of_the_wrong_width_is_a_record_problem(self) -> None:
        batch = read_afdc(export(station("1"), "ELEC,Broken,1 Main St", station("3")), OPERATOR)

        [problem] = problems(batch)
        assert (problem.position, problem.code) == (3, "afdc.row.malformed")
        assert "15 were expected" in problem.message

    def test_a_quoted_field_spanning_lines_keeps_physical_line_numbers(self) -> None:
        spanning = station("2").replace("Level P1", "Level P1\nentrance on 35th")

        batch = read_afdc(export(station("1"), spanning, station("3")), OPERATOR)

        assert sorted({item.position for item in batch.items}) == [2, 3, 5]

    def test_missing_columns_refuse_the_file_and_are_named(self) -> None:
        header = HEADER.replace("Latitude,Longitude,", "")

        with pytest.raises(DomainError) as refused:
            read_afdc(export(header=header), OPERATOR)

        assert refused.value.code == "afdc.header.missing_column"
        assert "'Latitude'" in refused.value.message
        assert "'Longitude'" in refused.value.message

    def test_an_empty_file_is_refused(self) -> None:
        with pytest.raises(DomainError) as refused:
            read_afdc("", OPERATOR)

        assert refused.value.code == "afdc.header.missing"
