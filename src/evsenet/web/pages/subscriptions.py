"""The operator's subscription requests: accept, or reject with one of Hubject's reasons
and a message. The subscribers of one offer are on the offer's page (`pages.offers`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from evsenet.services import subscriptions as service
from evsenet.services.subscription_pages import operator_subscription_lines
from evsenet.web.pages.networks import actor_of
from evsenet.web.provider_views import MASTER_DATA_LABELS
from evsenet.web.rendering import render
from evsenet.web.session import CheckedSession, Operator, StoreDep

router = APIRouter()
MAX_KEY = 2**63 - 1
Key = Annotated[int, Path(ge=1, le=MAX_KEY)]
REJECT_REASONS = {
    "INCORRECT_DATA_FORMAT": "Incorrect data format",
    "INVALID_VAT_ID": "Invalid VAT ID",
    "BUSINESS_REQUIREMENTS_NOT_MATCHED": "Business requirements not matched",
    "NOT_ELIGIBLE": "Not eligible",
    "OTHERS": "Other",
}
"""Hubject's `twoStepErrorStatus` values and how the form names them."""


@router.get("/subscriptions")
def subscriptions_page(request: Request, store: StoreDep, operator: Operator) -> Response:
    context = {
        "lines": operator_subscription_lines(store, operator),
        "labels": MASTER_DATA_LABELS,
        "reasons": REJECT_REASONS,
    }
    return render(request, "subscriptions.html", context)


@router.post("/subscriptions/{subscription_id}/accept")
def accept_submit(store: StoreDep, session: CheckedSession, subscription_id: Key) -> Response:
    service.accept(
        store, session.operator, subscription_id, actor=actor_of(session), now=datetime.now(UTC)
    )
    return RedirectResponse("/subscriptions", status_code=303)


@router.post("/subscriptions/{subscription_id}/reject")
def reject_submit(
    store: StoreDep,
    session: CheckedSession,
    subscription_id: Key,
    reason: Annotated[str, Form(max_length=40)],
    message: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    service.reject(
        store,
        session.operator,
        subscription_id,
        reason,
        message,
        actor=actor_of(session),
        now=datetime.now(UTC),
    )
    return RedirectResponse("/subscriptions", status_code=303)
