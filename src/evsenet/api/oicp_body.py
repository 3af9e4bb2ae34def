"""The OpenAPI description of an OICP 2.3 eRoamingPushEvseData body.

Push routes read their bodies raw (see `routes/evses.py`), so FastAPI cannot derive the
schema; this one documents what evsenet reads, and lets the OpenAPI-driven fuzz test
generate bodies of that shape.
"""

from __future__ import annotations

from typing import Any

from evsenet.domain.evse import TEXT_LIMITS
from evsenet.domain.ids import EVSE_ID_MAX_LENGTH

EVSE_ID_PATTERN = (
    r"^(([A-Za-z]{2}\*?[A-Za-z0-9]{3}\*?[Ee][A-Za-z0-9*]{1,30})"
    r"|(\+?[0-9]{1,3}\*[0-9]{3}\*?[0-9*]{1,32}))$"
)
"""The EVSE IDs evsenet reads (eMI3 / OICP 2.3, any letter case); others are refused 400."""


def _object(description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "description": description, "properties": properties}


def _text(example: str, max_length: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "examples": [example]}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


_LATITUDE_LONGITUDE = {"Latitude": _text("52.480495"), "Longitude": _text("13.356465")}
OICP_RECORD_SCHEMA: dict[str, Any] = {
    **_object(
        "An OICP 2.3 EvseDataRecord. evsenet reads the fields below (a delete only EvseID) "
        "and ignores the other OICP fields; TimeZoneIANA is evsenet's optional extension.",
        EvseID={"type": "string", "pattern": EVSE_ID_PATTERN, "maxLength": EVSE_ID_MAX_LENGTH},
        ChargingStationID=_text("TEST 1", TEXT_LIMITS["charging_station_id"]),
        Address=_object(
            "The site's address",
            Country=_text("DEU"),
            City=_text("Berlin", TEXT_LIMITS["city"]),
            PostalCode=_text("10829", TEXT_LIMITS["postal_code"]),
            Street=_text("EUREF CAMPUS", TEXT_LIMITS["street"]),
            HouseNum=_text("22", TEXT_LIMITS["house_number"]),
            TimeZone=_text("UTC+01:00"),
            TimeZoneIANA=_text("Europe/Berlin"),
        ),
        GeoCoordinates=_object(
            "One of OICP's three forms",
            Google=_object("'lat lon'", Coordinates=_text("52.480495 13.356465")),
            DecimalDegree=_object("Decimal degrees", **_LATITUDE_LONGITUDE),
            DegreeMinuteSeconds=_object(
                "Degrees, minutes, seconds",
                Latitude=_text("52°28'49.78''"),
                Longitude=_text("13°21'23.27''"),
            ),
        ),
        ChargingFacilities={
            "type": "array",
            "description": "The facility with the highest Power gives power type and output",
            "items": _object(
                "A charging facility",
                PowerType={"type": "string", "enum": ["AC_1_PHASE", "AC_3_PHASE", "DC"]},
                Power={"type": "number", "description": "Output in kW", "examples": [22]},
            ),
        },
        Plugs={"type": "array", "items": _text("Type 2 Outlet")},
        TimeZoneIANA=_text("Europe/Berlin"),
    ),
    "required": ["EvseID"],
}
OICP_PUSH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "OICP 2.3 eRoamingPushEvseData",
    "required": ["ActionType", "OperatorEvseData"],
    "properties": {
        "ActionType": {"type": "string", "enum": ["fullLoad", "insert", "update", "delete"]},
        "OperatorEvseData": {
            "type": "object",
            "required": ["OperatorID", "EvseDataRecord"],
            "properties": {
                "OperatorID": {
                    "type": "string",
                    "description": "The caller's operator ID",
                    "examples": ["DE*ABC"],
                },
                "OperatorName": {"type": "string"},
                "EvseDataRecord": {"type": "array", "items": OICP_RECORD_SCHEMA},
            },
        },
    },
}


def oicp_body(description: str) -> dict[str, Any]:
    """`openapi_extra` documenting an OICP push body (the route reads it raw)."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": OICP_PUSH_SCHEMA}},
        }
    }
