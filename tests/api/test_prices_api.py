"""`POST /api/v1/prices`, `/api/v1/prices:batch` and `/api/v1/simulations` on SQLite and
PostgreSQL: answers, streamed JSON Lines, bad input and tenancy."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.offer_api import OFFERS, fixture_bytes, hubject_path, prepare, send
from tests.integration.snapshots import dump

D = Decimal
SESSION: dict[str, Any] = {
    "id": "s-1",
    "evse_id": "DE*ABC*E1",
    "provider_id": "DE*EMP",
    "session_start": "2027-01-05T21:00:00+01:00",
    "session_end": "2027-01-05T23:00:00+01:00",
    "charging_start": "2027-01-05T21:00:00+01:00",
    "charging_end": "2027-01-05T22:30:00+01:00",
    "energy_kwh": 30,
}


@pytest.fixture
def priced(api: Api) -> Api:
    return publish_offer(api)


def publish_offer(api: Api) -> Api:
    """A's network Berlin with the offer-to-all published (in force from 2027-01-01) and a
    draft copy (`api.draft_id`)."""
    net = prepare(api)
    body = fixture_bytes("create_unlimited_offer_to_all.json", net)
    published = send(api, "POST", hubject_path(api), body, acknowledgeZeroPriced=3)
    assert published.status_code == 201, published.text
    draft = send(api, "POST", OFFERS, body)
    assert draft.status_code == 201, draft.text
    api.draft_id = draft.json()["id"]  # type: ignore[attr-defined]
    return api


def post(api: Api, path: str, body: Any, as_: str | None = None) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.client.post(
        path,
        content=data,
        headers={**api.auth(as_ or api.A), "Content-Type": "application/json"},
    )


def batch(api: Api, body: bytes, as_: str | None = None) -> list[dict[str, Any]]:
    response = api.client.post(
        "/api/v1/prices:batch",
        content=body,
        headers={**api.auth(as_ or api.A), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line, parse_float=Decimal) for line in response.text.splitlines()]


def test_one_session_is_priced_with_its_breakdown(priced: Api) -> None:
    response = post(priced, "/api/v1/prices", SESSION)
    assert response.status_code == 200, response.text
    answer = json.loads(response.text, parse_float=Decimal)
    assert answer["total"] == {"excl_vat": D("16.65"), "incl_vat": D("19.81")}
    assert answer["currency"] == "EUR"
    assert answer["group_name"] == "North"
    assert {line["tariff"] for line in answer["lines"]} >= {"Day", "Night"}
    assert all("reason" in line for line in answer["lines"])


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        pytest.param({"energy_kwh": -1}, 400, "session.volume_negative", id="negative-kwh"),
        pytest.param(
            {"session_end": "2027-01-05T20:00:00+01:00"},
            400,
            "session.end_before_start",
            id="periods-out-of-order",
        ),
        pytest.param(
            {"charging_end": "2027-01-06T00:00:00+01:00"},
            400,
            "session.charging_outside",
            id="charging-after-the-session",
        ),
        pytest.param({"evse_id": "DE*ABC*E404"}, 404, "evse.not_found", id="unknown-evse"),
        pytest.param({"evse_id": "NL*EVN*E1"}, 404, "evse.not_found", id="foreign-evse"),
        pytest.param(
            {
                "session_start": "2026-12-01T10:00:00Z",
                "session_end": "2026-12-01T11:00:00Z",
                "charging_start": None,
                "charging_end": None,
            },
            400,
            "pricing.no_offer_in_force",
            id="session-before-any-offer",
        ),
        pytest.param(
            {"session_start": "2027-01-05T21:00:00"}, 400, "json.field.malformed", id="naive-time"
        ),
        pytest.param({"energy_kwh": "30"}, 400, "json.field.type", id="kwh-as-a-string"),
        pytest.param({"energyKwh": 30}, 400, "json.field.unknown", id="misspelt-field"),
        pytest.param({"provider_id": None}, 400, "json.field.missing", id="no-provider"),
        pytest.param(
            {"meter_start_kwh": 10}, 400, "session.meter_incomplete", id="one-meter-reading"
        ),
    ],
)
def test_a_bad_session_is_a_problem_with_its_code(
    priced: Api, change: dict[str, Any], status: int, code: str
) -> None:
    body = {k: v for k, v in (SESSION | change).items() if v is not None}
    priced.problem(post(priced, "/api/v1/prices", body), status, code)


def test_a_batch_streams_one_answer_per_line_in_order(priced: Api) -> None:
    lines = [
        json.dumps(SESSION),
        "",
        "not json",
        json.dumps(SESSION | {"id": "s-2", "evse_id": "DE*ABC*E404"}),
        json.dumps(SESSION | {"id": "s-3", "evse_id": "DE*ABC*E9"}),
        "x" * 70_000,
        json.dumps(SESSION | {"id": "s-4"}),
    ]
    answers = batch(priced, ("\n".join(lines)).encode())
    assert [a["line"] for a in answers] == [1, 3, 4, 5, 6, 7]
    assert answers[0]["price"]["total"]["excl_vat"] == D("16.65")
    assert answers[1]["problem"]["code"] == "json.body.malformed"
    assert answers[2]["problem"]["code"] == "evse.not_found"
    assert answers[2]["problem"]["status"] == 404
    assert answers[2]["id"] == "s-2"
    assert answers[3]["price"]["zero_reason"]
    assert answers[4]["problem"]["code"] == "request.line_too_long"
    assert answers[5]["price"]["id"] == "s-4"


def test_a_large_batch_is_answered_in_full(priced: Api) -> None:
    body = "\n".join(json.dumps(SESSION | {"id": f"s-{n}"}) for n in range(1200)) + "\n"
    answers = batch(priced, body.encode())
    assert len(answers) == 1200
    assert {a["price"]["total"]["excl_vat"] for a in answers} == {D("16.65")}
    assert answers[-1]["price"]["id"] == "s-1199"


def test_a_draft_is_simulated_with_stacked_bar_data(priced: Api) -> None:
    draft_id = priced.draft_id  # type: ignore[attr-defined]
    response = post(priced, "/api/v1/simulations", SESSION | {"offer_id": draft_id})
    assert response.status_code == 200, response.text
    answer = json.loads(response.text, parse_float=Decimal)
    assert answer["price"]["total"]["excl_vat"] == D("16.65")
    slots = {(bar["slot"], bar["component"]) for bar in answer["chart"]}
    assert ("TUESDAY 22:00:00–23:59:59", "CHARGING_ENERGY") in slots


def test_b_prices_nothing_at_as_evses_and_simulates_none_of_as_offers(priced: Api) -> None:
    """B's token: A's EVSE and A's offer answer 404 exactly like missing ones; nothing is
    written; B's batch line about A's EVSE is a 404 problem too."""
    before = dump(priced.store)
    foreign = post(priced, "/api/v1/prices", SESSION, as_=priced.B)
    absent = post(priced, "/api/v1/prices", SESSION | {"evse_id": "NL*EVN*E404"}, as_=priced.B)
    priced.problem(foreign, 404, "evse.not_found")
    priced.problem(absent, 404, "evse.not_found")
    draft_id = priced.draft_id  # type: ignore[attr-defined]
    simulated = post(priced, "/api/v1/simulations", SESSION | {"offer_id": draft_id}, priced.B)
    priced.problem(simulated, 404, "offer.not_found")
    for offer_id in (draft_id, 999999):
        for export in ("ocpi/tariffs", "oicp/pricing-products", "oicp/evse-pricing"):
            exported = priced.client.get(
                f"/api/v1/offers/{offer_id}/{export}", headers=priced.auth(priced.B)
            )
            priced.problem(exported, 404, "offer.not_found")
    answers = batch(priced, json.dumps(SESSION).encode(), as_=priced.B)
    assert answers[0]["problem"]["code"] == "evse.not_found"
    assert "DE*ABC" not in json.dumps(answers[0]["problem"]).replace(SESSION["evse_id"], "")
    assert dump(priced.store) == before


def test_every_group_of_a_published_offer_is_an_ocpi_tariff_that_prices_the_same(
    priced: Api,
) -> None:
    from zoneinfo import ZoneInfo

    from evsenet.domain.pricing import price_session
    from evsenet.domain.pricing.ngp_session import NgpSession, engine_session
    from evsenet.formats.ocpi import dumps, read_tariff
    from evsenet.formats.price_sessions import read_session

    offers = send(priced, "GET", OFFERS).json()["items"]
    published = next(o["id"] for o in offers if o["id"] != priced.draft_id)  # type: ignore[attr-defined]
    response = priced.client.get(
        f"{OFFERS}/{published}/ocpi/tariffs", headers=priced.auth(priced.A)
    )
    assert response.status_code == 200, response.text
    exported = json.loads(response.text, parse_float=Decimal)["tariffs"]
    assert len(exported) == 2
    north = exported[0]["tariff"]
    assert north["currency"] == "EUR"
    assert (north["country_code"], north["party_id"]) == ("DE", "ABC")
    assert all(c["vat"] == 19 for e in north["elements"] for c in e["price_components"])
    tariff = read_tariff(dumps(north), extensions=True).tariff
    request = read_session(SESSION)
    session: NgpSession = request.session
    engine, _ = engine_session(session, ZoneInfo("Europe/Berlin"))
    assert price_session(tariff, engine).total_cost.excl_vat == D("16.65")
    draft = priced.client.get(
        f"{OFFERS}/{priced.draft_id}/ocpi/tariffs",  # type: ignore[attr-defined]
        headers=priced.auth(priced.A),
    )
    priced.problem(draft, 409, "pricing.offer_not_published")
    foreign = priced.client.get(f"{OFFERS}/{published}/ocpi/tariffs", headers=priced.auth(priced.B))
    priced.problem(foreign, 404, "offer.not_found")


def test_a_published_offer_is_oicp_pricing_products_and_evse_pricing(priced: Api) -> None:
    offers = send(priced, "GET", OFFERS).json()["items"]
    draft_id = priced.draft_id  # type: ignore[attr-defined]
    published = next(o["id"] for o in offers if o["id"] != draft_id)
    base = f"{OFFERS}/{published}/oicp"
    products = priced.client.get(f"{base}/pricing-products", headers=priced.auth(priced.A))
    assert products.status_code == 200, products.text
    answer = json.loads(products.text, parse_float=Decimal)
    (body,) = answer["bodies"]
    data = body["PricingProductData"]
    assert (data["OperatorID"], data["ProviderID"]) == ("DE*ABC", "*")
    records = {r["ProductID"]: r for r in data["PricingProductDataRecords"]}
    north_day = next(
        r for pid, r in records.items() if pid.endswith("-Day") and r["ProductAvailabilityTimes"]
    )
    assert north_day["ReferenceUnit"] == "KILOWATT_HOUR"
    assert north_day["PricePerReferenceUnit"] == D("0.59")
    periods = north_day["ProductAvailabilityTimes"][0]["Periods"]
    assert {"begin": "06:00", "end": "22:00"} in periods
    assert [a["AdditionalReference"] for a in north_day["AdditionalReferences"]] == [
        "START FEE",
        "PARKING FEE",
    ]
    assert any("grace" in note for note in answer["notes"])
    evses = priced.client.get(f"{base}/evse-pricing", headers=priced.auth(priced.A))
    assert evses.status_code == 200, evses.text
    pricing = evses.json()["bodies"][0]["EVSEPricing"]
    assert len(pricing) == 7
    first = next(p for p in pricing if p["EvseID"] == "DE*ABC*E1")
    assert sorted(first["EvseIDProductList"]) == sorted(
        pid for pid in records if pid.startswith(first["EvseIDProductList"][0].split("-")[0])
    )
    for path in ("pricing-products", "evse-pricing"):
        draft = priced.client.get(f"{OFFERS}/{draft_id}/oicp/{path}", headers=priced.auth(priced.A))
        priced.problem(draft, 409, "pricing.offer_not_published")
        foreign = priced.client.get(f"{base}/{path}", headers=priced.auth(priced.B))
        priced.problem(foreign, 404, "offer.not_found")
