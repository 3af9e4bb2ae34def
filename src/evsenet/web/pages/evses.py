"""The EVSEs page: the inventory with the API's filters, sorting, paging and file upload."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import MAX_OFFSET, Page, PushAction
from evsenet.formats.files import FileFormat, guess_format, read_file
from evsenet.services.inventory import (
    ImportRefused,
    ImportSummary,
    evse_filter,
    import_evses,
    list_evses,
)
from evsenet.web.rendering import is_htmx, render
from evsenet.web.session import CheckedOperator, Operator, StoreDep, WebProblem

router = APIRouter()
PAGE_SIZE = 50
REPORT = {"X-Evsenet-Swap": "report", "HX-Trigger": "evsenet:changed"}
"""A refused import is answered 422 with its report, which htmx shows like a success;
either way the page reloads its list of EVSEs."""
FilterText = Annotated[str, Query(max_length=100)]
SortKey = Literal["evse_id", "country", "city", "postal_code", "power_type", "output_kw"]
UPLOAD_FORMATS = {
    "auto": "Recognise from the file",
    FileFormat.OICP.value: "OICP 2.3 push (JSON)",
    FileFormat.CSV.value: "evsenet CSV",
    FileFormat.BNETZA.value: "BNetzA Ladesäulenregister (CSV)",
    FileFormat.AFDC.value: "AFDC export (CSV)",
}


@router.get("/evses")
def evses_page(
    request: Request,
    store: StoreDep,
    operator: Operator,
    q: FilterText = "",
    country: FilterText = "",
    city: FilterText = "",
    postal_code: FilterText = "",
    power_type: FilterText = "",
    min_output_kw: FilterText = "",
    max_output_kw: FilterText = "",
    assigned: FilterText = "",
    sort: SortKey = "evse_id",
    order: Literal["asc", "desc"] = "asc",
    page: Annotated[int, Query(ge=1, le=MAX_OFFSET // PAGE_SIZE)] = 1,
) -> Response:
    filters = {
        "q": q,
        "country": country,
        "city": city,
        "postal_code": postal_code,
        "power_type": power_type,
        "min_output_kw": min_output_kw,
        "max_output_kw": max_output_kw,
        "assigned": assigned,
    }
    criteria = evse_filter(
        text=q,
        country=country,
        city=city,
        postal_code=postal_code,
        power_type=power_type,
        min_output_kw=min_output_kw,
        max_output_kw=max_output_kw,
        assigned=assigned,
    )
    slice_ = Page(PAGE_SIZE, (page - 1) * PAGE_SIZE, sort, order == "desc")
    found = list_evses(store, operator.display, criteria, slice_)
    context = {
        "found": found,
        "filters": filters,
        "sort": sort,
        "order": order,
        "page": page,
        "pages": max(1, -(-found.total // PAGE_SIZE)),
        "formats": UPLOAD_FORMATS,
        "actions": [action.value for action in PushAction],
    }
    template = "_evse_results.html" if is_htmx(request) else "evses.html"
    return render(request, template, context)


def _import(
    store: StoreDep, operator: str, name: str, data: bytes, kind: str, action: str, skip: bool
) -> ImportSummary:
    """Read the uploaded file in its format and import it (in a worker thread)."""
    file_format = guess_format(name, data) if kind == "auto" else FileFormat(kind)
    push_action = None if action == "auto" else PushAction.parse(action)
    batch = read_file(data, file_format, OperatorId.parse(operator), push_action)
    return import_evses(store, operator, batch, skip_invalid=skip)


@router.post("/evses/import")
async def import_file(
    request: Request,
    store: StoreDep,
    operator: CheckedOperator,
    file: UploadFile,
    file_format: Annotated[
        Literal["auto", "oicp", "csv", "bnetza", "afdc"], Form(alias="format")
    ] = "auto",
    action: Annotated[str, Form(max_length=20)] = "auto",
    skip_invalid: Annotated[bool, Form()] = False,
) -> Response:
    limit: int = request.app.state.max_body_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise WebProblem(413, "request.too_large", f"The file is larger than {limit // 2**20} MiB")
    name = file.filename or ""
    try:
        summary = await run_in_threadpool(
            _import, store, operator.display, name, data, file_format, action, skip_invalid
        )
    except ImportRefused as refused:
        context = {"summary": refused.summary, "message": refused.message, "name": name}
        return render(request, "_import_report.html", context, status=422, headers=REPORT)
    return render(
        request, "_import_report.html", {"summary": summary, "name": name}, headers=REPORT
    )
