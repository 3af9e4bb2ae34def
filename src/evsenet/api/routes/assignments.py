"""`/api/v1/networks/{id}/evses` (the two lists) and `/api/v1/networks/{id}/assignments`
(bulk assign, move and unassign by EVSE IDs or by a filter, all or nothing).

A refused bulk request is answered 409 `assignment.refused` with one entry per refused
EVSE in `errors` (`index` in `evse_ids`, `evse_id`, `code`, `message`); nothing is written.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from evsenet.api.auth import Acting, Caller, get_store
from evsenet.api.network_schemas import (
    AssignmentBody,
    AssignmentReport,
    EvseFilterBody,
    NetworkEvseList,
    UnassignmentBody,
)
from evsenet.api.problems import problem_responses
from evsenet.api.routes.evses import NO_NUL, FilterText, OutputKw, single_valued_query
from evsenet.domain.inventory import MAX_PAGE_SIZE
from evsenet.domain.network import GroupRef
from evsenet.domain.network_lists import EvseSelection, KeysetPage, NetworkEvseFilter
from evsenet.services import networks as service
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/v1/networks/{network_id}",
    tags=["networks"],
    responses=problem_responses(401, 404, 422),
    dependencies=[Depends(single_valued_query)],
)
StoreDep = Annotated[Store, Depends(get_store)]
NetworkId = Annotated[int, Path(description="The network's id", examples=[1])]
WRITES = problem_responses(400, 409)


def _criteria(body: EvseFilterBody) -> NetworkEvseFilter:
    def bound(value: str | int | None) -> str | None:
        return None if value is None else str(value)

    return NetworkEvseFilter.parse(
        text=body.text,
        country=body.country,
        city=body.city,
        postal_code=body.postal_code,
        power_type=body.power_type,
        min_output_kw=bound(body.min_output_kw),
        max_output_kw=bound(body.max_output_kw),
        include_withdrawn=body.include_withdrawn,
        group_id=body.group_id,
    )


def _selection(body: AssignmentBody | UnassignmentBody) -> EvseSelection:
    source = None if body.source is None else body.source == "assigned"
    criteria = None if body.filter is None else _criteria(body.filter)
    return EvseSelection(evse_ids=body.evse_ids, criteria=criteria, assigned=source)


@router.get("/evses", responses=problem_responses(400))
def list_network_evses(
    caller: Caller,
    store: StoreDep,
    network_id: NetworkId,
    assigned: Annotated[
        bool,
        Query(
            description="true: the EVSEs in the network's groups; false: every EVSE of "
            "the operator in no group"
        ),
    ] = False,
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
    group_id: Annotated[int | None, Query(description="Assigned list: one group")] = None,
    include_withdrawn: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=400, description="`next_cursor` of the page before")
    ] = None,
    sort: Literal["evse_id", "country", "city", "postal_code", "power_type", "output_kw"] = (
        "evse_id"
    ),
    order: Literal["asc", "desc"] = "asc",
) -> NetworkEvseList:
    """One of the network's two lists, filtered, sorted and keyset-paged, with the total
    that matches and (assigned list) the count per group."""
    criteria = NetworkEvseFilter.parse(
        text=q,
        country=country,
        city=city,
        postal_code=postal_code,
        power_type=power_type,
        min_output_kw=min_output_kw,
        max_output_kw=max_output_kw,
        include_withdrawn=include_withdrawn,
        group_id=group_id,
    )
    page = KeysetPage(limit, cursor, sort, order == "desc")
    return NetworkEvseList.of(
        service.list_network_evses(
            store, caller, network_id, assigned=assigned, criteria=criteria, page=page
        )
    )


@router.post("/assignments", responses=WRITES)
def assign_evses(
    body: AssignmentBody, caller: Caller, actor: Acting, store: StoreDep, network_id: NetworkId
) -> AssignmentReport:
    """Assign EVSEs (`evse_ids`, or every EVSE of a list matching `filter`) to one group,
    all or nothing. In a draft network EVSEs of other groups move; in an active network only
    unassigned EVSEs can be assigned."""
    group = GroupRef(id=body.group_id, name=body.group_name)
    report = service.assign_evses(
        store, caller, network_id, group, _selection(body), actor=actor, allow_moves=body.move
    )
    return AssignmentReport.of(report)


@router.delete("/assignments", responses=WRITES)
def unassign_evses(
    body: UnassignmentBody, caller: Caller, actor: Acting, store: StoreDep, network_id: NetworkId
) -> AssignmentReport:
    """Take EVSEs out of their groups of a draft network, all or nothing (same selection
    as assigning; a filter selects from the assigned list unless `source` says otherwise)."""
    report = service.unassign_evses(store, caller, network_id, _selection(body), actor=actor)
    return AssignmentReport.of(report)
