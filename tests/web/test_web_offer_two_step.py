"""The offer wizard's two-step process over HTTP: the terms form with and without it, the
domain's refusals (two steps on a bilateral offer, two steps with nothing required) shown
beside the field with nothing written, the values round-tripping through the draft, and
the review and new-version pages showing them (a new price version keeps them)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from evsenet.domain.offer import TwoStepFields
from evsenet.services import offers
from evsenet.store.engine import Store
from tests.integration.network_fixtures import ACTOR, A
from tests.integration.offer_fixtures import NOW, Net, request
from tests.web.test_web_edge import sign_in

ALL_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _terms(token: str, net: Net, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "name": "Two steps 2027",
        "description": "Master data first",
        "service_type": "1",
        "audience": "all",
        "valid_from": "2027-03-01T00:00",
        "kind": "unlimited",
        "lead_time_days": "30",
        "cancellation_days": "30",
        "minimum_term_days": "1",
        "vat_percent": "19",
        "network_id": str(net.id),
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value != ""}


TWO_STEP = {"two_step": "on", "two_step.tax_id": "on", "two_step.billing_contact_email": "on"}


def _create(client: TestClient, form: dict[str, str]) -> int:
    answer = client.post("/offers", data=form)
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].split("/")[2])


def _field_problem(page: str, name: str) -> str:
    found = re.search(rf'data-field-problem="{name}">([^<]*)<', page)
    assert found is not None, f"no problem beside {name}"
    return html.unescape(found.group(1))


def _checked(page: str, name: str) -> bool:
    found = re.search(rf'<input type="checkbox" name="{re.escape(name)}"[^>]*>', page)
    assert found is not None, name
    return " checked" in found.group(0)


def test_an_offer_to_all_without_two_steps_has_none(
    client: TestClient, store: Store, net: Net
) -> None:
    offer_id = _create(client, _terms(sign_in(client), net))
    assert offers.get_offer(store, A, offer_id).offer.terms.two_step is None
    page = client.get(f"/offers/{offer_id}").text
    assert not _checked(page, "two_step")
    assert not _checked(page, "two_step.tax_id")


def test_an_offer_to_all_with_two_steps_requires_exactly_the_master_data_ticked(
    client: TestClient, store: Store, net: Net
) -> None:
    offer_id = _create(client, _terms(sign_in(client), net, **TWO_STEP))
    terms = offers.get_offer(store, A, offer_id).offer.terms
    assert terms.two_step == TwoStepFields(tax_id=True, billing_contact_email=True)


def test_master_data_ticked_with_the_switch_off_asks_for_no_two_steps(
    client: TestClient, store: Store, net: Net
) -> None:
    form = _terms(sign_in(client), net, **{"two_step.tax_id": "on"})
    offer_id = _create(client, form)
    assert offers.get_offer(store, A, offer_id).offer.terms.two_step is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"audience": "bilateral", "providers": "DE*XYZ", **TWO_STEP},
            "The two-step process is for offers-to-all only",
        ),
        ({"two_step": "on"}, "A two-step process requires at least one master data field"),
    ],
    ids=["bilateral with two steps", "two steps with nothing required"],
)
def test_a_refused_two_step_process_is_named_beside_its_field_and_creates_no_draft(
    client: TestClient, store: Store, net: Net, changes: dict[str, str], message: str
) -> None:
    form = _terms(sign_in(client), net, **changes)
    answer = client.post("/offers", data=form)
    assert answer.status_code == 422
    assert _field_problem(answer.text, "two_step") == message
    assert 'id="t-two-step" aria-invalid="true"' in answer.text
    assert 'value="Two steps 2027"' in answer.text
    assert _checked(answer.text, "two_step")
    assert 'action="/offers/new"' in answer.text
    assert offers.list_offers(store, A) == []


def test_the_two_step_process_round_trips_through_the_draft(
    client: TestClient, store: Store, net: Net
) -> None:
    token = sign_in(client)
    offer_id = _create(client, _terms(token, net, **TWO_STEP))
    page = client.get(f"/offers/{offer_id}").text
    assert _checked(page, "two_step")
    assert _checked(page, "two_step.tax_id")
    assert _checked(page, "two_step.billing_contact_email")
    assert not _checked(page, "two_step.brand_name")

    changed = {**TWO_STEP, "two_step.billing_contact_email": "", "two_step.brand_name": "on"}
    answer = client.post(f"/offers/{offer_id}/terms", data=_terms(token, net, **changed))
    assert answer.status_code == 303
    terms = offers.get_offer(store, A, offer_id).offer.terms
    assert terms.two_step == TwoStepFields(tax_id=True, brand_name=True)

    answer = client.post(f"/offers/{offer_id}/terms", data=_terms(token, net))
    assert answer.status_code == 303
    assert offers.get_offer(store, A, offer_id).offer.terms.two_step is None


def test_a_refused_edit_of_a_draft_is_named_beside_the_field_and_changes_nothing(
    client: TestClient, store: Store, net: Net
) -> None:
    token = sign_in(client)
    offer_id = _create(client, _terms(token, net, **TWO_STEP))
    before = offers.get_offer(store, A, offer_id).offer
    form = _terms(token, net, audience="bilateral", providers="DE*XYZ", **TWO_STEP)
    answer = client.post(f"/offers/{offer_id}/terms", data=form)
    assert answer.status_code == 422
    assert (
        _field_problem(answer.text, "two_step") == "The two-step process is for offers-to-all only"
    )
    assert f'action="/offers/{offer_id}/terms"' in answer.text
    assert 'value="DE*XYZ"' in answer.text
    assert offers.get_offer(store, A, offer_id).offer == before


def test_the_notice_message_of_a_limited_offer_round_trips(
    client: TestClient, store: Store, net: Net
) -> None:
    token = sign_in(client)
    limited = {
        "kind": "limited",
        "lead_time_days": "",
        "valid_to": "2027-12-31T23:00",
        "notice_days": "14",
        "notice_message": "Write to notice@abc.example",
    }
    offer_id = _create(client, _terms(token, net, **limited))
    assert offers.get_offer(store, A, offer_id).offer.terms.notice_message == (
        "Write to notice@abc.example"
    )
    assert 'value="Write to notice@abc.example"' in client.get(f"/offers/{offer_id}").text


def test_review_and_the_new_version_form_show_the_two_step_process_a_version_keeps(
    client: TestClient, store: Store, net: Net
) -> None:
    token = sign_in(client)
    draft = _create(client, _terms(token, net, **TWO_STEP))
    review = client.get(f"/offers/{draft}/review").text
    assert "Two steps: the provider submits master data" in review
    assert re.search(r"<dd data-master-data>VAT ID, Billing e-mail address</dd>", review)

    published = offers.create_and_publish(
        store,
        A,
        request("create_unlimited_offer_to_all.json", net),
        acknowledge_zero_priced=3,
        actor=ACTOR,
        now=NOW,
    )
    required = published.offer.terms.two_step
    assert required is not None
    page = client.get(f"/offers/{published.id}/versions/new").text
    assert "Terms kept by the new version" in page
    assert "Two steps: the provider submits master data" in page
    week = "\n".join(f"{day} 00:00:00-23:59:59 Day" for day in ALL_DAYS)
    form = {
        "csrf_token": token,
        "update_date": "2027-06-01T00:00",
        f"slots.{net.north}": week,
        f"currency.{net.north}": "EUR",
        f"slots.{net.south}": week,
        f"currency.{net.south}": "EUR",
    }
    answer = client.post(f"/offers/{published.id}/versions", data=form)
    assert answer.status_code == 303, answer.text
    following = int(answer.headers["location"].split("/")[2])
    assert following != published.id
    assert offers.get_offer(store, A, following).offer.terms.two_step == required
