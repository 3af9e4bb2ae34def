"""OICP 2.3 EVSE data push on Hubject's own path, answered with eRoamingAcknowledgement.

`POST /api/oicp/evsepush/v23/operators/{operator_id}/data-records` lets a CPO backend
that already pushes to Hubject push to evsenet unchanged. The path's operator must be the
caller's (any other is not found). A push that was processed is answered HTTP 200:
`Result: true` with status code `000` when it was applied, `Result: false` when it was
refused (nothing written) with the reason of every refused record in `AdditionalInfo`
and status code `018` (Inconsistent EvseID) when an EVSE ID is at fault, else `022`
(Data error). A body that cannot be read at all is answered HTTP 400 with code `022`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from evsenet.api.auth import PathOperator, get_store
from evsenet.api.problems import problem_responses
from evsenet.api.routes.evses import oicp_body, push_oicp
from evsenet.api.schemas import OicpAcknowledgement, OicpStatusCode
from evsenet.domain.errors import DomainError, NotFound, RecordProblem
from evsenet.services.inventory import ImportRefused, ImportSummary
from evsenet.store.engine import Store

router = APIRouter(prefix="/api/oicp/evsepush/v23", tags=["oicp"])

SUCCESS = ("000", "Success")
INCONSISTENT_EVSE_ID = ("018", "Inconsistent EvseID")
DATA_ERROR = ("022", "Data error")


def _ack(result: bool, status: tuple[str, str], info: str) -> OicpAcknowledgement:
    code, description = status
    return OicpAcknowledgement(
        Result=result,
        StatusCode=OicpStatusCode(Code=code, Description=description, AdditionalInfo=info),
    )


def accepted(summary: ImportSummary) -> OicpAcknowledgement:
    return _ack(
        True,
        SUCCESS,
        f"{summary.action}: {summary.received} records received, {summary.inserted} "
        f"inserted, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.withdrawn} withdrawn",
    )


def _reason(problem: RecordProblem) -> str:
    who = f" {problem.evse_id}" if problem.evse_id else ""
    return f"{problem.position_kind} {problem.position}{who}: {problem.code}: {problem.message}"


def refused(error: ImportRefused) -> OicpAcknowledgement:
    problems = error.summary.rejected
    at_fault = any(p.field == "evse_id" or p.code.startswith("evse_id.") for p in problems)
    count = len({(p.position_kind, p.position) for p in problems})
    reasons = "; ".join(_reason(problem) for problem in problems)
    info = f"{count} of {error.summary.received} records refused, nothing written: {reasons}"
    return _ack(False, INCONSISTENT_EVSE_ID if at_fault else DATA_ERROR, info)


def unreadable(error: DomainError) -> OicpAcknowledgement:
    return _ack(False, DATA_ERROR, f"{error.code}: {error.message}")


@router.post(
    "/operators/{operator_id}/data-records",
    response_model=OicpAcknowledgement,
    responses={
        400: {"model": OicpAcknowledgement, "description": "The body cannot be read"},
        **problem_responses(401, 404, 422),
    },
    openapi_extra=oicp_body("An OICP 2.3 eRoamingPushEvseData body"),
)
async def push_evse_data(
    request: Request,
    operator: PathOperator,
    store: Annotated[Store, Depends(get_store)],
) -> Any:
    """eRoamingPushEvseData as Hubject accepts it, all or nothing."""
    body = await request.body()
    try:
        summary = await run_in_threadpool(push_oicp, store, operator, body, False)
    except ImportRefused as error:
        return refused(error)
    except NotFound:
        raise
    except DomainError as error:
        return JSONResponse(unreadable(error).model_dump(mode="json"), status_code=400)
    return accepted(summary)
