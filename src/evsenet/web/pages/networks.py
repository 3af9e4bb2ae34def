"""The Networks page and the network page: groups, and the two EVSE lists side by side.

A change (add, rename or delete a group; assign, move or unassign EVSEs) answers an htmx
request with a one-line result for the page's status region and the `evsenet:changed`
event, on which the page reloads its workspace with the lists' current filters. Without
JavaScript the same forms post and the browser is sent back to the network page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor, AssignmentReport, GroupRef
from evsenet.domain.network_lists import EvseSelection
from evsenet.services.network_pages import network_workspace
from evsenet.services.networks import (
    add_group,
    assign_evses,
    create_network,
    delete_group,
    list_network_evses,
    list_networks,
    unassign_evses,
    update_group,
)
from evsenet.services.users import WebSession
from evsenet.web.lists import ListState
from evsenet.web.rendering import is_htmx, render
from evsenet.web.session import CheckedSession, Operator, StoreDep

router = APIRouter()
MAX_KEY = 2**63 - 1
NetworkId = Annotated[int, Path(ge=1, le=MAX_KEY)]
GroupId = Annotated[int, Path(ge=1, le=MAX_KEY)]
Text = Annotated[str, Form(max_length=2000)]
CHANGED = "evsenet:changed"
SIDES = {"assigned": "a", "unassigned": "u"}


def actor_of(session: WebSession) -> Actor:
    """The signed-in user, as the audit log names who changed something."""
    return Actor("user", str(session.user.id), session.user.email)


def _done(request: Request, network_id: int, message: str) -> Response:
    """A change went through: say so, and have the page reload its workspace."""
    if is_htmx(request):
        return render(request, "_flash.html", {"message": message}, headers={"HX-Trigger": CHANGED})
    return RedirectResponse(f"/networks/{network_id}", status_code=303)


@router.get("/networks")
def networks_page(request: Request, store: StoreDep, operator: Operator) -> Response:
    return render(request, "networks.html", {"networks": list_networks(store, operator)})


@router.post("/networks")
def networks_create(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    name: Text,
    description: Text = "",
) -> Response:
    operator = session.operator
    network = create_network(store, operator, name, description, actor=actor_of(session))
    target = f"/networks/{network.id}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _states(sent: Mapping[str, object]) -> tuple[ListState, ListState]:
    return ListState.read("a", sent), ListState.read("u", sent)


def _workspace_context(
    store: StoreDep, operator: OperatorId, network_id: int, sent: Mapping[str, object]
) -> dict[str, object]:
    assigned, unassigned = _states(sent)
    workspace = network_workspace(
        store,
        operator,
        network_id,
        assigned=assigned.request(),
        unassigned=unassigned.request(),
    )
    return {"w": workspace, "net": workspace.network, "a": assigned, "u": unassigned}


@router.get("/networks/{network_id}")
def network_page(
    request: Request, store: StoreDep, operator: Operator, network_id: NetworkId
) -> Response:
    sent = dict(request.query_params)
    return render(request, "network.html", _workspace_context(store, operator, network_id, sent))


@router.get("/networks/{network_id}/workspace")
def network_workspace_part(
    request: Request, store: StoreDep, operator: Operator, network_id: NetworkId
) -> Response:
    sent = dict(request.query_params)
    context = _workspace_context(store, operator, network_id, sent)
    return render(request, "_workspace.html", context)


@router.get("/networks/{network_id}/evses/{side}")
def network_list_part(
    request: Request,
    store: StoreDep,
    operator: Operator,
    network_id: NetworkId,
    side: Literal["assigned", "unassigned"],
) -> Response:
    state = ListState.read(SIDES[side], dict(request.query_params))
    wanted = state.request()
    found = list_network_evses(
        store,
        operator,
        network_id,
        assigned=side == "assigned",
        criteria=wanted.criteria,
        page=wanted.page,
    )
    context = {"side": side, "state": state, "found": found, "network_id": network_id}
    return render(request, "_evse_rows.html", context)


@router.post("/networks/{network_id}/groups")
def group_add(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    network_id: NetworkId,
    name: Text,
    description: Text = "",
) -> Response:
    group = add_group(
        store, session.operator, network_id, name, description, actor=actor_of(session)
    )
    return _done(request, network_id, f"Group {group.name!r} added")


@router.post("/networks/{network_id}/groups/{group_id}/rename")
def group_rename(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    network_id: NetworkId,
    group_id: GroupId,
    name: Text,
) -> Response:
    group = update_group(
        store, session.operator, network_id, group_id, name=name, actor=actor_of(session)
    )
    return _done(request, network_id, f"Group renamed to {group.name!r}")


@router.post("/networks/{network_id}/groups/{group_id}/delete")
def group_delete(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    network_id: NetworkId,
    group_id: GroupId,
) -> Response:
    freed = delete_group(store, session.operator, network_id, group_id, actor=actor_of(session))
    return _done(request, network_id, f"Group deleted; {freed:,} EVSEs are now in no group")


async def _selection(request: Request, side: str) -> EvseSelection:
    """The EVSEs a change applies to: the ticked ones, or all that match the list's filter."""
    form = await request.form()
    if form.get("scope") == "matching":
        state = ListState.read(SIDES[side], dict(form), match=True)
        return EvseSelection(criteria=state.criteria(), assigned=side == "assigned")
    ids = [value for value in form.getlist("evse_id") if isinstance(value, str)]
    return EvseSelection(evse_ids=ids)


def _report_text(report: AssignmentReport, group_name: str | None = None) -> str:
    parts = []
    if report.assigned:
        parts.append(f"{report.assigned:,} assigned")
    if report.moved:
        parts.append(f"{report.moved:,} moved")
    if report.unassigned:
        parts.append(f"{report.unassigned:,} unassigned")
    if report.unchanged:
        parts.append(f"{report.unchanged:,} already there")
    where = f" (group {group_name!r})" if group_name else ""
    return ("EVSEs: " + ", ".join(parts) if parts else "Nothing to change") + where


@router.post("/networks/{network_id}/assign")
async def evses_assign(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    network_id: NetworkId,
    group_id: Annotated[int, Form(ge=1, le=MAX_KEY)],
    side: Annotated[Literal["assigned", "unassigned"], Form()] = "unassigned",
) -> Response:
    selection = await _selection(request, side)
    report = await run_in_threadpool(
        assign_evses,
        store,
        session.operator,
        network_id,
        GroupRef(id=group_id),
        selection,
        actor=actor_of(session),
    )
    return _done(request, network_id, _report_text(report))


@router.post("/networks/{network_id}/unassign")
async def evses_unassign(
    request: Request, store: StoreDep, session: CheckedSession, network_id: NetworkId
) -> Response:
    selection = await _selection(request, "assigned")
    report = await run_in_threadpool(
        unassign_evses, store, session.operator, network_id, selection, actor=actor_of(session)
    )
    return _done(request, network_id, _report_text(report))
