"""Reading offer bodies at the edge: Hubject's JSON, the clock, the default VAT rate.

Offer bodies are read raw (`read_body`) and handed to `formats.hubject_offer`, so that a
malformed body is answered with its JSON paths and codes, never a framework error. Reading
and checking run in a worker thread. The clock is `app.state.clock` when the app has one
(tests fix it), the system's otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Request

from evsenet.api.bodies import BodyKind, read_body
from evsenet.formats._json_body import parse_json_object
from evsenet.formats.hubject_offer import (
    OfferRequest,
    PriceUpdateRequest,
    read_create_offer,
    read_price_update,
)

DEFAULT_VAT_PERCENT = Decimal(19)
"""The VAT rate of an offer whose body has no `vatPercent` (evsenet's extension): operators
have no rate of their own yet, and Hubject's body carries none."""

OFFER_JSON = BodyKind(
    expected="a JSON offer body (Hubject's create-offer shape)",
    accepts=lambda media_type: media_type == "application/json" or media_type.endswith("+json"),
    how="send the JSON itself as the request body with 'Content-Type: application/json'",
)
PRICE_JSON = BodyKind(
    expected="a JSON price-update body (Hubject's shape: networkId, updateDate, tariffs, "
    "pricingDetails)",
    accepts=OFFER_JSON.accepts,
    how=OFFER_JSON.how,
)


def now(request: Request) -> datetime:
    """The app's clock."""
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


Now = Annotated[datetime, Depends(now)]


async def offer_body(request: Request) -> bytes:
    return await read_body(request, OFFER_JSON)


async def price_body(request: Request) -> bytes:
    return await read_body(request, PRICE_JSON)


def read_offer(raw: bytes, moment: datetime) -> OfferRequest:
    """A create-offer body checked against `moment` (raises with every JSON path)."""
    return read_create_offer(parse_json_object(raw), now=moment, vat_percent=DEFAULT_VAT_PERCENT)


def read_update(raw: bytes) -> PriceUpdateRequest:
    return read_price_update(parse_json_object(raw))


OPENAPI_OFFER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "Hubject's create-offer body (docs/offers.md)",
                }
            }
        },
    }
}
OPENAPI_PRICE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "Hubject's price-update body (docs/offers.md)",
                }
            }
        },
    }
}
