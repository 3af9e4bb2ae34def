"""Hubject's EVSE Network API (NGP automation, CPO side) on Hubject's own paths.

- `POST /api/evsenetwork/v1/operators/{operator_id}/networks` creates a network with its
  groups and their EVSEs in one request, all or nothing; 201 with the network, the ids of
  it and its groups and `createdAt`.
- `PUT /api/evsenetwork/v1/operators/{operator_id}/network` assigns EVSEs to existing
  groups of a network named in the body; 200 with every EVSE now in each named group.
  Hubject's rule: in a draft network a later call overwrites earlier assignments (the EVSE
  moves); in an active network only unassigned EVSEs can be assigned and an earlier
  assignment is never overwritten (refused with `evse.assigned_in_active_network`).

The keys are Hubject's (`hubject_schemas`). Hubject authenticates with client
certificates; evsenet with the operator's bearer token, and the path's operator must be
the token's (any other is not found). Refusals are evsenet's problem details with stable
codes, as on `/api/v1`: a refused EVSE lists each one in `errors`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from evsenet.api.auth import Acting, PathOperator, get_store
from evsenet.api.hubject_schemas import (
    EvseGroupOut,
    EvseNetworkIn,
    EvseNetworkOut,
    NetworkAssignmentIn,
    NetworkAssignmentOut,
)
from evsenet.api.problems import problem_responses
from evsenet.domain.network_lists import GroupSpec, NetworkDetail
from evsenet.services.networks import assign_by_group_names, create_network_with_groups
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/evsenetwork/v1",
    tags=["hubject"],
    responses=problem_responses(400, 401, 404, 409, 422),
)

StoreDep = Annotated[Store, Depends(get_store)]


def _or_none(text: str) -> str | None:
    return text or None


def created(body: EvseNetworkIn, network: NetworkDetail) -> EvseNetworkOut:
    """Hubject's answer to a created network: each group with the EVSE IDs it was sent
    (all were assigned, or nothing would have been written)."""
    sent = {group.group_name.strip(): group.evse_ids for group in body.evse_groups}
    return EvseNetworkOut(
        id=str(network.id),
        evse_network_name=network.name,
        evse_network_description=_or_none(network.description),
        evse_groups=[
            EvseGroupOut(
                id=str(group.id),
                group_name=group.name,
                group_description=_or_none(group.description),
                evse_ids=list(sent.get(group.name, ())),
            )
            for group in network.groups
        ],
        created_at=network.created_at,
    )


@router.post(
    "/operators/{operator_id}/networks",
    status_code=201,
    response_model=EvseNetworkOut,
    response_model_by_alias=True,
)
def create_evse_network(
    body: EvseNetworkIn, operator: PathOperator, actor: Acting, store: StoreDep
) -> EvseNetworkOut:
    """Create a network, its groups and their assignments in one request, all or nothing."""
    groups = [
        GroupSpec(group.group_name, group.group_description or "", list(group.evse_ids))
        for group in body.evse_groups
    ]
    network = create_network_with_groups(
        store,
        operator,
        body.evse_network_name,
        body.evse_network_description or "",
        groups,
        actor=actor,
    )
    return created(body, network)


@router.put(
    "/operators/{operator_id}/network",
    response_model=NetworkAssignmentOut,
    response_model_by_alias=True,
)
def assign_evses_to_groups(
    body: NetworkAssignmentIn, operator: PathOperator, actor: Acting, store: StoreDep
) -> NetworkAssignmentOut:
    """Assign EVSEs to existing groups of a network, by the names of both, all or nothing."""
    assignments = body.assignments()
    members = assign_by_group_names(store, operator, body.network_name, assignments, actor=actor)
    return NetworkAssignmentOut.of(body.network_name, [name for name, _ in assignments], members)
