"""Register operators (tenants) and the sub-operator prefixes a hub may push for."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from evsenet.domain.errors import Conflict, DomainError, NotFound
from evsenet.domain.ids import OperatorId, evse_id_start
from evsenet.domain.text import PlainText
from evsenet.store.engine import Store
from evsenet.store.repositories.operators import OperatorRow
from evsenet.store.uow import UnitOfWork, unit_of_work

NAME_LIMIT = 100
OPERATOR_NAME = PlainText(
    "Operator name", NAME_LIMIT, "operator.name_too_long", "operator.name_control_character"
)


def require_operator(uow: UnitOfWork, operator: OperatorId, *, lock: bool = False) -> OperatorRow:
    row = uow.operators.get(operator, lock=lock)
    if row is None:
        raise NotFound(
            "operator.unknown",
            f"Operator {operator.display} is not registered; register it with "
            f"`evsenet operators add {operator.display}`",
        )
    return row


def _claim_prefixes(uow: UnitOfWork, pk: int, own: OperatorId, prefixes: list[OperatorId]) -> None:
    now = datetime.now(UTC)
    for prefix in prefixes:
        if prefix == own:
            raise DomainError(
                "sub_operator.is_self",
                f"{prefix.display} is the operator's own ID; only other prefixes are sub-operators",
            )
        owner = uow.operators.owner_of(prefix)
        if owner == own:
            continue
        if owner is not None or not uow.operators.add_sub_operator(pk, prefix, now):
            raise _prefix_taken(uow, prefix)


def _prefix_taken(uow: UnitOfWork, prefix: OperatorId) -> Conflict:
    owner = uow.operators.owner_of(prefix)
    by = f" by operator {owner.display}" if owner is not None else ""
    return Conflict("sub_operator.taken", f"Prefix {prefix.display} is already claimed{by}")


def _operator_exists(operator: OperatorId) -> Conflict:
    return Conflict(
        "operator.exists",
        f"Operator {operator.display} (or a hub's sub-operator prefix with that ID) is "
        "already registered",
    )


def register_operator(
    store: Store, operator_id: str, name: str = "", sub_operators: list[str] | None = None
) -> OperatorRow:
    """Register a new operator, optionally with the sub-operator prefixes it pushes for."""
    operator = OperatorId.parse(operator_id)
    prefixes = [OperatorId.parse(p) for p in sub_operators or []]
    with unit_of_work(store, write=True) as uow:
        pk = _add(uow, operator, OPERATOR_NAME(name))
        if pk is None:
            raise _operator_exists(operator)
        _claim_prefixes(uow, pk, operator, prefixes)
        return require_operator(uow, operator)


def _add(uow: UnitOfWork, operator: OperatorId, name: str) -> int | None:
    """Register the operator; None when its ID is registered or claimed as a prefix."""
    if uow.operators.owner_of(operator) is not None:
        return None
    return uow.operators.add(operator, name, datetime.now(UTC))


def registered_operator(uow: UnitOfWork, operator: OperatorId) -> tuple[OperatorRow, bool]:
    """The operator, locked, registered inside `uow` when it is new; the flag says it was.

    A concurrent request that registers the same operator first is no error: its row is
    used. An ID that another operator claims as a sub-operator prefix is refused.
    """
    row = uow.operators.get(operator, lock=True)
    if row is not None:
        return row, False
    if _add(uow, operator, "") is not None:
        return require_operator(uow, operator, lock=True), True
    row = uow.operators.get(operator, lock=True)
    if row is None:
        raise _operator_exists(operator)
    return row, False


def declare_sub_operators(store: Store, operator_id: str, prefixes: list[str]) -> OperatorRow:
    """Let `operator_id` push EVSEs whose IDs start with any of `prefixes`."""
    operator = OperatorId.parse(operator_id)
    parsed = [OperatorId.parse(p) for p in prefixes]
    with unit_of_work(store, write=True) as uow:
        row = require_operator(uow, operator)
        _claim_prefixes(uow, row.pk, operator, parsed)
        return require_operator(uow, operator)


class SubOperatorWithdrawn(NamedTuple):
    operator: OperatorRow
    evses_withdrawn: int


def withdraw_sub_operator(store: Store, operator_id: str, prefix: str) -> SubOperatorWithdrawn:
    """Stop the hub pushing EVSEs under `prefix`, and withdraw those it pushed.

    The hub no longer speaks for that operator, so its EVSEs leave the hub's inventory
    (they keep their history) rather than stay on the market beyond the hub's reach.
    """
    operator, parsed = OperatorId.parse(operator_id), OperatorId.parse(prefix)
    with unit_of_work(store, write=True) as uow:
        row = require_operator(uow, operator, lock=True)
        if not uow.operators.remove_sub_operator(row.pk, parsed):
            raise NotFound(
                "sub_operator.unknown",
                f"{parsed.display} is not a sub-operator of {operator.display}",
            )
        now = datetime.now(UTC)
        withdrawn = uow.evses.withdraw_starting_with(row.pk, evse_id_start(parsed), now)
        return SubOperatorWithdrawn(require_operator(uow, operator), withdrawn)


def get_operator(store: Store, operator_id: str) -> OperatorRow:
    with unit_of_work(store) as uow:
        return require_operator(uow, OperatorId.parse(operator_id))


def list_operators(store: Store) -> list[OperatorRow]:
    with unit_of_work(store) as uow:
        return uow.operators.all()
