"""The offer pages over HTTP: tenancy (another operator's offer is a 404 and stays as it
was), refusals of the wizard's forms as messages that write nothing, and the form fields
reaching the draft exactly."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from evsenet.api import create_app
from evsenet.services import offers
from evsenet.store.engine import Store
from tests.integration.network_fixtures import ACTOR, A
from tests.integration.offer_fixtures import Net, request
from tests.web.test_web_edge import sign_in

HTMX = {"HX-Request": "true"}


def _draft(store: Store, net: Net) -> int:
    return offers.create_offer(
        store,
        A,
        request(
            "create_unlimited_offer_to_all.json",
            net,
            twoStepProcess=False,
            twoStepRequiredMasterDataFields=None,
        ),
        actor=ACTOR,
    ).id


@pytest.mark.parametrize(
    "path",
    ["", "/network", "/tariffs", "/schedule", "/review", "/versions", "/versions/new"],
    ids=["terms", "network", "tariffs", "schedule", "review", "versions", "new version"],
)
def test_another_operators_offer_pages_are_404_pages(
    client: TestClient, store: Store, net: Net, path: str
) -> None:
    offer_id = _draft(store, net)
    sign_in(client, "ops@evn.example")
    answer = client.get(f"/offers/{offer_id}{path}")
    assert answer.status_code == 404
    assert "Berlin" not in answer.text


def test_another_operator_cannot_change_or_publish_a_draft(
    client: TestClient, store: Store, net: Net
) -> None:
    offer_id = _draft(store, net)
    before = offers.get_offer(store, A, offer_id)
    token = sign_in(client, "ops@evn.example")
    for path, data in (
        ("/tariffs/remove", {"name": "Day"}),
        ("/publish", {"acknowledge": "3"}),
        (f"/schedule/{net.north}", {"currency": "EUR", "slots": ""}),
    ):
        answer = client.post(
            f"/offers/{offer_id}{path}", data={"csrf_token": token, **data}, headers=HTMX
        )
        assert answer.status_code == 404, path
    after = offers.get_offer(store, A, offer_id)
    assert after.offer == before.offer
    assert after.status == before.status


def test_the_offer_list_shows_only_the_operators_offers(
    client: TestClient, store: Store, net: Net
) -> None:
    _draft(store, net)
    sign_in(client, "ops@evn.example")
    assert "No offer yet" in client.get("/offers").text
    with TestClient(create_app(store), follow_redirects=False) as own:
        sign_in(own)
        page = own.get("/offers").text
    assert "Berlin public charging 2027" in page
    assert "Offer to all" in page


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ("MONDAY 06:00:00 Day", "Line 1 ('MONDAY 06:00:00 Day') is not"),
        ("MONDAY 00:00:00-23:59:59 Day\nnonsense", "Line 2 ('nonsense') is not"),
        ("MONDAY 00:00:00-24:00:00 Day", "24:00:00"),
        ("MONDAY 00:00:00-23:59:59 Dawn", "Dawn"),
        ("FUNDAY 00:00:00-23:59:59 Day", "FUNDAY"),
    ],
    ids=["no end", "second line", "24:00:00", "unknown tariff", "unknown day"],
)
def test_a_bad_exact_times_form_is_refused_with_its_message_and_writes_nothing(
    client: TestClient, store: Store, net: Net, slots: str, message: str
) -> None:
    offer_id = _draft(store, net)
    before = offers.get_offer(store, A, offer_id).offer
    token = sign_in(client)
    answer = client.post(
        f"/offers/{offer_id}/schedule/{net.north}",
        data={"csrf_token": token, "currency": "EUR", "slots": slots},
        headers=HTMX,
    )
    if "Dawn" not in slots:
        assert answer.status_code in (400, 422), answer.text
        assert message in html.unescape(answer.text)
    else:
        # An unknown tariff name is a blocking problem of the draft, named by review.
        assert answer.status_code == 204
        review = client.get(f"/offers/{offer_id}/review").text
        assert message in review
        return
    assert offers.get_offer(store, A, offer_id).offer == before


def test_the_terms_form_creates_a_draft_with_exactly_the_terms_typed(
    client: TestClient, store: Store, net: Net
) -> None:
    token = sign_in(client)
    form = {
        "csrf_token": token,
        "name": "Bilateral 2027",
        "description": "For one partner",
        "service_type": "10",
        "audience": "bilateral",
        "providers": "DE-XYZ, DE*QQQ",
        "valid_from": "2027-03-01T00:00",
        "kind": "limited",
        "valid_to": "2027-12-31T23:00",
        "notice_days": "14",
        "lead_time_days": "",
        "cancellation_days": "30",
        "minimum_term_days": "2",
        "vat_percent": "7.5",
        "network_id": str(net.id),
    }
    answer = client.post("/offers", data=form)
    assert answer.status_code == 303
    offer_id = int(answer.headers["location"].split("/")[2])
    terms = offers.get_offer(store, A, offer_id).offer.terms
    assert terms.name == "Bilateral 2027"
    assert int(terms.service_type) == 10
    assert not terms.offer_to_all
    assert [p.display for p in terms.providers] == ["DE*QQQ", "DE*XYZ"]
    assert terms.valid_from.isoformat() == "2027-03-01T00:00:00+00:00"
    assert terms.valid_to is not None
    assert terms.valid_to.isoformat() == "2027-12-31T23:00:00+00:00"
    assert (terms.notice_days, terms.lead_time_days) == (14, None)
    assert (terms.cancellation_days, terms.minimum_term_days) == (30, 2)
    assert terms.vat_percent == Decimal("7.5")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"valid_from": "2020-01-01T00:00"}, "is not in the future"),
        ({"kind": "limited", "valid_to": "2031-01-01T00:00", "notice_days": "5"}, "two years"),
        ({"kind": "limited", "valid_to": "2027-06-01T00:00"}, "needs a period of notice"),
        ({"vat_percent": "abc"}, "vatPercent"),
    ],
    ids=["start in the past", "beyond two years", "limited without notice", "vat not a number"],
)
def test_bad_terms_are_refused_with_the_message_and_create_no_draft(
    client: TestClient, store: Store, net: Net, changes: dict[str, str], message: str
) -> None:
    token = sign_in(client)
    form = {
        "csrf_token": token,
        "name": "Refused",
        "valid_from": "2027-03-01T00:00",
        "kind": "unlimited",
        "lead_time_days": "30",
        "cancellation_days": "0",
        "minimum_term_days": "0",
        "vat_percent": "19",
        "network_id": str(net.id),
        **changes,
    }
    answer = client.post("/offers", data=form, headers=HTMX)
    assert 400 <= answer.status_code < 500
    assert 'class="problem' in answer.text
    assert message in html.unescape(answer.text)
    assert offers.list_offers(store, A) == []
