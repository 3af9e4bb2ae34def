"""`GET /api/v1/audit`: the caller's audit log of networks, groups and assignments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from evsenet.api.auth import Caller, get_store
from evsenet.api.network_schemas import AuditPage
from evsenet.api.problems import problem_responses
from evsenet.api.routes.evses import single_valued_query
from evsenet.domain.inventory import MAX_OFFSET, MAX_PAGE_SIZE, Page
from evsenet.services.networks import list_audit
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/v1",
    tags=["audit"],
    responses=problem_responses(401, 422),
    dependencies=[Depends(single_valued_query)],
)


@router.get("/audit")
def read_audit(
    caller: Caller,
    store: Annotated[Store, Depends(get_store)],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AuditPage:
    """Every change the caller's operator made to networks, groups and assignments,
    newest first: who (token), when, what, counts and up to 1,000 EVSE IDs."""
    return AuditPage.of(list_audit(store, caller, Page(limit, offset)))
