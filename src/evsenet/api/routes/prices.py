"""`/api/v1/prices` and `/api/v1/simulations`: price sessions at the caller's EVSEs.

`POST /api/v1/prices` prices one session (evsenet's session JSON,
`formats/price_sessions.py`) and answers the itemised breakdown. `POST
/api/v1/prices:batch` takes JSON Lines (one session per line) and streams JSON Lines back
in the same order: `{"line": n, "price": {...}}` or `{"line": n, "id": …, "problem": {...}}`;
with `?detail=totals` each price has the totals without the itemised lines, priced by the C
kernel (`services/pricing.py`).
The body is read as it arrives, `BATCH_LINES` sessions at a time, so memory stays bounded
whatever the batch's size; a line longer than `MAX_LINE_BYTES` is answered with a problem
and skipped. `POST /api/v1/simulations` prices a session under a named offer — a draft
too — and adds stacked-bar data per slot and component.

The token's operator scopes every path: another operator's EVSE or offer answers 404. A
provider's token prices its own sessions at the EVSEs of operators it is subscribed to
(`services/provider_pricing.py`), and downloads the exports of the offers it has a
subscription in force to under `/api/v1/provider/offers/{id}/…` — the same builders as the
operator's paths.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from evsenet.api.auth import Caller, PartyCaller, ProviderCaller, get_store
from evsenet.api.bodies import BODY_RESPONSES, BodyKind, read_body
from evsenet.api.offer_bodies import Now
from evsenet.api.problems import ApiProblem, problem_responses, status_of
from evsenet.domain.errors import DomainError
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.pricing.priced_session import SessionRequest
from evsenet.formats._json_body import JsonBody, parse_json_object
from evsenet.formats.ocpi._json import dumps
from evsenet.formats.ocpi.tariffs import write_tariff
from evsenet.formats.oicp_pricing import evse_pricing, pricing_products
from evsenet.formats.price_sessions import (
    chart_json,
    read_session,
    refusal_json,
    session_id_of,
    session_price_json,
)
from evsenet.services import price_exports as exports
from evsenet.services import pricing as service
from evsenet.services import provider_pricing
from evsenet.store.engine import Store

BATCH_LINES = 500
"""Sessions read, priced and answered together in a streamed batch."""
MAX_LINE_BYTES = 64 * 1024
"""A session is a few hundred bytes; a longer line is no session."""
NDJSON = "application/x-ndjson"

router = APIRouter(prefix="/api/v1", tags=["prices"], responses=problem_responses(401, 404))
StoreDep = Annotated[Store, Depends(get_store)]
SESSION_JSON = BodyKind(
    expected="a JSON session (evse_id, provider_id, session_start, session_end, …)",
    accepts=lambda media_type: media_type == "application/json" or media_type.endswith("+json"),
    how="send the JSON itself as the request body with 'Content-Type: application/json'",
)
SESSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["evse_id", "provider_id", "session_start", "session_end"],
    "properties": {
        "id": {"type": "string"},
        "evse_id": {"type": "string", "example": "DE*ABC*E1"},
        "provider_id": {"type": "string", "example": "DE*ICE"},
        "session_start": {"type": "string", "format": "date-time"},
        "session_end": {"type": "string", "format": "date-time"},
        "charging_start": {"type": "string", "format": "date-time"},
        "charging_end": {"type": "string", "format": "date-time"},
        "energy_kwh": {"type": "number"},
        "meter_start_kwh": {"type": "number"},
        "meter_end_kwh": {"type": "number"},
    },
}
SIMULATION_SCHEMA: dict[str, Any] = {
    **SESSION_SCHEMA,
    "required": [*SESSION_SCHEMA["required"], "offer_id"],
    "properties": {**SESSION_SCHEMA["properties"], "offer_id": {"type": "integer"}},
}


def _body(schema: dict[str, Any], media_type: str = "application/json") -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {media_type: {"schema": schema}}}}


def _json(value: Any) -> Response:
    return Response(dumps(value, indent=None), media_type="application/json")


async def session_body(request: Request) -> bytes:
    return await read_body(request, SESSION_JSON)


SessionBody = Annotated[bytes, Depends(session_body)]
WRITES = {**problem_responses(400), **BODY_RESPONSES}


@router.post("/prices", responses=WRITES, openapi_extra=_body(SESSION_SCHEMA))
async def price_one(caller: PartyCaller, store: StoreDep, raw: SessionBody) -> Response:
    """Price one session under the offer in force for the provider at the session start:
    the itemised breakdown and totals. An operator's token prices at its own EVSEs; a
    provider's token prices its own sessions (`provider_id` may be left out) at the EVSEs
    of operators it is subscribed to, under its subscriptions in force at the session
    start."""

    def work() -> Response:
        request = read_session(parse_json_object(raw), provider=_own_provider(caller))
        return _json(session_price_json(provider_pricing.price_session_as(store, caller, request)))

    return await run_in_threadpool(work)


async def _lines(request: Request) -> AsyncIterator[tuple[int, bytes | None]]:
    """(line number, line) as the body arrives; None for a line over `MAX_LINE_BYTES`."""
    buffer = b""
    number = 0
    skipping = False
    async for chunk in request.stream():
        buffer += chunk
        while (end := buffer.find(b"\n")) >= 0:
            line, buffer = buffer[:end], buffer[end + 1 :]
            number += 1
            yield number, None if skipping or len(line) > MAX_LINE_BYTES else line
            skipping = False
        if len(buffer) > MAX_LINE_BYTES:
            buffer, skipping = b"", True
    if buffer.strip() or skipping:
        yield number + 1, None if skipping or len(buffer) > MAX_LINE_BYTES else buffer


class _RequestStreamingResponse(StreamingResponse):
    """A streamed answer whose iterator reads the request body itself.

    Starlette's `StreamingResponse` (ASGI spec < 2.4) listens for the client's disconnect
    with `receive()` while it streams, which would take the body's chunks away from the
    iterator reading them; here only the iterator receives, and a client that goes away
    ends the stream with an error on `send`.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.stream_response(send)
        except OSError:
            raise ClientDisconnect() from None


def _too_long() -> DomainError:
    return DomainError(
        "request.line_too_long",
        f"The line is longer than {MAX_LINE_BYTES} bytes; a session is one short JSON object "
        "per line",
    )


def _own_provider(caller: OperatorId | ProviderId) -> str | None:
    """The provider a session without `provider_id` is priced for: a provider's own."""
    return caller.display if isinstance(caller, ProviderId) else None


def _price_lines(
    store: Store,
    caller: OperatorId | ProviderId,
    lines: list[tuple[int, bytes | None]],
    cache: service.PricingCache,
) -> bytes:
    """Answer lines for a chunk of the batch, in order (totals only as `cache` says)."""
    answers: dict[int, dict[str, Any]] = {}
    readable: list[tuple[int, SessionRequest]] = []
    for number, raw in lines:
        value: object = None
        try:
            if raw is None:
                raise _too_long()
            value = parse_json_object(raw)
            readable.append((number, read_session(value, provider=_own_provider(caller))))
        except DomainError as error:
            answers[number] = refusal_json(number, session_id_of(value), error, status_of(error))
    requests = [r for _, r in readable]
    priced = provider_pricing.price_sessions_as(store, caller, requests, cache=cache)
    for (number, request), answer in zip(readable, priced, strict=True):
        if isinstance(answer, service.PricingRefusal):
            refused = answer.error
            answers[number] = refusal_json(number, request.id, refused, status_of(refused))
        else:
            price = session_price_json(answer, lines=not cache.totals_only)
            answers[number] = {"line": number, "price": price}
    return b"".join(dumps(answers[number], indent=None).encode() + b"\n" for number, _ in lines)


@router.post(
    "/prices:batch",
    responses={200: {"content": {NDJSON: {}}}, **problem_responses(400, 415, 422)},
    # Documented as text/plain, which OpenAPI tools can write; application/x-ndjson and
    # application/jsonl are taken alike.
    openapi_extra=_body(
        {"type": "string", "description": f"JSON Lines of sessions ({NDJSON} also taken)"},
        "text/plain",
    ),
)
async def price_batch(
    caller: PartyCaller,
    store: StoreDep,
    request: Request,
    detail: Annotated[
        Literal["lines", "totals"],
        Query(
            description="lines: the itemised answer; totals: the same totals, warnings and "
            "refusals without the lines, priced much faster"
        ),
    ] = "lines",
) -> StreamingResponse:
    """Price many sessions: JSON Lines in, JSON Lines out (a price or a problem per line),
    streamed with bounded memory; an operator's or a provider's token, as `POST
    /api/v1/prices`. `detail=totals` leaves the itemised lines out."""
    media_type = (request.headers.get("content-type") or NDJSON).split(";")[0].strip().lower()
    if media_type not in {NDJSON, "application/jsonl", "application/json", "text/plain"}:
        raise ApiProblem(
            415,
            "media_type.unsupported",
            f"This path takes JSON Lines ({NDJSON}), one session per line, not {media_type}",
        )

    async def answers() -> AsyncIterator[bytes]:
        cache = service.PricingCache(totals_only=detail == "totals")
        chunk: list[tuple[int, bytes | None]] = []
        async for number, line in _lines(request):
            if line is not None and not line.strip():
                continue
            chunk.append((number, line))
            if len(chunk) >= BATCH_LINES:
                yield await run_in_threadpool(_price_lines, store, caller, chunk, cache)
                chunk = []
        if chunk:
            yield await run_in_threadpool(_price_lines, store, caller, chunk, cache)

    return _RequestStreamingResponse(answers(), media_type=NDJSON)


@router.post("/simulations", responses=WRITES, openapi_extra=_body(SIMULATION_SCHEMA))
async def simulate(caller: Caller, store: StoreDep, raw: SessionBody) -> Response:
    """What a session would cost under one of the caller's offers (a draft too): the
    breakdown and stacked-bar data per slot and component."""

    def work() -> Response:
        value = parse_json_object(raw)
        body = JsonBody()
        offer_id = body.integer(value, "offer_id", "")
        body.raise_if_any()
        assert offer_id is not None
        request = read_session(value, extra=("offer_id",))
        simulated = service.simulate(store, caller, offer_id, request)
        return _json(
            {
                "offer_id": offer_id,
                "price": session_price_json(simulated.price),
                "chart": chart_json(simulated.chart),
            }
        )

    return await run_in_threadpool(work)


def _ocpi_tariffs(
    store: Store, party: OperatorId | ProviderId, offer_id: int, now: datetime
) -> Response:
    published = exports.published_group_tariffs(store, party, offer_id, now=now)
    country, _, party_id = published.operator_id.display.partition("*")
    tariffs = []
    for group in published.groups:
        tariff = replace(
            group.group.tariff,
            id=f"{offer_id}-{group.group_id}",
            country_code=country if party_id else "",
            party_id=party_id,
            start=group.effective_from,
            end=group.effective_to,
        )
        export = write_tariff(tariff, last_updated=group.published_at)
        tariffs.append({"group_id": group.group_id, "tariff": export.body, "notes": export.notes})
    return _json({"offer_id": offer_id, "tariffs": tariffs})


def _oicp_pricing_products(
    store: Store, party: OperatorId | ProviderId, offer_id: int, now: datetime
) -> Response:
    published = exports.published_offer_members(store, party, offer_id, now=now)
    bodies, notes = pricing_products(
        published.offer,
        operator_id=published.operator_id.display,
        operator_name=published.operator_name,
        provider=published.provider,
    )
    return _json({"offer_id": offer_id, "bodies": bodies, "notes": notes})


def _oicp_evse_pricing(
    store: Store, party: OperatorId | ProviderId, offer_id: int, now: datetime
) -> Response:
    published = exports.published_offer_members(store, party, offer_id, now=now)
    bodies = evse_pricing(published.offer, published.members, provider=published.provider)
    return _json({"offer_id": offer_id, "bodies": bodies})


OCPI_TARIFFS = "/offers/{offer_id}/ocpi/tariffs"
OICP_PRODUCTS = "/offers/{offer_id}/oicp/pricing-products"
OICP_EVSE_PRICING = "/offers/{offer_id}/oicp/evse-pricing"
PROVIDER = "/provider"
"""The provider's downloads of the offers it is subscribed to: the same paths below it."""


@router.get(OCPI_TARIFFS, responses=problem_responses(409))
def ocpi_tariffs(caller: Caller, store: StoreDep, now: Now, offer_id: int) -> Response:
    """Every group of a published offer as an OCPI 2.2.1 Tariff (the compiled tariff the
    engine prices), with notes on what OCPI cannot say (docs/pricing.md)."""
    return _ocpi_tariffs(store, caller, offer_id, now)


@router.get(OICP_PRODUCTS, responses=problem_responses(409))
def oicp_pricing_products(caller: Caller, store: StoreDep, now: Now, offer_id: int) -> Response:
    """A published offer as OICP 2.3 `eRoamingPushPricingProductData` bodies (one per
    provider audience), with notes on what OICP cannot say."""
    return _oicp_pricing_products(store, caller, offer_id, now)


@router.get(OICP_EVSE_PRICING, responses=problem_responses(409))
def oicp_evse_pricing(caller: Caller, store: StoreDep, now: Now, offer_id: int) -> Response:
    """A published offer's EVSEs and their products as OICP 2.3 `eRoamingPushEVSEPricing`
    bodies (one per provider audience)."""
    return _oicp_evse_pricing(store, caller, offer_id, now)


@router.get(PROVIDER + OCPI_TARIFFS, tags=["provider"], responses=problem_responses(403))
def provider_ocpi_tariffs(
    caller: ProviderCaller, store: StoreDep, now: Now, offer_id: int
) -> Response:
    """The OCPI 2.2.1 Tariffs of an offer the caller has a subscription in force to (any
    published version of its chain); any other offer is not found."""
    return _ocpi_tariffs(store, caller, offer_id, now)


@router.get(PROVIDER + OICP_PRODUCTS, tags=["provider"], responses=problem_responses(403))
def provider_oicp_pricing_products(
    caller: ProviderCaller, store: StoreDep, now: Now, offer_id: int
) -> Response:
    """The OICP 2.3 `eRoamingPushPricingProductData` body of an offer the caller has a
    subscription in force to, for the caller (`ProviderID` `*` or its own)."""
    return _oicp_pricing_products(store, caller, offer_id, now)


@router.get(PROVIDER + OICP_EVSE_PRICING, tags=["provider"], responses=problem_responses(403))
def provider_oicp_evse_pricing(
    caller: ProviderCaller, store: StoreDep, now: Now, offer_id: int
) -> Response:
    """The OICP 2.3 `eRoamingPushEVSEPricing` body of an offer the caller has a
    subscription in force to, for the caller."""
    return _oicp_evse_pricing(store, caller, offer_id, now)
