"""US DOE/NREL Alternative Fuels Data Center (AFDC) station exports → EVSEs.

The export is a `,`-separated UTF-8 CSV (with a BOM) of fuel stations, one row each.
Rows whose `Fuel Type Code` is not `ELEC` (CNG, E85, LPG…) are not charging points: they
are skipped and yield neither a record nor a problem.

Each charging point becomes one EVSE: `EV Level1 EVSE Num` points, then `EV Level2 EVSE
Num`, then `EV DC Fast Count`. The export gives no power, so each level gets a nominal
output:

| level    | power type | output  | why                                          |
|----------|------------|---------|----------------------------------------------|
| Level 1  | AC_1_PHASE | 1.9 kW  | 120 V, 16 A                                  |
| Level 2  | AC_1_PHASE | 7.2 kW  | 240 V split-phase (single phase), 30 A       |
| DC fast  | DC         | 50 kW   | the classic DC fast charger                  |

EVSE IDs are generated for the importing operator as `<operator>*E<AFDC ID>*<nnn>`,
numbering the station's points 001… in the order above. The number keeps three digits
because ID comparison ignores `*`: station 4417's point 41 would otherwise be the same
EVSE as station 44174's point 1; a station listing more than 999 points is refused. The
charging station ID is the AFDC ID. (A station that gains a Level 2 point in a later
export renumbers its DC points, so their IDs then name other charging points.)

Address: `Street Address` → street (AFDC writes the house number into it, so
house_number stays empty), `City`, `ZIP`, `Country` (US or CA; US territories in `State`,
such as PR and GU, become their own ISO 3166 countries), `Latitude`, `Longitude`.

Time zone: derived from `State` where the whole state (or province) keeps one clock;
states split between zones (TX, FL, IN, KY, TN, MI, ND, SD, NE, KS, OR, ID, AK, and AZ
for the Navajo Nation's daylight saving time) get none, so the domain refuses their
records with `time_zone.required` unless the `time_zone` argument names one zone for the
whole file.

Connectors (`EV Connector Types`, blank-separated) map onto OICP plugs: J1772 → Type 1,
J1772COMBO → CCS Combo 1, CHADEMO → CHAdeMO, TESLA/NACS/J3400 → Tesla Connector, NEMA520
→ NEMA 5-20, NEMA515 and NEMA1450 → Unspecified. Each connector goes to the points of the
first level in its preference the station has:

| connector                 | goes to                                  |
|---------------------------|------------------------------------------|
| J1772                     | Level 1 and 2                            |
| NEMA515, NEMA520 (120 V)  | Level 1, else Level 1 and 2              |
| NEMA1450 (240 V)          | Level 2, else Level 1 and 2              |
| J1772COMBO, CHADEMO       | DC                                       |
| TESLA, NACS, J3400        | DC, else Level 1 and 2                   |

Unknown connector text passes through to every point for the domain to refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from evsenet.domain.errors import DomainError, RecordProblem
from evsenet.domain.evse import EvseInput, PowerType
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction
from evsenet.domain.text import ascii_upper
from evsenet.formats import ParsedBatch, ParsedItem, SourceRecord
from evsenet.formats._tabular import (
    LINE,
    TabularRow,
    generated_evse_id,
    header_names,
    iter_rows,
    missing_columns_error,
    one_line,
    row_width_problem,
    text_or_none,
)

ROW_MALFORMED = "afdc.row.malformed"
NO_CHARGING_POINTS = "afdc.row.no_charging_points"
ELECTRIC = "ELEC"
DEFAULT_COUNTRY = "US"
MAX_POINTS_PER_STATION = 999
"""Point numbers have three digits (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class _Level:
    """A charging level of the export: its count column and nominal power."""

    column: str
    power_type: str
    output_kw: str


LEVELS = (
    _Level("EV Level1 EVSE Num", PowerType.AC_1_PHASE.value, "1.9"),
    _Level("EV Level2 EVSE Num", PowerType.AC_1_PHASE.value, "7.2"),
    _Level("EV DC Fast Count", PowerType.DC.value, "50"),
)

COLUMNS = (
    "ID",
    "Fuel Type Code",
    "Street Address",
    "City",
    "State",
    "ZIP",
    "Latitude",
    "Longitude",
    "EV Connector Types",
    *(level.column for level in LEVELS),
)
"""Columns the reader needs; `Country` is optional (US where absent)."""

_LEVEL_1, _LEVEL_2, _DC = (0,), (1,), (2,)
_AC = (0, 1)
_TESLA = ("Tesla Connector", (_DC, _AC))
_CONNECTORS: dict[str, tuple[str, tuple[tuple[int, ...], ...]]] = {
    "J1772": ("Type 1 Connector (Cable Attached)", (_AC,)),
    "NEMA515": ("Unspecified", (_LEVEL_1, _AC)),
    "NEMA520": ("NEMA 5-20", (_LEVEL_1, _AC)),
    "NEMA1450": ("Unspecified", (_LEVEL_2, _AC)),
    "J1772COMBO": ("CCS Combo 1 Plug (Cable Attached)", (_DC,)),
    "CHADEMO": ("CHAdeMO", (_DC,)),
    "TESLA": _TESLA,
    "NACS": _TESLA,
    "J3400": _TESLA,
}
"""AFDC connector → OICP plug, and the levels (indexes into LEVELS) it serves, in order
of preference: the first the station has points at gets it, else the last."""
_UNKNOWN_CONNECTOR_LEVELS = ((*_AC, *_DC),)


_SINGLE_CLOCK_REGIONS: tuple[tuple[str, str, str], ...] = (
    ("US", "America/New_York", "CT DC DE GA MA MD ME NC NH NJ NY OH PA RI SC VA VT WV"),
    ("US", "America/Chicago", "AL AR IA IL LA MN MO MS OK WI"),
    ("US", "America/Denver", "CO MT NM UT WY"),
    ("US", "America/Los_Angeles", "CA NV WA"),
    ("US", "Pacific/Honolulu", "HI"),
    ("US", "America/Puerto_Rico", "PR"),
    ("US", "America/St_Thomas", "VI"),
    ("US", "Pacific/Guam", "GU"),
    ("US", "Pacific/Saipan", "MP"),
    ("US", "Pacific/Pago_Pago", "AS"),
    ("CA", "America/Edmonton", "AB"),
    ("CA", "America/Winnipeg", "MB"),
    ("CA", "America/Moncton", "NB"),
    ("CA", "America/Halifax", "NS PE"),
    ("CA", "America/Whitehorse", "YT"),
)
"""(country, IANA zone, states) for the states and provinces that keep a single clock."""

_STATE_ZONES = {
    (country, state): zone
    for country, zone, states in _SINGLE_CLOCK_REGIONS
    for state in states.split()
}

_TERRITORIES = frozenset({"PR", "VI", "GU", "MP", "AS"})
"""US territories that ISO 3166 lists as countries of their own."""


@dataclass(frozen=True, slots=True)
class _Columns:
    width: int
    where: dict[str, int]
    country: int | None


def read_afdc(
    text: str,
    operator: OperatorId,
    action: PushAction = PushAction.UPSERT,
    *,
    time_zone: str | None = None,
) -> ParsedBatch:
    """Read an AFDC station export into one raw EVSE record per electric charging point.

    `time_zone` names the IANA zone of every station in the file, overriding the zone
    derived from the state. Raises DomainError `afdc.header.missing` or
    `afdc.header.missing_column`; a row of the wrong width or with an unreadable count or
    no ID becomes RecordProblem `afdc.row.malformed`, an electric station without any
    charging point `afdc.row.no_charging_points`.
    """
    rows = iter_rows(text, ",")
    header = next(rows, None)
    if header is None or header.error is not None:
        raise DomainError("afdc.header.missing", "The AFDC export has no header row")
    columns = _columns(header.cells)
    zone = text_or_none(time_zone or "")
    items: list[ParsedItem] = []
    for row in rows:
        if row.error is not None or len(row.cells) != columns.width:
            items.append(row_width_problem(row, columns.width, ROW_MALFORMED))
        elif row.cells[columns.where["Fuel Type Code"]].strip().upper() == ELECTRIC:
            items.extend(_station(row, columns, operator, zone))
    return ParsedBatch(action, LINE, items)


def _columns(cells: Sequence[str]) -> _Columns:
    names = header_names(cells)
    where = {name: position for position, name in enumerate(names)}
    missing = [column for column in COLUMNS if column not in where]
    if missing:
        raise missing_columns_error("afdc.header.missing_column", "AFDC export", missing)
    return _Columns(len(names), where, where.get("Country"))


def _station(
    row: TabularRow, columns: _Columns, operator: OperatorId, zone: str | None
) -> list[ParsedItem]:
    """The EVSEs of one electric station, one per charging point."""

    def cell(column: str) -> str:
        return one_line(row.cells[columns.where[column]])

    station_id = cell("ID")
    if not station_id:
        return [_problem(row, "ID", ROW_MALFORMED, f"Line {row.line} has no station ID")]
    counts = _counts(row, cell)
    if isinstance(counts, RecordProblem):
        return [counts]
    country = (cell("Country") if columns.country is not None else "") or DEFAULT_COUNTRY
    # Codes change case only when ASCII: `"ß".upper()` is `SS` (South Sudan's alpha-2).
    country, state = ascii_upper(country) or country, ascii_upper(cell("State")) or ""
    plugs = _connectors(cell("EV Connector Types"), counts)
    base = EvseInput(
        evse_id=None,
        charging_station_id=station_id,
        country=state if country == "US" and state in _TERRITORIES else country,
        city=cell("City") or None,
        postal_code=cell("ZIP") or None,
        street=cell("Street Address") or None,
        latitude=cell("Latitude") or None,
        longitude=cell("Longitude") or None,
        time_zone=zone or _STATE_ZONES.get((country, state)),
    )
    points = [
        (level, plugs[index])
        for index, (level, count) in enumerate(zip(LEVELS, counts, strict=True))
        for _ in range(count)
    ]
    return [
        SourceRecord(
            row.line,
            replace(
                base,
                evse_id=generated_evse_id(operator, station_id, f"{number:03d}"),
                power_type=level.power_type,
                output_kw=level.output_kw,
                plugs=level_plugs,
            ),
        )
        for number, (level, level_plugs) in enumerate(points, 1)
    ]


def _counts(row: TabularRow, cell: Callable[[str], str]) -> list[int] | RecordProblem:
    """The station's number of points at each level."""
    counts: list[int] = []
    for level in LEVELS:
        text = cell(level.column)
        if text and not text.isdecimal():
            message = f"{level.column} {text!r} on line {row.line} is not a whole number"
            return _problem(row, level.column, ROW_MALFORMED, message)
        if len(text.lstrip("0")) > len(str(MAX_POINTS_PER_STATION)):
            message = (
                f"{level.column} on line {row.line} is a {len(text)}-digit number; at most "
                f"{MAX_POINTS_PER_STATION} points are read per station"
            )
            return _problem(row, level.column, ROW_MALFORMED, message)
        counts.append(int(text or 0))
    if not any(counts):
        message = f"Station {cell('ID')} on line {row.line} lists no charging point"
        return _problem(row, LEVELS[0].column, NO_CHARGING_POINTS, message)
    if sum(counts) > MAX_POINTS_PER_STATION:
        message = (
            f"Station {cell('ID')} on line {row.line} lists {sum(counts)} charging points; "
            f"at most {MAX_POINTS_PER_STATION} are read per station"
        )
        return _problem(row, LEVELS[1].column, ROW_MALFORMED, message)
    return counts


def _problem(row: TabularRow, field: str, code: str, message: str) -> RecordProblem:
    return RecordProblem(row.line, LINE, None, field, code, message)


def _connectors(text: str, counts: Sequence[int]) -> list[tuple[str, ...]]:
    """OICP plugs of the points of each level (see the module docstring)."""
    plugs: list[list[str]] = [[] for _ in LEVELS]
    for token in text.replace(",", " ").split():
        plug, preferences = _CONNECTORS.get(token.upper(), (token, _UNKNOWN_CONNECTOR_LEVELS))
        levels = next(
            (choice for choice in preferences if any(counts[i] for i in choice)), preferences[-1]
        )
        for index in levels:
            plugs[index].append(plug)
    return [tuple(dict.fromkeys(level)) for level in plugs]
