"""Users of the web UI and their signed-in sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.users import Party, SignInRecord
from evsenet.store.repositories.operators import insert_unless_taken
from evsenet.store.tables import operators, providers, users, web_sessions

_PARTY_COLUMNS = (
    operators.c.operator_id,
    operators.c.display_id.label("operator_display"),
    providers.c.provider_id,
    providers.c.display_id.label("provider_display"),
)


_SESSION_USERS = web_sessions.join(users, users.c.id == web_sessions.c.user_pk)


def _with_party(statement: Any) -> Any:
    """`statement` joined to the user's operator or provider, whichever it has."""
    return statement.outerjoin(operators, operators.c.id == users.c.operator_pk).outerjoin(
        providers, providers.c.id == users.c.provider_pk
    )


def _party(row: Any) -> Party:
    if row.operator_id is not None:
        return OperatorId(row.operator_id, row.operator_display)
    return ProviderId(row.provider_id, row.provider_display)


@dataclass(frozen=True, slots=True)
class UserRow:
    pk: int
    email: str
    password_hash: str
    party: Party
    sign_ins: SignInRecord


@dataclass(frozen=True, slots=True)
class SessionRow:
    user_pk: int
    email: str
    party: Party
    csrf_token: str
    expires_at: datetime


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        email: str,
        password_hash: str,
        now: datetime,
        *,
        operator_pk: int | None = None,
        provider_pk: int | None = None,
    ) -> int | None:
        """The new user's key, of an operator or a provider; None when the e-mail address
        is taken (also concurrently)."""
        values = {
            "operator_pk": operator_pk,
            "provider_pk": provider_pk,
            "email": email,
            "password_hash": password_hash,
            "created_at": now,
        }
        statement = insert_unless_taken(self.connection, users, values)
        pk = self.connection.execute(statement.returning(users.c.id)).scalar_one_or_none()
        return None if pk is None else int(pk)

    def count(self) -> int:
        return int(self.connection.execute(select(func.count()).select_from(users)).scalar_one())

    def by_email(self, email: str) -> UserRow | None:
        row = self.connection.execute(
            select(
                users.c.id,
                users.c.email,
                users.c.password_hash,
                users.c.failed_sign_ins,
                users.c.last_failed_at,
                *_PARTY_COLUMNS,
            )
            .select_from(_with_party(users))
            .where(users.c.email == email)
        ).one_or_none()
        if row is None:
            return None
        return UserRow(
            row.id,
            row.email,
            row.password_hash,
            _party(row),
            SignInRecord(row.failed_sign_ins, row.last_failed_at),
        )

    def record_sign_ins(self, user_pk: int, record: SignInRecord) -> None:
        self.connection.execute(
            update(users)
            .where(users.c.id == user_pk)
            .values(failed_sign_ins=record.failed_in_a_row, last_failed_at=record.last_failed_at)
        )

    def set_password_hash(self, user_pk: int, password_hash: str) -> None:
        self.connection.execute(
            update(users).where(users.c.id == user_pk).values(password_hash=password_hash)
        )

    def open_session(
        self, user_pk: int, token_hash: str, csrf_token: str, now: datetime, expires: datetime
    ) -> None:
        self.connection.execute(
            insert(web_sessions).values(
                token_hash=token_hash,
                user_pk=user_pk,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=expires,
            )
        )

    def session(self, token_hash: str, now: datetime) -> SessionRow | None:
        row = self.connection.execute(
            select(
                web_sessions.c.user_pk,
                web_sessions.c.csrf_token,
                web_sessions.c.expires_at,
                users.c.email,
                *_PARTY_COLUMNS,
            )
            .select_from(
                _with_party(web_sessions.join(users, users.c.id == web_sessions.c.user_pk))
            )
            .where(web_sessions.c.token_hash == token_hash, web_sessions.c.expires_at > now)
        ).one_or_none()
        if row is None:
            return None
        return SessionRow(
            row.user_pk,
            row.email,
            _party(row),
            row.csrf_token,
            row.expires_at,
        )

    def close_session(self, token_hash: str) -> None:
        self.connection.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))

    def close_expired_sessions(self, user_pk: int, now: datetime) -> None:
        self.connection.execute(
            delete(web_sessions).where(
                web_sessions.c.user_pk == user_pk, web_sessions.c.expires_at <= now
            )
        )
