"""`/api/v1/evses`: list, read, push (OICP JSON) and import (CSV files) EVSEs.

Bodies are read raw and handed to the format readers, so that a malformed body is
answered with evsenet's own problem (`oicp.body.malformed`, `csv.header.missing`, …)
rather than a framework error. Parsing and importing run in a worker process (a body
spooled to a file, see `api/import_workers.py`) or thread: a batch of 100,000 records
must not stall the other requests. Query parameters are checked by `api/queries.py`
(unknown or repeated ones are refused) on every route.

`/push` and `/import` are declared before `/{evse_id}`, so that a wrong method on them is
answered with the methods they take (POST), not with those of reading an EVSE.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from evsenet.api.auth import Caller, get_store
from evsenet.api.bodies import BODY_RESPONSES, EVSE_FILE, OICP_JSON, spool_body
from evsenet.api.import_workers import run_write
from evsenet.api.oicp_body import EVSE_ID_PATTERN, oicp_body
from evsenet.api.problems import problem_responses
from evsenet.api.queries import single_valued_query as single_valued_query  # other routers
from evsenet.api.schemas import Evse, EvsePage, ImportSummary
from evsenet.api.writes import BUSY_RESPONSES
from evsenet.domain.ids import EVSE_ID_MAX_LENGTH, OperatorId
from evsenet.domain.inventory import MAX_OFFSET, MAX_PAGE_SIZE, EvseFilter, Page, PushAction
from evsenet.formats.csv_export import MEDIA_TYPE as CSV_MEDIA_TYPE
from evsenet.formats.csv_export import write_evse_csv
from evsenet.formats.files import FileFormat
from evsenet.services.import_pool import import_file, push_oicp
from evsenet.services.inventory import (
    evse_filter,
    export_evses,
    get_evse,
    list_evses,
)
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/v1/evses",
    tags=["evses"],
    responses=problem_responses(401, 422),
    dependencies=[Depends(single_valued_query)],
)
WRITE_RESPONSES = {**problem_responses(400, 409), **BODY_RESPONSES, **BUSY_RESPONSES}
"""Refusals of a push or import: unreadable body, a conflict with a concurrent change
(send it again), a body too large or of the wrong media type, too many writes at once."""

StoreDep = Annotated[Store, Depends(get_store)]

EvseIdPath = Annotated[
    str,
    Path(
        description="The EVSE ID in any spelling of it (case, '*' separators), "
        "e.g. DE*ABC*E123456*1 or deabce1234561",
        examples=["DE*ABC*E123456*1"],
        json_schema_extra={"pattern": EVSE_ID_PATTERN, "maxLength": EVSE_ID_MAX_LENGTH},
    ),
]

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


ConfirmWithdrawals = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_OFFSET,
        description="The number of EVSEs this batch withdraws. Required when it withdraws "
        "more than half of your active EVSEs (or all of them); when given, it must be the "
        "count, else the batch is refused (409, naming the count in `withdrawals`)",
    ),
]


class ImportFormat(StrEnum):
    """The file formats of the import endpoint (OICP bodies go to `/push`)."""

    CSV = FileFormat.CSV.value
    BNETZA = FileFormat.BNETZA.value
    AFDC = FileFormat.AFDC.value


CSV = "text/csv"
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The page of EVSEs (JSON), or with format=csv or `Accept: text/csv` "
        "every EVSE that matches, as evsenet CSV in the import format (streamed)",
        "content": {CSV: {"schema": {"type": "string"}}},
    },
    **problem_responses(400),
}


def wants_csv(accept: str | None) -> bool:
    """Whether an `Accept` header prefers CSV: `text/csv` named with a quality above 0 and
    at least that of `application/json` (wildcards pick the JSON default)."""
    qualities: dict[str, float] = {}
    for media_range in (accept or "").split(","):
        kind, *parameters = (part.strip() for part in media_range.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = kind.lower()
        qualities[kind] = max(quality, qualities.get(kind, 0.0))
    csv_quality = qualities.get(CSV, 0.0)
    return csv_quality > 0 and csv_quality >= qualities.get("application/json", 0.0)


def csv_export(
    store: Store,
    caller: OperatorId,
    criteria: EvseFilter,
    order: Page,
    paged: bool,
) -> StreamingResponse:
    """The EVSEs as a streamed CSV file; the request is checked before the answer starts."""
    records = export_evses(store, caller.display, criteria, order, paged=paged)
    name = "".join(c for c in caller.normalised if c.isalnum())
    return StreamingResponse(
        write_evse_csv(records),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="evses-{name}.csv"',
            "Vary": "Accept",
        },
    )


@router.get("", response_model=EvsePage, responses=LIST_RESPONSES)
def search_evses(
    request: Request,
    response: Response,
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
    file_format: Annotated[
        Literal["json", "csv"] | None,
        Query(
            alias="format",
            description="json (a page, the default) or csv (every EVSE that matches, in the "
            "import format; also chosen by `Accept: text/csv`)",
        ),
    ] = None,
) -> Any:
    """The caller's EVSEs that match every given filter, sorted and paged; or all of them
    as a CSV file in the import format (without limit and offset)."""
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
    if file_format == "csv" or (file_format is None and wants_csv(request.headers.get("accept"))):
        paged = any(name in request.query_params for name in ("limit", "offset"))
        return csv_export(store, caller, criteria, page, paged)
    response.headers["Vary"] = "Accept"  # the answer depends on it: caches must know
    return EvsePage.of(list_evses(store, caller.display, criteria, page))


@router.post(
    "/push",
    responses=WRITE_RESPONSES,
    openapi_extra=oicp_body("An OICP 2.3 eRoamingPushEvseData body"),
)
async def push_evses(
    request: Request,
    caller: Caller,
    store: StoreDep,
    skip_invalid: SkipInvalid = False,
    confirm_withdrawals: ConfirmWithdrawals = None,
) -> ImportSummary:
    """Push EVSE data records (OICP 2.3 eRoamingPushEvseData), all or nothing.

    A refused batch is answered 422 with one entry per refused record in `errors`;
    nothing is written. 409 `batch.sub_operators_changed` means the operator's
    sub-operators changed while the batch was checked: send it again; 409
    `batch.withdrawals_unconfirmed` or `batch.withdrawals_mismatch` that it would withdraw
    more than half of the active EVSEs: send `confirm_withdrawals` with the count named.
    """
    async with request.app.state.writes.admitted():
        body = await spool_body(request, OICP_JSON)
        summary = await run_write(push_oicp, store, body, caller, skip_invalid, confirm_withdrawals)
    return ImportSummary.of(summary)


@router.post(
    "/import",
    responses=WRITE_RESPONSES,
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
    confirm_withdrawals: ConfirmWithdrawals = None,
) -> ImportSummary:
    """Import a file of EVSEs, all or nothing (like a push). A file without records is
    refused (`import.no_records`)."""
    async with request.app.state.writes.admitted():
        body = await spool_body(request, EVSE_FILE)
        summary = await run_write(
            import_file,
            store,
            body,
            caller,
            FileFormat(file_format.value),
            action,
            time_zone,
            skip_invalid,
            confirm_withdrawals,
        )
    return ImportSummary.of(summary)


@router.get("/{evse_id}", responses=problem_responses(400, 404))
def read_evse(caller: Caller, store: StoreDep, evse_id: EvseIdPath) -> Evse:
    """One of the caller's EVSEs. Another operator's EVSE is not found, like a missing one."""
    return Evse.of(get_evse(store, caller.display, evse_id))
