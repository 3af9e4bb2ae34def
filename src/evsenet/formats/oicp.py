"""OICP 2.3 `eRoamingPushEvseData` bodies → raw EVSE records.

The body is `{"ActionType": "fullLoad|insert|update|delete", "OperatorEvseData":
{"OperatorID": …, "OperatorName": …, "EvseDataRecord": [...]}}`. Each record maps as:

- `EvseID` → evse_id, `ChargingStationID` → charging_station_id. OICP 2.3 makes the
  station ID optional (and its data-type table spells it `ChargingStationId`, which is read
  too); a record without one is taken as a station of its own, its EvseID as station ID;
- `Address`: `Country`, `City`, `PostalCode`, `Street`, `HouseNum` → the address fields,
  `TimeZone` (`UTC+01:00`) → utc_offset;
- `GeoCoordinates` in the first of OICP's three forms that is neither null nor empty
  (clients that serialise every property send the unused forms as null): `Google`
  (`"lat lon"` or `"lat,lon"`), `DecimalDegree` (`Latitude`, `Longitude`) or
  `DegreeMinuteSeconds` (`52°28'49.78''`, converted to decimal degrees rounded to 6
  places);
- `ChargingFacilities`: the facility with the highest `Power` gives power_type and
  output_kw (EVSE output in kW);
- `Plugs` → plugs (OICP names; letter case is corrected, other text passes through).

Extension: OICP carries only a UTC offset, which cannot tell a site's daylight-saving
rules. evsenet reads an optional, non-standard `TimeZoneIANA` (e.g. `"Europe/Berlin"`) on
the record or in its `Address` (the record's wins) as the site's IANA time zone; other
OICP parties ignore unknown fields, so a body carrying it stays valid OICP.

A `delete` needs only the EVSE IDs, so its records are read for `EvseID` alone.

Errors: a body in UTF-16 or UTF-32 raises DomainError `oicp.body.encoding`; one that is
not JSON, not of the push shape, or lacks `OperatorID` or the
`EvseDataRecord` list raises DomainError `oicp.body.malformed` (an empty list is a valid
`fullLoad` that withdraws every EVSE; a missing one is refused so that a misspelt key
cannot do that); an unknown ActionType raises `action.unknown`. A record that is not a
JSON object becomes RecordProblem `oicp.record.malformed`, a field of the wrong JSON type
(an object where text is due, unreadable coordinates, text with a lone UTF-16 surrogate
escape such as `\ud800`, which no database can store) `oicp.field.malformed`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from evsenet.domain.errors import DomainError, RecordProblem
from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch, ParsedItem, SourceRecord
from evsenet.formats._tabular import oicp_plug

INDEX = "index"
BODY_MALFORMED = "oicp.body.malformed"
BODY_ENCODING = "oicp.body.encoding"
RECORD_MALFORMED = "oicp.record.malformed"
FIELD_MALFORMED = "oicp.field.malformed"
OICP_ACTIONS = (PushAction.FULL_LOAD, PushAction.INSERT, PushAction.UPDATE, PushAction.DELETE)

_DMS = re.compile(
    r"\s*(?P<sign>-?)\s*(?P<deg>\d{1,3})\s*[°º˚]\s*(?P<min>[0-5]?\d)\s*['′’]\s*"
    r"(?P<sec>[0-5]?\d(?:\.\d+)?)\s*(?:['’]{2}|\"|″)\s*(?P<hemisphere>[NSEWnsew]?)\s*"
)
"""OICP's `52°28'49.78''`; its 2.3 data types close the seconds with `’'`, others with `"`."""
_SIX_PLACES = Decimal("0.000001")
_GEO_FORMS = ("Google", "DecimalDegree", "DegreeMinuteSeconds")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class _RepeatedKey(ValueError):
    """A JSON object names a key twice."""


class _ShapeError(Exception):
    """A field of a record has a JSON type or notation the format does not allow."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def read_oicp_push_bytes(data: bytes) -> ParsedBatch:
    """Read a JSON `eRoamingPushEvseData` body, UTF-8 (RFC 8259 §8.1; a byte order mark
    is tolerated).

    An object that names a key twice refuses the body: parsers disagree on which of the
    two counts, so one party's `fullLoad` could be another's `insert`.
    """
    check_utf8_json(data)
    try:
        body = json.loads(data, parse_float=Decimal, object_pairs_hook=_unique_keys)
    except _RepeatedKey as error:
        raise DomainError(BODY_MALFORMED, str(error)) from None
    except ValueError as error:
        raise DomainError(BODY_MALFORMED, f"The body is not valid JSON: {error}") from None
    except RecursionError:
        raise DomainError(BODY_MALFORMED, "The body is nested too deeply") from None
    if not isinstance(body, Mapping):
        raise _body_error(f"The body must be a JSON object, not {_kind(body)}")
    return read_oicp_push(body)


def check_utf8_json(data: bytes) -> None:
    """Refuse JSON in UTF-16 or UTF-32, which Python's reader would silently accept."""
    encoding = json.detect_encoding(data[:4])
    if encoding not in ("utf-8", "utf-8-sig"):
        raise DomainError(
            BODY_ENCODING,
            f"The body looks like {encoding.upper()} JSON; JSON is exchanged in UTF-8 "
            "(RFC 8259): send it as UTF-8",
        )


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    members = dict(pairs)
    if len(members) != len(pairs):
        repeated = next(key for key in members if sum(k == key for k, _ in pairs) > 1)
        raise _RepeatedKey(f"The body names the key {repeated!r} twice in one JSON object")
    return members


def read_oicp_push(body: Mapping[str, object]) -> ParsedBatch:
    """Read a parsed `eRoamingPushEvseData` body into raw records, one per EvseDataRecord."""
    action = _action(body.get("ActionType"))
    operator_data = body.get("OperatorEvseData")
    if not isinstance(operator_data, Mapping):
        raise _body_error("The body needs an OperatorEvseData object")
    operator_id = operator_data.get("OperatorID")
    if not isinstance(operator_id, str) or not operator_id.strip():
        raise _body_error('OperatorEvseData needs an OperatorID, e.g. "DE*ABC"')
    records = operator_data.get("EvseDataRecord")
    if not isinstance(records, list | tuple):
        raise _body_error(f"OperatorEvseData needs an EvseDataRecord array, not {_kind(records)}")
    read = _read_evse_id if action is PushAction.DELETE else _read_record
    items = [_item(index, record, read) for index, record in enumerate(records)]
    return ParsedBatch(action, INDEX, items, operator_id.strip())


def _body_error(message: str) -> DomainError:
    return DomainError(BODY_MALFORMED, message)


def _action(value: object) -> PushAction:
    if not isinstance(value, str):
        raise _body_error("The body needs an ActionType: fullLoad, insert, update or delete")
    action = PushAction.parse(value)
    if action not in OICP_ACTIONS:
        raise DomainError(
            "action.unknown",
            f"ActionType {value!r} is not an OICP action; use fullLoad, insert, update or delete",
        )
    return action


_Reader = Callable[[Mapping[str, object]], EvseInput]


def _item(index: int, record: object, read: _Reader) -> ParsedItem:
    if type(record) is not dict and not isinstance(record, Mapping):
        return RecordProblem(
            index,
            INDEX,
            None,
            "record",
            RECORD_MALFORMED,
            f"EvseDataRecord {index} is {_kind(record)}, not a JSON object",
        )
    try:
        return SourceRecord(index, read(record))
    except _ShapeError as error:
        return RecordProblem(
            index,
            INDEX,
            _shown_evse_id(record),
            error.field,
            FIELD_MALFORMED,
            error.message,
        )


def _read_evse_id(record: Mapping[str, object]) -> EvseInput:
    return EvseInput(evse_id=_evse_id(record))


def _evse_id(record: Mapping[str, object]) -> str | None:
    """The EvseID as text. Half a UTF-16 surrogate pair becomes U+FFFD, so that the domain
    refuses the ID as malformed and messages can show it."""
    value = record.get("EvseID")
    if isinstance(value, str) and not value.isascii():
        return _SURROGATE.sub(REPLACEMENT, value).strip() or None
    return _text(record, "EvseID")


def _shown_evse_id(record: Mapping[str, object]) -> str | None:
    try:
        return _evse_id(record)
    except _ShapeError:
        return None


def _read_record(record: Mapping[str, object]) -> EvseInput:
    address = _object(record, "Address")
    latitude, longitude = _coordinates(_object(record, "GeoCoordinates"))
    power_type, output_kw = _facility(record.get("ChargingFacilities"))
    evse_id = _evse_id(record)
    return EvseInput(
        evse_id=evse_id,
        charging_station_id=_text(record, "ChargingStationID")
        or _text(record, "ChargingStationId")
        or evse_id,
        country=_text(address, "Country", "Address"),
        city=_text(address, "City", "Address"),
        postal_code=_text(address, "PostalCode", "Address"),
        street=_text(address, "Street", "Address"),
        house_number=_text(address, "HouseNum", "Address"),
        latitude=latitude,
        longitude=longitude,
        power_type=power_type,
        output_kw=output_kw,
        plugs=_plugs(record.get("Plugs")),
        time_zone=_text(record, "TimeZoneIANA") or _text(address, "TimeZoneIANA", "Address"),
        utc_offset=_text(address, "TimeZone", "Address"),
    )


def _kind(value: object) -> str:
    """How JSON would call the type of `value`, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"


def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _object(record: Mapping[str, object], key: str, parent: str = "") -> Mapping[str, object]:
    value = record.get(key)
    if type(value) is dict:
        return value
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        path = _path(parent, key)
        raise _ShapeError(path, f"{path} must be a JSON object, not {_kind(value)}")
    return value


def _text(record: Mapping[str, object], key: str, parent: str = "") -> str | None:
    """Text of a JSON string or number; None for null or empty text."""
    value = record.get(key)
    if type(value) is str:
        if not value.isascii():
            _check_storable(value, _path(parent, key))
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _number_text(value)
    path = _path(parent, key)
    raise _ShapeError(path, f"{path} must be a string, not {_kind(value)}")


def _check_storable(text: str, path: str) -> None:
    """Refuse text with a lone surrogate, which JSON can escape but UTF-8 cannot encode."""
    try:
        text.encode()
    except UnicodeEncodeError:
        raise _ShapeError(
            path, f"{path} contains a lone UTF-16 surrogate (\\ud800-\\udfff); send valid text"
        ) from None


def _number_text(value: int | float | Decimal) -> str:
    """A JSON number in plain notation, exactly: `5e1` is 50, `1E-7` is 0.0000001 (the
    domain refuses a string in such a notation, but a JSON number is one number whatever
    its spelling)."""
    if isinstance(value, float):
        return repr(value)
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _number(record: Mapping[str, object], key: str, parent: str = "") -> str | None:
    """A number field as sent: a JSON number in plain notation, or a JSON string left
    untrimmed, so that the domain refuses `" 52.5"` like any other notation that is not
    plain (None for null or blank text)."""
    value = record.get(key)
    if type(value) is str:
        return value if value.strip() else None
    return _text(record, key, parent)


def _coordinates(geo: Mapping[str, object]) -> tuple[str | None, str | None]:
    """Latitude and longitude as decimal text, from the first of OICP's forms given."""
    form = next((name for name in _GEO_FORMS if geo.get(name) not in (None, {})), None)
    if form is None:
        return None, None
    parent = f"GeoCoordinates.{form}"
    values = _object(geo, form, "GeoCoordinates")
    if form == "Google":
        return _google(_text(values, "Coordinates", parent))
    if form == "DecimalDegree":
        return _number(values, "Latitude", parent), _number(values, "Longitude", parent)
    latitude, longitude = _text(values, "Latitude", parent), _text(values, "Longitude", parent)
    return _dms(latitude, f"{parent}.Latitude"), _dms(longitude, f"{parent}.Longitude")


def _google(text: str | None) -> tuple[str | None, str | None]:
    if text is None:
        return None, None
    parts = text.replace(",", " ").split()
    if len(parts) != 2:
        raise _ShapeError(
            "GeoCoordinates.Google.Coordinates",
            f"Google coordinates {text!r} must be a latitude and a longitude separated by a "
            'space or a comma, e.g. "52.480495 13.356465"',
        )
    return parts[0], parts[1]


def dms_to_decimal(text: str) -> str | None:
    """Decimal degrees (6 places) for a DegreeMinuteSeconds text; None if it is not one.

    Accepts OICP's `52°28'49.78''` with an optional sign, `"` or `’'` for `''`, blanks
    between the parts and a trailing hemisphere letter (S and W count negative); minutes
    and seconds stay below 60, and a sign with a hemisphere letter is ambiguous.
    """
    match = _DMS.fullmatch(text)
    if match is None or (match["sign"] and match["hemisphere"]):
        return None
    degrees = (
        Decimal(match["deg"]) + Decimal(match["min"]) / 60 + Decimal(match["sec"]) / 3600
    ).quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)
    negative = (match["sign"] == "-") != (match["hemisphere"].upper() in ("S", "W"))
    return f"{-degrees if negative and degrees else degrees:f}"


def _dms(text: str | None, path: str) -> str | None:
    if text is None:
        return None
    converted = dms_to_decimal(text)
    if converted is not None:
        return converted
    if _is_number(text):
        return text
    raise _ShapeError(
        path, f"{path} {text!r} is not in degrees, minutes and seconds, e.g. 52°28'49.78''"
    )


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _facility(value: object) -> tuple[str | None, str | None]:
    """Power type and output of the facility with the highest power."""
    if value is None:
        return None, None
    if not isinstance(value, list | tuple):
        raise _ShapeError(
            "ChargingFacilities", f"ChargingFacilities must be an array, not {_kind(value)}"
        )
    facilities = [
        (_text(facility, "PowerType", path), _number(facility, "Power", path))
        for facility, path in _objects(value, "ChargingFacilities")
    ]
    if len(facilities) <= 1:
        return facilities[0] if facilities else (None, None)
    return max(facilities, key=lambda facility: _power_rank(facility[1]))


def _objects(
    values: list[object] | tuple[object, ...], name: str
) -> Iterator[tuple[Mapping[str, object], str]]:
    """The members of a JSON array of objects, each with its path for messages."""
    for number, value in enumerate(values):
        path = f"{name}[{number}]"
        if type(value) is not dict and not isinstance(value, Mapping):
            raise _ShapeError(path, f"{path} must be a JSON object, not {_kind(value)}")
        yield value, path


def _power_rank(power: str | None) -> tuple[bool, Decimal]:
    """Orders facilities by power; one without a readable power ranks below all others."""
    if power is not None and _is_number(power):
        return True, Decimal(power)
    return False, Decimal(0)


def _plugs(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise _ShapeError("Plugs", f"Plugs must be an array of plug names, not {_kind(value)}")
    plugs = []
    for number, plug in enumerate(value):
        path = f"Plugs[{number}]"
        if not isinstance(plug, str):
            raise _ShapeError(path, f"{path} must be a plug name, not {_kind(plug)}")
        if not plug.isascii():
            _check_storable(plug, path)
        if plug.strip():
            plugs.append(oicp_plug(plug))
    return tuple(plugs)
