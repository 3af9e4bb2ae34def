"""The audit log page: who changed which network, group or assignment, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from evsenet.domain.inventory import MAX_OFFSET, Page
from evsenet.services.networks import list_audit
from evsenet.web.rendering import render
from evsenet.web.session import Operator, StoreDep

router = APIRouter()
PAGE_SIZE = 50


@router.get("/audit")
def audit_page(
    request: Request,
    store: StoreDep,
    operator: Operator,
    page: Annotated[int, Query(ge=1, le=MAX_OFFSET // PAGE_SIZE)] = 1,
) -> Response:
    entries = list_audit(store, operator, Page(PAGE_SIZE, (page - 1) * PAGE_SIZE))
    pages = max(1, -(-entries.total // PAGE_SIZE))
    return render(request, "audit.html", {"log": entries, "page": page, "pages": pages})
