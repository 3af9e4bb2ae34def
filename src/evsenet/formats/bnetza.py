"""The German Bundesnetzagentur Ladesäulenregister (charging station register) → EVSEs.

The register is a `;`-separated UTF-8 file (usually with a BOM and CRLF line ends) with
decimal commas and one row per charging device (Ladeeinrichtung) that has 1–6 charging
points (Ladepunkte). Two header layouts are read, found by their column names:

- the pre-2024 layout (`Betreiber;Straße;…;Anschlussleistung;…;Anzahl Ladepunkte;
  Steckertypen1;P1 [kW];Public Key1;…`) without IDs;
- the current layout (`Ladeeinrichtungs-ID;Betreiber;…;Nennleistung Ladeeinrichtung [kW];
  …;Steckertypen1;Nennleistung Stecker1;EVSE-ID1;Public Key1;…`), which may follow a few
  title lines.

Each charging point becomes one EVSE (`max(Anzahl Ladepunkte, highest point column
filled)` of them per row). Its plugs come from `Steckertypen<n>` (several separated by
`,` or `;`), mapped onto OICP plug names (the Megawatt Charging System, which OICP 2.3
does not name, becomes a DC `Unspecified`); text the table below does not know passes
through for the domain to refuse. Its output is `P<n> [kW]` / `Nennleistung Stecker<n>`
(the highest where several plugs list their own), or else the device's power divided by
its number of points. Power type: DC when a plug is DC (or a Tesla plug above 22 kW);
AC_1_PHASE when every plug is single-phase (Schuko, CEE 3-pole, Type 1) or the point
gives 3.7 kW or less; AC_3_PHASE otherwise.

EVSE IDs: the register's `EVSE-ID<n>` where filled. Otherwise one is generated for the
importing operator, `<operator>*E<digest>*<n>`, where the 12-character digest hashes the
device: its `Ladeeinrichtungs-ID` where the layout has one, else its address, coordinates
and commissioning date plus the count of identical earlier rows. Re-importing the same
register therefore updates the same EVSEs. The charging station ID is the
`Ladeeinrichtungs-ID`, or the digest. The country is Germany; the domain derives the time
zone.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, DecimalException

from evsenet.domain.errors import DomainError, RecordProblem
from evsenet.domain.evse import EvseInput, PowerType
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch, ParsedItem, SourceRecord
from evsenet.formats._tabular import (
    LINE,
    TabularRow,
    decimal_point,
    generated_evse_id,
    header_names,
    is_numeric_operator,
    iter_rows,
    one_line,
    row_width_problem,
    text_or_none,
)

COUNTRY = "DEU"
ROW_MALFORMED = "bnetza.row.malformed"
NO_CHARGING_POINTS = "bnetza.row.no_charging_points"
HEADER_SEARCH_ROWS = 20
"""How many leading rows may precede the header (the current files open with a title)."""
DIGEST_LENGTH = 12
MAX_POINTS = 6
"""Point columns the current layout has (the pre-2024 one has 4)."""
MAX_POINTS_PER_DEVICE = 99
"""More stated points than this is taken for a typing error, not read as EVSEs."""
SINGLE_PHASE_LIMIT_KW = Decimal("3.7")
TESLA_DC_ABOVE_KW = Decimal("22")

_AC, _AC_1_PHASE, _DC, _EITHER = "AC", "AC1", "DC", "either"

_PLUGS: dict[str, tuple[str, str]] = {
    "ac steckdose typ 2": ("Type 2 Outlet", _AC),
    "ac typ 2 steckdose": ("Type 2 Outlet", _AC),
    "ac kupplung typ 2": ("Type 2 Connector (Cable Attached)", _AC),
    "ac typ 2 fahrzeugkupplung": ("Type 2 Connector (Cable Attached)", _AC),
    "ac steckdose typ 1": ("Type 1 Connector (Cable Attached)", _AC_1_PHASE),
    "ac typ 1 steckdose": ("Type 1 Connector (Cable Attached)", _AC_1_PHASE),
    "ac kupplung typ 1": ("Type 1 Connector (Cable Attached)", _AC_1_PHASE),
    "ac typ 1 fahrzeugkupplung": ("Type 1 Connector (Cable Attached)", _AC_1_PHASE),
    "typ 1": ("Type 1 Connector (Cable Attached)", _AC_1_PHASE),
    "ac steckdose typ 3": ("Type 3 Outlet", _AC),
    "typ 3": ("Type 3 Outlet", _AC),
    "ac schuko": ("Type F Schuko", _AC_1_PHASE),
    "ac cee 5 polig": ("IEC 60309 Three Phase", _AC),
    "ac cee 3 polig": ("IEC 60309 Single Phase", _AC_1_PHASE),
    "dc kupplung combo": ("CCS Combo 2 Plug (Cable Attached)", _DC),
    "dc fahrzeugkupplung typ combo 2 (ccs)": ("CCS Combo 2 Plug (Cable Attached)", _DC),
    "dc fahrzeugkupplung typ combo 1 (ccs)": ("CCS Combo 1 Plug (Cable Attached)", _DC),
    "dc chademo": ("CHAdeMO", _DC),
    "dc megawatt charging system (mcs)": ("Unspecified", _DC),
    "dc tesla fahrzeugkupplung (typ 2)": ("Tesla Connector", _DC),
    "tesla": ("Tesla Connector", _EITHER),
    "typ 2 / tesla": ("Tesla Connector", _EITHER),
}
"""Register plug texts (lower case, hyphens as blanks) → OICP plug and current."""


@dataclass(frozen=True, slots=True)
class _Point:
    """Where the columns of charging point n stand."""

    plugs: int
    power: int | None
    evse_id: int | None


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each column the reader uses stands in the header."""

    width: int
    device_id: int | None
    address: tuple[int, ...]
    """Street, house number, supplement (or -1), postal code, city."""
    latitude: int
    longitude: int
    commissioned: int
    device_power: int
    point_count: int
    points: tuple[_Point, ...]


def read_bnetza(
    text: str, operator: OperatorId, action: PushAction = PushAction.UPSERT
) -> ParsedBatch:
    """Read a Ladesäulenregister CSV into one raw EVSE record per charging point.

    Raises DomainError `bnetza.header.unknown` when no known header is found. A row of
    the wrong width becomes RecordProblem `bnetza.row.malformed`, a row without any
    charging point `bnetza.row.no_charging_points`.
    """
    rows = iter_rows(text, ";")
    layout = _find_header(rows)
    seen: Counter[tuple[str, ...]] = Counter()
    items: list[ParsedItem] = []
    for row in rows:
        if row.error is not None or len(row.cells) != layout.width:
            items.append(row_width_problem(row, layout.width, ROW_MALFORMED))
        else:
            items.extend(_device(row, layout, operator, seen))
    return ParsedBatch(action, LINE, items)


def _find_header(rows: Iterator[TabularRow]) -> _Layout:
    for _ in range(HEADER_SEARCH_ROWS):
        row = next(rows, None)
        if row is None:
            break
        names = header_names(row.cells)
        if "Anzahl Ladepunkte" in names and "Breitengrad" in names:
            return _layout(names)
    raise DomainError(
        "bnetza.header.unknown",
        "No Ladesäulenregister header found: expected a row naming 'Anzahl Ladepunkte', "
        "'Breitengrad', 'Längengrad', 'Steckertypen1' and the other register columns",
    )


def _layout(names: list[str]) -> _Layout:
    where = {name.casefold(): position for position, name in enumerate(names)}
    missing: list[str] = []

    def required(*choices: str) -> int:
        found = _find(where, *choices)
        if found is None:
            missing.append(" or ".join(repr(choice) for choice in choices))
            return -1
        return found

    supplement = _find(where, "Adresszusatz")
    layout = _Layout(
        width=len(names),
        device_id=_find(where, "Ladeeinrichtungs-ID"),
        address=(
            required("Straße"),
            required("Hausnummer"),
            -1 if supplement is None else supplement,
            required("Postleitzahl"),
            required("Ort"),
        ),
        latitude=required("Breitengrad"),
        longitude=required("Längengrad"),
        commissioned=required("Inbetriebnahmedatum"),
        device_power=required("Nennleistung Ladeeinrichtung [kW]", "Anschlussleistung"),
        point_count=required("Anzahl Ladepunkte"),
        points=_points(where),
    )
    if not layout.points:
        missing.append("'Steckertypen1'")
    if missing:
        raise DomainError(
            "bnetza.header.unknown",
            f"The Ladesäulenregister header lacks {', '.join(missing)}",
        )
    return layout


def _find(where: dict[str, int], *choices: str) -> int | None:
    """Position of the first of `choices` the header has (any letter case)."""
    return next((where[c.casefold()] for c in choices if c.casefold() in where), None)


def _points(where: dict[str, int]) -> tuple[_Point, ...]:
    points = []
    for n in range(1, MAX_POINTS + 1):
        plugs = where.get(f"steckertypen{n}")
        if plugs is None:
            break
        power = _find(where, f"Nennleistung Stecker{n}", f"P{n} [kW]")
        points.append(_Point(plugs, power, _find(where, f"EVSE-ID{n}", f"EVSE ID{n}")))
    return tuple(points)


def _device(
    row: TabularRow, layout: _Layout, operator: OperatorId, seen: Counter[tuple[str, ...]]
) -> list[ParsedItem]:
    """The EVSEs of one register row, one per charging point."""
    cells = row.cells
    device_id = text_or_none(cells[layout.device_id]) if layout.device_id is not None else None
    address = tuple(one_line(cells[i]) if i >= 0 else "" for i in layout.address)
    latitude = decimal_point(cells[layout.latitude])
    longitude = decimal_point(cells[layout.longitude])
    key = (
        ("id", device_id)
        if device_id
        else (*address, latitude, longitude, cells[layout.commissioned].strip())
    )
    digest = _digest(key, seen[key], numeric=is_numeric_operator(operator))
    seen[key] += 1
    count = _point_count(cells, layout)
    if not 0 < count <= MAX_POINTS_PER_DEVICE:
        return [_count_problem(row, cells[layout.point_count].strip(), count)]
    street, house_number, _supplement, postal_code, city = address
    site = EvseInput(
        evse_id=None,
        charging_station_id=device_id or digest,
        country=COUNTRY,
        city=city or None,
        postal_code=postal_code or None,
        street=street or None,
        house_number=house_number or None,
        latitude=latitude or None,
        longitude=longitude or None,
    )
    shared_power = _share(decimal_point(cells[layout.device_power]), count)
    points = layout.points
    return [
        SourceRecord(
            row.line,
            _charging_point(
                cells,
                points[n - 1] if n <= len(points) else None,
                replace(site, evse_id=generated_evse_id(operator, digest, str(n))),
                shared_power,
            ),
        )
        for n in range(1, count + 1)
    ]


def _charging_point(
    cells: list[str], point: _Point | None, site: EvseInput, shared_power: str | None
) -> EvseInput:
    """Charging point `point` of a device at `site` (which carries a generated EVSE ID)."""
    if point is None:
        return replace(site, power_type=_power_type(set(), shared_power), output_kw=shared_power)
    plugs, kinds = _plugs(cells[point.plugs])
    output = _point_power(cells, point) or shared_power
    given_id = text_or_none(cells[point.evse_id]) if point.evse_id is not None else None
    return replace(
        site,
        evse_id=given_id or site.evse_id,
        power_type=_power_type(kinds, output),
        output_kw=output,
        plugs=plugs,
    )


def _count_problem(row: TabularRow, stated: str, count: int) -> RecordProblem:
    if count == 0:
        code = NO_CHARGING_POINTS
        message = f"Line {row.line} names no charging point (Anzahl Ladepunkte {stated!r})"
    else:
        code = ROW_MALFORMED
        shown = stated if len(stated) <= 9 else f"{stated[:9]}…"
        message = (
            f"Line {row.line} states {shown} charging points; a device has at most "
            f"{MAX_POINTS_PER_DEVICE}"
        )
    return RecordProblem(row.line, LINE, None, "Anzahl Ladepunkte", code, message)


def _digest(key: Sequence[str], occurrence: int, *, numeric: bool) -> str:
    """A short, stable digest of a register device (digits for numeric operators)."""
    material = "\x1f".join([*key, str(occurrence)]).encode()
    digest = hashlib.sha256(material).digest()
    if numeric:
        return str(int.from_bytes(digest[:8], "big") % 10**DIGEST_LENGTH).zfill(DIGEST_LENGTH)
    return base64.b32encode(digest).decode("ascii")[:DIGEST_LENGTH]


def _point_count(cells: list[str], layout: _Layout) -> int:
    """The row's number of charging points: as stated, or as many as have columns filled."""
    stated = cells[layout.point_count].strip()
    if stated.isdecimal() and len(stated.lstrip("0")) > len(str(MAX_POINTS_PER_DEVICE)):
        return MAX_POINTS_PER_DEVICE + 1
    count = int(stated) if stated.isdecimal() else 0
    for n, point in enumerate(layout.points, 1):
        if n > count and any(
            i is not None and cells[i].strip() for i in (point.plugs, point.power, point.evse_id)
        ):
            count = n
    return count


def _plugs(text: str) -> tuple[tuple[str, ...], set[str]]:
    """OICP plug names of a `Steckertypen` cell, and the kinds of current they carry."""
    plugs: list[str] = []
    kinds: set[str] = set()
    for part in text.replace(";", ",").split(","):
        label = part.strip()
        if not label:
            continue
        plug, kind = _PLUGS.get(" ".join(label.casefold().replace("-", " ").split()), (label, ""))
        plugs.append(plug)
        kinds.add(kind or (_DC if label.upper().startswith("DC") else _AC))
    return tuple(plugs), kinds


def _point_power(cells: list[str], point: _Point) -> str | None:
    """A point's own power; the highest where each of its plugs has one (`50; 50`)."""
    if point.power is None:
        return None
    values = [decimal_point(v) for v in cells[point.power].split(";") if v.strip()]
    if len(values) <= 1:
        return values[0] if values else None
    numbers = [_number(v) for v in values]
    if any(number is None for number in numbers):
        return cells[point.power].strip()
    return values[numbers.index(max(n for n in numbers if n is not None))]


def _share(device_power: str, count: int) -> str | None:
    """The device's power divided among its points, as text; unreadable text unchanged."""
    if not device_power:
        return None
    number = _number(device_power)
    if number is None:
        return device_power
    try:
        share = (number / count).quantize(Decimal("0.01")).normalize()
    except DecimalException:
        return device_power
    return f"{share:f}"


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except DecimalException:
        return None
    return number if number.is_finite() else None


def _power_type(kinds: set[str], output: str | None) -> str:
    power = _number(output) if output else None
    if _DC in kinds or (_EITHER in kinds and power is not None and power > TESLA_DC_ABOVE_KW):
        return PowerType.DC.value
    if kinds == {_AC_1_PHASE} or power is None or power <= SINGLE_PHASE_LIMIT_KW:
        return PowerType.AC_1_PHASE.value
    return PowerType.AC_3_PHASE.value
