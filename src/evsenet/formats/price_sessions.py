"""Sessions to price in, priced sessions out: evsenet's JSON shape (API, CLI, JSON Lines).

A session is a JSON object (numbers read as exact `Decimal`, every key checked):

    {"id": "s-1", "evse_id": "DE*ABC*E1", "provider_id": "DE*ICE",
     "session_start": "2027-01-05T21:00:00+01:00", "session_end": "2027-01-05T23:00:00+01:00",
     "charging_start": "…", "charging_end": "…", "energy_kwh": 30,
     "meter_start_kwh": 1200.5, "meter_end_kwh": 1230.5}

`id`, the charging times and the meter readings are optional; `energy_kwh` may be left
out when both meter readings are given. A priced session is written with amounts as exact
JSON numbers (`session_price_json`), a refused one as an RFC 9457 problem object with the
position of the session in its batch (`refusal_json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evsenet.domain.errors import DomainError, InvalidRecord
from evsenet.domain.pricing import Cost, PricingWarning
from evsenet.domain.pricing.ngp_session import NgpSession
from evsenet.domain.pricing.priced_session import ChartBar, PriceLine, SessionPrice, SessionRequest
from evsenet.formats._json_body import JsonBody, parse_json_object

SESSION_FIELDS = (
    "id",
    "evse_id",
    "provider_id",
    "session_start",
    "session_end",
    "charging_start",
    "charging_end",
    "energy_kwh",
    "meter_start_kwh",
    "meter_end_kwh",
)


def read_session(
    value: object, *, extra: tuple[str, ...] = (), provider: str | None = None
) -> SessionRequest:
    """A session from a parsed JSON value; raises `InvalidRecord` listing every fault.

    With `provider` (a provider's own token) `provider_id` may be left out and is then
    `provider`; whether a given one may be priced is the pricing service's rule.
    """
    body = JsonBody()
    data = body.obj(value, "", (*SESSION_FIELDS, *extra))
    if data is None:
        body.raise_if_any()
        raise AssertionError("unreachable")
    evse_id = body.string(data, "evse_id", "")
    sent_provider = body.string(data, "provider_id", "", required=provider is None)
    provider_id = sent_provider if sent_provider is not None else provider
    session_id = body.string(data, "id", "", required=False)
    start = body.date_time(data, "session_start", "")
    end = body.date_time(data, "session_end", "")
    charging_start = body.date_time(data, "charging_start", "", required=False)
    charging_end = body.date_time(data, "charging_end", "", required=False)
    energy = body.number(data, "energy_kwh", "", required=False)
    meter_start = body.number(data, "meter_start_kwh", "", required=False)
    meter_end = body.number(data, "meter_end_kwh", "", required=False)
    body.raise_if_any()
    assert evse_id is not None
    assert provider_id is not None
    assert start is not None
    assert end is not None
    return SessionRequest(
        evse_id=evse_id,
        provider_id=provider_id,
        id=session_id,
        session=NgpSession(
            session_start=start,
            session_end=end,
            charging_start=charging_start,
            charging_end=charging_end,
            energy_kwh=energy,
            meter_start_kwh=meter_start,
            meter_end_kwh=meter_end,
        ),
    )


def parse_session(data: bytes | str) -> SessionRequest:
    """One session from JSON text; raises `DomainError` (`json.*`)."""
    return read_session(parse_json_object(data))


def _cost(cost: Cost) -> dict[str, Any]:
    return {"excl_vat": cost.excl_vat, "incl_vat": cost.incl_vat}


def _line(line: PriceLine) -> dict[str, Any]:
    return {
        "component": line.component,
        "start": line.start.isoformat(),
        "end": line.end.isoformat(),
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "vat_percent": line.vat_percent,
        "amount_excl_vat": line.amount_excl_vat,
        "amount_incl_vat": line.amount_incl_vat,
        "tariff": line.tariff,
        "slot": line.slot,
        "reason": line.reason,
        "step_rounding": line.step_rounding,
    }


def _warning(warning: PricingWarning) -> dict[str, Any]:
    return {"code": warning.code, "message": warning.message, "path": warning.path}


def session_price_json(price: SessionPrice, *, lines: bool = True) -> dict[str, Any]:
    """A priced session as JSON values (amounts `Decimal`: write with exact numbers);
    without `lines`, the totals only (no `lines` key)."""
    body = {
        "id": price.id,
        "evse_id": price.evse_id,
        "provider_id": price.provider_id,
        "currency": price.currency,
        "total": _cost(price.total),
        "components": {name: _cost(cost) for name, cost in price.components.items()},
        "offer_id": price.offer_id,
        "offer_version": price.offer_version,
        "group_id": price.group_id,
        "group_name": price.group_name,
        "zero_reason": price.zero_reason,
        "lines": [_line(line) for line in price.lines],
        "warnings": [_warning(warning) for warning in price.warnings],
    }
    if not lines:
        del body["lines"]
    return body


def chart_json(chart: tuple[ChartBar, ...]) -> list[dict[str, Any]]:
    """Stacked-bar data: one entry per slot and component."""
    return [
        {
            "slot": bar.slot,
            "component": bar.component,
            "amount_excl_vat": bar.amount_excl_vat,
            "amount_incl_vat": bar.amount_incl_vat,
        }
        for bar in chart
    ]


def error_json(error: DomainError, status: int) -> dict[str, Any]:
    """A domain error as an RFC 9457 problem object (as the API's problem registry)."""
    body: dict[str, Any] = {
        "type": f"urn:evsenet:problem:{error.code}",
        "title": "Not Found" if status == 404 else "Bad Request",
        "status": status,
        "detail": error.message,
        "code": error.code,
    }
    if isinstance(error, InvalidRecord):
        body["errors"] = [
            {"field": p.field, "code": p.code, "message": p.message} for p in error.problems
        ]
    elif error.field is not None:
        body["errors"] = [{"field": error.field, "code": error.code, "message": error.message}]
    return body


def refusal_json(
    position: int, session_id: str | None, error: DomainError, status: int
) -> dict[str, Any]:
    """A refused session of a batch: its 1-based line, its id and the problem."""
    return {"line": position, "id": session_id, "problem": error_json(error, status)}


def session_id_of(value: object) -> str | None:
    """The `id` of a session object when it has a string one (for refusals)."""
    if isinstance(value, Mapping):
        found = value.get("id")
        return found if isinstance(found, str) else None
    return None
