"""Use cases of the EVSE inventory: push and import batches, list and read EVSEs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from evsenet.domain.errors import (
    BatchRejected,
    Conflict,
    DomainError,
    NotFound,
    RecordProblem,
    reported,
)
from evsenet.domain.evse import EvseRecord, OperatorScope
from evsenet.domain.ids import EvseId, OperatorId
from evsenet.domain.inventory import (
    EvseFilter,
    EvsePage,
    Page,
    ParsedBatchLike,
    PushPlan,
    StoredEvse,
    check_export,
    check_withdrawals,
    plan_push,
    require_records,
    validate_batch,
)
from evsenet.memory import collector_paused
from evsenet.services.operators import registered_operator, require_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.evses import EvseRepository
from evsenet.store.repositories.operators import OperatorRow
from evsenet.store.uow import UnitOfWork, unit_of_work

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) while a long import runs."""


@dataclass
class ImportSummary:
    """What a push or import did. `inserted` counts withdrawn EVSEs that came back too."""

    action: str
    received: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: list[RecordProblem] = field(default_factory=list)
    committed: bool = False
    operator_registered: bool = False

    def as_dict(self) -> dict[str, object]:
        """The summary as JSON values; `rejected` lists the first REPORT_LIMIT refused
        records' problems and `rejected_not_shown` counts the others."""
        shown, not_shown = reported(self.rejected)
        return {
            "action": self.action,
            "received": self.received,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "rejected": [problem.as_dict() for problem in shown],
            "rejected_not_shown": not_shown,
            "committed": self.committed,
        }


class ImportRefused(BatchRejected):
    """The whole batch was refused; `summary` says why, record by record."""

    def __init__(self, summary: ImportSummary) -> None:
        count = len({(p.position, p.position_kind) for p in summary.rejected})
        super().__init__(
            summary.rejected,
            f"{count} of {summary.received} records were refused; nothing was written. "
            "Fix them and send the batch again, or import with skip-invalid to keep the "
            "valid records.",
        )
        self.summary = summary


def _scope(
    store: Store, operator: OperatorId, register: bool
) -> tuple[OperatorScope, tuple[str, ...]]:
    """Who may push what, and the declared prefixes it was read from. An operator still
    to be registered (`register`) has no sub-operators yet."""
    with unit_of_work(store) as uow:
        row = uow.operators.get(operator)
        if row is None and not register:
            row = require_operator(uow, operator)
    if row is None:
        return OperatorScope(operator), ()
    subs = frozenset(OperatorId.parse(prefix).normalised for prefix in row.sub_operators)
    return OperatorScope(row.operator_id, subs), row.sub_operators


def _check_batch_operator(batch: ParsedBatchLike, operator: OperatorId) -> None:
    named = getattr(batch, "operator_id", None)
    if named and OperatorId.parse(str(named)) != operator:
        raise DomainError(
            "batch.operator_mismatch",
            f"The batch names operator {named}, but it is pushed as {operator.display}; "
            "an operator pushes only its own EVSE data",
        )


def import_evses(
    store: Store,
    operator_id: str,
    batch: ParsedBatchLike,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    register_operator: bool = False,
    confirm_withdrawals: int | None = None,
) -> ImportSummary:
    """Apply a batch of EVSE records to the operator's inventory, all or nothing.

    Every record is validated before the write transaction opens. With `skip_invalid`
    the valid records are applied and the others reported; otherwise one refused record
    refuses the batch (ImportRefused) and nothing is written. A file without records is
    refused, and so is a batch that would withdraw more than half of the active EVSEs
    unless `confirm_withdrawals` is that count (see `check_withdrawals`).
    `register_operator` registers an operator that is new, in the same transaction: a
    refused batch registers nobody.
    """
    operator = OperatorId.parse(operator_id)
    _check_batch_operator(batch, operator)
    require_records(batch)
    scope, declared = _scope(store, operator, register_operator)
    total = len(batch.items)
    report = (lambda done: progress("validate", done, total)) if progress else None
    with collector_paused():
        validated = validate_batch(batch, scope, report)
    summary = ImportSummary(batch.action.value, total)
    if validated.problems and not skip_invalid:
        summary.rejected = validated.problems
        raise ImportRefused(summary)
    with collector_paused(), unit_of_work(store, write=True) as uow:
        row, summary.operator_registered = _operator_row(uow, operator, register_operator)
        if row.sub_operators != declared:
            raise _scope_changed(operator)
        known = uow.evses.known(row.pk)
        plan = plan_push(validated, known)
        summary.rejected = plan.problems
        if plan.problems and not skip_invalid:
            raise ImportRefused(summary)
        check_withdrawals(plan, known, confirm_withdrawals, operator.display)
        _apply(uow.evses, row.pk, plan, summary, progress)
    summary.committed = True
    return summary


def _operator_row(
    uow: UnitOfWork, operator: OperatorId, register: bool
) -> tuple[OperatorRow, bool]:
    if register:
        return registered_operator(uow, operator)
    return require_operator(uow, operator, lock=True), False


def _scope_changed(operator: OperatorId) -> Conflict:
    return Conflict(
        "batch.sub_operators_changed",
        f"The sub-operators of {operator.display} changed while the batch was being "
        "checked; nothing was written. Send the batch again.",
    )


def _apply(
    repository: EvseRepository,
    operator_pk: int,
    plan: PushPlan,
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    now = datetime.now(UTC)
    total = len(plan.inserts) + len(plan.refreshes) + len(plan.restores) + len(plan.withdrawals)
    if progress:
        progress("write", 0, total)
    repository.insert_many(operator_pk, plan.inserts, now)
    repository.restore_many(operator_pk, plan.restores, now)
    summary.updated = repository.refresh_many(operator_pk, plan.refreshes, now)
    repository.withdraw(operator_pk, plan.withdrawals, now)
    summary.inserted = len(plan.inserts) + len(plan.restores)
    summary.unchanged = len(plan.refreshes) - summary.updated + plan.already_withdrawn
    summary.withdrawn = len(plan.withdrawals)
    if progress:
        progress("write", total, total)


evse_filter = EvseFilter.parse
"""Build a filter from what a person typed in a form, a query string or a command line."""


def list_evses(
    store: Store, operator_id: str, criteria: EvseFilter | None = None, page: Page | None = None
) -> EvsePage:
    """The operator's EVSEs that match, sorted and paged."""
    operator = OperatorId.parse(operator_id)
    with unit_of_work(store) as uow:
        row = require_operator(uow, operator)
        return uow.evses.search(row.pk, criteria or EvseFilter(), page or Page())


def export_evses(
    store: Store,
    operator_id: str,
    criteria: EvseFilter | None = None,
    order: Page | None = None,
    *,
    paged: bool = False,
) -> Iterator[EvseRecord]:
    """Every EVSE of the operator that matches, for a CSV export, sorted as `order` says.

    The operator and the request are checked now; the records are read when the caller
    iterates, in one read transaction that lasts as long as the iteration (and ends when
    the iterator is closed), a chunk at a time: an export of any size is written in
    bounded memory. `paged` says the caller asked for a page, which an export refuses.
    """
    operator = OperatorId.parse(operator_id)
    criteria, order = criteria or EvseFilter(), order or Page()
    check_export(criteria, paged=paged)
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, operator).pk
    return _records(store, operator_pk, criteria, order)


def _records(
    store: Store, operator_pk: int, criteria: EvseFilter, order: Page
) -> Iterator[EvseRecord]:
    with unit_of_work(store) as uow:
        yield from uow.evses.stream(operator_pk, criteria, order)


def get_evse(store: Store, operator_id: str, evse_id: str) -> StoredEvse:
    """One EVSE of the operator; another operator's EVSE is not found, like a missing one."""
    operator, parsed = OperatorId.parse(operator_id), EvseId.parse(evse_id)
    with unit_of_work(store) as uow:
        row = require_operator(uow, operator)
        found = uow.evses.get(row.pk, parsed)
    if found is None:
        raise NotFound("evse.not_found", f"EVSE {parsed.sent} is not in this operator's inventory")
    return found
