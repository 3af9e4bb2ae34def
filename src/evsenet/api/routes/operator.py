"""`GET /api/v1/operator`: the operator the caller's token belongs to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from evsenet.api.auth import Caller, get_store
from evsenet.api.problems import problem_responses
from evsenet.api.schemas import Operator
from evsenet.services.operators import get_operator
from evsenet.store.engine import Store

router = APIRouter(prefix="/api/v1", tags=["operator"], responses=problem_responses(401))


@router.get("/operator")
def read_operator(caller: Caller, store: Annotated[Store, Depends(get_store)]) -> Operator:
    """The caller's operator: its ID, name and declared sub-operator prefixes."""
    return Operator.of(get_operator(store, caller.display))
