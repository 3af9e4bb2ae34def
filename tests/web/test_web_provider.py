"""The provider's pages and the operator's subscription pages over HTTP: each party reaches
only its own pages (the other's answer 404), the two-step walk through the forms, master
data refused per field with nothing written, and one provider never seeing another's
subscription."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from types import ModuleType

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx2 import Response

from evsenet.api import create_app
from evsenet.domain.ids import OperatorId
from evsenet.domain.subscription import SubscriptionStatus
from evsenet.services import subscriptions as svc
from evsenet.services.users import add_party_user, add_user
from evsenet.store.engine import Store
from evsenet.web.pages import audit, evses, networks
from evsenet.web.pages import offers as offers_pages
from evsenet.web.pages import provider as provider_pages
from evsenet.web.pages import subscriptions as subscriptions_pages
from tests.integration.network_fixtures import ACTOR, A, B
from tests.integration.provider_fixtures import EMP, GOOD_DATA, ICE, World, world
from tests.integration.snapshots import dump
from tests.web.test_web_edge import PASSWORD
from tests.web.test_web_edge import sign_in as sign_in_first

OPS = "ops@abc.example"
OTHER_OPS = "ops@evn.example"
ICE_USER = "team@ice.example"
EMP_USER = "team@emp.example"
OPERATOR_A = OperatorId.parse(A)
REQUIRED = {k: v for k, v in GOOD_DATA.items() if k != "billing_address_street"}


@pytest.fixture
def w(store: Store) -> World:
    found = world(store)
    add_user(store, A, OPS, PASSWORD)
    add_user(store, B, OTHER_OPS, PASSWORD)
    add_party_user(store, ICE_USER, PASSWORD, provider_id="DE*ICE")
    add_party_user(store, EMP_USER, PASSWORD, provider_id="FR-EMP")
    return found


@pytest.fixture
def client(store: Store, w: World) -> Iterator[TestClient]:
    with TestClient(create_app(store), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, email: str) -> str:
    """Sign in as `email` in a browser with no cookies; the session's CSRF token."""
    client.cookies.clear()
    return sign_in_first(client, email)


def _text(answer: Response) -> str:
    return html.unescape(answer.text)


def _subscribe(client: TestClient, token: str, offer_id: int, data: dict[str, str]) -> Response:
    return client.post(
        f"/provider/offers/{offer_id}/subscribe",
        data={"csrf_token": token, **data, "terms_confirmed": "yes"},
    )


def test_the_start_page_sends_each_party_to_its_own_home(client: TestClient) -> None:
    sign_in(client, ICE_USER)
    assert client.get("/").headers["location"] == "/provider/offers"
    page = client.get("/provider/offers")
    assert page.status_code == 200
    assert "DE*ICE" in page.text


@pytest.mark.parametrize(
    "path",
    ["/networks", "/evses", "/offers", "/offers/new", "/audit", "/subscriptions", "/offers/1"],
)
def test_a_provider_session_reaches_no_operator_page(client: TestClient, path: str) -> None:
    sign_in(client, ICE_USER)
    answer = client.get(path)
    assert answer.status_code == 404
    assert "Berlin" not in answer.text


@pytest.mark.parametrize(
    "path",
    ["/provider/offers", "/provider/subscriptions", "/provider/operators/DEABC"],
)
def test_an_operator_session_reaches_no_provider_page(client: TestClient, path: str) -> None:
    sign_in(client, OPS)
    assert client.get(path).status_code == 404


def test_a_provider_cannot_post_to_an_operator_form(
    client: TestClient, store: Store, w: World
) -> None:
    row = svc.subscribe(store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR)
    token = sign_in(client, ICE_USER)
    answer = client.post(f"/subscriptions/{row.pk}/accept", data={"csrf_token": token})
    assert answer.status_code == 404
    assert svc.provider_subscriptions(store, ICE)[0].status is SubscriptionStatus.REQUESTED


def test_the_open_offers_list_the_offer_to_all_and_the_bilateral_offer_naming_the_provider(
    client: TestClient, w: World
) -> None:
    sign_in(client, ICE_USER)
    page = client.get("/provider/offers").text
    assert f'data-offer="{w.to_all}"' in page
    assert f'data-offer="{w.bilateral}"' in page
    assert f'data-offer="{w.draft}"' not in page
    sign_in(client, EMP_USER)
    page = client.get("/provider/offers").text
    assert f'data-offer="{w.to_all}"' in page
    assert f'data-offer="{w.bilateral}"' not in page
    assert client.get(f"/provider/offers/{w.bilateral}/subscribe").status_code == 404


def test_master_data_is_refused_field_by_field_and_nothing_is_written(
    client: TestClient, store: Store, w: World
) -> None:
    token = sign_in(client, ICE_USER)
    form = client.get(f"/provider/offers/{w.to_all}/subscribe")
    assert form.status_code == 200
    assert 'name="tax_id"' in form.text
    sent = {**REQUIRED, "tax_id": "DE123", "billing_contact_email": "not an address"}
    answer = client.post(
        f"/provider/offers/{w.to_all}/subscribe", data={"csrf_token": token, **sent}
    )
    assert answer.status_code == 422
    text = _text(answer)
    for field in ("tax_id", "billing_contact_email", "terms_confirmed"):
        assert f'data-field-problem="{field}"' in text
    assert "VAT ID 'DE123'" in text
    assert 'value="not an address"' in text
    assert svc.provider_subscriptions(store, ICE) == []


def test_the_two_step_walk_through_the_forms(client: TestClient, store: Store, w: World) -> None:
    ice = sign_in(client, ICE_USER)
    answer = _subscribe(client, ice, w.to_all, {**REQUIRED, "tax_id": "DE136695975"})
    assert answer.status_code == 422
    answer = _subscribe(client, ice, w.to_all, GOOD_DATA)
    assert answer.status_code == 303
    (row,) = svc.provider_subscriptions(store, ICE)
    assert row.status is SubscriptionStatus.REQUESTED

    ops = sign_in(client, OPS)
    listed = client.get("/subscriptions").text
    assert f'data-accept="{row.pk}"' in listed
    assert "DE136695976" in listed
    refused = client.post(
        f"/subscriptions/{row.pk}/reject", data={"csrf_token": ops, "reason": "MAYBE"}
    )
    assert refused.status_code == 400
    assert "Rejection reason 'MAYBE' is not one of" in _text(refused)
    assert svc.provider_subscriptions(store, ICE)[0].status is SubscriptionStatus.REQUESTED
    answer = client.post(
        f"/subscriptions/{row.pk}/reject",
        data={"csrf_token": ops, "reason": "INVALID_VAT_ID", "message": "Use the group's ID"},
    )
    assert answer.status_code == 303

    ice = sign_in(client, ICE_USER)
    mine = _text(client.get("/provider/subscriptions"))
    assert "INVALID_VAT_ID" in mine
    assert "Use the group's ID" in mine
    assert f'data-resubmit="{row.pk}"' in mine
    answer = client.post(
        f"/provider/subscriptions/{row.pk}/resubmit",
        data={"csrf_token": ice, **GOOD_DATA, "tax_id": "DE12"},
    )
    assert answer.status_code == 422
    assert 'data-field-problem="tax_id"' in answer.text
    assert svc.provider_subscriptions(store, ICE)[0].status is SubscriptionStatus.REJECTED
    answer = client.post(
        f"/provider/subscriptions/{row.pk}/resubmit",
        data={"csrf_token": ice, **GOOD_DATA, "tax_id": "DE 136 695 976", "terms_confirmed": "yes"},
    )
    assert answer.status_code == 303

    ops = sign_in(client, OPS)
    assert (
        client.post(f"/subscriptions/{row.pk}/accept", data={"csrf_token": ops}).status_code == 303
    )
    versions = client.get(f"/offers/{w.to_all}/versions").text
    assert "DE*ICE" in versions
    assert "Subscribed" in versions

    sign_in(client, ICE_USER)
    prices = client.get("/provider/operators/DEABC")
    assert prices.status_code == 200
    assert prices.text.count('class="week readonly"') == 2
    assert "data-legend=" in prices.text
    link = re.search(r'href="(/provider/operators/DEABC/offers/[^"]+/groups/\d+)"', prices.text)
    assert link is not None
    group = client.get(link.group(1))
    assert group.status_code == 200
    assert "DE*ABC*E1" in group.text
    assert "page 1 of 1" in group.text


def test_a_second_provider_never_sees_or_changes_the_first_ones_subscription(
    client: TestClient, store: Store, w: World
) -> None:
    row = svc.subscribe(store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR)
    svc.accept(store, OPERATOR_A, row.pk, actor=ACTOR)
    token = sign_in(client, EMP_USER)
    assert f'data-subscription="{row.pk}"' not in client.get("/provider/subscriptions").text
    assert client.get("/provider/operators/DEABC").status_code == 404
    answer = client.post(f"/provider/subscriptions/{row.pk}/cancel", data={"csrf_token": token})
    assert answer.status_code == 404
    answer = client.post(
        f"/provider/subscriptions/{row.pk}/resubmit",
        data={"csrf_token": token, **GOOD_DATA, "terms_confirmed": "yes"},
    )
    assert answer.status_code == 404
    assert svc.provider_subscriptions(store, ICE)[0].status is SubscriptionStatus.SUBSCRIBED
    assert svc.provider_subscriptions(store, EMP) == []


def test_another_operator_can_neither_see_nor_answer_a_request(
    client: TestClient, store: Store, w: World
) -> None:
    row = svc.subscribe(store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR)
    token = sign_in(client, OTHER_OPS)
    assert f'data-subscription="{row.pk}"' not in client.get("/subscriptions").text
    for action, data in (("accept", {}), ("reject", {"reason": "OTHERS"})):
        answer = client.post(
            f"/subscriptions/{row.pk}/{action}", data={"csrf_token": token, **data}
        )
        assert answer.status_code == 404
    assert svc.provider_subscriptions(store, ICE)[0].status is SubscriptionStatus.REQUESTED


def test_provider_forms_need_the_sessions_csrf_token(
    client: TestClient, store: Store, w: World
) -> None:
    sign_in(client, ICE_USER)
    answer = client.post(
        f"/provider/offers/{w.to_all}/subscribe",
        data={"csrf_token": "forged", **GOOD_DATA, "terms_confirmed": "yes"},
    )
    assert answer.status_code == 403
    assert svc.provider_subscriptions(store, ICE) == []


def test_a_subscribed_provider_cancels_and_sees_when_it_ends(
    client: TestClient, store: Store, w: World
) -> None:
    row = svc.subscribe(store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR)
    svc.accept(store, OPERATOR_A, row.pk, actor=ACTOR)
    token = sign_in(client, ICE_USER)
    answer = client.post(f"/provider/subscriptions/{row.pk}/cancel", data={"csrf_token": token})
    assert answer.status_code == 303
    page = client.get("/provider/subscriptions").text
    assert "Cancelled" in page
    assert "Ends" in page
    again = client.post(f"/provider/subscriptions/{row.pk}/cancel", data={"csrf_token": token})
    assert again.status_code == 409


def test_a_named_provider_accepts_a_bilateral_offer_and_is_subscribed_at_once(
    client: TestClient, store: Store, w: World
) -> None:
    token = sign_in(client, ICE_USER)
    form = client.get(f"/provider/offers/{w.bilateral}/subscribe")
    assert "Accept the offer" in form.text
    refused = client.post(f"/provider/offers/{w.bilateral}/subscribe", data={"csrf_token": token})
    assert refused.status_code == 422
    assert 'data-field-problem="terms_confirmed"' in refused.text
    assert svc.provider_subscriptions(store, ICE) == []
    answer = _subscribe(client, token, w.bilateral, {})
    assert answer.status_code == 303
    (row,) = svc.provider_subscriptions(store, ICE)
    assert row.status is SubscriptionStatus.SUBSCRIBED
    again = _subscribe(client, token, w.bilateral, {})
    assert again.status_code == 409
    assert "already has subscription" in _text(again)


def _routes(*modules: ModuleType) -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for module in modules
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods or ())
    ]


OPERATOR_ROUTES = _routes(evses, networks, offers_pages, audit, subscriptions_pages)
PROVIDER_ROUTES = _routes(provider_pages)


def _real(path: str, w: World, subscription: int) -> str:
    """`path` with real IDs: a refusal then comes from the party, not a missing object."""
    return path.format(
        network_id=w.net.id,
        group_id=w.net.north,
        offer_id=w.to_all,
        subscription_id=subscription,
        side="assigned",
        operator_id="DEABC",
    )


@pytest.mark.parametrize(
    ("email", "routes"),
    [
        pytest.param(ICE_USER, OPERATOR_ROUTES, id="provider-on-operator-pages"),
        pytest.param(OPS, PROVIDER_ROUTES, id="operator-on-provider-pages"),
    ],
)
def test_every_page_of_one_party_answers_the_other_party_404_and_changes_nothing(
    client: TestClient, store: Store, w: World, email: str, routes: list[tuple[str, str]]
) -> None:
    row = svc.subscribe(store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR)
    svc.accept(store, OPERATOR_A, row.pk, actor=ACTOR)
    token = sign_in(client, email)
    before = dump(store)
    for method, path in routes:
        url = _real(path, w, row.pk)
        if method == "GET":
            answer = client.get(url)
        else:
            answer = client.post(url, data={"csrf_token": token, "reason": "OTHERS"})
        assert answer.status_code == 404, f"{method} {url}: {answer.status_code}"
    assert dump(store) == before
