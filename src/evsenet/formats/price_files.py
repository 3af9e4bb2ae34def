"""Files of sessions to price: JSON Lines, CSV, or OICP 2.3 `eRoamingChargeDetailRecord`s.

`read_session_file(text)` yields `(position, SessionRequest or DomainError)` lazily, one
per session, so a bad record is answered and the others priced:

- **JSON Lines**: one session per line, evsenet's shape (`formats/price_sessions.py`) or
  an OICP 2.3 charge detail record; blank lines are skipped; the position is the line.
- **A JSON array or a single JSON object**: sessions or OICP CDRs; the position is the
  1-based index.
- **CSV** (a header line naming `evse_id`): the columns are the session's fields
  (`evse_id,provider_id,session_start,session_end,charging_start,charging_end,energy_kwh,
  meter_start_kwh,meter_end_kwh,id`, any order, empty = not given); the position is the
  line (the header is line 1).

OICP 2.3 `eRoamingChargeDetailRecord` fields map as: `EvseID` → evse_id, `HubProviderID`
→ provider_id, `SessionStart`/`SessionEnd`, `ChargingStart`/`ChargingEnd`,
`ConsumedEnergy` (kWh) → energy_kwh, `MeterValueStart`/`MeterValueEnd` (kWh) → meter
readings, `SessionID` (else `CPOPartnerSessionID`) → id. Identification, signed metering
values, `MeterValueInBetween`, `PartnerProductID` and the calibration-law data do not
change the price and are not read; any other key is reported (`json.field.unknown`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing.priced_session import SessionRequest
from evsenet.formats._json_body import parse_json_object
from evsenet.formats.price_sessions import SESSION_FIELDS, read_session

OICP_FIELDS = {
    "EvseID": "evse_id",
    "HubProviderID": "provider_id",
    "SessionStart": "session_start",
    "SessionEnd": "session_end",
    "ChargingStart": "charging_start",
    "ChargingEnd": "charging_end",
    "ConsumedEnergy": "energy_kwh",
    "MeterValueStart": "meter_start_kwh",
    "MeterValueEnd": "meter_end_kwh",
    "SessionID": "id",
}
OICP_IGNORED = frozenset(
    {
        "CPOPartnerSessionID",
        "EMPPartnerSessionID",
        "HubOperatorID",
        "Identification",
        "MeterValueInBetween",
        "SignedMeteringValues",
        "CalibrationLawVerificationInfo",
        "PartnerProductID",
    }
)
"""OICP CDR fields that do not change the price (the operator comes from --operator)."""
NUMBER_COLUMNS = frozenset({"energy_kwh", "meter_start_kwh", "meter_end_kwh"})
Answer = tuple[int, SessionRequest | DomainError]


def is_oicp_cdr(value: object) -> bool:
    """True for an object in the shape of an OICP 2.3 charge detail record."""
    return isinstance(value, Mapping) and "EvseID" in value and "SessionStart" in value


def from_oicp_cdr(value: Mapping[str, object]) -> dict[str, object]:
    """An OICP CDR's fields under evsenet's session names (unknown keys kept, so that
    reading reports them)."""
    session: dict[str, object] = {}
    for key, member in value.items():
        if key in OICP_FIELDS:
            session[OICP_FIELDS[key]] = member
        elif key not in OICP_IGNORED:
            session[key] = member
    if "id" not in session and isinstance(value.get("CPOPartnerSessionID"), str):
        session["id"] = value["CPOPartnerSessionID"]
    return session


def read_session_value(value: object) -> SessionRequest:
    """A session from an evsenet session object or an OICP CDR; raises `DomainError`."""
    if is_oicp_cdr(value):
        assert isinstance(value, Mapping)
        return read_session(from_oicp_cdr(value))
    return read_session(value)


def _answer(position: int, read: object) -> Answer:
    try:
        return position, read_session_value(read)
    except DomainError as error:
        return position, error


def read_session_file(text: str) -> Iterator[Answer]:
    """Every session of the file, in order (see the module's docstring)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        yield from _array(stripped)
    elif stripped.startswith("{"):
        yield from _json_lines(text.lstrip("\ufeff"))
    else:
        yield from _csv(text.lstrip("\ufeff"))


def _array(text: str) -> Iterator[Answer]:
    try:
        values = json.loads(text, parse_float=Decimal)
    except ValueError as error:
        yield 1, DomainError("json.body.malformed", f"The file is not JSON: {error}")
        return
    for index, value in enumerate(values, start=1):
        yield _answer(index, value)


def _json_lines(text: str) -> Iterator[Answer]:
    # One JSON object, perhaps over many lines (an OICP CDR as Hubject prints it) …
    try:
        whole = parse_json_object(text)
    except DomainError:
        whole = None
    if whole is not None:
        yield _answer(1, whole)
        return
    # … or one object per line.
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield _line(number, line)


def _line(number: int, line: str) -> Answer:
    try:
        value = parse_json_object(line)
    except DomainError as error:
        return number, error
    return _answer(number, value)


def _csv(text: str) -> Iterator[Answer]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [name.strip() for name in reader.fieldnames or []]
    if "evse_id" not in columns:
        yield (
            1,
            DomainError(
                "price_file.format_unknown",
                "The file is neither JSON (Lines) nor a CSV file whose header names evse_id, "
                f"provider_id, session_start, session_end…; its columns are {columns[:5]}",
            ),
        )
        return
    unknown = [c for c in columns if c not in SESSION_FIELDS]
    for row in reader:
        number = reader.line_num
        if unknown:
            yield (
                number,
                DomainError(
                    "json.field.unknown",
                    f"CSV column {unknown[0]} is not a field of a session",
                    field=unknown[0],
                ),
            )
            continue
        values: dict[str, object] = {}
        for key, cell in row.items():
            cell = (cell or "").strip()
            if not cell or key is None:
                continue
            name = key.strip()
            if name in NUMBER_COLUMNS:
                try:
                    values[name] = Decimal(cell)
                except InvalidOperation:
                    values[name] = cell
            else:
                values[name] = cell
        yield _answer(number, values)
