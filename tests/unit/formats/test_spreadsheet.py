"""Cells a spreadsheet would evaluate: neutralised on export, restored or refused on import,
one definition for both."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.evse import EvseInput, EvseRecord, OperatorScope, validate_evse
from evsenet.domain.ids import OperatorId
from evsenet.formats import SourceRecord
from evsenet.formats.csv import COLUMNS, read_evse_csv
from evsenet.formats.csv_export import csv_cells, write_evse_csv
from evsenet.formats.spreadsheet import (
    FORMULA_STARTS,
    is_neutralised,
    may_hold_formula,
    neutralise,
    restore,
    would_evaluate,
)

SCOPE = OperatorScope(OperatorId.parse("+49*810"))
FORMULA_LIKE = st.text(st.sampled_from(sorted(FORMULA_STARTS | {"'", " ", "a", "1", "."})))


@pytest.mark.parametrize(
    ("cell", "evaluates"),
    [
        pytest.param("=1+1", True, id="equals"),
        pytest.param("+49*810*000*438", True, id="numeric-evse-id"),
        pytest.param("-2+3", True, id="minus"),
        pytest.param("@SUM(A1)", True, id="at"),
        pytest.param("\tx", True, id="tab"),
        pytest.param("\rx", True, id="carriage-return"),
        pytest.param("  =1+1", True, id="after-blanks"),
        pytest.param("\u3000=1", True, id="after-an-ideographic-space"),
        pytest.param("＝1+1", True, id="fullwidth-equals"),
        pytest.param("＋1", True, id="fullwidth-plus"),
        pytest.param("－1", True, id="fullwidth-minus"),
        pytest.param("＠x", True, id="fullwidth-at"),
        pytest.param("+5", True, id="plus-number"),
        pytest.param("-", True, id="a-lone-minus"),
        pytest.param("-73.997", False, id="negative-number"),
        pytest.param("-0", False, id="negative-zero"),
        pytest.param("Köln", False, id="text"),
        pytest.param("a=b", False, id="equals-inside"),
        pytest.param("'=1", False, id="neutralised"),
        pytest.param("", False, id="empty"),
    ],
)
def test_what_a_spreadsheet_would_evaluate(cell: str, evaluates: bool) -> None:
    assert would_evaluate(cell) is evaluates


@given(st.one_of(FORMULA_LIKE, st.text()))
def test_a_neutralised_cell_is_never_evaluated_and_is_restored_exactly(text: str) -> None:
    cell = neutralise(text)
    assert not would_evaluate(cell)
    assert restore(cell) == text
    assert is_neutralised(cell) is (cell != text)


@given(st.text())
def test_text_a_spreadsheet_would_not_evaluate_is_written_as_it_is(text: str) -> None:
    if not would_evaluate(text.lstrip("'")):
        assert neutralise(text) == text


def record(evse_id: str, **changes: str) -> EvseRecord:
    values = {
        "charging_station_id": "ST-1",
        "country": "DEU",
        "city": "Köln",
        "postal_code": "50667",
        "street": "Hohe Straße",
        "house_number": "1",
        "latitude": "50.936810",
        "longitude": "6.955860",
        "power_type": "DC",
        "output_kw": "150",
    }
    raw = EvseInput(evse_id, **{**values, **changes}, plugs=("CHAdeMO",))
    return validate_evse(raw, SCOPE)


FIELD_LIKE = st.text(
    st.sampled_from(sorted((FORMULA_STARTS - {"\t", "\r"}) | {"'", " ", "a", "1", "."}))
).filter(str.strip)
"""Formula-like text a text field may hold (no tab or carriage return, not blank)."""
TEXT_FIELDS = st.text(
    st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), min_size=1, max_size=10
).filter(lambda text: text.strip())


@given(
    st.fixed_dictionaries(
        {
            "charging_station_id": st.one_of(FIELD_LIKE, TEXT_FIELDS),
            "city": st.one_of(FIELD_LIKE, TEXT_FIELDS),
            "street": TEXT_FIELDS,
            "house_number": st.one_of(FIELD_LIKE, TEXT_FIELDS).map(lambda t: t[:10]),
        }
    )
)
def test_every_exported_record_reads_back_as_itself(changes: dict[str, str]) -> None:
    original = record("+49*810*000*438", **changes)
    text = "".join(write_evse_csv([original])).removeprefix("\ufeff")
    [item] = read_evse_csv(text).items
    assert isinstance(item, SourceRecord)
    assert validate_evse(item.evse, SCOPE) == original


def test_cells_follow_the_columns() -> None:
    cells = csv_cells(record("+49*810*000*438"))
    assert dict(zip(COLUMNS, cells, strict=True)) == {
        "evse_id": "'+49*810*000*438",
        "charging_station_id": "ST-1",
        "country": "DEU",
        "city": "Köln",
        "postal_code": "50667",
        "street": "Hohe Straße",
        "house_number": "1",
        "latitude": "50.936810",
        "longitude": "6.955860",
        "power_type": "DC",
        "output_kw": "150.00",
        "plugs": "CHAdeMO",
        "time_zone": "Europe/Berlin",
    }


@pytest.mark.parametrize(
    "cell",
    ["+49*810*000*438", "@home", "＝1+1", " -x", "+Stadt", "－1"],
)
def test_the_import_refuses_every_cell_a_spreadsheet_would_evaluate(cell: str) -> None:
    row = f"+49*810*000*1,{cell},DEU,Köln,50667,Hohe Straße,1,50.9,6.9,DC,150,CHAdeMO,"
    text = ",".join(COLUMNS) + "\n" + row.replace("+49*810*000*1", "49*810*000*1", 1) + "\n"
    [problem] = read_evse_csv(text).items
    assert not isinstance(problem, SourceRecord)
    assert (problem.code, problem.field) == ("csv.row.formula", "charging_station_id")
    assert f"'{cell.strip()}" in problem.message, "the message shows the neutralised form"


CELLS = st.lists(st.one_of(FORMULA_LIKE, st.text(max_size=5)), min_size=1, max_size=5)


@given(CELLS)
def test_the_quick_row_test_never_misses_a_cell_the_import_looks_at(cells: list[str]) -> None:
    needs_a_look = any(
        would_evaluate(cell.strip()) or cell.strip().startswith("'") for cell in cells
    )
    if needs_a_look:
        assert may_hold_formula(cells)
