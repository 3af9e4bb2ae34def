"""What every networks use case shares: finding the operator's network and group (another
operator's is not found, exactly like a missing one), locking them for writes, the audit
entry, and the rename/describe values of networks and groups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from evsenet.domain.errors import NotFound
from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor, AuditRecord, GroupRef, NetworkStatus, Unset, name_key
from evsenet.domain.network_lists import NetworkDetail, NetworkView
from evsenet.services.operators import require_operator
from evsenet.store.repositories.networks import GroupRow, NetworkRow
from evsenet.store.uow import UnitOfWork

MAX_KEY = 2**63 - 1
"""Network and group ids are database keys: a number beyond them names nothing."""


def caller_pk(uow: UnitOfWork, operator: OperatorId | str) -> int:
    parsed = operator if isinstance(operator, OperatorId) else OperatorId.parse(operator)
    return require_operator(uow, parsed).pk


def network_not_found(network_id: object) -> NotFound:
    return NotFound("network.not_found", f"This operator has no network {network_id}")


def find_network(
    uow: UnitOfWork, operator_pk: int, network_id: int, *, lock: str | None = None
) -> NetworkRow:
    found = None
    if 1 <= network_id <= MAX_KEY:
        found = uow.networks.get_network(operator_pk, network_id, lock=lock)
    if found is None:
        raise network_not_found(network_id)
    return found


def held_network(uow: UnitOfWork, operator_pk: int, network_id: int) -> NetworkRow:
    """The network locked for a write to its assignments, and the operator's counters
    held (`Counters.hold`) before any EVSE's state is read."""
    network = find_network(uow, operator_pk, network_id, lock="update")
    uow.networks.hold_counts(operator_pk)
    return network


def find_group(uow: UnitOfWork, network: NetworkRow, ref: GroupRef) -> GroupRow:
    found = None
    if ref.id is not None:
        if 1 <= ref.id <= MAX_KEY:
            found = uow.networks.get_group(network.pk, ref.id)
        label: object = ref.id
    else:
        found = uow.networks.group_by_name(network.pk, name_key(ref.name or ""))
        label = repr(ref.name)
    if found is None:
        raise NotFound("group.not_found", f"The network has no group {label}")
    return found


def insert_network(uow: UnitOfWork, operator_pk: int, name: str, description: str) -> NetworkRow:
    now = datetime.now(UTC)
    pk = uow.networks.add_network(operator_pk, name, name_key(name), description, now)
    return NetworkRow(pk, name, description, NetworkStatus.DRAFT, now)


def insert_group(uow: UnitOfWork, network: NetworkRow, name: str, description: str) -> GroupRow:
    now = datetime.now(UTC)
    pk = uow.networks.add_group(network.pk, name, name_key(name), description, now)
    return GroupRow(pk, network.pk, name, description)


def detail(uow: UnitOfWork, operator_pk: int, network: NetworkRow) -> NetworkDetail:
    [summary] = uow.networks.summaries(operator_pk, network.pk)
    return NetworkDetail(
        summary.id,
        summary.name,
        summary.description,
        summary.status,
        summary.group_count,
        summary.evse_count,
        summary.created_at,
        uow.networks.groups(network.pk),
    )


def audit(uow: UnitOfWork, operator_pk: int, actor: Actor, record: AuditRecord) -> None:
    uow.audit.add(operator_pk, actor, record, datetime.now(UTC))


def view(network: NetworkRow) -> NetworkView:
    return NetworkView(
        network.pk, network.name, network.description, network.status, network.created_at
    )


def subject(network: NetworkRow, group: GroupRow | None = None) -> str:
    text = f"network {network.pk} {network.name!r}"
    return text if group is None else f"{text}, group {group.pk} {group.name!r}"


def renamed(
    name: str | Unset,
    description: str | Unset,
    clean_name: Callable[[str], str],
    clean_description: Callable[[str], str],
) -> dict[str, str]:
    """The columns a rename and/or new description of a network or group writes (the
    name's case-folded key with it), each checked by its domain rule."""
    values: dict[str, str] = {}
    if not isinstance(name, Unset):
        values["name"] = clean_name(name)
        values["name_key"] = name_key(values["name"])
    if not isinstance(description, Unset):
        values["description"] = clean_description(description)
    return values


def audit_update(
    uow: UnitOfWork,
    operator_pk: int,
    actor: Actor,
    action: str,
    about: str,
    network: NetworkRow,
    values: dict[str, str],
) -> None:
    changed = {key: 1 for key in values if key != "name_key"}
    audit(uow, operator_pk, actor, AuditRecord(action, about, network.pk, changed))
