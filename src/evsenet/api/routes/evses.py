"""`/api/v1/evses`: list, read, push (OICP JSON) and import (CSV files) EVSEs.

Bodies are read raw and handed to the format readers, so that a malformed body is
answered with evsenet's own problem (`oicp.body.malformed`, `csv.header.missing`, …)
rather than a framework error. Parsing and importing run in a worker thread: a batch of
100,000 records must not stall the other requests.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from evsenet.api.auth import Caller, get_store
from evsenet.api.problems import problem_responses
from evsenet.api.schemas import Evse, EvsePage, ImportSummary
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import MAX_OFFSET, MAX_PAGE_SIZE, Page, PushAction
from evsenet.formats.files import FileFormat, read_file
from evsenet.formats.oicp import read_oicp_push_bytes
from evsenet.services.inventory import ImportSummary as Summary
from evsenet.services.inventory import evse_filter, get_evse, import_evses, list_evses
from evsenet.store.engine import Store

router = APIRouter(prefix="/api/v1/evses", tags=["evses"], responses=problem_responses(401, 422))

StoreDep = Annotated[Store, Depends(get_store)]

NO_NUL = r"^[^\x00]*$"
"""Text filters may hold any character but NUL, which no database column can."""

FilterText = Annotated[str | None, Query(max_length=100, pattern=NO_NUL)]
OutputKw = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{1,7}(\.[0-9]{1,6})?$",
        description="Output in kW, a decimal with a '.' point, e.g. 22 or 3.7",
        examples=["22"],
    ),
]
SkipInvalid = Annotated[
    bool,
    Query(
        description="Apply the valid records and report the others, instead of refusing "
        "the whole batch when one record is invalid"
    ),
]

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
                "OperatorID": {"type": "string", "examples": ["DE*ABC"]},
                "OperatorName": {"type": "string"},
                "EvseDataRecord": {
                    "type": "array",
                    "items": {"type": "object", "required": ["EvseID"]},
                },
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


def push_oicp(store: Store, operator: OperatorId, body: bytes, skip_invalid: bool) -> Summary:
    """Read an OICP push body and import it for `operator` (runs in a worker thread)."""
    batch = read_oicp_push_bytes(body)
    return import_evses(store, operator.display, batch, skip_invalid=skip_invalid)


class ImportFormat(StrEnum):
    """The file formats of the import endpoint (OICP bodies go to `/push`)."""

    CSV = FileFormat.CSV.value
    BNETZA = FileFormat.BNETZA.value
    AFDC = FileFormat.AFDC.value


def import_file(
    store: Store,
    operator: OperatorId,
    data: bytes,
    kind: ImportFormat,
    action: PushAction,
    zone: str | None,
    skip_invalid: bool,
) -> Summary:
    """Read a file of the given format and import it for `operator` (in a worker thread)."""
    batch = read_file(data, FileFormat(kind.value), operator, action, zone)
    return import_evses(store, operator.display, batch, skip_invalid=skip_invalid)


@router.get("", responses=problem_responses(400))
def search_evses(
    caller: Caller,
    store: StoreDep,
    q: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL, description="EVSE ID text")
    ] = None,
    country: FilterText = None,
    city: FilterText = None,
    postal_code: FilterText = None,
    power_type: Annotated[
        str | None, Query(max_length=20, description="AC_1_PHASE, AC_3_PHASE or DC")
    ] = None,
    min_output_kw: OutputKw = None,
    max_output_kw: OutputKw = None,
    include_withdrawn: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    sort: Literal["evse_id", "country", "city", "postal_code", "power_type", "output_kw"] = (
        "evse_id"
    ),
    order: Literal["asc", "desc"] = "asc",
) -> EvsePage:
    """The caller's EVSEs that match every given filter, sorted and paged."""
    criteria = evse_filter(
        text=q,
        country=country,
        city=city,
        postal_code=postal_code,
        power_type=power_type,
        min_output_kw=min_output_kw,
        max_output_kw=max_output_kw,
        include_withdrawn=include_withdrawn,
    )
    page = Page(limit, offset, sort, order == "desc")
    return EvsePage.of(list_evses(store, caller.display, criteria, page))


@router.get("/{evse_id}", responses=problem_responses(400, 404))
def read_evse(caller: Caller, store: StoreDep, evse_id: str) -> Evse:
    """One of the caller's EVSEs. Another operator's EVSE is not found, like a missing one."""
    return Evse.of(get_evse(store, caller.display, evse_id))


@router.post(
    "/push",
    responses=problem_responses(400),
    openapi_extra=oicp_body("An OICP 2.3 eRoamingPushEvseData body"),
)
async def push_evses(
    request: Request, caller: Caller, store: StoreDep, skip_invalid: SkipInvalid = False
) -> ImportSummary:
    """Push EVSE data records (OICP 2.3 eRoamingPushEvseData), all or nothing.

    A refused batch is answered 422 with one entry per refused record in `errors`;
    nothing is written.
    """
    body = await request.body()
    summary = await run_in_threadpool(push_oicp, store, caller, body, skip_invalid)
    return ImportSummary.of(summary)


@router.post(
    "/import",
    responses=problem_responses(400),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The file, UTF-8 (a byte order mark is tolerated)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_evse_file(
    request: Request,
    caller: Caller,
    store: StoreDep,
    file_format: Annotated[
        ImportFormat,
        Query(
            alias="format",
            description="csv: evsenet's CSV; bnetza: the German Ladesäulenregister; "
            "afdc: the US Alternative Fuels Data Center export",
        ),
    ] = ImportFormat.CSV,
    action: PushAction = PushAction.UPSERT,
    skip_invalid: SkipInvalid = False,
    time_zone: Annotated[
        str | None,
        Query(max_length=64, description="afdc: the IANA time zone of every station"),
    ] = None,
) -> ImportSummary:
    """Import a file of EVSEs, all or nothing (like a push)."""
    data = await request.body()
    summary = await run_in_threadpool(
        import_file, store, caller, data, file_format, action, time_zone, skip_invalid
    )
    return ImportSummary.of(summary)
