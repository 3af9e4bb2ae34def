"""Every reader, fed anything: a ParsedBatch or a DomainError, never another exception.

Hypothesis feeds arbitrary bytes, register-shaped text with hostile cells and JSON trees
in the OICP vocabulary; the real files of ../shared/peer-data are read in every format.
The batches that come out are validated too, so that no text a reader lets through can
crash the domain rules either.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError, InvalidRecord
from evsenet.domain.evse import EvseInput, OperatorScope, validate_evse
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import validate_batch
from evsenet.formats import ParsedBatch
from evsenet.formats.afdc import COLUMNS as AFDC_COLUMNS
from evsenet.formats.csv import COLUMNS as CSV_COLUMNS
from evsenet.formats.files import FileFormat, guess_format, read_file
from evsenet.formats.oicp import read_oicp_push, read_oicp_push_bytes

HUBJECT_PUSH = Path("hubject-oicp/OICP-2.3/CPO_code_snippets/eRoamingPushEvseData.request.json")
OPERATORS = (OperatorId.parse("DE*ABC"), OperatorId.parse("+49*810"))
SUB_OPERATORS = frozenset({"DEXYZ"})
"""Hubject's example pushes `DE*XYZ*ETEST1` as `DE*ABC`."""
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
BNETZA_HEADER = (
    "Ladeeinrichtungs-ID;Betreiber;Anzahl Ladepunkte;Nennleistung Ladeeinrichtung [kW];"
    "Inbetriebnahmedatum;Straße;Hausnummer;Adresszusatz;Postleitzahl;Ort;Breitengrad;"
    "Längengrad;Steckertypen1;Nennleistung Stecker1;EVSE-ID1;Steckertypen2;P2 [kW];EVSE ID2"
)
TEMPLATES = {
    FileFormat.CSV: (
        ",".join(CSV_COLUMNS),
        "DE*ABC*E1,S1,DEU,Köln,50667,Hohe Straße,1,50.93,6.95,AC_3_PHASE,22,Type 2 Outlet,",
        ",",
    ),
    FileFormat.BNETZA: (
        BNETZA_HEADER,
        "42;ABC;2;44;01.02.21;Hohe Straße;1;;50667;Köln;50,93;6,95;AC Steckdose Typ 2;;;"
        "DC Kupplung Combo;50;",
        ";",
    ),
    FileFormat.AFDC: (
        ",".join(AFDC_COLUMNS),
        "1001,ELEC,1 Main St,New York,NY,10001,40.75,-73.99,J1772 J1772COMBO,1,2,1",
        ",",
    ),
}
"""(header, a valid row, delimiter) of each tabular format."""
HOSTILE_CELLS = [
    "",
    " ",
    '"',
    '""',
    "\n",
    "\r\n",
    "\x00",
    "\u2028",
    "\ufeff",
    "_x000D_",
    "ELEC",
    "DE*ABC*E1",
    "+49*810*1",
    "DEU",
    "NY",
    "TX",
    "PR",
    "AC_3_PHASE",
    "DC",
    "22",
    "3,7",
    "1.234,5",
    "1e999999999",
    "-1e999999999",
    "NaN",
    "sNaN",
    "Infinity",
    "9" * 5000,
    "٣",
    "²",
    "0099",
    "AC Schuko; DC CHAdeMO",
    "Tesla",
    "J1772 TESLA NEMA520",
    "=A1",
    '="0123"',
    "Europe/Berlin",
    "../../etc/passwd",
    "x" * 200,
]
cells = st.one_of(*[st.sampled_from(HOSTILE_CELLS)] * 3, st.text(max_size=6))
HOSTILE_JSON: list[Any] = [
    None,
    True,
    0,
    -1,
    10**400,
    1e308,
    float("nan"),
    "",
    " ",
    "\ud800",
    "NaN",
    "9" * 5000,
    [],
    [None],
    {},
    {"Google": None},
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["DE*ABC*E1", "52°28'49.78''", "52.5 13.4", "UTC+01:00", "\ud800"])
)
OICP_KEYS = [
    "ActionType",
    "OperatorEvseData",
    "OperatorID",
    "EvseDataRecord",
    "EvseID",
    "ChargingStationID",
    "Address",
    "Country",
    "City",
    "TimeZone",
    "TimeZoneIANA",
    "GeoCoordinates",
    "Google",
    "Coordinates",
    "DecimalDegree",
    "DegreeMinuteSeconds",
    "Latitude",
    "Longitude",
    "ChargingFacilities",
    "Power",
    "PowerType",
    "Plugs",
]
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(OICP_KEYS) | st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


def settle(data: bytes, kind: FileFormat, operator: OperatorId) -> None:
    """Read and validate; a DomainError is a clean refusal, anything else propagates."""
    try:
        batch = read_file(data, kind, operator)
    except DomainError:
        return
    validate(batch, operator)


def validate(batch: ParsedBatch, operator: OperatorId) -> None:
    """Validate the batch; the texts of its valid records must be storable as UTF-8."""
    try:
        validated = validate_batch(batch, OperatorScope(operator, SUB_OPERATORS))
    except DomainError:
        return
    for valid in validated.records:
        texts = [v for v in valid.record if isinstance(v, str)] + list(valid.record.plugs)
        for text in texts:
            text.encode()


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(list(FileFormat)))
def test_arbitrary_bytes_in_any_format(data: bytes, kind: FileFormat) -> None:
    guess_format("upload", data)
    settle(data, kind, OPERATORS[0])


@FUZZ
@given(
    st.sampled_from(sorted(TEMPLATES)),
    st.lists(st.tuples(st.integers(0, 17), cells), min_size=1, max_size=4),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(OPERATORS),
)
def test_a_valid_row_with_hostile_cells(
    kind: FileFormat, changes: list[tuple[int, str]], newline: str, operator: OperatorId
) -> None:
    header, row, delimiter = TEMPLATES[kind]
    values = row.split(delimiter)
    for position, value in changes:
        values[position % len(values)] = value

    settle(newline.join([header, delimiter.join(values), row]).encode(), kind, operator)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_hostile_cell_in_every_column(kind: FileFormat) -> None:
    header, row, delimiter = TEMPLATES[kind]
    values = row.split(delimiter)
    for position in range(len(values)):
        for cell in HOSTILE_CELLS:
            changed = [*values[:position], cell, *values[position + 1 :]]
            for operator in OPERATORS:
                settle(f"{header}\n{delimiter.join(changed)}\n".encode(), kind, operator)


def leaf_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON tree, to objects and arrays as well as to scalars."""
    children: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    found = [path] if path else []
    for key, child in children:
        found += leaf_paths(child, (*path, key))
    return found


@pytest.mark.peer_data
def test_every_hostile_json_value_in_every_field_of_hubjects_example(peer_data: Path) -> None:
    body = json.loads((peer_data / HUBJECT_PUSH).read_text("utf-8"))
    for path in leaf_paths(body):
        for value in HOSTILE_JSON:
            mutated = copy.deepcopy(body)
            parent: Any = mutated
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = value
            try:
                batch = read_oicp_push_bytes(json.dumps(mutated).encode())
            except DomainError:
                continue
            validate(batch, OPERATORS[0])


@FUZZ
@given(json_values)
def test_arbitrary_json_as_an_oicp_body(body: Any) -> None:
    try:
        batch = read_oicp_push_bytes(json.dumps(body).encode())
    except DomainError:
        return
    validate(batch, OPERATORS[0])


@pytest.mark.peer_data
@FUZZ
@given(st.data())
def test_hubjects_example_with_any_field_replaced(peer_data: Path, data: st.DataObject) -> None:
    body = json.loads((peer_data / HUBJECT_PUSH).read_text("utf-8"))
    mutated = copy.deepcopy(body)
    node: Any = mutated
    for _ in range(data.draw(st.integers(1, 5))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = data.draw(st.integers(0, len(node) - 1))
        else:
            break
        parent, node = node, node[key]
    parent[key] = data.draw(json_values)

    try:
        batch = read_oicp_push(mutated)
    except DomainError:
        return
    validate(batch, OPERATORS[0])


@pytest.mark.peer_data
def test_every_peer_data_file_is_read_or_refused_cleanly_in_every_format(
    peer_data: Path,
) -> None:
    files = sorted(p for p in peer_data.rglob("*") if p.suffix in {".json", ".csv"})
    guessed = {}
    for path in files:
        data = path.read_bytes()
        guessed[path.relative_to(peer_data).as_posix()] = guess_format(path.name, data)
        for kind in FileFormat:
            settle(data, kind, OPERATORS[0])

    assert len(files) > 100
    assert guessed["imke-schwenke-bachelor-seminar/Ladesaeulenregister.csv"] is FileFormat.BNETZA
    assert guessed["jingniz-ev-charging/alt_fuel_stations.csv"] is FileFormat.AFDC
    assert guessed[HUBJECT_PUSH.as_posix()] is FileFormat.OICP


VALID = EvseInput(
    evse_id="DE*ABC*E1",
    charging_station_id="S1",
    country="DEU",
    city="Köln",
    street="Hohe Straße",
    latitude="50.9",
    longitude="6.9",
    power_type="DC",
    output_kw="50",
)
"""A valid record, as every reader hands them over: text."""


def test_the_domain_refuses_text_no_database_can_store() -> None:
    with pytest.raises(InvalidRecord) as refused:
        validate_evse(replace(VALID, city="K\udcf6ln"), OperatorScope(OPERATORS[0]))
    assert refused.value.code == "city.control_character"


@pytest.mark.parametrize(("field", "text"), [("latitude", "5_0.9"), ("output_kw", "2_2")])
def test_the_domain_refuses_numbers_written_with_underscores(field: str, text: str) -> None:
    changed: dict[str, Any] = {field: text}
    with pytest.raises(InvalidRecord):
        validate_evse(replace(VALID, **changed), OperatorScope(OPERATORS[0]))
