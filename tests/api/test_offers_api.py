"""Offers through `/api/v1/offers` and Hubject's service-offer paths, on SQLite and
PostgreSQL: the issue's walk-through, drafts, versions, answers in Hubject's shape,
attachments."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from pypdf import PdfWriter

from tests.api.offer_api import FIXTURES, OFFERS, fixture_bytes, hubject_path, prepare, send
from tests.integration.snapshots import dump

if TYPE_CHECKING:
    from tests.api.conftest import Api

UNLIMITED = "create_unlimited_offer_to_all.json"
LIMITED = "create_limited_bilateral.json"
GAP = "refused/create_gap_in_the_schedule.json"


def pdf_bytes() -> bytes:
    import io

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def update_body(net: Any, update_date: str) -> bytes:
    data = json.loads(fixture_bytes("update_prices.json", net))
    data["updateDate"] = update_date
    return json.dumps(data).encode()


def test_the_walk_through_of_the_issue(api: Api) -> None:
    net = prepare(api)
    draft = ok(send(api, "POST", OFFERS, fixture_bytes(GAP, net)), 201)
    assert draft["status"] == "draft"
    offer = f"{OFFERS}/{draft['id']}"

    refused = send(api, "POST", f"{offer}/publish", json.dumps({}).encode())
    problem = api.problem(refused, 400, "offer.not_publishable")
    assert {e["code"] for e in problem["errors"]} == {"schedule.gap"}
    assert "has no tariff" in problem["detail"]

    ok(send(api, "PUT", offer, fixture_bytes(UNLIMITED, net)))
    review = ok(send(api, "GET", f"{offer}/review"))
    assert review["publishable"] is True
    assert review["zero_priced_count"] == 3
    assert len(review["zero_priced_sample"]) == 3
    assert [(g["name"], g["evse_count"], g["covered_percent"]) for g in review["groups"]] == [
        ("North", 4, "100.00"),
        ("South", 3, "100.00"),
    ]

    refused = send(api, "POST", f"{offer}/publish", json.dumps({}).encode())
    assert "3" in api.problem(refused, 409, "offer.zero_priced_unacknowledged")["detail"]
    stale = send(api, "POST", f"{offer}/publish", b'{"acknowledge_zero_priced": 2}')
    api.problem(stale, 409, "offer.zero_priced_count_stale")
    published = ok(send(api, "POST", f"{offer}/publish", b'{"acknowledge_zero_priced": 3}'))
    assert published["status"] == "pending"
    assert ok(send(api, "GET", f"/api/v1/networks/{net.id}"))["status"] == "active"

    moved = api.client.post(
        f"/api/v1/networks/{net.id}/assignments",
        json={"group_id": net.south, "evse_ids": ["DE*ABC*E1"]},
        headers=api.auth(api.A),
    )
    problem = api.problem(moved, 409, "assignment.refused")
    assert problem["errors"][0]["code"] == "evse.assigned_in_active_network"

    early = send(api, "POST", f"{offer}/versions", update_body(net, "2026-12-20T00:00:00Z"))
    api.problem(early, 400, "offer.version_inside_lead_time")
    version = ok(
        send(api, "POST", f"{offer}/versions", update_body(net, "2027-06-01T00:00:00Z")), 201
    )
    assert (version["version"], version["previous_offer_id"]) == (2, draft["id"])
    versions = ok(send(api, "GET", f"{offer}/versions"))["items"]
    assert [(v["id"], v["next_offer_id"]) for v in versions] == [
        (draft["id"], version["id"]),
        (version["id"], None),
    ]


def test_a_draft_reads_back_changes_by_patch_and_is_deleted(api: Api) -> None:
    net = prepare(api)
    draft = ok(send(api, "POST", OFFERS, fixture_bytes(UNLIMITED, net)), 201)
    offer = f"{OFFERS}/{draft['id']}"
    read = ok(send(api, "GET", offer))
    assert read["body"]["tariffs"][1]["pricingComponents"][0]["cost"] == 0.4499
    assert read["body"]["networkId"] == str(net.id)
    again = ok(send(api, "PUT", offer, json.dumps(read["body"]).encode()))
    assert again["body"] == read["body"]
    patched = ok(send(api, "PATCH", offer, b'{"partnerInternalId": "Renamed", "leadTime": 30}'))
    assert (patched["name"], patched["body"]["leadTime"]) == ("Renamed", 30)
    assert [o["id"] for o in ok(send(api, "GET", OFFERS))["items"]] == [draft["id"]]
    zero = ok(send(api, "GET", f"{offer}/zero-priced-evses", limit=2))
    assert (zero["total"], len(zero["items"])) == (3, 2)
    assert ok(send(api, "DELETE", offer), 204) is None
    api.problem(send(api, "GET", offer), 404, "offer.not_found")


def test_hubjects_create_is_published_at_once_and_answered_in_hubjects_shape(api: Api) -> None:
    net = prepare(api, evses=7)
    answer = ok(send(api, "POST", hubject_path(api), fixture_bytes(UNLIMITED, net)), 201)
    keys = json.loads((FIXTURES / "answer_keys.json").read_text())
    assert set(keys) <= set(answer)
    assert (answer["status"], answer["version"], answer["pricingType"]) == ("PENDING", 1, "NGP")
    assert answer["ownerPartnerId"] == "DE*ABC"
    assert answer["validTo"] is None
    assert answer["leadTime"] == 42
    update = update_body(net, "2027-06-01T00:00:00Z")
    version = ok(send(api, "PUT", f"{hubject_path(api)}/{answer['id']}", update))
    assert version["previousServiceOfferId"] == answer["id"]
    assert version["originalServiceOfferId"] == answer["id"]
    assert version["version"] == 2


def test_hubjects_create_needs_the_zero_priced_count_in_the_query(api: Api) -> None:
    net = prepare(api)
    before = dump(api.store)
    refused = send(api, "POST", hubject_path(api), fixture_bytes(UNLIMITED, net))
    assert "3 EVSE" in api.problem(refused, 409, "offer.zero_priced_unacknowledged")["detail"]
    stale = send(
        api, "POST", hubject_path(api), fixture_bytes(UNLIMITED, net), acknowledgeZeroPriced=4
    )
    api.problem(stale, 409, "offer.zero_priced_count_stale")
    assert dump(api.store) == before
    accepted = send(
        api, "POST", hubject_path(api), fixture_bytes(UNLIMITED, net), acknowledgeZeroPriced=3
    )
    assert ok(accepted, 201)["status"] == "PENDING"


def test_a_pdf_is_uploaded_and_named_by_an_offer(api: Api) -> None:
    net = prepare(api, evses=7)
    uploaded = api.client.post(
        f"{hubject_path(api)}/attachments",
        files={"file": ("../terms 2027.pdf", pdf_bytes(), "application/pdf")},
        data={"attachmentType": "pdf"},
        headers=api.auth(api.A),
    )
    answer = ok(uploaded, 201)
    assert answer["originalFileName"] == "terms 2027.pdf"
    body = json.loads(fixture_bytes(UNLIMITED, net))
    body["uploadedAttachmentId"] = answer["uploadedAttachmentId"]
    created = ok(send(api, "POST", hubject_path(api), json.dumps(body).encode()), 201)
    assert created["attachments"] == [{"id": answer["uploadedAttachmentId"], "type": "pdf"}]
    foreign = send(api, "POST", OFFERS, json.dumps(body).encode(), as_=api.B)
    api.problem(foreign, 404, "network.not_found")


@pytest.mark.parametrize("path", [OFFERS, "/api/v1/offers/1/review", "/api/v1/offers/1/versions"])
def test_offer_paths_need_a_token(api: Api, path: str) -> None:
    api.problem(api.client.get(path), 401, "auth.required")
