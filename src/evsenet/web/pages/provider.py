"""The provider's pages: the offers open to it, subscribing with the offer's master data,
its subscriptions (fix and resubmit a rejected one, cancel), and per operator the prices
of each group as a weekly grid and the EVSEs of a group, paged.

Only a provider's session reaches them (`ProviderSession`); an operator's gets 404. The
subscribe and resubmit forms are plain posts: a refusal of the master data comes back as
the same form with each field's problem beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from evsenet.domain.errors import InvalidRecord
from evsenet.domain.subscription import MASTER_DATA_FIELDS
from evsenet.services import subscriptions as service
from evsenet.services.provider_view import evses_of_group, operator_for_provider
from evsenet.services.subscription_pages import open_offer, provider_subscription_lines
from evsenet.web.pages.networks import actor_of
from evsenet.web.provider_views import MASTER_DATA_LABELS, offer_prices
from evsenet.web.rendering import render
from evsenet.web.session import CheckedProviderSession, ProviderSession, StoreDep

router = APIRouter(prefix="/provider")
MAX_KEY = 2**63 - 1
Key = Annotated[int, Path(ge=1, le=MAX_KEY)]
OperatorKey = Annotated[str, Path(min_length=1, max_length=20)]
PAGE_SIZE = 25
MAX_PAGE = 10_000_000


def _now() -> datetime:
    return datetime.now(UTC)


async def _master_data(request: Request) -> tuple[dict[str, str], bool]:
    """The master data fields of a subscribe or resubmit form, and the terms checkbox."""
    sent = await request.form()
    values = {
        name: value
        for name in MASTER_DATA_FIELDS
        if isinstance(value := sent.get(name), str) and value.strip()
    }
    return values, sent.get("terms_confirmed") == "yes"


def _field_problems(refused: InvalidRecord) -> dict[str, str]:
    found: dict[str, str] = {}
    for problem in refused.problems:
        found.setdefault(problem.field, problem.message)
    return found


@router.get("/offers")
def offers_page(request: Request, store: StoreDep, session: ProviderSession) -> Response:
    found = service.offers_open_to(store, session.provider)
    return render(request, "provider_offers.html", {"offers": found})


def _subscribe_page(
    request: Request,
    store: StoreDep,
    session: ProviderSession,
    offer_id: int,
    values: Mapping[str, str],
    problems: Mapping[str, str],
) -> Response:
    found = open_offer(store, session.provider, offer_id)
    context = {
        "o": found,
        "labels": MASTER_DATA_LABELS,
        "values": values,
        "problems": problems,
    }
    return render(request, "provider_subscribe.html", context, status=422 if problems else 200)


@router.get("/offers/{offer_id}/subscribe")
def subscribe_page(
    request: Request, store: StoreDep, session: ProviderSession, offer_id: Key
) -> Response:
    return _subscribe_page(request, store, session, offer_id, {}, {})


@router.post("/offers/{offer_id}/subscribe")
async def subscribe_submit(
    request: Request, store: StoreDep, session: CheckedProviderSession, offer_id: Key
) -> Response:
    values, confirmed = await _master_data(request)
    try:
        service.subscribe(
            store,
            session.provider,
            offer_id,
            values,
            terms_confirmed=confirmed,
            actor=actor_of(session),
            now=_now(),
        )
    except InvalidRecord as refused:
        return _subscribe_page(request, store, session, offer_id, values, _field_problems(refused))
    return RedirectResponse("/provider/subscriptions", status_code=303)


def _subscriptions_page(
    request: Request,
    store: StoreDep,
    session: ProviderSession,
    *,
    fixing: int | None = None,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> Response:
    context = {
        "lines": provider_subscription_lines(store, session.provider),
        "labels": MASTER_DATA_LABELS,
        "fixing": fixing,
        "sent": values or {},
        "problems": problems or {},
    }
    return render(request, "provider_subscriptions.html", context, status=422 if problems else 200)


@router.get("/subscriptions")
def subscriptions_page(request: Request, store: StoreDep, session: ProviderSession) -> Response:
    return _subscriptions_page(request, store, session)


@router.post("/subscriptions/{subscription_id}/resubmit")
async def resubmit_submit(
    request: Request, store: StoreDep, session: CheckedProviderSession, subscription_id: Key
) -> Response:
    values, confirmed = await _master_data(request)
    try:
        service.resubmit(
            store,
            session.provider,
            subscription_id,
            values,
            terms_confirmed=confirmed,
            actor=actor_of(session),
            now=_now(),
        )
    except InvalidRecord as refused:
        return _subscriptions_page(
            request,
            store,
            session,
            fixing=subscription_id,
            values=values,
            problems=_field_problems(refused),
        )
    return RedirectResponse("/provider/subscriptions", status_code=303)


@router.post("/subscriptions/{subscription_id}/cancel")
def cancel_submit(
    store: StoreDep, session: CheckedProviderSession, subscription_id: Key
) -> Response:
    service.cancel(store, session.provider, subscription_id, actor=actor_of(session), now=_now())
    return RedirectResponse("/provider/subscriptions", status_code=303)


@router.get("/operators/{operator_id}")
def operator_page(
    request: Request, store: StoreDep, session: ProviderSession, operator_id: OperatorKey
) -> Response:
    seen = operator_for_provider(store, session.provider, operator_id)
    offers = [offer_prices(item) for item in seen.offers]
    return render(request, "provider_operator.html", {"seen": seen, "offers": offers})


@router.get("/operators/{operator_id}/offers/{offer_id}/networks/{network_id}/groups/{group_id}")
def group_evses_page(
    request: Request,
    store: StoreDep,
    session: ProviderSession,
    operator_id: OperatorKey,
    offer_id: Key,
    network_id: Key,
    group_id: Key,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    found = evses_of_group(
        store,
        session.provider,
        operator_id,
        offer_id,
        network_id,
        group_id,
        page=page - 1,
        size=PAGE_SIZE,
    )
    context = {
        "evses": found,
        "page": page,
        "pages": max(1, found.total_pages),
        "operator_id": operator_id,
        "base": request.url.path,
    }
    return render(request, "provider_group.html", context)
