"""Use cases of EVSE networks: networks and groups, bulk assignment, the two EVSE lists,
the audit log. Each call is one transaction; every change writes its audit entry in it.

The operator's network (and group) is looked up within the operator: another operator's
is not found, exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.ids import EvseId, OperatorId
from evsenet.domain.inventory import Page
from evsenet.domain.network import (
    AUDIT_ID_CAP,
    REFUSAL_CAP,
    UNSET,
    Actor,
    AssignmentRefused,
    AssignmentReport,
    AuditRecord,
    EvseRefusal,
    GroupRef,
    NetworkStatus,
    Unset,
    assignment_change,
    check_deletable,
    check_distinct_group_names,
    check_group_deletable,
    check_group_renamable,
    group_description,
    group_name,
    name_key,
    network_description,
    network_name,
    repeated_ids,
    unassignment_change,
)
from evsenet.domain.network import network_name as domain_network_name
from evsenet.domain.network_lists import (
    AuditPage,
    EvseSelection,
    GroupSpec,
    GroupView,
    KeysetPage,
    NetworkDetail,
    NetworkEvseFilter,
    NetworkEvsePage,
    NetworkSummary,
    NetworkView,
)
from evsenet.services.operators import require_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.networks import GroupRow, NetworkRow, concurrent_change
from evsenet.store.uow import UnitOfWork, unit_of_work

MAX_KEY = 2**63 - 1
"""Network and group ids are database keys: a number beyond them names nothing."""

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


def _operator(operator: OperatorId | str) -> OperatorId:
    return operator if isinstance(operator, OperatorId) else OperatorId.parse(operator)


def _operator_pk(uow: UnitOfWork, operator: OperatorId | str) -> int:
    return require_operator(uow, _operator(operator)).pk


def _network_not_found(network_id: object) -> NotFound:
    return NotFound("network.not_found", f"This operator has no network {network_id}")


def _network(
    uow: UnitOfWork, operator_pk: int, network_id: int, *, lock: str | None = None
) -> NetworkRow:
    found = None
    if 1 <= network_id <= MAX_KEY:
        found = uow.networks.get_network(operator_pk, network_id, lock=lock)
    if found is None:
        raise _network_not_found(network_id)
    return found


def _held_network(uow: UnitOfWork, operator_pk: int, network_id: int) -> NetworkRow:
    """The network locked for an assignment write, and the operator's counters held."""
    network = _network(uow, operator_pk, network_id, lock="update")
    uow.networks.hold_counts(operator_pk)
    return network


def _group_not_found(group: object) -> NotFound:
    return NotFound("group.not_found", f"The network has no group {group}")


def _group(uow: UnitOfWork, network: NetworkRow, ref: GroupRef) -> GroupRow:
    found = None
    if ref.id is not None:
        if 1 <= ref.id <= MAX_KEY:
            found = uow.networks.get_group(network.pk, ref.id)
        label: object = ref.id
    else:
        found = uow.networks.group_by_name(network.pk, name_key(ref.name or ""))
        label = repr(ref.name)
    if found is None:
        raise _group_not_found(label)
    return found


def _audit(uow: UnitOfWork, operator_pk: int, actor: Actor, record: AuditRecord) -> None:
    uow.audit.add(operator_pk, actor, record, datetime.now(UTC))


def _view(network: NetworkRow) -> NetworkView:
    return NetworkView(
        network.pk, network.name, network.description, network.status, network.created_at
    )


def _subject(network: NetworkRow, group: GroupRow | None = None) -> str:
    text = f"network {network.pk} {network.name!r}"
    return text if group is None else f"{text}, group {group.pk} {group.name!r}"


# --- networks -------------------------------------------------------------------------


def create_network(
    store: Store, operator: OperatorId | str, name: str, description: str = "", *, actor: Actor
) -> NetworkView:
    """A new draft network; its name is unique within the operator, ignoring case."""
    clean, about = network_name(name), network_description(description)
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _create(uow, operator_pk, clean, about)
        _audit(
            uow, operator_pk, actor, AuditRecord("network.created", _subject(network), network.pk)
        )
    return _view(network)


def _create(uow: UnitOfWork, operator_pk: int, name: str, description: str) -> NetworkRow:
    now = datetime.now(UTC)
    pk = uow.networks.add_network(operator_pk, name, name_key(name), description, now)
    return NetworkRow(pk, name, description, NetworkStatus.DRAFT, now)


def list_networks(store: Store, operator: OperatorId | str) -> list[NetworkSummary]:
    """The operator's networks alphabetically (ignoring case) with group and EVSE counts."""
    with unit_of_work(store) as uow:
        return uow.networks.summaries(_operator_pk(uow, operator))


def get_network(store: Store, operator: OperatorId | str, network_id: int) -> NetworkDetail:
    """One network with its groups (alphabetically) and their EVSE counts."""
    with unit_of_work(store) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _network(uow, operator_pk, network_id)
        return _detail(uow, operator_pk, network)


def _detail(uow: UnitOfWork, operator_pk: int, network: NetworkRow) -> NetworkDetail:
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
    values: dict[str, str] = {}
    if not isinstance(name, Unset):
        values["name"] = network_name(name)
        values["name_key"] = name_key(values["name"])
    if not isinstance(description, Unset):
        values["description"] = network_description(description)
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _network(uow, operator_pk, network_id, lock="update")
        if values:
            uow.networks.update_network(network.pk, values, datetime.now(UTC))
            network = _network(uow, operator_pk, network_id)
            changed = {key: 1 for key in values if key != "name_key"}
            record = AuditRecord("network.updated", _subject(network), network.pk, changed)
            _audit(uow, operator_pk, actor, record)
    return _view(network)


def delete_network(
    store: Store, operator: OperatorId | str, network_id: int, *, actor: Actor
) -> None:
    """Delete a draft network with its groups (its EVSEs become unassigned)."""
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _held_network(uow, operator_pk, network_id)
        check_deletable(network.status, network.name)
        unassigned = uow.networks.delete_network(operator_pk, network.pk)
        record = AuditRecord(
            "network.deleted", _subject(network), network.pk, {"unassigned": unassigned}
        )
        _audit(uow, operator_pk, actor, record)


def activate_network(
    store: Store, operator: OperatorId | str, network_id: int, *, actor: Actor
) -> NetworkView:
    """Make a network active (publishing an offer that uses it does). Already active: no
    change. From now on assignments are never overwritten nor groups renamed or deleted."""
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _network(uow, operator_pk, network_id, lock="update")
        if network.status is NetworkStatus.DRAFT:
            uow.networks.activate(network.pk, datetime.now(UTC))
            network = _network(uow, operator_pk, network_id)
            _audit(
                uow,
                operator_pk,
                actor,
                AuditRecord("network.activated", _subject(network), network.pk),
            )
    return _view(network)


# --- groups ---------------------------------------------------------------------------


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
        operator_pk = _operator_pk(uow, operator)
        network = _network(uow, operator_pk, network_id, lock="share")
        group = _add_group(uow, network, clean, about)
        record = AuditRecord("group.added", _subject(network, group), network.pk)
        _audit(uow, operator_pk, actor, record)
    return GroupView(group.pk, group.name, group.description, 0)


def _add_group(uow: UnitOfWork, network: NetworkRow, name: str, description: str) -> GroupRow:
    now = datetime.now(UTC)
    pk = uow.networks.add_group(network.pk, name, name_key(name), description, now)
    return GroupRow(pk, network.pk, name, description)


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
    values: dict[str, str] = {}
    if not isinstance(name, Unset):
        values["name"] = group_name(name)
        values["name_key"] = name_key(values["name"])
    if not isinstance(description, Unset):
        values["description"] = group_description(description)
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _network(uow, operator_pk, network_id, lock="share")
        group = _group(uow, network, GroupRef(id=group_id))
        if "name" in values and values["name"] != group.name:
            check_group_renamable(network.status, group.name)
        if values:
            uow.networks.update_group(group.pk, values)
            group = _group(uow, network, GroupRef(id=group_id))
            changed = {key: 1 for key in values if key != "name_key"}
            record = AuditRecord("group.updated", _subject(network, group), network.pk, changed)
            _audit(uow, operator_pk, actor, record)
        count = uow.networks.group_evse_count(network.pk, group.pk)
    return GroupView(group.pk, group.name, group.description, count)


def delete_group(
    store: Store, operator: OperatorId | str, network_id: int, group_id: int, *, actor: Actor
) -> int:
    """Delete a group of a draft network; how many EVSEs that unassigned."""
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _held_network(uow, operator_pk, network_id)
        group = _group(uow, network, GroupRef(id=group_id))
        check_group_deletable(network.status, group.name)
        unassigned = uow.networks.delete_group(operator_pk, network.pk, group.pk)
        record = AuditRecord(
            "group.deleted", _subject(network, group), network.pk, {"unassigned": unassigned}
        )
        _audit(uow, operator_pk, actor, record)
    return unassigned


# --- assignment -----------------------------------------------------------------------


@dataclass
class _Parsed:
    """The EVSE IDs of a request: those that parse, and the refusals found before any
    database work (malformed IDs, IDs listed twice)."""

    ids: list[tuple[int, str, str]]
    refusals: list[EvseRefusal]


def _parse_ids(evse_ids: Sequence[str], start: int = 0) -> _Parsed:
    parsed: list[tuple[int, str, str]] = []
    refusals: list[EvseRefusal] = []
    for position, text in enumerate(evse_ids, start):
        try:
            evse_id = EvseId.parse(text)
        except DomainError as error:
            refusals.append(EvseRefusal(str(text), error.code, error.message, position))
            continue
        parsed.append((position, evse_id.normalised, evse_id.sent))
    refusals.extend(repeated_ids(parsed))
    first: dict[str, tuple[int, str, str]] = {}
    for item in parsed:
        first.setdefault(item[1], item)
    # Only the first occurrence of a repeated ID is staged: the request is refused anyway,
    # and the other rules are checked (and reported) once per EVSE.
    return _Parsed(sorted(first.values()), refusals)


def _split(parsed: _Parsed, lengths: Sequence[int]) -> list[_Parsed]:
    """The IDs of each group's list of a request whose lists were parsed as one."""
    parts: list[_Parsed] = []
    ids = iter(parsed.ids)
    pending = next(ids, None)
    start = 0
    for length in lengths:
        part: list[tuple[int, str, str]] = []
        while pending is not None and pending[0] < start + length:
            part.append(pending)
            pending = next(ids, None)
        parts.append(_Parsed(part, []))
        start += length
    return parts


def _stage(
    uow: UnitOfWork,
    operator_pk: int,
    network: NetworkRow,
    selection: EvseSelection,
    parsed: _Parsed | None,
    assigned_default: bool,
) -> bool:
    """Stage the selection; whether it is a filter of the unassigned list (whose EVSEs
    no rule can refuse: all are active and in no group)."""
    uow.networks.open_selection()
    if parsed is not None:
        uow.networks.select_ids(operator_pk, parsed.ids)
        return False
    criteria = selection.network_filter
    if criteria.group_id is not None:
        _group(uow, network, GroupRef(id=criteria.group_id))
    assigned = assigned_default if selection.assigned is None else selection.assigned
    uow.networks.select_matching(operator_pk, network.pk, criteria, assigned)
    return not assigned


def _refused(
    parsed: _Parsed | None, states: list[Any], refusals: list[EvseRefusal], candidates: int
) -> int:
    """How many EVSEs are refused: those refused before any database work, and every
    candidate the store found (only the first REFUSAL_CAP were read and judged)."""
    early = len(parsed.refusals) if parsed is not None else 0
    judged = len(refusals) - early
    return early + candidates - (len(states) - judged)


def _refuse(refusals: list[EvseRefusal], refused: int, requested: int) -> None:
    if refused:
        ordered = sorted(refusals, key=lambda r: (r.position is None, r.position or 0))
        raise AssignmentRefused(ordered[:REFUSAL_CAP], refused, requested)


def _assign_in(
    uow: UnitOfWork,
    operator_pk: int,
    network: NetworkRow,
    group: GroupRow,
    selection: EvseSelection,
    parsed: _Parsed | None,
    *,
    allow_moves: bool,
    keep_assigned: bool = False,
) -> tuple[AssignmentReport, list[str], int]:
    """Assign the selection to `group` inside the open transaction; the report, the
    first EVSE IDs and how many EVSEs were selected. Refuses all-or-nothing.

    `keep_assigned`: in an active network, EVSEs already assigned in it are left where
    they are instead of refused (Hubject's assignment PUT takes only unassigned EVSEs).
    """
    free_only = _stage(uow, operator_pk, network, selection, parsed, assigned_default=False)
    active = network.status is NetworkStatus.ACTIVE
    if keep_assigned and active:
        uow.networks.drop_assigned_in(network.pk)
    states: list[Any] = []
    candidates = 0
    if not free_only:
        states, candidates = uow.networks.selection_states(
            network.pk, group.pk, strict=active or not allow_moves
        )
    refusals = list(parsed.refusals) if parsed is not None else []
    for state in states:
        change = assignment_change(
            state, network.pk, network.status, group.pk, allow_moves=allow_moves
        )
        if isinstance(change, EvseRefusal):
            refusals.append(change)
    counts = uow.networks.selection_counts(network.pk, group.pk)
    requested = len(selection.evse_ids) if selection.evse_ids is not None else counts["total"]
    _refuse(refusals, _refused(parsed, states, refusals, candidates), requested)
    if counts["total"] != counts["free"] + counts["in_group"] + counts["in_network"]:
        # An EVSE went to another network between the check and the count.
        raise concurrent_change()
    uow.networks.assign_selection(
        operator_pk,
        network.pk,
        group.pk,
        datetime.now(UTC),
        expected=(counts["in_network"], counts["free"]),
    )
    report = AssignmentReport(
        assigned=counts["free"], moved=counts["in_network"], unchanged=counts["in_group"]
    )
    ids = uow.networks.selection_ids(AUDIT_ID_CAP)
    uow.networks.close_selection()
    return report, ids, counts["total"]


def assign_evses(
    store: Store,
    operator: OperatorId | str,
    network_id: int,
    group: GroupRef,
    selection: EvseSelection,
    *,
    actor: Actor,
    allow_moves: bool = True,
) -> AssignmentReport:
    """Assign the selected EVSEs to one group of the network, all or nothing.

    In a draft network an EVSE in another group of it moves (unless `allow_moves` is
    False: then it is refused, so that of two concurrent requests only one wins); in an
    active network only unassigned EVSEs can be assigned. Every refused EVSE is reported
    with its reason (AssignmentRefused); nothing is written then.
    """
    parsed = _parse_ids(selection.evse_ids) if selection.evse_ids is not None else None
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _held_network(uow, operator_pk, network_id)
        target = _group(uow, network, group)
        report, ids, total = _assign_in(
            uow, operator_pk, network, target, selection, parsed, allow_moves=allow_moves
        )
        if report.assigned or report.moved:
            counts = {"assigned": report.assigned, "moved": report.moved}
            counts["unchanged"] = report.unchanged
            record = AuditRecord(
                "evses.assigned", _subject(network, target), network.pk, counts, tuple(ids), total
            )
            _audit(uow, operator_pk, actor, record)
    return report


def unassign_evses(
    store: Store,
    operator: OperatorId | str,
    network_id: int,
    selection: EvseSelection,
    *,
    actor: Actor,
) -> AssignmentReport:
    """Take the selected EVSEs out of their groups of a draft network, all or nothing.

    EVSEs in no group are left as they are (`unchanged`); an EVSE in another network or
    assigned in an active network is refused, and then nothing is written.
    """
    parsed = _parse_ids(selection.evse_ids) if selection.evse_ids is not None else None
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _held_network(uow, operator_pk, network_id)
        _stage(uow, operator_pk, network, selection, parsed, assigned_default=True)
        active = network.status is NetworkStatus.ACTIVE
        states, candidates = uow.networks.selection_states(network.pk, None, strict=active)
        refusals = list(parsed.refusals) if parsed is not None else []
        for state in states:
            change = unassignment_change(state, network.pk, network.status)
            if isinstance(change, EvseRefusal):
                refusals.append(change)
        counts = uow.networks.selection_counts(network.pk, None)
        requested = len(selection.evse_ids) if selection.evse_ids is not None else counts["total"]
        _refuse(refusals, _refused(parsed, states, refusals, candidates), requested)
        uow.networks.unassign_selection(operator_pk, network.pk, expected=counts["in_network"])
        report = AssignmentReport(
            unassigned=counts["in_network"], unchanged=counts["total"] - counts["in_network"]
        )
        if report.unassigned:
            ids = uow.networks.selection_ids(AUDIT_ID_CAP)
            record = AuditRecord(
                "evses.unassigned",
                _subject(network),
                network.pk,
                {"unassigned": report.unassigned, "unchanged": report.unchanged},
                tuple(ids),
                counts["total"],
            )
            _audit(uow, operator_pk, actor, record)
        uow.networks.close_selection()
    return report


# --- Hubject's shapes: a network with its groups in one request; assignment by names ---


def create_network_with_groups(
    store: Store,
    operator: OperatorId | str,
    name: str,
    description: str,
    groups: Sequence[GroupSpec],
    *,
    actor: Actor,
) -> NetworkDetail:
    """Create a network, its groups and their assignments in one transaction, all or
    nothing. An EVSE may be named once in the whole request (positions count across the
    groups' lists, in order)."""
    clean, about = network_name(name), network_description(description)
    specs = [(group_name(g.name), group_description(g.description), g) for g in groups]
    check_distinct_group_names([spec[0] for spec in specs])
    everything = _parse_ids([evse_id for g in groups for evse_id in g.evse_ids])
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = _create(uow, operator_pk, clean, about)
        uow.networks.hold_counts(operator_pk)
        _audit(
            uow, operator_pk, actor, AuditRecord("network.created", _subject(network), network.pk)
        )
        refusals, refused = list(everything.refusals), len(everything.refusals)
        parts = _split(everything, [len(g.evse_ids) for g in groups])
        for (group_clean, group_about, spec), parsed in zip(specs, parts, strict=True):
            group = _add_group(uow, network, group_clean, group_about)
            _audit(
                uow,
                operator_pk,
                actor,
                AuditRecord("group.added", _subject(network, group), network.pk),
            )
            try:
                report, ids, total = _assign_in(
                    uow,
                    operator_pk,
                    network,
                    group,
                    EvseSelection(evse_ids=spec.evse_ids),
                    parsed,
                    allow_moves=False,
                )
            except AssignmentRefused as refusal:
                refusals.extend(refusal.problems)
                refused += refusal.refused
                uow.networks.close_selection()
                continue
            if report.assigned:
                counts = {"assigned": report.assigned}
                record = AuditRecord(
                    "evses.assigned",
                    _subject(network, group),
                    network.pk,
                    counts,
                    tuple(ids),
                    total,
                )
                _audit(uow, operator_pk, actor, record)
        _refuse(refusals, refused, sum(len(g.evse_ids) for g in groups))
        return _detail(uow, operator_pk, network)


def assign_by_group_names(
    store: Store,
    operator: OperatorId | str,
    network_name: str,
    assignments: Sequence[tuple[str, Sequence[str]]],
    *,
    actor: Actor,
) -> dict[str, list[str]]:
    """Assign EVSEs to existing groups named by name (Hubject's assignment PUT), all or
    nothing; every EVSE ID now in each named group (as sent), by the group's name.

    Draft network: earlier assignments are overwritten (moves). Active network: only
    unassigned EVSEs are taken; EVSEs already assigned in it stay where they are.
    """
    everything = _parse_ids([evse_id for _, ids in assignments for evse_id in ids])
    with unit_of_work(store, write=True) as uow:
        operator_pk = _operator_pk(uow, operator)
        network = uow.networks.network_by_name(
            operator_pk, name_key(domain_network_name(network_name)), lock=True
        )
        if network is None:
            raise _network_not_found(repr(network_name))
        uow.networks.hold_counts(operator_pk)
        targets = [_group(uow, network, GroupRef(name=group_name(name))) for name, _ in assignments]
        refusals, refused = list(everything.refusals), len(everything.refusals)
        parts = _split(everything, [len(ids) for _, ids in assignments])
        for group, (_, evse_ids), parsed in zip(targets, assignments, parts, strict=True):
            try:
                report, ids, total = _assign_in(
                    uow,
                    operator_pk,
                    network,
                    group,
                    EvseSelection(evse_ids=evse_ids),
                    parsed,
                    allow_moves=True,
                    keep_assigned=True,
                )
            except AssignmentRefused as refusal:
                refusals.extend(refusal.problems)
                refused += refusal.refused
                uow.networks.close_selection()
                continue
            if report.assigned or report.moved:
                counts = {"assigned": report.assigned, "moved": report.moved}
                record = AuditRecord(
                    "evses.assigned",
                    _subject(network, group),
                    network.pk,
                    counts,
                    tuple(ids),
                    total,
                )
                _audit(uow, operator_pk, actor, record)
        _refuse(refusals, refused, sum(len(ids) for _, ids in assignments))
        return {group.name: uow.networks.group_members(network.pk, group.pk) for group in targets}


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
        operator_pk = _operator_pk(uow, operator)
        network = _network(uow, operator_pk, network_id)
        if criteria.group_id is not None:
            _group(uow, network, GroupRef(id=criteria.group_id))
        return uow.networks.page(operator_pk, network.pk, criteria, assigned, page)


def unassigned_count(store: Store, operator: OperatorId | str, network_id: int) -> int:
    """How many active EVSEs of the operator are in no group (priced at zero if an offer
    on this network is published now)."""
    with unit_of_work(store) as uow:
        operator_pk = _operator_pk(uow, operator)
        _network(uow, operator_pk, network_id)
        return uow.networks.unassigned_count(operator_pk)


def list_audit(store: Store, operator: OperatorId | str, page: Page | None = None) -> AuditPage:
    """The operator's audit log, newest first (`page`'s limit and offset)."""
    page = page or Page()
    with unit_of_work(store) as uow:
        return uow.audit.page(_operator_pk(uow, operator), page.limit, page.offset)
