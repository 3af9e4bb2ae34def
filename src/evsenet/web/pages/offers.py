"""The offers pages: the list, the draft wizard (terms → network → tariffs → schedules →
review → publish) and the price versions of an unlimited offer.

Every step reads its form into Hubject's create-offer body (`web.offer_forms`) and saves
the draft through `services.offers`; a refusal answers the problem's message in the form
(htmx) or as a page. A draft needs a network, so the terms of a new offer travel with the
network step and the draft is created there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from evsenet.domain.errors import InvalidRecord
from evsenet.formats.hubject_offer_body import render_create_body, render_price_update
from evsenet.services import offers as service
from evsenet.services.networks import list_networks
from evsenet.services.offers import OfferView
from evsenet.services.subscriptions import offer_subscriptions
from evsenet.web import offer_forms as forms
from evsenet.web.pages.networks import actor_of
from evsenet.web.provider_views import MASTER_DATA_LABELS
from evsenet.web.rendering import is_htmx, render
from evsenet.web.session import CheckedSession, Operator, StoreDep

router = APIRouter()
MAX_KEY = 2**63 - 1
OfferId = Annotated[int, Path(ge=1, le=MAX_KEY)]
GroupId = Annotated[int, Path(ge=1, le=MAX_KEY)]
STEPS = [
    ("terms", "Terms"),
    ("network", "Network"),
    ("tariffs", "Tariffs"),
    ("schedule", "Schedules"),
    ("review", "Review"),
]


def _now() -> datetime:
    return datetime.now(UTC)


def _go(request: Request, target: str) -> Response:
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _form(request: Request) -> dict[str, str]:
    sent = await request.form()
    return {key: value for key, value in sent.items() if isinstance(value, str)}


def _body(view: OfferView) -> dict[str, Any]:
    return render_create_body(view.offer, placeholder_id=view.placeholder_id)


def _save(session: CheckedSession, store: StoreDep, view: OfferView, body: dict[str, Any]) -> None:
    now = _now()
    request = forms.read_draft(body, now)
    service.update_offer(
        store, session.operator, view.id, request, actor=actor_of(session), now=now
    )


def _wizard(view: OfferView | None, step: str) -> dict[str, object]:
    return {"offer": view, "steps": STEPS, "step": step}


@router.get("/offers")
def offers_page(request: Request, store: StoreDep, operator: Operator) -> Response:
    return render(request, "offers.html", {"offers": service.list_offers(store, operator)})


def _terms_page(
    request: Request,
    view: OfferView | None,
    values: dict[str, str],
    refused: InvalidRecord | None = None,
) -> Response:
    """The terms step; with `refused`, each refusal beside its field (422)."""
    problems = forms.terms_problems(refused) if refused else forms.TermsProblems({}, [])
    context = {
        **_wizard(view, "terms"),
        "values": values,
        "service_types": forms.SERVICE_TYPES,
        "master_data": {name: MASTER_DATA_LABELS[name][0] for name in forms.TWO_STEP_FIELDS},
        "problems": problems.fields,
        "other_problems": problems.others,
    }
    return render(request, "offer_terms.html", context, status=422 if refused else 200)


@router.get("/offers/new")
def offer_new(request: Request, operator: Operator) -> Response:
    return _terms_page(request, None, forms.terms_values(None))


@router.post("/offers/new")
async def offer_new_terms(request: Request, store: StoreDep, session: CheckedSession) -> Response:
    """The terms of a new offer, carried to the network step (the draft is created there)."""
    context = {
        **_wizard(None, "network"),
        "values": forms.terms_sent(await _form(request)),
        "networks": list_networks(store, session.operator),
    }
    return render(request, "offer_network.html", context)


@router.post("/offers")
async def offer_create(request: Request, store: StoreDep, session: CheckedSession) -> Response:
    """The draft of a new offer; refused terms send the user back to the terms step."""
    sent = await _form(request)
    body = forms.apply_terms(forms.empty_body(), sent)
    body["networkId"] = sent.get("network_id", "")
    now = _now()
    try:
        view = service.create_offer(
            store, session.operator, forms.read_draft(body, now), actor=actor_of(session), now=now
        )
    except InvalidRecord as refused:
        if not forms.terms_problems(refused).fields:
            raise
        return _terms_page(request, None, forms.terms_sent(sent), refused)
    return _go(request, f"/offers/{view.id}/tariffs")


@router.get("/offers/{offer_id}")
def offer_page(
    request: Request, store: StoreDep, operator: Operator, offer_id: OfferId
) -> Response:
    view = service.get_offer(store, operator, offer_id)
    if view.status.value != "draft":
        return RedirectResponse(f"/offers/{offer_id}/versions", status_code=303)
    return _terms_page(request, view, forms.terms_values(view.offer))


@router.post("/offers/{offer_id}/terms")
async def offer_terms(
    request: Request, store: StoreDep, session: CheckedSession, offer_id: OfferId
) -> Response:
    view = service.get_offer(store, session.operator, offer_id)
    sent = await _form(request)
    try:
        _save(session, store, view, forms.apply_terms(_body(view), sent))
    except InvalidRecord as refused:
        if not forms.terms_problems(refused).fields:
            raise
        return _terms_page(request, view, forms.terms_sent(sent), refused)
    return _go(request, f"/offers/{offer_id}/network")


@router.get("/offers/{offer_id}/network")
def offer_network(
    request: Request, store: StoreDep, operator: Operator, offer_id: OfferId
) -> Response:
    view = service.get_offer(store, operator, offer_id)
    context = {**_wizard(view, "network"), "networks": list_networks(store, operator)}
    return render(request, "offer_network.html", context)


@router.post("/offers/{offer_id}/network")
def offer_network_save(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    offer_id: OfferId,
    network_id: Annotated[str, Form(max_length=30)],
) -> Response:
    view = service.get_offer(store, session.operator, offer_id)
    body = _body(view)
    if network_id != str(view.network_id):
        body = {**body, "networkId": network_id, "products": []}
    _save(session, store, view, body)
    return _go(request, f"/offers/{offer_id}/tariffs")


@router.get("/offers/{offer_id}/tariffs")
def offer_tariffs(
    request: Request, store: StoreDep, operator: Operator, offer_id: OfferId
) -> Response:
    view = service.get_offer(store, operator, offer_id)
    context = {**_wizard(view, "tariffs"), "components": forms.COMPONENT_TYPES}
    return render(request, "offer_tariffs.html", context)


@router.post("/offers/{offer_id}/tariffs")
async def offer_tariff_add(
    request: Request, store: StoreDep, session: CheckedSession, offer_id: OfferId
) -> Response:
    view = service.get_offer(store, session.operator, offer_id)
    tariff = forms.tariff_from_form(await _form(request))
    _save(session, store, view, forms.with_tariff(_body(view), tariff))
    return _go(request, f"/offers/{offer_id}/tariffs")


@router.post("/offers/{offer_id}/tariffs/remove")
def offer_tariff_remove(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    offer_id: OfferId,
    name: Annotated[str, Form(max_length=200)],
) -> Response:
    view = service.get_offer(store, session.operator, offer_id)
    _save(session, store, view, forms.without_tariff(_body(view), name))
    return _go(request, f"/offers/{offer_id}/tariffs")


def _schedule_context(store: StoreDep, operator: Operator, view: OfferView) -> dict[str, object]:
    review = service.review_offer(store, operator, view.id)
    prices = {g.group_id: g for g in view.offer.groups}
    tariffs = [t.name for t in view.offer.tariffs]
    groups = [
        {
            "id": g.group_id,
            "name": g.name,
            "currency": prices[str(g.group_id)].currency.code
            if str(g.group_id) in prices
            else (view.offer.tariffs[0].currency.code if view.offer.tariffs else "EUR"),
            "text": forms.slots_text(prices.get(str(g.group_id))),
            "grid": forms.grid(prices.get(str(g.group_id))),
        }
        for g in review.groups
    ]
    return {
        "groups": groups,
        "tariffs": tariffs,
        "colours": {name: index % len(forms.COLOURS) for index, name in enumerate(tariffs)},
        "days": forms.DAYS,
        "hours": forms.HOURS,
    }


@router.get("/offers/{offer_id}/schedule")
def offer_schedule(
    request: Request, store: StoreDep, operator: Operator, offer_id: OfferId
) -> Response:
    view = service.get_offer(store, operator, offer_id)
    context = {**_wizard(view, "schedule"), **_schedule_context(store, operator, view)}
    return render(request, "offer_schedule.html", context)


@router.post("/offers/{offer_id}/schedule/{group_id}")
def offer_schedule_save(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    offer_id: OfferId,
    group_id: GroupId,
    currency: Annotated[str, Form(max_length=3)],
    slots: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    view = service.get_offer(store, session.operator, offer_id)
    tariffs = [t.name for t in view.offer.tariffs]
    plans = forms.slots_from_text(slots, tariffs, f"products[{group_id}]")
    body = forms.with_group_prices(_body(view), str(group_id), currency, plans)
    _save(session, store, view, body)
    return _go(request, f"/offers/{offer_id}/schedule#group-{group_id}")


@router.get("/offers/{offer_id}/review")
def offer_review(
    request: Request, store: StoreDep, operator: Operator, offer_id: OfferId
) -> Response:
    review = service.review_offer(store, operator, offer_id)
    context = {**_wizard(review.offer, "review"), "r": review, "labels": MASTER_DATA_LABELS}
    return render(request, "offer_review.html", context)


@router.post("/offers/{offer_id}/publish")
def offer_publish(
    request: Request,
    store: StoreDep,
    session: CheckedSession,
    offer_id: OfferId,
    acknowledge: Annotated[int | None, Form(ge=0, le=MAX_KEY)] = None,
) -> Response:
    service.publish_offer(
        store,
        session.operator,
        offer_id,
        acknowledge_zero_priced=acknowledge,
        actor=actor_of(session),
        now=_now(),
    )
    return _go(request, f"/offers/{offer_id}/versions")


@router.get("/offers/{offer_id}/versions")
def offer_versions(
    request: Request, store: StoreDep, operator: Operator, offer_id: OfferId
) -> Response:
    view = service.get_offer(store, operator, offer_id)
    versions = service.list_versions(store, operator, offer_id)
    subscribers = offer_subscriptions(store, operator, offer_id)
    context = {"offer": view, "versions": versions, "subscribers": subscribers}
    return render(request, "offer_versions.html", context)


@router.get("/offers/{offer_id}/versions/new")
def offer_version_new(
    request: Request, store: StoreDep, operator: Operator, offer_id: OfferId
) -> Response:
    view = service.get_offer(store, operator, offer_id)
    context = {
        "offer": view,
        "labels": MASTER_DATA_LABELS,
        **_schedule_context(store, operator, view),
    }
    return render(request, "offer_version_new.html", context)


@router.post("/offers/{offer_id}/versions")
async def offer_version_add(
    request: Request, store: StoreDep, session: CheckedSession, offer_id: OfferId
) -> Response:
    """A new price version: the update date and every group's slots (the tariffs of the
    version it follows)."""
    operator = session.operator
    view = service.get_offer(store, operator, offer_id)
    sent = await _form(request)
    update_date = forms.instant_of(sent.get("update_date", ""))
    body: dict[str, Any] = render_price_update(view.offer, update_date=view.effective_from)
    body["updateDate"] = update_date
    body["pricingDetails"] = []
    tariffs = [t.name for t in view.offer.tariffs]
    priced = {prices.group_id for prices in view.offer.groups}
    for key, text in sent.items():
        group = key.removeprefix("slots.")
        if key == group or not (text.strip() or group in priced):
            continue
        plans = forms.slots_from_text(text, tariffs, "pricingDetails")
        body = forms.with_group_prices(body, group, sent.get(f"currency.{group}", ""), plans)
    created = service.add_price_version(
        store, operator, offer_id, forms.read_version(body), actor=actor_of(session), now=_now()
    )
    return _go(request, f"/offers/{created.id}/versions")
