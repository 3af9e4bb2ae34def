"""CSV export of EVSE lists on SQLite and PostgreSQL: the import format, re-imported
unchanged (real peer data and hostile text), spreadsheet formulas neutralised, filters."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.evse import EvseInput, EvseRecord, OperatorScope, validate_evse
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import Page, PushAction
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.formats.bnetza import read_bnetza
from evsenet.formats.csv import COLUMNS, read_evse_csv
from evsenet.formats.csv_export import write_evse_csv
from evsenet.formats.oicp import read_oicp_push_bytes
from evsenet.formats.spreadsheet import would_evaluate
from evsenet.services.inventory import evse_filter, export_evses, import_evses
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store

HUBJECT = Path("hubject-oicp/OICP-2.3/CPO_code_snippets/eRoamingPushEvseData.request.json")
BNETZA = Path("imke-schwenke-bachelor-seminar/Ladesaeulenregister.csv")


def exported(store: Store, operator: str, city: str | None = None) -> str:
    return "".join(write_evse_csv(export_evses(store, operator, evse_filter(city=city))))


def records(store: Store, operator: str) -> list[EvseRecord]:
    return list(export_evses(store, operator))


def assert_reimports_unchanged(store: Store, operator: str, count: int) -> None:
    """Export, import the file again (upsert): every EVSE unchanged, the records equal."""
    before = records(store, operator)
    assert len(before) == count
    text = exported(store, operator)
    batch = read_evse_csv(text.removeprefix("\ufeff"))
    assert [item.position for item in batch.records] == list(range(2, count + 2))
    summary = import_evses(store, operator, batch)
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, count)
    assert summary.rejected == []
    assert records(store, operator) == before
    scope = OperatorScope(
        OperatorId.parse(operator),
        frozenset(r.evse_id.operator for r in before),
    )
    assert [validate_evse(item.evse, scope) for item in batch.records] == before


@pytest.mark.peer_data
def test_hubjects_example_re_imports_unchanged(store: Store, peer_data: Path) -> None:
    register_operator(store, "DE*ABC", sub_operators=["DE*XYZ"])
    import_evses(store, "DE*ABC", read_oicp_push_bytes((peer_data / HUBJECT).read_bytes()))
    assert_reimports_unchanged(store, "DE*ABC", 1)


@pytest.mark.peer_data
def test_the_bnetza_extract_re_imports_unchanged(store: Store, peer_data: Path) -> None:
    register_operator(store, "DE*KOE")
    text = (peer_data / BNETZA).read_text("utf-8-sig")
    summary = import_evses(store, "DE*KOE", read_bnetza(text, OperatorId.parse("DE*KOE")))
    assert summary.inserted == 521
    assert_reimports_unchanged(store, "DE*KOE", 521)


def evse(evse_id: str, **changes: str) -> EvseInput:
    values = {
        "evse_id": evse_id,
        "charging_station_id": "ST-1",
        "country": "NLD",
        "city": "'s-Hertogenbosch",
        "postal_code": "5211",
        "street": "Markt",
        "house_number": "1",
        "latitude": "51.688690",
        "longitude": "5.303320",
        "power_type": "AC_3_PHASE",
        "output_kw": "22",
        "time_zone": "Europe/Amsterdam",
    }
    return EvseInput(**{**values, **changes}, plugs=("Type 2 Outlet",))


HOSTILE = [
    evse("+49*810*000*438", street='=HYPERLINK("http://x","y")'),
    evse("+49*810*000*439", city="+Stadt", charging_station_id="@home"),
    evse("+49*810*000*440", house_number="-5a", street="＝1+1", city="''=x"),
    evse("+49*810*000*441", street="Weg - Nord", city="Köln", longitude="-0.127758"),
    evse("+49*810*000*442", charging_station_id="'", street="＠mention", city="－Ort"),
    evse("+49*810*000*443", charging_station_id="-", street=" =SUM(A1)", city="＋"),
]


def test_formula_like_text_is_neutralised_and_re_imports_unchanged(store: Store) -> None:
    register_operator(store, "+49*810")
    items = [SourceRecord(i, raw) for i, raw in enumerate(HOSTILE)]
    import_evses(store, "+49*810", ParsedBatch(PushAction.UPSERT, "index", list(items)))
    text = exported(store, "+49*810")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows[0] == list(COLUMNS)
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if would_evaluate(cell)], "a spreadsheet would evaluate"
    assert rows[1][0] == "'+49*810*000*438"
    assert rows[1][5] == '\'=HYPERLINK("http://x","y")'
    assert rows[3][3] == "'''=x", "a text's own apostrophes are kept, one mark added"
    assert (rows[4][3], rows[4][8]) == ("Köln", "-0.127758"), "plain numbers stay numbers"
    assert rows[5][1] == "'", "a lone apostrophe is text"
    assert_reimports_unchanged(store, "+49*810", len(HOSTILE))


def test_the_export_applies_the_filters_and_the_order(store: Store) -> None:
    register_operator(store, "+49*810")
    items = [SourceRecord(i, raw) for i, raw in enumerate(HOSTILE)]
    import_evses(store, "+49*810", ParsedBatch(PushAction.UPSERT, "index", list(items)))
    text = exported(store, "+49*810", city="KÖLN")
    assert text.count("\r\n") == 2
    assert "+49*810*000*441" in text
    order = Page(sort="evse_id", descending=True)
    found = [r.evse_id.sent for r in export_evses(store, "+49*810", None, order)]
    assert found == sorted((raw.evse_id or "" for raw in HOSTILE), reverse=True)


def test_the_export_refuses_withdrawn_evses_pages_and_unknown_operators(store: Store) -> None:
    register_operator(store, "DE*ABC")
    with pytest.raises(DomainError) as caught:
        export_evses(store, "DE*ABC", evse_filter(include_withdrawn=True))
    assert caught.value.code == "export.withdrawn"
    with pytest.raises(DomainError) as caught:
        export_evses(store, "DE*ABC", paged=True)
    assert caught.value.code == "export.paged"
    with pytest.raises(NotFound):
        export_evses(store, "NL*EVN")


def test_the_export_is_read_lazily_in_chunks(store: Store) -> None:
    register_operator(store, "DE*ABC")
    raws = [evse(f"DE*ABC*E{n:04d}", country="DEU", time_zone="") for n in range(1201)]
    items = [SourceRecord(i, raw) for i, raw in enumerate(raws)]
    import_evses(store, "DE*ABC", ParsedBatch(PushAction.UPSERT, "index", list(items)))
    chunks = write_evse_csv(export_evses(store, "DE*ABC"))
    sizes = [chunk.count("\r\n") for chunk in chunks]
    assert sizes == [1, 500, 500, 201], "the header, then chunks of rows, never the whole file"
