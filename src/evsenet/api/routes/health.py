"""`GET /health`: is the database reachable and its schema at the code's revision?"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.exc import SQLAlchemyError

from evsenet.api.auth import get_store
from evsenet.api.problems import ApiProblem, problem_responses
from evsenet.api.schemas import Health
from evsenet.store.engine import Store
from evsenet.store.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


def check_health(store: Store) -> Health:
    """The store's health, or ApiProblem 503 saying what an administrator must do."""
    try:
        current = current_revision(store)
    except SQLAlchemyError:
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
    """Liveness and readiness: 200 when the database answers and its schema is current."""
    return check_health(store)
