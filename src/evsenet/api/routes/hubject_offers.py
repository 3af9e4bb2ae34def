"""Hubject's service-offer paths: create and publish, new price versions, attachments.

`POST /api/partner/v1/operators/{operatorId}/service-offers` creates and publishes an offer
in one step and answers Hubject's `ServiceOfferDTO` (201, `status` `PENDING`). An offer
that would price EVSEs at zero (the operator's EVSEs in no group) is refused with a
problem naming their count, unless the query carries `acknowledgeZeroPriced=<that count>`.
`PUT …/service-offers/{serviceOfferId}` adds a price version; `POST
…/service-offers/attachments` takes a PDF (multipart `file`, `attachmentType=pdf`). The
path's operator must be the token's: any other is answered 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from evsenet.api.auth import Acting, PathOperator, get_store
from evsenet.api.bodies import BODY_RESPONSES
from evsenet.api.offer_bodies import (
    OPENAPI_OFFER_BODY,
    OPENAPI_PRICE_BODY,
    Now,
    offer_body,
    price_body,
    read_offer,
    read_update,
)
from evsenet.api.offer_schemas import Attachment, json_numbers
from evsenet.api.problems import problem_responses
from evsenet.api.routes.evses import single_valued_query
from evsenet.domain.errors import DomainError
from evsenet.formats.hubject_offer_answer import OfferRecord, render_offer
from evsenet.services import offers as service
from evsenet.services.offer_views import OfferView
from evsenet.store.engine import Store
from evsenet.store.tables import MAX_ATTACHMENT_BYTES

router = APIRouter(
    prefix="/api/partner/v1/operators/{operator_id}/service-offers",
    tags=["hubject offers"],
    responses=problem_responses(401, 404, 422),
    dependencies=[Depends(single_valued_query)],
)
StoreDep = Annotated[Store, Depends(get_store)]
WRITES = {**problem_responses(400, 409), **BODY_RESPONSES}
ServiceOfferId = Annotated[str, Path(max_length=40, description="The offer's id", examples=["1"])]


def answer(view: OfferView) -> dict[str, object]:
    """Hubject's `ServiceOfferDTO` of an offer version (numbers as JSON numbers)."""
    record = OfferRecord(
        offer_id=str(view.id),
        operator_id=view.operator_id,
        status=view.status,
        version=view.version,
        created_at=view.created_at,
        modified_at=view.updated_at,
        original_id=str(view.chain_id or view.id),
        original_valid_from=view.offer.terms.valid_from,
        previous_id=None if view.previous_offer_id is None else str(view.previous_offer_id),
        next_id=None if view.next_offer_id is None else str(view.next_offer_id),
    )
    rendered: dict[str, object] = json_numbers(render_offer(view.offer, record))
    return rendered


@router.post("", status_code=201, responses=WRITES, openapi_extra=OPENAPI_OFFER_BODY)
async def create_service_offer(
    operator: PathOperator,
    actor: Acting,
    store: StoreDep,
    now: Now,
    raw: Annotated[bytes, Depends(offer_body)],
    acknowledge: Annotated[
        int | None,
        Query(
            alias="acknowledgeZeroPriced",
            ge=0,
            le=10_000_000,
            description="The count of EVSEs in no group (priced at zero) you accept",
        ),
    ] = None,
) -> dict[str, object]:
    """Create and publish an NGP offer (Hubject's body and answer)."""

    def work() -> dict[str, object]:
        request = read_offer(raw, now)
        view = service.create_and_publish(
            store, operator, request, acknowledge_zero_priced=acknowledge, actor=actor, now=now
        )
        return answer(view)

    return await run_in_threadpool(work)


@router.post("/attachments", status_code=201, responses=problem_responses(400, 413))
async def upload_attachment(
    operator: PathOperator,
    actor: Acting,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="The terms and conditions, a PDF")],
    attachment_type: Annotated[str, Form(alias="attachmentType", max_length=10)],
) -> Attachment:
    """Upload a terms-and-conditions PDF (at most 10 MiB, checked by content)."""
    if attachment_type.strip().lower() != "pdf":
        raise DomainError(
            "attachment.type_unsupported",
            f"attachmentType {attachment_type!r} is not supported; send attachmentType=pdf",
            field="attachmentType",
        )
    content = await file.read(MAX_ATTACHMENT_BYTES + 1)
    name = file.filename or ""
    view = await run_in_threadpool(
        service.store_attachment, store, operator, name, content, actor=actor
    )
    return Attachment.of(view)


@router.put("/{service_offer_id}", responses=WRITES, openapi_extra=OPENAPI_PRICE_BODY)
async def update_prices(
    operator: PathOperator,
    actor: Acting,
    store: StoreDep,
    now: Now,
    service_offer_id: ServiceOfferId,
    raw: Annotated[bytes, Depends(price_body)],
    response: Response,
) -> dict[str, object]:
    """A new price version of an unlimited offer (Hubject's body; the new version is
    answered, linked back by `previousServiceOfferId`)."""

    def work() -> dict[str, object]:
        update = read_update(raw)
        view = service.add_price_version(
            store, operator, service_offer_id, update, actor=actor, now=now
        )
        return answer(view)

    rendered = await run_in_threadpool(work)
    response.status_code = 200
    return rendered
