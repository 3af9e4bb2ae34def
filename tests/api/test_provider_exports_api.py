"""`GET /api/v1/provider/offers/{id}/ocpi/tariffs`, `…/oicp/pricing-products` and
`…/oicp/evse-pricing` on SQLite and PostgreSQL: a provider downloads the exports of the
offers it has a subscription in force to, built like the operator's; any other offer is
not found."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from evsenet.domain.ids import OperatorId
from evsenet.services import subscriptions as svc
from tests.api.provider_api import NEW, Parties, parties
from tests.integration.network_fixtures import ACTOR
from tests.integration.offer_fixtures import NOW
from tests.integration.provider_fixtures import ICE, IN_2027
from tests.integration.snapshots import dump

if TYPE_CHECKING:
    from tests.api.conftest import Api

EXPORTS = ("ocpi/tariffs", "oicp/pricing-products", "oicp/evse-pricing")


@pytest.fixture
def subscribed(api: Api) -> Parties:
    """`parties` with A having accepted DE*ICE's request to its offer-to-all at NOW."""
    p = parties(api)
    svc.accept(api.store, OperatorId.parse(api.A), p.requested, actor=ACTOR, now=NOW)
    return p


def _get(api: Api, path: str, as_: str) -> Any:
    return api.client.get(path, headers=api.auth(as_))


def _exported(api: Api, path: str, as_: str) -> Any:
    response = _get(api, path, as_)
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)


@pytest.mark.parametrize("export", EXPORTS)
def test_a_subscriber_downloads_the_offer_to_alls_exports_as_the_operator_does(
    api: Api, subscribed: Parties, export: str
) -> None:
    offer = subscribed.world.to_all
    mine = _exported(api, f"/api/v1/provider/offers/{offer}/{export}", "DE*ICE")
    operators = _exported(api, f"/api/v1/offers/{offer}/{export}", api.A)
    assert mine == operators
    assert mine["offer_id"] == offer


def test_the_ocpi_tariffs_name_the_operator_not_the_provider(api: Api, subscribed: Parties) -> None:
    offer = subscribed.world.to_all
    tariffs = _exported(api, f"/api/v1/provider/offers/{offer}/ocpi/tariffs", "DE*ICE")["tariffs"]
    assert len(tariffs) == 2
    assert {(t["tariff"]["country_code"], t["tariff"]["party_id"]) for t in tariffs} == {
        ("DE", "ABC")
    }


def test_a_bilateral_offers_oicp_bodies_name_only_the_provider_downloading_them(
    api: Api, subscribed: Parties
) -> None:
    """The bilateral offer names DE*ICE and CH*EMP: DE*ICE's download says nothing of
    CH*EMP; the operator's has a body for each."""
    offer = subscribed.world.bilateral
    exports = (("pricing-products", "PricingProductData"), ("evse-pricing", "EVSEPricing"))
    for export, key in exports:
        path = f"/api/v1/provider/offers/{offer}/oicp/{export}"
        assert "CH*EMP" not in _get(api, path, "DE*ICE").text
        mine = _exported(api, path, "DE*ICE")
        operators = _exported(api, f"/api/v1/offers/{offer}/oicp/{export}", api.A)
        assert len(operators["bodies"]) == 2
        (body,) = mine["bodies"]
        data = body[key]
        providers = (
            {data["ProviderID"]} if key == "PricingProductData" else {r["ProviderID"] for r in data}
        )
        assert providers == {"DE*ICE"}


@pytest.mark.parametrize(
    ("provider", "offer"),
    [
        pytest.param("FR*EMP", "to_all", id="rejected-request"),
        pytest.param(NEW, "to_all", id="no-subscription"),
        pytest.param("FR*EMP", "bilateral", id="bilateral-not-naming-it"),
        pytest.param("DE*ICE", "draft", id="draft"),
        pytest.param("DE*ICE", "unknown", id="unknown"),
    ],
)
def test_an_offer_the_provider_is_not_subscribed_to_is_not_found(
    api: Api, subscribed: Parties, provider: str, offer: str
) -> None:
    """The answer is the one for an offer that does not exist, word for word."""
    w = subscribed.world
    offer_id = {"to_all": w.to_all, "bilateral": w.bilateral, "draft": w.draft}.get(offer, 999999)
    before = dump(api.store)
    for export in EXPORTS:
        found = _get(api, f"/api/v1/provider/offers/{offer_id}/{export}", provider)
        missing = _get(api, f"/api/v1/provider/offers/999999/{export}", provider)
        api.problem(found, 404, "offer.not_found")
        assert found.text.replace(str(offer_id), "?") == missing.text.replace("999999", "?")
    assert dump(api.store) == before


def test_a_subscription_ended_by_its_cancellation_downloads_nothing(
    api: Api, subscribed: Parties
) -> None:
    cancelled = svc.cancel(api.store, ICE, subscribed.requested, actor=ACTOR, now=IN_2027)
    assert cancelled.cancelled_from is not None
    path = f"/api/v1/provider/offers/{subscribed.world.to_all}/ocpi/tariffs"
    ends = cancelled.cancelled_from
    app: Any = api.client.app
    app.state.clock = lambda: ends - timedelta(seconds=1)
    assert _get(api, path, "DE*ICE").status_code == 200
    app.state.clock = lambda: ends
    api.problem(_get(api, path, "DE*ICE"), 404, "offer.not_found")


@pytest.mark.parametrize("export", EXPORTS)
def test_each_party_uses_its_own_export_paths(api: Api, subscribed: Parties, export: str) -> None:
    offer = subscribed.world.to_all
    operator_on_provider_path = _get(api, f"/api/v1/provider/offers/{offer}/{export}", api.A)
    api.problem(operator_on_provider_path, 403, "auth.wrong_party")
    provider_on_operator_path = _get(api, f"/api/v1/offers/{offer}/{export}", "DE*ICE")
    api.problem(provider_on_operator_path, 403, "auth.wrong_party")
