"""Use cases of a network's groups: add, rename or describe, delete. Each call is one
transaction with its audit entry."""

from __future__ import annotations

from evsenet.domain.ids import OperatorId
from evsenet.domain.network import (
    UNSET,
    Actor,
    AuditRecord,
    GroupRef,
    Unset,
    check_group_deletable,
    check_group_renamable,
    group_description,
    group_name,
)
from evsenet.domain.network_lists import GroupView
from evsenet.services.network_access import (
    audit,
    audit_update,
    caller_pk,
    find_group,
    find_network,
    held_network,
    insert_group,
    renamed,
    subject,
)
from evsenet.store.engine import Store
from evsenet.store.uow import unit_of_work


def add_group(
    store: Store,
    operator: OperatorId | str,
    network_id: int,
    name: str,
    description: str = "",
    *,
    actor: Actor,
) -> GroupView:
    """A new group (draft or active network); its name is unique in the network, ignoring
    case."""
    clean, about = group_name(name), group_description(description)
    with unit_of_work(store, write=True) as uow:
        owner = caller_pk(uow, operator)
        network = find_network(uow, owner, network_id, lock="share")
        group = insert_group(uow, network, clean, about)
        audit(uow, owner, actor, AuditRecord("group.added", subject(network, group), network.pk))
    return GroupView(group.pk, group.name, group.description, 0)


def update_group(
    store: Store,
    operator: OperatorId | str,
    network_id: int,
    group_id: int,
    *,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
    actor: Actor,
) -> GroupView:
    """Rename (draft networks only) or describe a group."""
    values = renamed(name, description, group_name, group_description)
    with unit_of_work(store, write=True) as uow:
        owner = caller_pk(uow, operator)
        network = find_network(uow, owner, network_id, lock="share")
        group = find_group(uow, network, GroupRef(id=group_id))
        if "name" in values and values["name"] != group.name:
            check_group_renamable(network.status, group.name)
        if values:
            uow.networks.update_group(group.pk, values)
            group = find_group(uow, network, GroupRef(id=group_id))
            about = subject(network, group)
            audit_update(uow, owner, actor, "group.updated", about, network, values)
        count = uow.networks.group_evse_count(network.pk, group.pk)
    return GroupView(group.pk, group.name, group.description, count)


def delete_group(
    store: Store, operator: OperatorId | str, network_id: int, group_id: int, *, actor: Actor
) -> int:
    """Delete a group of a draft network; how many EVSEs that unassigned."""
    with unit_of_work(store, write=True) as uow:
        owner = caller_pk(uow, operator)
        network = held_network(uow, owner, network_id)
        group = find_group(uow, network, GroupRef(id=group_id))
        check_group_deletable(network.status, group.name)
        unassigned = uow.networks.delete_group(owner, network.pk, group.pk)
        record = AuditRecord(
            "group.deleted", subject(network, group), network.pk, {"unassigned": unassigned}
        )
        audit(uow, owner, actor, record)
    return unassigned
