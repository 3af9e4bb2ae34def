"""evsenet's own CSV format: header rules, physical line numbers, broken rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError, RecordProblem
from evsenet.domain.evse import EvseInput, OperatorScope, validate_evse
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction, validate_batch
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.formats.csv import COLUMNS, read_evse_csv

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "evses.csv"
EXCEL_EXAMPLE = ROOT / "docs" / "examples" / "evses-excel-de.csv"
ABC = OperatorScope(OperatorId.parse("DE*ABC"))
HEADER = ",".join(COLUMNS)
ROW = (
    "DE*ABC*E1001,STATION-1,DEU,Berlin,10115,Invalidenstraße,1,52.530000,13.380000,"
    "AC_3_PHASE,22,Type 2 Outlet,"
)
ROW_RECORD = EvseInput(
    evse_id="DE*ABC*E1001",
    charging_station_id="STATION-1",
    country="DEU",
    city="Berlin",
    postal_code="10115",
    street="Invalidenstraße",
    house_number="1",
    latitude="52.530000",
    longitude="13.380000",
    power_type="AC_3_PHASE",
    output_kw="22",
    plugs=("Type 2 Outlet",),
    time_zone=None,
)


def csv_text(*rows: str, header: str = HEADER, newline: str = "\n") -> str:
    return newline.join([header, *rows]) + newline


def row(evse_id: str) -> str:
    return ROW.replace("DE*ABC*E1001", evse_id)


def records(batch: ParsedBatch) -> list[SourceRecord]:
    return list(batch.records)


def problems(batch: ParsedBatch) -> list[RecordProblem]:
    return [item for item in batch.items if isinstance(item, RecordProblem)]


def header_error(text: str) -> DomainError:
    with pytest.raises(DomainError) as refused:
        read_evse_csv(text)
    return refused.value


class TestExample:
    def test_the_documented_example_reads_and_validates(self) -> None:
        batch = read_evse_csv(EXAMPLE.read_text("utf-8"))

        valid = [validate_evse(item.evse, ABC) for item in batch.records]

        assert len(batch.items) == len(valid) == 5
        assert {v.country for v in valid} == {"DEU", "NLD", "FRA"}
        assert {v.power_type.value for v in valid} >= {"AC_3_PHASE", "DC"}
        assert [item.position for item in batch.items] == [2, 3, 4, 5, 6]

    def test_the_german_spreadsheet_example_reads_as_the_same_records(self) -> None:
        excel = read_evse_csv(EXCEL_EXAMPLE.read_bytes().decode("utf-8-sig"))

        assert excel.items == read_evse_csv(EXAMPLE.read_text("utf-8")).items
        assert "examples/evses-excel-de.csv" in (ROOT / "docs" / "csv-format.md").read_text()

    def test_the_documentation_shows_the_example_header(self) -> None:
        doc = (ROOT / "docs" / "csv-format.md").read_text("utf-8")

        assert HEADER in doc
        assert all(f"`{column}`" in doc for column in COLUMNS)


class TestRows:
    def test_a_row_maps_every_column(self) -> None:
        batch = read_evse_csv(csv_text(ROW))

        assert batch.action is PushAction.UPSERT
        assert batch.position_kind == "line"
        assert batch.operator_id is None
        assert batch.items == [SourceRecord(2, ROW_RECORD)]

    def test_the_action_is_the_callers(self) -> None:
        assert read_evse_csv(csv_text(ROW), PushAction.FULL_LOAD).action is PushAction.FULL_LOAD

    def test_values_are_trimmed_and_empty_cells_are_none(self) -> None:
        text = csv_text(
            " DE*ABC*E1001 , STATION-1 ,DEU, Berlin ,,Invalidenstraße,, 52.53 ,13.38,DC,50,,"
        )

        evse = records(read_evse_csv(text))[0].evse

        assert (evse.evse_id, evse.charging_station_id, evse.city) == (
            "DE*ABC*E1001",
            "STATION-1",
            "Berlin",
        )
        assert (evse.postal_code, evse.house_number, evse.latitude) == (None, None, "52.53")
        assert evse.plugs == ()

    def test_plugs_are_split_at_bars_and_get_oicp_letter_case(self) -> None:
        text = csv_text(ROW.replace("Type 2 Outlet", "type 2 outlet | CHAdeMO||Moon Plug"))

        assert records(read_evse_csv(text))[0].evse.plugs == (
            "Type 2 Outlet",
            "CHAdeMO",
            "Moon Plug",
        )

    def test_a_time_zone_column_is_read(self) -> None:
        text = csv_text(ROW.replace("Type 2 Outlet,", "Type 2 Outlet,Europe/Berlin"))

        assert records(read_evse_csv(text))[0].evse.time_zone == "Europe/Berlin"

    def test_blank_lines_and_empty_rows_are_skipped_but_counted(self) -> None:
        text = csv_text(row("DE*ABC*E1"), "", ",,,,,,,,,,,,", " ", row("DE*ABC*E2"))

        batch = read_evse_csv(text)

        assert [(item.position, item.evse.evse_id) for item in records(batch)] == [
            (2, "DE*ABC*E1"),
            (6, "DE*ABC*E2"),
        ]
        assert problems(batch) == []

    def test_bom_and_crlf_are_accepted(self) -> None:
        text = "\ufeff" + csv_text(row("DE*ABC*E1"), row("DE*ABC*E2"), newline="\r\n")

        batch = read_evse_csv(text)

        assert [item.evse.evse_id for item in records(batch)] == ["DE*ABC*E1", "DE*ABC*E2"]
        assert records(batch)[1].evse.time_zone is None

    def test_a_quoted_field_may_span_lines_and_lines_stay_physical(self) -> None:
        spanning = row("DE*ABC*E2").replace("Invalidenstraße", '"Invaliden-\nstraße"')
        text = csv_text(row("DE*ABC*E1"), spanning, row("DE*ABC*E3"), newline="\r\n")

        batch = read_evse_csv(text)

        assert [item.position for item in batch.items] == [2, 3, 5]
        assert records(batch)[1].evse.street == "Invaliden-\nstraße"

    def test_every_record_of_a_clean_file_validates(self) -> None:
        text = csv_text(*(row(f"DE*ABC*E{n}") for n in range(1, 51)))

        validated = validate_batch(read_evse_csv(text), ABC)

        assert len(validated.records) == 50
        assert validated.problems == []


class TestLineNumbers:
    @given(
        st.lists(
            st.tuples(st.sampled_from(["row", "blank", "empty-cells", "spanning"]), st.booleans()),
            max_size=12,
        ),
        st.booleans(),
    )
    @settings(max_examples=150, deadline=None)
    def test_each_record_is_numbered_by_the_physical_line_it_starts_on(
        self, layout: list[tuple[str, bool]], bom: bool
    ) -> None:
        """Any mix of CRLF and LF, blank lines and quoted fields spanning lines."""
        text, line, expected = ("\ufeff" if bom else "") + HEADER + "\n", 2, []
        for number, (kind, crlf) in enumerate(layout):
            end = "\r\n" if crlf else "\n"
            evse_id = f"DE*ABC*E{number}"
            if kind == "row":
                expected.append((line, evse_id))
                text, line = text + row(evse_id) + end, line + 1
            elif kind == "spanning":
                expected.append((line, evse_id))
                street = f'"Invaliden-{end}straße{end}Hof"'
                text += row(evse_id).replace("Invalidenstraße", street) + end
                line += 3
            else:
                text, line = text + ("" if kind == "blank" else "," * 12) + end, line + 1

        batch = read_evse_csv(text)

        assert [(item.position, item.evse.evse_id) for item in records(batch)] == expected
        assert problems(batch) == []

    def test_bare_carriage_returns_end_lines_too(self) -> None:
        """Excel for the classic Mac OS ended lines with CR alone."""
        spanning = row("DE*ABC*E2").replace("Invalidenstraße", '"Invaliden-\rstraße"')
        text = csv_text(row("DE*ABC*E1"), "", spanning, row("DE*ABC*E3"), newline="\r")

        assert [item.position for item in read_evse_csv(text).items] == [2, 4, 6]

    def test_a_malformed_row_after_a_spanning_one_names_its_own_line(self) -> None:
        spanning = row("DE*ABC*E1").replace("Invalidenstraße", '"Invaliden-\r\nstraße"')
        text = csv_text(spanning, "", ROW + ",extra", newline="\r\n")

        [problem] = problems(read_evse_csv("\ufeff" + text))

        assert problem.position == 5


class TestSpreadsheets:
    def test_a_semicolon_file_with_decimal_commas_reads_like_the_documented_one(self) -> None:
        """German-language Excel saves CSV with `;` between cells and decimal commas."""
        german = ROW.replace(",", ";").replace("52.530000;13.380000", "52,530000;13,380000")
        text = "\ufeff" + csv_text(german, header=HEADER.replace(",", ";"), newline="\r\n")

        assert read_evse_csv(text).items == [SourceRecord(2, ROW_RECORD)]

    def test_decimal_commas_in_a_semicolon_file_cover_every_number(self) -> None:
        german = ROW.replace(",", ";").replace(";22;", ";3,7;")

        [item] = records(read_evse_csv(csv_text(german, header=HEADER.replace(",", ";"))))

        assert (item.evse.latitude, item.evse.output_kw) == ("52.530000", "3.7")

    def test_a_comma_file_keeps_numbers_as_written(self) -> None:
        quoted = ROW.replace(",22,", ',"22,5",')

        [item] = records(read_evse_csv(csv_text(quoted)))

        assert item.evse.output_kw == "22,5"

    def test_unnamed_columns_a_spreadsheet_adds_are_ignored(self) -> None:
        text = csv_text(ROW + ",,", ",,,,,,,,,,,,,,", header=HEADER + ",,")

        assert read_evse_csv(text).items == [SourceRecord(2, ROW_RECORD)]

    def test_a_value_in_an_unnamed_column_is_a_record_problem(self) -> None:
        batch = read_evse_csv(csv_text(ROW + ",,note", header=HEADER + ",,"))

        [problem] = problems(batch)
        assert (problem.position, problem.code, problem.evse_id) == (
            2,
            "csv.row.malformed",
            "DE*ABC*E1001",
        )
        assert "column 15" in problem.message

    def test_text_kept_as_text_by_a_formula_is_read_as_its_text(self) -> None:
        """`="01067"` keeps a leading zero from Excel's number conversion."""
        text = csv_text(ROW.replace(",10115,", ',="01067",').replace(",1,", ',"=""1a""",'))

        [item] = records(read_evse_csv(text))

        assert (item.evse.postal_code, item.evse.house_number) == ("01067", "1a")

    @pytest.mark.parametrize("cell", ["=A2*2", " =SUM(K2:K3)", '"=HYPERLINK(""http://x"")"'])
    def test_a_formula_is_a_record_problem(self, cell: str) -> None:
        formula = ROW.replace(",22,", f",{cell},")
        batch = read_evse_csv(csv_text(row("DE*ABC*E1"), formula, row("DE*ABC*E3")))

        [problem] = problems(batch)
        assert (problem.position, problem.code, problem.field, problem.evse_id) == (
            3,
            "csv.row.formula",
            "output_kw",
            "DE*ABC*E1001",
        )
        assert [item.position for item in batch.records] == [2, 4]


class TestMalformedRows:
    @pytest.mark.parametrize(
        ("broken", "found"),
        [(ROW.removesuffix(","), 12), (ROW + ",extra", 14)],
        ids=["too-few", "too-many"],
    )
    def test_a_row_of_the_wrong_width_is_a_record_problem(self, broken: str, found: int) -> None:
        batch = read_evse_csv(csv_text(row("DE*ABC*E1"), broken, row("DE*ABC*E3")))

        [problem] = problems(batch)
        assert (problem.position, problem.position_kind, problem.code, problem.field) == (
            3,
            "line",
            "csv.row.malformed",
            "record",
        )
        assert problem.evse_id == "DE*ABC*E1001"
        assert f"has {found} fields" in problem.message
        assert "13 were expected" in problem.message
        assert [item.position for item in batch.records] == [2, 4]

    def test_a_stray_quote_is_a_record_problem_and_reading_goes_on(self) -> None:
        stray = ROW.replace("STATION-1", '"STATION "3"')
        batch = read_evse_csv(csv_text(row("DE*ABC*E1"), stray, row("DE*ABC*E3")))

        [problem] = problems(batch)
        assert (problem.position, problem.code) == (3, "csv.row.malformed")
        assert "cannot be read as CSV" in problem.message
        assert [item.position for item in batch.records] == [2, 4]

    def test_an_unclosed_quote_runs_to_the_end_and_says_so(self) -> None:
        unclosed = ROW.replace("STATION-1", '"STATION-1')
        batch = read_evse_csv(csv_text(row("DE*ABC*E1"), unclosed, row("DE*ABC*E3")))

        [problem] = problems(batch)
        assert (problem.position, problem.code) == (3, "csv.row.malformed")
        assert "never closed" in problem.message
        assert [item.position for item in batch.records] == [2]

    def test_an_unclosed_quote_on_the_header_refuses_the_file(self) -> None:
        assert header_error('"evse_id,' + HEADER + "\n" + ROW).code == "csv.header.malformed"


class TestHeader:
    def test_names_are_matched_ignoring_case_blanks_and_hyphens(self) -> None:
        header = HEADER.replace("evse_id", "EVSE ID").replace("output_kw", "Output-KW")
        header = header.replace("country", " Country ")

        assert read_evse_csv(csv_text(ROW, header=header)).items == [SourceRecord(2, ROW_RECORD)]

    def test_columns_may_come_in_any_order(self) -> None:
        header = "plugs,evse_id," + HEADER.replace("evse_id,", "").replace(",plugs", "")
        reordered = "Type 2 Outlet,DE*ABC*E1001," + ROW.replace("DE*ABC*E1001,", "").replace(
            ",Type 2 Outlet", ""
        )

        assert read_evse_csv(csv_text(reordered, header=header)).items == [
            SourceRecord(2, ROW_RECORD)
        ]

    def test_the_time_zone_column_is_optional(self) -> None:
        header = HEADER.removesuffix(",time_zone")

        batch = read_evse_csv(csv_text(ROW.removesuffix(","), header=header))

        assert batch.items == [SourceRecord(2, ROW_RECORD)]

    def test_an_unknown_column_refuses_the_file_and_is_named(self) -> None:
        error = header_error(csv_text(ROW + ",x", header=HEADER + ",operator_note"))

        assert error.code == "csv.header.unknown_column"
        assert "'operator_note'" in error.message

    def test_a_misspelt_column_is_unknown_not_ignored(self) -> None:
        error = header_error(csv_text(ROW, header=HEADER.replace("latitude", "lattitude")))

        assert error.code == "csv.header.unknown_column"
        assert "'lattitude'" in error.message

    def test_missing_columns_are_named(self) -> None:
        header = HEADER.replace("city,", "").replace("plugs,", "")

        error = header_error(csv_text(header=header))

        assert error.code == "csv.header.missing_column"
        assert "'city'" in error.message
        assert "'plugs'" in error.message

    def test_a_column_named_twice_refuses_the_file(self) -> None:
        error = header_error(csv_text(header=HEADER + ",City"))

        assert error.code == "csv.header.duplicate_column"

    @pytest.mark.parametrize("text", ["", "\ufeff", "\n\n", "\r\n"])
    def test_an_empty_file_has_no_header(self, text: str) -> None:
        assert header_error(text).code == "csv.header.missing"

    def test_a_header_only_file_has_no_records(self) -> None:
        assert read_evse_csv(HEADER + "\n").items == []
