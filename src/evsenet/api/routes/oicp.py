"""OICP 2.3 EVSE data push on Hubject's own path, answered with eRoamingAcknowledgement.

`POST /api/oicp/evsepush/v23/operators/{operator_id}/data-records` lets a CPO backend
that already pushes to Hubject push to evsenet unchanged. The path's operator must be the
caller's (any other is not found). A push that was processed is answered HTTP 200:
`Result: true` with status code `000` when it was applied, `Result: false` when it was
refused (nothing written) with the reasons of the refused records in `AdditionalInfo`
and status code `018` (Inconsistent EvseID) when an EVSE ID is at fault, else `022`
(Data error). A body that cannot be read at all is answered HTTP 400 with code `022`; a
push overtaken by a change of the operator's sub-operators HTTP 409 with code `009`
(Data transaction error): nothing was written, send it again.

A push that would withdraw more than half of the operator's active EVSEs (a `fullLoad`
that leaves most of them out, an empty `fullLoad`, a large `delete`) is refused, HTTP 200
with `Result: false` and `022`, unless the URL carries `?confirm_withdrawals=N` with the
count it withdraws: `AdditionalInfo` names the count. An OICP client that cannot add the
parameter gets that refusal every time, never a silent withdrawal: push the batch through
`POST /api/v1/evses/push?confirm_withdrawals=N` (the same body), or withdraw in smaller
`delete` steps. HTTP 200, not 409: the push was read and refused, and OICP clients tend to
retry on an HTTP error, which would never help here.

`AdditionalInfo` keeps to OICP's 1000 characters: it names as many refused records as
fit and says how many more there are (`POST /api/v1/evses/push` lists every one).
HTTP-level refusals (authentication, an unknown operator, a body too large or of another
media type, too many writes at once) are problem details, as on every other path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from evsenet.api.auth import PathOperator, get_store
from evsenet.api.bodies import BODY_RESPONSES, OICP_JSON, spool_body
from evsenet.api.import_workers import run_write
from evsenet.api.oicp_body import oicp_body
from evsenet.api.problems import problem_responses
from evsenet.api.routes.evses import ConfirmWithdrawals
from evsenet.api.schemas import OICP_INFO_LIMIT, OicpAcknowledgement, OicpStatusCode
from evsenet.api.writes import BUSY_RESPONSES
from evsenet.domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    RecordProblem,
    WithdrawalsUnconfirmed,
)
from evsenet.services.import_pool import push_oicp
from evsenet.services.inventory import ImportRefused, ImportSummary
from evsenet.store.engine import Store

router = APIRouter(prefix="/api/oicp/evsepush/v23", tags=["oicp"])

SUCCESS = ("000", "Success")
DATA_TRANSACTION_ERROR = ("009", "Data transaction error")
INCONSISTENT_EVSE_ID = ("018", "Inconsistent EvseID")
DATA_ERROR = ("022", "Data error")
EVSE_ID_FIELDS = ("evse_id", "EvseID")


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


def _as_many_as_fit(head: str, reasons: Sequence[str]) -> str:
    """`head` and the reasons, cut to OICP's limit with a count of the reasons left out."""
    text = head + "; ".join(reasons)
    if len(text) <= OICP_INFO_LIMIT:
        return text
    kept: list[str] = []
    for reason in reasons:
        left_out = len(reasons) - len(kept) - 1
        longer = head + "; ".join([*kept, reason, f"… {left_out} more reasons"])
        if len(longer) > OICP_INFO_LIMIT:
            break
        kept.append(reason)
    text = head + "; ".join([*kept, f"… {len(reasons) - len(kept)} more reasons"])
    return text[:OICP_INFO_LIMIT]


def refused(error: ImportRefused) -> OicpAcknowledgement:
    problems = error.summary.rejected
    at_fault = any(p.field in EVSE_ID_FIELDS or p.code.startswith("evse_id.") for p in problems)
    count = len({(p.position_kind, p.position) for p in problems})
    head = f"{count} of {error.summary.received} records refused, nothing written: "
    info = _as_many_as_fit(head, [_reason(problem) for problem in problems])
    return _ack(False, INCONSISTENT_EVSE_ID if at_fault else DATA_ERROR, info)


def _not_applied(status: int, code: tuple[str, str], error: DomainError) -> JSONResponse:
    info = f"{error.code}: {error.message}"[:OICP_INFO_LIMIT]
    return JSONResponse(_ack(False, code, info).model_dump(mode="json"), status_code=status)


@router.post(
    "/operators/{operator_id}/data-records",
    response_model=OicpAcknowledgement,
    responses={
        400: {
            "model": OicpAcknowledgement,
            "description": "The body cannot be read (an acknowledgement), or the query names "
            "a parameter this path does not take (a problem)",
            "content": problem_responses(400)[400]["content"],
        },
        409: {
            "model": OicpAcknowledgement,
            "description": "The operator's sub-operators changed meanwhile; send it again",
        },
        **problem_responses(401, 404, 422),
        **BODY_RESPONSES,
        **BUSY_RESPONSES,
    },
    openapi_extra=oicp_body("An OICP 2.3 eRoamingPushEvseData body"),
)
async def push_evse_data(
    request: Request,
    operator: PathOperator,
    store: Annotated[Store, Depends(get_store)],
    confirm_withdrawals: ConfirmWithdrawals = None,
) -> Any:
    """eRoamingPushEvseData as Hubject accepts it, all or nothing."""
    async with request.app.state.writes.admitted():
        body = await spool_body(request, OICP_JSON)
        try:
            summary = await run_write(push_oicp, store, body, operator, False, confirm_withdrawals)
        except ImportRefused as error:
            return refused(error)
        except NotFound:
            raise
        except WithdrawalsUnconfirmed as error:
            return _ack(False, DATA_ERROR, f"{error.code}: {error.message}"[:OICP_INFO_LIMIT])
        except Conflict as error:
            return _not_applied(409, DATA_TRANSACTION_ERROR, error)
        except DomainError as error:
            return _not_applied(400, DATA_ERROR, error)
    return accepted(summary)
