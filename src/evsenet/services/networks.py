"""Use cases of EVSE networks: create, list, show, rename or describe, delete and activate
networks; the two EVSE lists; the audit log. Each call is one transaction; every change
writes its audit entry in it. Groups are in `network_groups`, assignment (and Hubject's
shapes) in `assignments`; their use cases are importable from here too.

The operator's network (and group) is looked up within the operator: another operator's
is not found, exactly like a missing one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import Page
from evsenet.domain.network import (
    UNSET,
    Actor,
    AssignmentReport,
    AuditRecord,
    GroupRef,
    NetworkStatus,
    Unset,
    check_deletable,
    network_description,
    network_name,
)
from evsenet.domain.network_lists import (
    AuditPage,
    EvseSelection,
    GroupSpec,
    KeysetPage,
    NetworkDetail,
    NetworkEvseFilter,
    NetworkEvsePage,
    NetworkSummary,
    NetworkView,
)
from evsenet.services.assignments import (
    assign_by_group_names,
    assign_evses,
    create_network_with_groups,
    unassign_evses,
)
from evsenet.services.network_access import (
    audit,
    audit_update,
    caller_pk,
    detail,
    find_group,
    find_network,
    held_network,
    insert_network,
    renamed,
    subject,
    view,
)
from evsenet.services.network_groups import add_group, delete_group, update_group
from evsenet.store.engine import Store
from evsenet.store.uow import unit_of_work

__all__ = [
    "UNSET",
    "Actor",
    "AssignmentReport",
    "EvseSelection",
    "GroupRef",
    "GroupSpec",
    "KeysetPage",
    "NetworkEvseFilter",
    "activate_network",
    "add_group",
    "assign_by_group_names",
    "assign_evses",
    "create_network",
    "create_network_with_groups",
    "delete_group",
    "delete_network",
    "get_network",
    "list_audit",
    "list_network_evses",
    "list_networks",
    "unassign_evses",
    "unassigned_count",
    "update_group",
    "update_network",
]


def create_network(
    store: Store, operator: OperatorId | str, name: str, description: str = "", *, actor: Actor
) -> NetworkView:
    """A new draft network; its name is unique within the operator, ignoring case."""
    clean, about = network_name(name), network_description(description)
    with unit_of_work(store, write=True) as uow:
        operator_pk = caller_pk(uow, operator)
        network = insert_network(uow, operator_pk, clean, about)
        audit(uow, operator_pk, actor, AuditRecord("network.created", subject(network), network.pk))
    return view(network)


def list_networks(store: Store, operator: OperatorId | str) -> list[NetworkSummary]:
    """The operator's networks alphabetically (ignoring case) with group and EVSE counts."""
    with unit_of_work(store) as uow:
        return uow.networks.summaries(caller_pk(uow, operator))


def get_network(store: Store, operator: OperatorId | str, network_id: int) -> NetworkDetail:
    """One network with its groups (alphabetically) and their EVSE counts."""
    with unit_of_work(store) as uow:
        operator_pk = caller_pk(uow, operator)
        network = find_network(uow, operator_pk, network_id)
        return detail(uow, operator_pk, network)


def update_network(
    store: Store,
    operator: OperatorId | str,
    network_id: int,
    *,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
    actor: Actor,
) -> NetworkView:
    """Rename or describe a network (draft or active: providers see neither)."""
    values = renamed(name, description, network_name, network_description)
    with unit_of_work(store, write=True) as uow:
        operator_pk = caller_pk(uow, operator)
        network = find_network(uow, operator_pk, network_id, lock="update")
        if values:
            uow.networks.update_network(network.pk, values, datetime.now(UTC))
            network = find_network(uow, operator_pk, network_id)
            about = subject(network)
            audit_update(uow, operator_pk, actor, "network.updated", about, network, values)
    return view(network)


def delete_network(
    store: Store, operator: OperatorId | str, network_id: int, *, actor: Actor
) -> None:
    """Delete a draft network with its groups (its EVSEs become unassigned)."""
    with unit_of_work(store, write=True) as uow:
        operator_pk = caller_pk(uow, operator)
        network = held_network(uow, operator_pk, network_id)
        check_deletable(network.status, network.name)
        unassigned = uow.networks.delete_network(operator_pk, network.pk)
        record = AuditRecord(
            "network.deleted", subject(network), network.pk, {"unassigned": unassigned}
        )
        audit(uow, operator_pk, actor, record)


def activate_network(
    store: Store, operator: OperatorId | str, network_id: int, *, actor: Actor
) -> NetworkView:
    """Make a network active (publishing an offer that uses it does). Already active: no
    change. From now on assignments are never overwritten nor groups renamed or deleted."""
    with unit_of_work(store, write=True) as uow:
        operator_pk = caller_pk(uow, operator)
        network = find_network(uow, operator_pk, network_id, lock="update")
        if network.status is NetworkStatus.DRAFT:
            uow.networks.activate(network.pk, datetime.now(UTC))
            network = find_network(uow, operator_pk, network_id)
            audit(
                uow,
                operator_pk,
                actor,
                AuditRecord("network.activated", subject(network), network.pk),
            )
    return view(network)


# --- lists ----------------------------------------------------------------------------


def list_network_evses(
    store: Store,
    operator: OperatorId | str,
    network_id: int,
    *,
    assigned: bool,
    criteria: NetworkEvseFilter | None = None,
    page: KeysetPage | None = None,
) -> NetworkEvsePage:
    """One of the network's two lists, filtered, sorted and keyset-paged, with the total
    that matches and (assigned list) the count per group.

    The unassigned list is every active EVSE of the operator in no group of any network;
    withdrawn EVSEs are never in it, since they cannot be assigned. The assigned list is
    the EVSEs in the network's groups with their group; withdrawn ones keep their group and
    are always shown (the row says `withdrawn`).
    """
    criteria = criteria or NetworkEvseFilter()
    page = page or KeysetPage()
    with unit_of_work(store) as uow:
        operator_pk = caller_pk(uow, operator)
        network = find_network(uow, operator_pk, network_id)
        if criteria.group_id is not None:
            find_group(uow, network, GroupRef(id=criteria.group_id))
        return uow.networks.page(operator_pk, network.pk, criteria, assigned, page)


def unassigned_count(store: Store, operator: OperatorId | str, network_id: int) -> int:
    """How many active EVSEs of the operator are in no group (priced at zero if an offer
    on this network is published now)."""
    with unit_of_work(store) as uow:
        operator_pk = caller_pk(uow, operator)
        find_network(uow, operator_pk, network_id)
        return uow.networks.unassigned_count(operator_pk)


def list_audit(store: Store, operator: OperatorId | str, page: Page | None = None) -> AuditPage:
    """The operator's audit log, newest first (`page`'s limit and offset)."""
    page = page or Page()
    with unit_of_work(store) as uow:
        return uow.audit.page(caller_pk(uow, operator), page.limit, page.offset)
