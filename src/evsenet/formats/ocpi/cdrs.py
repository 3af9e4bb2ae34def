"""OCPI 2.2.1 CDR objects (module CDRs, §10.3.1) in: a session to price and its tariffs.

The CDR's `charging_periods` become the session's periods: each runs to the next period's
start, the last to the CDR's `end_date_time`; its `dimensions` give the volumes (ENERGY in
kWh; TIME, PARKING_TIME, RESERVATION_TIME in hours; CURRENT, MIN/MAX_CURRENT in A; POWER,
MIN/MAX_POWER in kW; ENERGY_EXPORT, ENERGY_IMPORT and STATE_OF_CHARGE are read and not
priced). OCPI 2.2.1 gives a CDR no time zone, so the caller names the EVSE's IANA zone.
The CDR's own totals are kept to compare a repricing with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from evsenet.domain.pricing import ChargingPeriod, PriceBound, PricingWarning, Session, Tariff
from evsenet.formats.ocpi._reader import FIELD_MISSING, VALUE_INVALID, Reader, load_json
from evsenet.formats.ocpi.tariffs import read_price, read_tariff_object

CDR_FIELDS = {
    "country_code",
    "party_id",
    "id",
    "start_date_time",
    "end_date_time",
    "session_id",
    "cdr_token",
    "auth_method",
    "authorization_reference",
    "cdr_location",
    "meter_id",
    "currency",
    "tariffs",
    "charging_periods",
    "signed_data",
    "total_cost",
    "total_fixed_cost",
    "total_energy",
    "total_energy_cost",
    "total_time",
    "total_time_cost",
    "total_parking_time",
    "total_parking_cost",
    "total_reservation_cost",
    "remark",
    "invoice_reference_id",
    "credit",
    "credit_reference_id",
    "home_charging_compensation",
    "last_updated",
}
PERIOD_FIELDS = {"start_date_time", "dimensions", "tariff_id"}
DIMENSION_FIELDS = {"type", "volume"}
TOKEN_FIELDS = {"country_code", "party_id", "uid", "type", "contract_id"}
LOCATION_FIELDS = {
    "id",
    "name",
    "address",
    "city",
    "postal_code",
    "state",
    "country",
    "coordinates",
    "evse_uid",
    "evse_id",
    "connector_id",
    "connector_standard",
    "connector_format",
    "connector_power_type",
}
COORDINATE_FIELDS = {"latitude", "longitude"}
SIGNED_DATA_FIELDS = {
    "encoding_method",
    "encoding_method_version",
    "public_key",
    "signed_values",
    "url",
}
COSTS = (
    "total_cost",
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)


class CdrDimension(StrEnum):
    """OCPI CdrDimensionType."""

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"


_PERIOD_FIELD = {
    CdrDimension.ENERGY: "energy_kwh",
    CdrDimension.TIME: "charging_hours",
    CdrDimension.PARKING_TIME: "parking_hours",
    CdrDimension.RESERVATION_TIME: "reservation_hours",
    CdrDimension.CURRENT: "current",
    CdrDimension.MIN_CURRENT: "min_current",
    CdrDimension.MAX_CURRENT: "max_current",
    CdrDimension.POWER: "power",
    CdrDimension.MIN_POWER: "min_power",
    CdrDimension.MAX_POWER: "max_power",
}


@dataclass(frozen=True, slots=True)
class OcpiCdr:
    """A parsed CDR: the session to price, its embedded tariffs, the totals it states."""

    id: str
    session: Session
    tariffs: tuple[Tariff, ...]
    stated_costs: Mapping[str, PriceBound]
    warnings: tuple[PricingWarning, ...]


def _descriptive(reader: Reader, data: Mapping[str, Any], key: str, known: set[str]) -> None:
    value = data.get(key)
    if value is not None:
        checked = reader.object(value, f"$.{key}", known=known, strict=False)
        if key == "cdr_location" and checked is not None and checked.get("coordinates"):
            reader.object(
                checked["coordinates"],
                "$.cdr_location.coordinates",
                known=COORDINATE_FIELDS,
                strict=False,
            )


def _period(
    reader: Reader, value: object, path: str
) -> tuple[Any, dict[str, Decimal], str | None] | None:
    data = reader.object(
        value, path, known=PERIOD_FIELDS, required=("start_date_time", "dimensions")
    )
    if data is None:
        return None
    start = reader.instant(data, "start_date_time", path)
    volumes: dict[str, Decimal] = {}
    seen: set[CdrDimension] = set()
    dimensions = reader.items(data, "dimensions", path)
    if not dimensions and "dimensions" in data:
        reader.problem(f"{path}.dimensions", FIELD_MISSING, f"{path}.dimensions is empty")
    for index, item in enumerate(dimensions):
        where = f"{path}.dimensions[{index}]"
        entry = reader.object(item, where, known=DIMENSION_FIELDS, required=("type", "volume"))
        if entry is None:
            continue
        kind = reader.choice(entry, "type", where, CdrDimension)
        volume = reader.number(entry, "volume", where)
        if kind is None or volume is None:
            continue
        if kind in seen:
            reader.problem(
                f"{where}.type", VALUE_INVALID, f"{where}: {kind} appears twice in one period"
            )
        seen.add(kind)
        if kind in _PERIOD_FIELD:
            volumes[_PERIOD_FIELD[kind]] = volume
    tariff_id = reader.text(data, "tariff_id", path, 36)
    return start, volumes, tariff_id


def read_cdr(text: str | bytes, *, time_zone: ZoneInfo | None) -> OcpiCdr:
    """An OCPI 2.2.1 CDR JSON document, strictly, as a session in `time_zone`.

    Raises `InvalidRecord` listing every problem (each with its JSON path as `field`), or
    `DomainError` `ocpi.json_malformed`.
    """
    reader = Reader()
    data = reader.object(
        load_json(text, "CDR"),
        "$",
        known=CDR_FIELDS,
        required=("start_date_time", "end_date_time", "currency", "charging_periods"),
    )
    reader.finish()
    assert data is not None
    _descriptive(reader, data, "cdr_token", TOKEN_FIELDS)
    _descriptive(reader, data, "cdr_location", LOCATION_FIELDS)
    _descriptive(reader, data, "signed_data", SIGNED_DATA_FIELDS)
    start = reader.instant(data, "start_date_time", "$")
    end = reader.instant(data, "end_date_time", "$")
    tariffs = [
        read_tariff_object(reader, item, f"$.tariffs[{index}]")
        for index, item in enumerate(reader.items(data, "tariffs", "$"))
    ]
    stated = {
        name: read_price(reader, data[name], f"$.{name}")
        for name in COSTS
        if data.get(name) is not None
    }
    raw_periods = [
        _period(reader, item, f"$.charging_periods[{index}]")
        for index, item in enumerate(reader.items(data, "charging_periods", "$"))
    ]
    currency_code = reader.text(data, "currency", "$", 3)
    reader.finish()
    assert start is not None
    assert end is not None
    periods = []
    for index, raw in enumerate(raw_periods):
        assert raw is not None
        period_start, volumes, tariff_id = raw
        following = raw_periods[index + 1] if index + 1 < len(raw_periods) else None
        period_end = following[0] if following is not None else end
        if period_end < period_start:
            # Out of order: kept as an empty span so the session check names it.
            period_end = period_start
        periods.append(
            ChargingPeriod(start=period_start, end=period_end, tariff_id=tariff_id, **volumes)
        )
    session = Session(
        start=start,
        end=end,
        time_zone=time_zone,
        periods=tuple(periods),
        currency_code=currency_code,
        id=reader.text(data, "id", "$"),
    )
    return OcpiCdr(
        id=session.id or "",
        session=session,
        tariffs=tuple(t for t in tariffs if t is not None),
        stated_costs={k: v for k, v in stated.items() if v is not None},
        warnings=tuple(reader.warnings),
    )
