"""`/api/v1/networks`: an operator's EVSE networks and their groups.

The token's operator scopes every path: another operator's network or group is answered
404, exactly like a missing one. Every change is written to the audit log with the token
that made it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from evsenet.api.auth import Acting, Caller, get_store
from evsenet.api.network_schemas import (
    Group,
    GroupCreate,
    GroupDeleted,
    GroupList,
    GroupPatch,
    Network,
    NetworkChanged,
    NetworkCreate,
    NetworkList,
    NetworkPatch,
    NetworkWithGroups,
)
from evsenet.api.problems import problem_responses
from evsenet.api.routes.evses import single_valued_query
from evsenet.domain.network import UNSET, Unset
from evsenet.services import networks as service
from evsenet.store.engine import Store

router = APIRouter(
    prefix="/api/v1/networks",
    tags=["networks"],
    responses=problem_responses(401, 404, 422),
    dependencies=[Depends(single_valued_query)],
)
StoreDep = Annotated[Store, Depends(get_store)]
NetworkId = Annotated[int, Path(description="The network's id", examples=[1])]
GroupId = Annotated[int, Path(description="The group's id", examples=[1])]
WRITES = problem_responses(400, 409)


def _given(value: str | None, fields: set[str], name: str) -> str | Unset:
    """A PATCH field: UNSET when the body left it out; null clears a description."""
    if name not in fields:
        return UNSET
    return value or ""


@router.get("")
def list_networks(caller: Caller, store: StoreDep) -> NetworkList:
    """The caller's networks alphabetically (ignoring case), with group and EVSE counts."""
    return NetworkList(items=[Network.of(n) for n in service.list_networks(store, caller)])


@router.post("", status_code=201, responses=WRITES)
def create_network(
    body: NetworkCreate, caller: Caller, actor: Acting, store: StoreDep, response: Response
) -> NetworkChanged:
    """A new draft network. Names are unique per operator, ignoring letter case (409)."""
    view = service.create_network(store, caller, body.name, body.description, actor=actor)
    response.headers["Location"] = f"/api/v1/networks/{view.id}"
    return NetworkChanged.of(view)


@router.get("/{network_id}")
def read_network(caller: Caller, store: StoreDep, network_id: NetworkId) -> NetworkWithGroups:
    """One network with its groups (alphabetically) and their EVSE counts."""
    return NetworkWithGroups.of_detail(service.get_network(store, caller, network_id))


@router.patch("/{network_id}", responses=WRITES)
def update_network(
    body: NetworkPatch, caller: Caller, actor: Acting, store: StoreDep, network_id: NetworkId
) -> NetworkChanged:
    """Rename or describe a network; only the fields sent change."""
    fields = body.model_fields_set
    view = service.update_network(
        store,
        caller,
        network_id,
        name=UNSET if "name" not in fields else (body.name or ""),
        description=_given(body.description, fields, "description"),
        actor=actor,
    )
    return NetworkChanged.of(view)


@router.delete("/{network_id}", status_code=204, responses=WRITES)
def delete_network(
    caller: Caller, actor: Acting, store: StoreDep, network_id: NetworkId
) -> Response:
    """Delete a draft network with its groups; its EVSEs become unassigned. An active
    network cannot be deleted (409 network.active_not_deletable)."""
    service.delete_network(store, caller, network_id, actor=actor)
    return Response(status_code=204)


@router.get("/{network_id}/groups")
def list_groups(caller: Caller, store: StoreDep, network_id: NetworkId) -> GroupList:
    """The network's groups alphabetically, with their EVSE counts."""
    detail = service.get_network(store, caller, network_id)
    return GroupList(items=[Group.of(g) for g in detail.groups])


@router.post("/{network_id}/groups", status_code=201, responses=WRITES)
def add_group(
    body: GroupCreate,
    caller: Caller,
    actor: Acting,
    store: StoreDep,
    network_id: NetworkId,
    response: Response,
) -> Group:
    """A new group (also in an active network). Names are 1–30 characters, unique in the
    network ignoring letter case (409 group.name_taken)."""
    group = service.add_group(store, caller, network_id, body.name, body.description, actor=actor)
    response.headers["Location"] = f"/api/v1/networks/{network_id}/groups/{group.id}"
    return Group.of(group)


@router.patch("/{network_id}/groups/{group_id}", responses=WRITES)
def update_group(
    body: GroupPatch,
    caller: Caller,
    actor: Acting,
    store: StoreDep,
    network_id: NetworkId,
    group_id: GroupId,
) -> Group:
    """Rename (draft networks only) or describe a group; only the fields sent change."""
    fields = body.model_fields_set
    group = service.update_group(
        store,
        caller,
        network_id,
        group_id,
        name=UNSET if "name" not in fields else (body.name or ""),
        description=_given(body.description, fields, "description"),
        actor=actor,
    )
    return Group.of(group)


@router.delete("/{network_id}/groups/{group_id}", responses=WRITES)
def delete_group(
    caller: Caller, actor: Acting, store: StoreDep, network_id: NetworkId, group_id: GroupId
) -> GroupDeleted:
    """Delete a group of a draft network; its EVSEs become unassigned."""
    unassigned = service.delete_group(store, caller, network_id, group_id, actor=actor)
    return GroupDeleted(unassigned=unassigned)
