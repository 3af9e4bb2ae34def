"""The audit log: one row per change to networks, groups and assignments."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from evsenet.domain.network import Actor, AuditRecord
from evsenet.domain.network_lists import AuditEntry, AuditPage
from evsenet.store.tables import audit_log


class AuditRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, operator_pk: int, actor: Actor, record: AuditRecord, now: datetime) -> None:
        self.connection.execute(
            insert(audit_log).values(
                operator_pk=operator_pk,
                at=now,
                actor_kind=actor.kind,
                actor_id=actor.id,
                actor_label=actor.label[:100],
                action=record.action,
                subject=record.subject[:300],
                network_pk=record.network_id,
                counts=json.dumps(record.counts, sort_keys=True),
                evse_ids=json.dumps(list(record.ids), ensure_ascii=False),
                evse_ids_total=record.ids_total,
            )
        )

    def page(self, operator_pk: int, limit: int, offset: int) -> AuditPage:
        """The operator's entries, newest first."""
        total = self.connection.execute(
            select(func.count()).where(audit_log.c.operator_pk == operator_pk)
        ).scalar_one()
        rows = self.connection.execute(
            select(audit_log)
            .where(audit_log.c.operator_pk == operator_pk)
            .order_by(audit_log.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        items = [
            AuditEntry(
                row.at,
                row.actor_label,
                row.actor_kind,
                row.action,
                row.subject,
                json.loads(row.counts),
                json.loads(row.evse_ids),
                row.evse_ids_total,
            )
            for row in rows
        ]
        return AuditPage(items, int(total), limit, offset)
