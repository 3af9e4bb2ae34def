"""`GET /health`: is the database reachable and its schema at the code's revision?

The read runs on a connection of its own with a short bound on lock waits
(`BUSY_TIMEOUT_MS`): a database held by a write (a SQLite file locked exclusively, a
PostgreSQL table locked) is reported as busy in about that time instead of holding
`/health` for the store's 30-second busy timeout. Pushes and imports never hold the
read: WAL readers do not wait for writers, and large writes run in worker processes
(`api/import_workers.py`), outside the interpreter that answers `/health`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, Depends
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from evsenet.api.auth import get_store
from evsenet.api.problems import ApiProblem, problem_responses
from evsenet.api.schemas import Health
from evsenet.store.engine import SQLITE_BUSY_TIMEOUT_MS, Store
from evsenet.store.migrate import head_revision

router = APIRouter(tags=["health"])

BUSY_TIMEOUT_MS = 2_000
"""How long `/health` waits for a lock on the database before it reports it busy."""
RETRY_SECONDS = 5
SQLITE_BUSY = 5
"""sqlite3's result code for a database locked by another connection."""
POSTGRES_QUERY_CANCELED = "57014"
"""PostgreSQL's SQLSTATE for a statement cancelled by `statement_timeout`."""


@contextmanager
def _bounded(connection: Connection) -> Iterator[None]:
    """Bound the lock waits of `connection`'s statements to BUSY_TIMEOUT_MS."""
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            yield
        finally:
            driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {BUSY_TIMEOUT_MS}")
    yield


def _current_revision(store: Store) -> str | None:
    with store.engine.connect() as connection, _bounded(connection):
        return MigrationContext.configure(connection).get_current_revision()


def _busy(error: SQLAlchemyError) -> bool:
    """Whether the read failed on a lock held by another connection, not on the database."""
    if not isinstance(error, DBAPIError):
        return False
    cause = error.orig
    return (
        getattr(cause, "sqlite_errorcode", None) == SQLITE_BUSY
        or getattr(cause, "sqlstate", None) == POSTGRES_QUERY_CANCELED
    )


def check_health(store: Store) -> Health:
    """The store's health, or ApiProblem 503 saying what an administrator must do."""
    try:
        current = _current_revision(store)
    except SQLAlchemyError as error:
        if _busy(error):
            raise ApiProblem(
                503,
                "health.database_busy",
                f"The database kept its schema version locked for {BUSY_TIMEOUT_MS} ms "
                "(another connection holds an exclusive lock); ask again shortly, and if "
                "it persists look for a long-running transaction or maintenance",
                headers={"Retry-After": str(RETRY_SECONDS)},
            ) from None
        raise ApiProblem(
            503,
            "health.database_unavailable",
            "The database cannot be reached; check EVSENET_DATABASE_URL and that the "
            "database server is running",
        ) from None
    head = head_revision(store)
    if current is None or current != head:
        raise ApiProblem(
            503,
            "health.schema_outdated",
            f"The database schema is at revision {current or 'none'}, the code needs "
            f"{head}; run `evsenet db upgrade`",
        )
    return Health(status="ok", database="ok", schema_revision=current)


@router.get("/health", responses=problem_responses(503))
def health(store: Annotated[Store, Depends(get_store)]) -> Health:
    """Liveness and readiness: 200 when the database answers and its schema is current;
    503 when it cannot be reached, is busy beyond a short bound, or is behind the code."""
    return check_health(store)
