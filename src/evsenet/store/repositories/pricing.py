"""What pricing reads: where EVSEs are (zone, group, network) and an operator's published
offers. One query per chunk of EVSEs, whatever the chunk's size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from evsenet.store.repositories.offers import OfferRepository, StoredOffer
from evsenet.store.tables import assignments, evse_groups, evses

CHUNK = 500
"""EVSE keys per IN list (SQLite allows 32,766 bound parameters; this keeps plans small)."""


@dataclass(frozen=True, slots=True)
class EvsePlace:
    """An EVSE of the operator as pricing needs it."""

    evse_id: str
    time_zone: str
    withdrawn_at: datetime | None
    network_pk: int | None
    group_pk: int | None
    group_name: str | None


class PricingReads:
    """Read-only queries of the pricing service."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def evse_places(self, operator_pk: int, keys: Sequence[str]) -> dict[str, EvsePlace]:
        """The operator's EVSEs among normalised `keys`, keyed by normalised EVSE ID."""
        return {
            key: place
            for key, found in self.evse_places_among([operator_pk], keys).items()
            for _, place in found
        }

    def evse_places_among(
        self, operator_pks: Sequence[int], keys: Sequence[str]
    ) -> dict[str, list[tuple[int, EvsePlace]]]:
        """The EVSEs of the operators `operator_pks` among normalised `keys`, keyed by
        normalised EVSE ID, each with its operator's pk (one ID may be two operators')."""
        found: dict[str, list[tuple[int, EvsePlace]]] = {}
        unique = sorted(set(keys))
        if not operator_pks:
            return found
        for start in range(0, len(unique), CHUNK):
            rows = self.connection.execute(
                select(
                    evses.c.operator_pk,
                    evses.c.evse_id,
                    evses.c.evse_id_sent,
                    evses.c.time_zone,
                    evses.c.withdrawn_at,
                    assignments.c.network_pk,
                    assignments.c.group_pk,
                    evse_groups.c.name,
                )
                .select_from(
                    evses.outerjoin(assignments, assignments.c.evse_pk == evses.c.id).outerjoin(
                        evse_groups, evse_groups.c.id == assignments.c.group_pk
                    )
                )
                .where(
                    evses.c.operator_pk.in_(sorted(set(operator_pks))),
                    evses.c.evse_id.in_(unique[start : start + CHUNK]),
                )
                .order_by(evses.c.operator_pk)
            )
            for row in rows:
                place = EvsePlace(
                    row.evse_id_sent,
                    row.time_zone,
                    row.withdrawn_at,
                    None if row.network_pk is None else int(row.network_pk),
                    None if row.group_pk is None else int(row.group_pk),
                    row.name,
                )
                found.setdefault(row.evse_id, []).append((int(row.operator_pk), place))
        return found

    def published_offers(self, operator_pk: int, network_pk: int) -> list[StoredOffer]:
        """Every published version of the operator's offers on the network."""
        return [
            stored
            for stored in OfferRepository(self.connection).of_operator(operator_pk)
            if stored.published and stored.network_pk == network_pk
        ]
