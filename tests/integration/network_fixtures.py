"""Operators with generated EVSEs for the network tests (set-based, on both databases).

Operator A (`DE*ABC`) has EVSEs `DE*ABC*E1` … `E{count}` (see `evsenet.store.synthetic` for
their cities, power types and outputs); operator B (`NL*EVN`) has `NL*EVN*E1` … `E5`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from evsenet.domain.ids import EvseId, OperatorId
from evsenet.domain.network import Actor
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.evses import EvseRepository
from evsenet.store.synthetic import generate_evses
from evsenet.store.tables import evses

A, B = "DE*ABC", "NL*EVN"
ACTOR = Actor("token", "7", "tests")


def seed(store: Store, count: int = 120, b_count: int = 5) -> None:
    """Register A and B with their generated EVSEs."""
    for operator, how_many in ((A, count), (B, b_count)):
        row = register_operator(store, operator)
        with store.transaction(write=True) as connection:
            generate_evses(connection, row.pk, OperatorId.parse(operator), how_many)


def withdraw(store: Store, *evse_ids: str) -> None:
    """Withdraw these EVSEs as an import does (the counters follow)."""
    keys = [EvseId.parse(evse_id).normalised for evse_id in evse_ids]
    with store.transaction(write=True) as connection:
        rows = connection.execute(
            select(evses.c.operator_pk, evses.c.id).where(evses.c.evse_id.in_(keys))
        ).all()
        repository = EvseRepository(connection)
        for operator_pk in {row.operator_pk for row in rows}:
            pks = [row.id for row in rows if row.operator_pk == operator_pk]
            repository.withdraw(operator_pk, pks, datetime.now(UTC))
