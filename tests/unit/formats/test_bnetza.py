"""BNetzA Ladesäulenregister: the real Köln extract and both header layouts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evsenet.domain.errors import DomainError, InvalidRecord, RecordProblem
from evsenet.domain.evse import PLUG_TYPES, EvseInput, OperatorScope, validate_evse
from evsenet.domain.ids import EvseId, OperatorId
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.formats._tabular import decimal_point
from evsenet.formats.bnetza import read_bnetza

REGISTER = Path("imke-schwenke-bachelor-seminar/Ladesaeulenregister.csv")
ABC = OperatorId.parse("DE*ABC")
SCOPE = OperatorScope(ABC)

OLD_HEADER = (
    "Betreiber;Straße;Hausnummer;Adresszusatz;Postleitzahl;Ort;Bundesland;"
    "Kreis/kreisfreie Stadt;Breitengrad;Längengrad;Inbetriebnahmedatum;Anschlussleistung;"
    "Art der Ladeeinrichung;Anzahl Ladepunkte;Steckertypen1;P1 [kW];Public Key1;"
    "Steckertypen2;P2 [kW];Public Key2;Steckertypen3;P3 [kW];Public Key3;"
    "Steckertypen4;P4 [kW];Public Key4"
)
NEW_HEADER = (
    "Ladeeinrichtungs-ID;Betreiber;Anzeigename (Karte);Status;Art der Ladeeinrichtung;"
    "Anzahl Ladepunkte;Nennleistung Ladeeinrichtung [kW];Inbetriebnahmedatum;Straße;"
    "Hausnummer;Adresszusatz;Postleitzahl;Ort;Kreis/kreisfreie Stadt;Bundesland;Breitengrad;"
    "Längengrad;Standortbezeichnung;Informationen zum Parkraum;Bezahlsysteme;Öffnungszeiten;"
    "Öffnungszeiten: Wochentage;Öffnungszeiten: Tageszeiten;"
    + ";".join(
        f"Steckertypen{n};Nennleistung Stecker{n};EVSE-ID{n};Public Key{n}" for n in range(1, 7)
    )
)
NEW_TITLE = "Ladesäulenregister Bundesnetzagentur;;\r\nLetzte Aktualisierung vom: 07.07.2026;;\r\n"


def old_row(
    points: str = "1",
    plugs: tuple[str, ...] = ("AC Steckdose Typ 2",),
    powers: tuple[str, ...] = ("22",),
    *,
    device_power: str = "22",
    house: str = "1",
    date: str = "01.02.21",
) -> str:
    slots = [f"{p};{w};" for p, w in zip(plugs, powers, strict=True)]
    slots += [";;"] * (4 - len(slots))
    return (
        f"ABC Laden GmbH;Hohe Straße;{house};;50667;Köln;Nordrhein-Westfalen;"
        f"Kreisfreie Stadt Köln;50,937417;6,957069;{date};{device_power};"
        f"Normalladeeinrichtung;{points};" + ";".join(slots)
    )


def old_file(*rows: str) -> str:
    return "\ufeff" + "\r\n".join([OLD_HEADER, *rows]) + "\r\n"


def new_row(device: str, points: str, slots: list[tuple[str, str, str]], power: str) -> str:
    cells = [
        device,
        "Stadtwerke Köln",
        "",
        "In Betrieb",
        "Schnellladeeinrichtung",
        points,
        power,
        "19.03.2019",
        "Hauptstraße",
        "91c",
        "",
        "50667",
        "Köln",
        "Kreisfreie Stadt Köln",
        "Nordrhein-Westfalen",
        "50,9375",
        "6,9603",
        "",
        "",
        '"RFID-Karte;Onlinezahlungsverfahren"',
        "Keine Angabe",
        '"Montag; Dienstag"',
        "",
    ]
    for plug, watts, evse_id in slots + [("", "", "")] * (6 - len(slots)):
        cells += [plug, watts, evse_id, ""]
    return ";".join(cells)


def records(batch: ParsedBatch) -> list[EvseInput]:
    return [item.evse for item in batch.records]


def problems(batch: ParsedBatch) -> list[RecordProblem]:
    return [item for item in batch.items if isinstance(item, RecordProblem)]


def refusals(batch: ParsedBatch, scope: OperatorScope) -> list[str]:
    """Every domain refusal of the batch's records, as `line: code` texts."""
    found = []
    for item in batch.records:
        try:
            validate_evse(item.evse, scope)
        except InvalidRecord as error:
            found += [f"{item.position}: {p.code} ({p.message})" for p in error.problems]
    return found


@pytest.fixture(scope="module")
def text(peer_data: Path) -> str:
    """The real register extract, decoded as the importer receives it."""
    return (peer_data / REGISTER).read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def rows(text: str) -> list[dict[str, str]]:
    """The extract's rows read independently with the csv module."""
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


@pytest.mark.peer_data
class TestRealRegister:
    def test_the_file_is_the_dirty_one_described(self, text: str) -> None:
        assert text.startswith("\ufeffBetreiber;Straße;")
        assert "\r\n" in text
        assert "50,937417" in text

    def test_one_evse_per_charging_point(self, text: str, rows: list[dict[str, str]]) -> None:
        batch = read_bnetza(text, ABC)

        assert len(rows) == 292
        assert problems(batch) == []
        assert len(batch.items) == sum(int(row["Anzahl Ladepunkte"]) for row in rows) == 521

    def test_ids_are_unique_valid_and_short(self, text: str) -> None:
        evses = records(read_bnetza(text, ABC))

        ids = [EvseId.parse(evse.evse_id or "") for evse in evses]
        assert len({evse_id.normalised for evse_id in ids}) == len(ids)
        assert max(len(evse.evse_id or "") for evse in evses) <= 37
        assert all(evse_id.belongs_to(ABC) for evse_id in ids)

    def test_ids_are_stable_across_reads(self, text: str) -> None:
        first = [evse.evse_id for evse in records(read_bnetza(text, ABC))]
        second = [evse.evse_id for evse in records(read_bnetza(text, ABC))]

        assert first == second

    def test_every_record_passes_the_domain_rules(self, text: str) -> None:
        batch = read_bnetza(text, ABC)

        assert refusals(batch, SCOPE) == []
        assert {validate_evse(e, SCOPE).time_zone for e in records(batch)} == {"Europe/Berlin"}

    def test_every_plug_text_of_the_register_is_mapped(self, text: str) -> None:
        plugs = {plug for evse in records(read_bnetza(text, ABC)) for plug in evse.plugs}

        assert plugs <= PLUG_TYPES
        assert plugs == {
            "Type 2 Outlet",
            "Type 2 Connector (Cable Attached)",
            "Type F Schuko",
            "CCS Combo 2 Plug (Cable Attached)",
            "CHAdeMO",
        }

    def test_the_first_row_maps_as_expected(self, text: str) -> None:
        batch = read_bnetza(text, ABC)
        first = batch.items[0]

        assert isinstance(first, SourceRecord)
        assert first.position == 2
        assert first.evse.evse_id is not None
        assert first.evse.evse_id.startswith("DE*ABC*E")
        assert first.evse.evse_id.endswith("*1")
        assert first.evse == EvseInput(
            evse_id=first.evse.evse_id,
            charging_station_id=first.evse.charging_station_id,
            country="DEU",
            city="Köln",
            postal_code="50569",
            street="Kennedyplatz",
            house_number="1",
            latitude="50.937417",
            longitude="6.97069",
            power_type="AC_3_PHASE",
            output_kw="22",
            plugs=("Type 2 Outlet",),
        )

    def test_power_types_follow_plugs_and_power(self, text: str) -> None:
        evses = records(read_bnetza(text, ABC))

        kinds = {(e.power_type, e.output_kw) for e in evses}
        assert ("AC_1_PHASE", "3.5") in kinds
        assert ("DC", "150") in kinds
        assert all(e.power_type == "DC" for e in evses if "CHAdeMO" in e.plugs)


class TestOldLayout:
    def test_batch_shape(self) -> None:
        batch = read_bnetza(old_file(old_row()), ABC, PushAction.FULL_LOAD)

        assert (batch.action, batch.position_kind, batch.operator_id) == (
            PushAction.FULL_LOAD,
            "line",
            None,
        )

    def test_decimal_commas_become_points(self) -> None:
        [evse] = records(read_bnetza(old_file(old_row(powers=("3,5",))), ABC))

        assert (evse.latitude, evse.longitude, evse.output_kw) == ("50.937417", "6.957069", "3.5")

    @pytest.mark.parametrize(
        ("plugs", "power", "power_type"),
        [
            ("AC Steckdose Typ 2", "22", "AC_3_PHASE"),
            ("AC Steckdose Typ 2", "3,7", "AC_1_PHASE"),
            ("AC Steckdose Typ 2, AC Schuko", "11", "AC_3_PHASE"),
            ("AC Schuko", "11", "AC_1_PHASE"),
            ("AC CEE 3 polig", "7,4", "AC_1_PHASE"),
            ("AC CEE 5 polig", "11", "AC_3_PHASE"),
            ("AC Kupplung Typ 1", "7,4", "AC_1_PHASE"),
            ("DC Kupplung Combo", "50", "DC"),
            ("DC CHAdeMO", "50", "DC"),
            ("AC Steckdose Typ 2, DC Kupplung Combo, DC CHAdeMO", "20", "DC"),
            ("Tesla", "120", "DC"),
            ("Tesla", "11", "AC_3_PHASE"),
            ("", "22", "AC_3_PHASE"),
        ],
    )
    def test_power_type(self, plugs: str, power: str, power_type: str) -> None:
        [evse] = records(read_bnetza(old_file(old_row("1", (plugs,), (power,))), ABC))

        assert evse.power_type == power_type

    @pytest.mark.parametrize(
        ("text", "plugs"),
        [
            ("AC Steckdose Typ 2", ("Type 2 Outlet",)),
            ("AC Kupplung Typ 2", ("Type 2 Connector (Cable Attached)",)),
            ("DC Kupplung Combo", ("CCS Combo 2 Plug (Cable Attached)",)),
            ("DC CHAdeMO", ("CHAdeMO",)),
            ("AC Schuko", ("Type F Schuko",)),
            ("AC CEE 5 polig", ("IEC 60309 Three Phase",)),
            ("AC CEE 3-polig", ("IEC 60309 Single Phase",)),
            ("AC Kupplung Typ 1", ("Type 1 Connector (Cable Attached)",)),
            ("Typ 1", ("Type 1 Connector (Cable Attached)",)),
            ("Tesla", ("Tesla Connector",)),
            (
                "DC Kupplung Combo; DC CHAdeMO",
                ("CCS Combo 2 Plug (Cable Attached)", "CHAdeMO"),
            ),
            ("AC Steckdose Typ 2,  ac schuko", ("Type 2 Outlet", "Type F Schuko")),
        ],
    )
    def test_plug_mapping(self, text: str, plugs: tuple[str, ...]) -> None:
        [evse] = records(read_bnetza(old_file(old_row("1", (f'"{text}"',), ("22",))), ABC))

        assert evse.plugs == plugs

    def test_an_unknown_plug_passes_through_for_the_domain_to_refuse(self) -> None:
        batch = read_bnetza(old_file(old_row("1", ("AC Mondstecker",), ("22",))), ABC)

        assert records(batch)[0].plugs == ("AC Mondstecker",)
        assert refusals(batch, SCOPE)[0].startswith("2: plug.unknown")

    def test_a_point_without_power_shares_the_device_power(self) -> None:
        row = old_row("2", ("AC Steckdose Typ 2", "DC Kupplung Combo"), ("", ""), device_power="93")

        assert [e.output_kw for e in records(read_bnetza(old_file(row), ABC))] == ["46.5", "46.5"]

    def test_points_beyond_the_columns_share_the_device_power(self) -> None:
        row = old_row("6", ("AC Steckdose Typ 2",), ("22",), device_power="132")

        evses = records(read_bnetza(old_file(row), ABC))

        assert [e.output_kw for e in evses] == ["22"] + ["22"] * 5
        assert [e.plugs for e in evses] == [("Type 2 Outlet",)] + [()] * 5
        assert [e.evse_id[-2:] for e in evses if e.evse_id] == [f"*{n}" for n in range(1, 7)]

    def test_filled_point_columns_count_when_the_stated_number_is_lower(self) -> None:
        row = old_row("1", ("AC Steckdose Typ 2", "AC Steckdose Typ 2"), ("22", "22"))

        assert len(records(read_bnetza(old_file(row), ABC))) == 2

    def test_the_points_of_a_device_share_its_station_id(self) -> None:
        row = old_row("2", ("AC Steckdose Typ 2", "AC Steckdose Typ 2"), ("22", "22"))

        first, second = records(read_bnetza(old_file(row), ABC))

        assert first.charging_station_id == second.charging_station_id
        assert first.evse_id != second.evse_id

    def test_identical_rows_get_distinct_ids(self) -> None:
        evses = records(read_bnetza(old_file(old_row(), old_row(), old_row()), ABC))

        assert len({e.evse_id for e in evses}) == 3
        assert len({e.charging_station_id for e in evses}) == 3

    def test_ids_do_not_depend_on_unrelated_rows(self) -> None:
        alone = records(read_bnetza(old_file(old_row(house="7")), ABC))
        among = records(read_bnetza(old_file(old_row(house="1"), old_row(house="7")), ABC))

        assert alone[0].evse_id == among[1].evse_id

    def test_ids_change_with_the_site(self) -> None:
        first = records(read_bnetza(old_file(old_row(date="01.02.21")), ABC))[0]
        later = records(read_bnetza(old_file(old_row(date="01.02.22")), ABC))[0]

        assert first.evse_id != later.evse_id

    def test_ids_belong_to_the_importing_operator(self) -> None:
        other = OperatorId.parse("DE*XYZ")

        [evse] = records(read_bnetza(old_file(old_row()), other))

        assert EvseId.parse(evse.evse_id or "").belongs_to(other)

    def test_numeric_operators_get_numeric_ids(self) -> None:
        numeric = OperatorId.parse("+49*810")
        batch = read_bnetza(old_file(old_row(), old_row()), numeric)

        ids = [EvseId.parse(e.evse_id or "") for e in records(batch)]

        assert all(evse_id.belongs_to(numeric) for evse_id in ids)
        assert len({evse_id.normalised for evse_id in ids}) == 2
        assert refusals(batch, OperatorScope(numeric)) == []

    def test_a_row_of_the_wrong_width_is_a_record_problem(self) -> None:
        short = "ABC Laden GmbH;Hohe Straße;2;;50667;Köln"
        batch = read_bnetza(old_file(old_row(), short, old_row(house="3")), ABC)

        [problem] = problems(batch)
        assert (problem.position, problem.position_kind, problem.code) == (
            3,
            "line",
            "bnetza.row.malformed",
        )
        assert "has 6 fields" in problem.message
        assert "26 were expected" in problem.message
        assert [item.position for item in batch.records] == [2, 4]

    def test_a_row_without_charging_points_is_a_record_problem(self) -> None:
        row = old_row("0", (), ())

        [problem] = problems(read_bnetza(old_file(row), ABC))

        assert (problem.position, problem.code, problem.field) == (
            2,
            "bnetza.row.no_charging_points",
            "Anzahl Ladepunkte",
        )

    def test_an_implausible_number_of_points_is_a_record_problem(self) -> None:
        [problem] = problems(read_bnetza(old_file(old_row("2000")), ABC))

        assert (problem.code, problem.field) == ("bnetza.row.malformed", "Anzahl Ladepunkte")
        assert "2000 charging points" in problem.message

    def test_a_number_of_points_too_long_for_an_integer_is_a_record_problem(self) -> None:
        [problem] = problems(read_bnetza(old_file(old_row("9" * 5000)), ABC))

        assert (problem.code, problem.field) == ("bnetza.row.malformed", "Anzahl Ladepunkte")

    @pytest.mark.parametrize("power", ["1e999999999", "-1e999999999", "1e-999999999"])
    def test_an_absurd_device_power_passes_through_for_the_domain_to_refuse(
        self, power: str
    ) -> None:
        row = old_row("2", ("AC Steckdose Typ 2",), ("",), device_power=power)

        evses = records(read_bnetza(old_file(row), ABC))

        assert len(evses) == 2
        assert refusals(read_bnetza(old_file(row), ABC), SCOPE)

    def test_lf_line_ends_and_no_bom_are_fine_too(self) -> None:
        text = "\n".join([OLD_HEADER, old_row(), old_row(house="2")])

        assert [item.position for item in read_bnetza(text, ABC).items] == [2, 3]


class TestNewLayout:
    def test_title_lines_are_skipped_and_register_ids_used(self) -> None:
        row = new_row(
            "1010338",
            "2",
            [
                ("AC Typ 2 Steckdose", "22", "DEAEWE002501"),
                ("AC Typ 2 Steckdose", "22", "DE*AEW*E002502"),
            ],
            "44",
        )
        text = "\ufeff" + NEW_TITLE + NEW_HEADER + "\r\n" + row + "\r\n"

        batch = read_bnetza(text, ABC)

        assert [item.position for item in batch.items] == [4, 4]
        first, second = records(batch)
        assert (first.evse_id, second.evse_id) == ("DEAEWE002501", "DE*AEW*E002502")
        assert first.charging_station_id == "1010338"
        assert (first.street, first.house_number, first.latitude) == (
            "Hauptstraße",
            "91c",
            "50.9375",
        )

    def test_several_plugs_and_powers_in_one_point(self) -> None:
        row = new_row(
            "1025458",
            "2",
            [
                ("AC Typ 2 Fahrzeugkupplung", "43", ""),
                ('"DC Fahrzeugkupplung Typ Combo 2 (CCS); DC CHAdeMO"', '"50; 50"', ""),
            ],
            "93",
        )

        ac, dc = records(read_bnetza(NEW_HEADER + "\n" + row, ABC))

        assert (ac.plugs, ac.power_type, ac.output_kw) == (
            ("Type 2 Connector (Cable Attached)",),
            "AC_3_PHASE",
            "43",
        )
        assert (dc.plugs, dc.power_type, dc.output_kw) == (
            ("CCS Combo 2 Plug (Cable Attached)", "CHAdeMO"),
            "DC",
            "50",
        )

    def test_different_powers_in_one_point_give_the_highest(self) -> None:
        slot = ('"DC Fahrzeugkupplung Typ Combo 2 (CCS); DC CHAdeMO"', '"150; 50"', "")

        [evse] = records(read_bnetza(NEW_HEADER + "\n" + new_row("1", "1", [slot], "150"), ABC))

        assert evse.output_kw == "150"

    def test_ids_are_generated_from_the_device_id_where_none_is_given(self) -> None:
        slots = [("AC Typ 2 Steckdose", "22", ""), ("AC Typ 2 Steckdose", "22", "DE*ABC*E77")]
        one = records(read_bnetza(NEW_HEADER + "\n" + new_row("42", "2", slots, "44"), ABC))
        moved = new_row("42", "2", slots, "44").replace("Hauptstraße", "Nebenstraße")
        two = records(read_bnetza(NEW_HEADER + "\n" + moved, ABC))

        assert one[0].evse_id is not None
        assert one[0].evse_id.startswith("DE*ABC*E")
        assert one[0].evse_id == two[0].evse_id
        assert one[1].evse_id == "DE*ABC*E77"

    def test_new_plug_names_map(self) -> None:
        slots = [
            ("AC Typ 1 Steckdose", "7,4", ""),
            ("AC CEE 5-polig", "22", ""),
            ("DC Tesla Fahrzeugkupplung (Typ 2)", "150", ""),
        ]

        evses = records(read_bnetza(NEW_HEADER + "\n" + new_row("9", "3", slots, "179,4"), ABC))

        assert [(e.plugs, e.power_type) for e in evses] == [
            (("Type 1 Connector (Cable Attached)",), "AC_1_PHASE"),
            (("IEC 60309 Three Phase",), "AC_3_PHASE"),
            (("Tesla Connector",), "DC"),
        ]
        assert (
            refusals(read_bnetza(NEW_HEADER + "\n" + new_row("9", "3", slots, "1"), ABC), SCOPE)
            == []
        )

    def test_the_megawatt_charging_system_is_an_unspecified_dc_plug(self) -> None:
        """The register lists MCS points (`DC Megawatt Charging System (MCS)`); OICP 2.3
        names no MCS plug."""
        slots = [("DC Megawatt Charging System (MCS)", "1000", "")]

        batch = read_bnetza(NEW_HEADER + "\n" + new_row("7", "1", slots, "1000"), ABC)

        [evse] = records(batch)
        assert (evse.plugs, evse.power_type, evse.output_kw) == (("Unspecified",), "DC", "1000")
        assert refusals(batch, SCOPE) == []


class TestHeaders:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "evse_id,charging_station_id,country\nDE*ABC*E1,S,DEU\n",
            "Betreiber;Straße;Ort\nABC;Hohe Straße;Köln\n",
        ],
        ids=["empty", "evsenet-csv", "too-few-columns"],
    )
    def test_a_file_without_a_register_header_is_refused(self, text: str) -> None:
        with pytest.raises(DomainError) as refused:
            read_bnetza(text, ABC)

        assert refused.value.code == "bnetza.header.unknown"

    def test_a_register_header_lacking_columns_names_them(self) -> None:
        header = OLD_HEADER.replace("Inbetriebnahmedatum;", "").replace("Anschlussleistung;", "")

        with pytest.raises(DomainError) as refused:
            read_bnetza(header + "\n", ABC)

        assert refused.value.code == "bnetza.header.unknown"
        assert "'Inbetriebnahmedatum'" in refused.value.message
        assert "'Anschlussleistung'" in refused.value.message

    def test_the_header_is_searched_in_the_first_lines_only(self) -> None:
        text = "Titel;;\n" * 25 + OLD_HEADER + "\n" + old_row()

        with pytest.raises(DomainError, match="No Ladesäulenregister header"):
            read_bnetza(text, ABC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50,937417", "50.937417"),
        (" 3,5 ", "3.5"),
        ("22", "22"),
        ("1.234,5", "1234.5"),
        ("6.97069", "6.97069"),
        ("", ""),
    ],
)
def test_decimal_point(text: str, expected: str) -> None:
    assert decimal_point(text) == expected
