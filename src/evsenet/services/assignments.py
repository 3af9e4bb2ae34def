"""Use cases of assignment: assign, move and unassign EVSEs in bulk (by a list of EVSE IDs
or by a filter of one of the network's lists), and Hubject's two shapes (a network with its
groups and assignments in one request; assignment by group names). All or nothing: every
refused EVSE is reported with its reason and nothing is written then. Set-based: the
selection is staged in the database, checked with one query and written with one
statement, whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from evsenet.domain.errors import DomainError
from evsenet.domain.ids import EvseId, OperatorId
from evsenet.domain.network import (
    AUDIT_ID_CAP,
    REFUSAL_CAP,
    Actor,
    AssignmentRefused,
    AssignmentReport,
    AuditRecord,
    EvseRefusal,
    GroupRef,
    NetworkStatus,
    assignment_change,
    check_distinct_group_names,
    group_description,
    group_name,
    name_key,
    network_description,
    network_name,
    repeated_ids,
    unassignment_change,
)
from evsenet.domain.network import network_name as domain_network_name
from evsenet.domain.network_lists import EvseSelection, GroupSpec, NetworkDetail
from evsenet.services.network_access import (
    audit,
    caller_pk,
    detail,
    find_group,
    held_network,
    insert_group,
    insert_network,
    network_not_found,
    subject,
)
from evsenet.store.engine import Store
from evsenet.store.repositories.networks import GroupRow, NetworkRow, concurrent_change
from evsenet.store.uow import UnitOfWork, unit_of_work


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
        find_group(uow, network, GroupRef(id=criteria.group_id))
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
        operator_pk = caller_pk(uow, operator)
        network = held_network(uow, operator_pk, network_id)
        target = find_group(uow, network, group)
        report, ids, total = _assign_in(
            uow, operator_pk, network, target, selection, parsed, allow_moves=allow_moves
        )
        if report.assigned or report.moved:
            counts = {"assigned": report.assigned, "moved": report.moved}
            counts["unchanged"] = report.unchanged
            record = AuditRecord(
                "evses.assigned", subject(network, target), network.pk, counts, tuple(ids), total
            )
            audit(uow, operator_pk, actor, record)
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
        operator_pk = caller_pk(uow, operator)
        network = held_network(uow, operator_pk, network_id)
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
                subject(network),
                network.pk,
                {"unassigned": report.unassigned, "unchanged": report.unchanged},
                tuple(ids),
                counts["total"],
            )
            audit(uow, operator_pk, actor, record)
        uow.networks.close_selection()
    return report


# --- Hubject's shapes: a network with its groups in one request; assignment by names ---


@dataclass
class _Refused:
    """The refusals of a request that assigns to several groups: each group's part is
    checked, all are reported together."""

    refusals: list[EvseRefusal]
    count: int


@dataclass(frozen=True)
class _Part:
    """One group's EVSE IDs of such a request."""

    group: GroupRow
    evse_ids: Sequence[str]
    parsed: _Parsed


def _assign_part(
    uow: UnitOfWork,
    operator_pk: int,
    network: NetworkRow,
    part: _Part,
    refused: _Refused,
    actor: Actor,
    *,
    allow_moves: bool,
) -> None:
    """Assign one group's part (collecting its refusals instead of raising them). With
    `allow_moves` (Hubject's assignment PUT) an active network keeps its assigned EVSEs
    where they are and the audit entry counts moves."""
    try:
        report, ids, total = _assign_in(
            uow,
            operator_pk,
            network,
            part.group,
            EvseSelection(evse_ids=part.evse_ids),
            part.parsed,
            allow_moves=allow_moves,
            keep_assigned=allow_moves,
        )
    except AssignmentRefused as refusal:
        refused.refusals.extend(refusal.problems)
        refused.count += refusal.refused
        uow.networks.close_selection()
        return
    counts = {"assigned": report.assigned}
    if allow_moves:
        counts["moved"] = report.moved
    if any(counts.values()):
        about = subject(network, part.group)
        record = AuditRecord("evses.assigned", about, network.pk, counts, tuple(ids), total)
        audit(uow, operator_pk, actor, record)


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
        operator_pk = caller_pk(uow, operator)
        network = insert_network(uow, operator_pk, clean, about)
        uow.networks.hold_counts(operator_pk)
        audit(uow, operator_pk, actor, AuditRecord("network.created", subject(network), network.pk))
        refused = _Refused(list(everything.refusals), len(everything.refusals))
        parts = _split(everything, [len(g.evse_ids) for g in groups])
        for (group_clean, group_about, spec), parsed in zip(specs, parts, strict=True):
            group = insert_group(uow, network, group_clean, group_about)
            record = AuditRecord("group.added", subject(network, group), network.pk)
            audit(uow, operator_pk, actor, record)
            part = _Part(group, spec.evse_ids, parsed)
            _assign_part(uow, operator_pk, network, part, refused, actor, allow_moves=False)
        _refuse(refused.refusals, refused.count, sum(len(g.evse_ids) for g in groups))
        return detail(uow, operator_pk, network)


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
        operator_pk = caller_pk(uow, operator)
        network = uow.networks.network_by_name(
            operator_pk, name_key(domain_network_name(network_name)), lock=True
        )
        if network is None:
            raise network_not_found(repr(network_name))
        uow.networks.hold_counts(operator_pk)
        targets = [
            find_group(uow, network, GroupRef(name=group_name(name))) for name, _ in assignments
        ]
        refused = _Refused(list(everything.refusals), len(everything.refusals))
        parts = _split(everything, [len(ids) for _, ids in assignments])
        for group, (_, evse_ids), parsed in zip(targets, assignments, parts, strict=True):
            part = _Part(group, evse_ids, parsed)
            _assign_part(uow, operator_pk, network, part, refused, actor, allow_moves=True)
        _refuse(refused.refusals, refused.count, sum(len(ids) for _, ids in assignments))
        return {group.name: uow.networks.group_members(network.pk, group.pk) for group in targets}
