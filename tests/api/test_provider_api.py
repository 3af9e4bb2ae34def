"""The provider's walk through the HTTP paths, on SQLite and PostgreSQL: subscribe with
master data, rejected for the VAT ID, fix and resubmit, accepted; then the operator's
details, offers and weekly prices in Hubject's shape, and the EVSEs of a group, paged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.api.offer_api import send
from tests.api.provider_api import NEW, parties

if TYPE_CHECKING:
    from tests.api.conftest import Api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hubject" / "providers"
KEYS = json.loads((FIXTURES / "answer_keys.json").read_text())
HUBJECT = "/api/premium/contracts/v1/providers/{provider}/operators/{operator}"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_a_provider_subscribes_is_rejected_resubmits_is_accepted_and_reads_prices_and_evses(
    api: Api,
) -> None:
    p = parties(api)
    body = json.loads((FIXTURES / "subscribe_two_step.json").read_text())
    body["offer_id"] = p.world.to_all
    created = _ok(
        send(api, "POST", "/api/v1/provider/subscriptions", json.dumps(body).encode(), as_=NEW),
        201,
    )
    assert created["status"] == "requested"
    assert created["master_data"]["billingAddressCountry"] == "DE"
    sid = created["id"]
    # The operator sees the request among the offer's subscribers and rejects it.
    subscribers = _ok(api.get(f"/api/v1/offers/{p.world.to_all}/subscriptions"))["items"]
    assert sid in [s["id"] for s in subscribers]
    reject = json.dumps({"reason": "INVALID_VAT_ID", "message": "Use your own VAT ID"})
    rejected = _ok(send(api, "POST", f"/api/v1/subscriptions/{sid}/reject", reject.encode()))
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "INVALID_VAT_ID")
    # Not subscribed yet: the operator stays invisible to the provider.
    invisible = api.get(HUBJECT.format(provider=NEW, operator=api.A), NEW)
    api.problem(invisible, 404, "operator.not_found")
    fixed = {
        "master_data": {**body["master_data"], "taxId": "DE136695976"},
        "terms_confirmed": True,
    }
    resent = send(
        api, "PUT", f"/api/v1/provider/subscriptions/{sid}/master-data",
        json.dumps(fixed).encode(), as_=NEW,
    )  # fmt: skip
    assert _ok(resent)["status"] == "requested"
    accepted = _ok(send(api, "POST", f"/api/v1/subscriptions/{sid}/accept"))
    assert accepted["status"] == "subscribed"
    assert accepted["rejected_at"] is not None
    # The provider's view in Hubject's shape.
    view = _ok(api.get(HUBJECT.format(provider=NEW, operator=api.A), NEW))
    assert sorted(view) == KEYS["operator"]
    assert sorted(view["CPOGeneralInformation"]) == KEYS["general_information"]
    assert view["CPOGeneralInformation"]["OperatorID"] == "DE*ABC"
    [offer] = view["Offers"]
    assert sorted(offer) == KEYS["offer"]
    assert offer["OfferDetails"]["ServiceOfferID"] == str(p.world.to_all)
    assert offer["OfferDetails"]["SubscriptionStatus"] == "SUBSCRIBED"
    network = offer["NetworkDetails"]
    assert sorted(network) == KEYS["network"]
    assert (network["GroupCount"], network["EvseCount"]) == (2, 7)
    pricing = offer["PricingDetails"]
    assert {g["groupName"] for g in pricing} == {"North", "South"}
    for group in pricing:
        assert sorted(group) == KEYS["pricing"]
        assert {d["Day"] for d in group["days"]} == {
            "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY",
        }  # fmt: skip
        for day in group["days"]:
            assert sorted(day) == KEYS["day"]
            for tariff in day["Tariffs"]:
                assert sorted(tariff) == KEYS["tariff"]
                for component in tariff["PricingComponents"]:
                    assert sorted(component) == KEYS["component"]
                    assert not isinstance(component["Cost"], str)
    # The same through /api/v1.
    assert _ok(api.get(f"/api/v1/provider/operators/{api.A}", NEW)) == view
    # The EVSEs of North (4), two per page.
    north = p.world.net.north
    evses = f"/service-offers/{p.world.to_all}/networks/{p.world.net.id}/groups/{north}/evses"
    first = _ok(api.get(HUBJECT.format(provider=NEW, operator=api.A) + evses, NEW, page=0, size=3))
    assert sorted(first) == KEYS["page"]
    assert [e["evseId"] for e in first["content"]] == ["DE*ABC*E1", "DE*ABC*E2", "DE*ABC*E3"]
    assert (first["first"], first["last"], first["totalElements"], first["totalPages"]) == (
        True, False, 4, 2,
    )  # fmt: skip
    second = _ok(api.get(f"/api/v1/provider/operators/{api.A}" + evses, NEW, page=1, size=3))
    [last] = second["content"]
    assert last["evseId"] == "DE*ABC*E4"
    assert set(last) == {"evseId", "location", "powerType", "outputKw"}
    assert (second["last"], second["numberOfElements"], second["number"]) == (True, 1, 1)
    beyond = _ok(api.get(f"/api/v1/provider/operators/{api.A}" + evses, NEW, page=5, size=3))
    assert beyond["empty"] is True
    assert beyond["content"] == []


def test_a_provider_path_with_another_providers_id_is_not_found(api: Api) -> None:
    parties(api)
    for other in ("DE*ICE", "XX*YYY", "nonsense"):
        response = api.get(HUBJECT.format(provider=other, operator=api.A), NEW)
        api.problem(response, 404, "provider.not_found")


def test_the_evses_of_a_group_are_not_found_outside_the_providers_subscriptions(api: Api) -> None:
    p = parties(api)
    w = p.world
    base = HUBJECT.format(provider="DE*ICE", operator=api.A)
    # DE*ICE's offer-to-all request is still waiting: not subscribed.
    for path in (
        f"/service-offers/{w.to_all}/networks/{w.net.id}/groups/{w.net.north}/evses",
        f"/service-offers/{w.draft}/networks/{w.net.id}/groups/{w.net.north}/evses",
        f"/service-offers/{w.bilateral}/networks/{w.net.id + 99}/groups/{w.net.north}/evses",
        f"/service-offers/{w.bilateral}/networks/{w.net.id}/groups/{w.net.north + 99}/evses",
    ):
        api.problem(api.get(base + path, "DE*ICE"), 404, "group.not_found")
    ok = base + f"/service-offers/{w.bilateral}/networks/{w.net.id}/groups/{w.net.north}/evses"
    assert api.get(ok, "DE*ICE").status_code == 200
    api.problem(api.get(ok, "DE*ICE", size=0), 422, "request.invalid")
    api.problem(api.get(ok, "DE*ICE", page=-1), 422, "request.invalid")


def test_the_operators_info_lists_offers_subscriptions_networks_and_prices_in_hubjects_shape(
    api: Api,
) -> None:
    p = parties(api)
    info = _ok(api.get(f"/api/partner/v1/operators/{api.A}/service-offers/info"))
    assert sorted(info) == ["offersInfo"]
    by_offer = {i["serviceOffer"]["id"]: i for i in info["offersInfo"]}
    assert set(by_offer) == {str(p.world.to_all), str(p.world.bilateral)}  # no draft
    to_all = by_offer[str(p.world.to_all)]
    assert sorted(to_all) == KEYS["info"]
    assert to_all["network"] == {
        "networkId": str(p.world.net.id),
        "networkName": "Berlin",
        "groupCount": 2,
        "evseCount": 7,
    }
    subs = {s["id"]: s for s in to_all["subscriptions"]}
    rejected = subs[str(p.rejected)]
    assert sorted(rejected) == KEYS["subscription"]
    assert rejected["status"] == "REJECTED"
    assert rejected["twoStepErrorStatus"] == "INVALID_VAT_ID"
    assert rejected["subscriberPartnerId"] == "FR*EMP"
    assert rejected["twoStepData"]["taxId"] == "DE136695976"
    assert rejected["twoStepData"]["termsAndConditionsRead"] is True
    assert subs[str(p.requested)]["status"] == "REQUESTED"
    assert {g["groupName"] for g in to_all["pricingDetails"]} == {"North", "South"}
    versions = _ok(
        api.get(
            f"/api/partner/v1/operators/{api.A}/service-offers/{p.world.bilateral}"
            "/historical-versions-info"
        )
    )
    [only] = versions["offersInfo"]
    assert only["serviceOffer"]["id"] == str(p.world.bilateral)
    assert [s["status"] for s in only["subscriptions"]] == ["SUBSCRIBED"]
