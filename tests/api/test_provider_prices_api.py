"""`POST /api/v1/prices` and `/api/v1/prices:batch` with a provider's token, on SQLite and
PostgreSQL: a provider prices its own sessions under its subscriptions in force at the
session start, at the EVSEs of operators it is subscribed to, and nothing else."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from evsenet.domain.ids import OperatorId
from evsenet.services import subscriptions as svc
from tests.api.provider_api import NEW, Parties, parties
from tests.api.test_prices_api import SESSION, batch, post
from tests.integration.network_fixtures import ACTOR
from tests.integration.offer_fixtures import NOW
from tests.integration.provider_fixtures import EMP, GOOD_DATA, IN_2027
from tests.integration.snapshots import dump

if TYPE_CHECKING:
    from tests.api.conftest import Api

D = Decimal
HOUR = timedelta(hours=1)
ICE_SESSION = {k: v for k, v in SESSION.items() if k != "provider_id"}
"""The session of test_prices_api (16.65 EUR excl. VAT under A's offer-to-all), for the
token's provider."""


@pytest.fixture
def subscribed(api: Api) -> Parties:
    """`parties` with A having accepted DE*ICE's request to its offer-to-all at NOW."""
    p = parties(api)
    svc.accept(api.store, OperatorId.parse(api.A), p.requested, actor=ACTOR, now=NOW)
    return p


def _price(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return json.loads(answer.text, parse_float=Decimal)


def test_a_subscribed_provider_prices_its_session_like_the_operator_does(
    api: Api, subscribed: Parties
) -> None:
    own = _price(post(api, "/api/v1/prices", ICE_SESSION, as_="DE*ICE"))
    named = _price(post(api, "/api/v1/prices", ICE_SESSION | {"provider_id": "de-ice"}, "DE*ICE"))
    operator = _price(post(api, "/api/v1/prices", ICE_SESSION | {"provider_id": "DE*ICE"}))
    assert own["provider_id"] == named["provider_id"] == "DE*ICE"
    assert own["total"] == {"excl_vat": D("16.65"), "incl_vat": D("19.81")}
    assert own["offer_id"] == subscribed.world.to_all
    assert own["lines"] == named["lines"] == operator["lines"]


def test_an_evse_in_no_group_is_priced_at_zero_for_a_subscriber(
    api: Api, subscribed: Parties
) -> None:
    answer = _price(post(api, "/api/v1/prices", ICE_SESSION | {"evse_id": "DE*ABC*E9"}, "DE*ICE"))
    assert answer["total"]["excl_vat"] == 0
    assert "no EVSE group" in answer["zero_reason"]


def test_a_provider_prices_only_its_own_sessions(api: Api, subscribed: Parties) -> None:
    body = ICE_SESSION | {"provider_id": "FR*EMP"}
    problem = api.problem(
        post(api, "/api/v1/prices", body, "DE*ICE"), 400, "pricing.provider_not_caller"
    )
    assert problem["errors"][0]["field"] == "provider_id"
    assert "DE*ICE" in problem["detail"]


@pytest.mark.parametrize(
    ("provider", "evse_id"),
    [
        pytest.param("FR*EMP", "DE*ABC*E1", id="rejected-request"),
        pytest.param(NEW, "DE*ABC*E1", id="no-subscription"),
        pytest.param("DE*ICE", "DE*XYZ*E1", id="operator-not-subscribed-to"),
    ],
)
def test_an_evse_of_an_operator_the_provider_is_not_subscribed_to_is_an_unknown_evse(
    api: Api, subscribed: Parties, provider: str, evse_id: str
) -> None:
    """The answer is the one for an EVSE that exists nowhere, word for word."""
    before = dump(api.store)
    found = post(api, "/api/v1/prices", ICE_SESSION | {"evse_id": evse_id}, provider)
    missing = post(api, "/api/v1/prices", ICE_SESSION | {"evse_id": "NL*NOP*E404"}, provider)
    api.problem(found, 404, "evse.not_found")
    assert found.json() == json.loads(missing.text.replace("NL*NOP*E404", evse_id))
    assert dump(api.store) == before


def _starting(start: datetime, **changes: str) -> dict[str, Any]:
    """A one-hour session from `start`, without charging times."""
    times = {"session_start": start.isoformat(), "session_end": (start + HOUR).isoformat()}
    kept = {k: v for k, v in ICE_SESSION.items() if not k.startswith("charging_")}
    return kept | times | changes


def test_a_session_before_the_subscription_is_not_priced(api: Api, subscribed: Parties) -> None:
    earlier = NOW - timedelta(days=1)
    body = _starting(earlier)
    problem = api.problem(
        post(api, "/api/v1/prices", body, "DE*ICE"), 400, "pricing.no_subscription_in_force"
    )
    assert "DE*ICE" in problem["detail"]
    assert earlier.isoformat() in problem["detail"]


def test_a_cancelled_subscription_prices_until_the_cancellation_takes_effect(
    api: Api, subscribed: Parties
) -> None:
    """FR*EMP fixes its data, is accepted, cancels: its sessions before the end are priced,
    those after are refused with the reason."""
    store, operator = api.store, OperatorId.parse(api.A)
    svc.resubmit(
        store, EMP, subscribed.rejected, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=NOW
    )
    svc.accept(store, operator, subscribed.rejected, actor=ACTOR, now=NOW)
    cancelled = svc.cancel(store, EMP, subscribed.rejected, actor=ACTOR, now=IN_2027)
    assert cancelled.cancelled_from is not None
    ends = cancelled.cancelled_from
    inside = _starting(ends - timedelta(hours=1), provider_id="FR*EMP")
    priced = _price(post(api, "/api/v1/prices", inside, "FR*EMP"))
    assert (priced["provider_id"], priced["offer_id"]) == ("FR*EMP", subscribed.world.to_all)
    after = post(api, "/api/v1/prices", _starting(ends, provider_id="FR*EMP"), "FR*EMP")
    api.problem(after, 400, "pricing.no_subscription_in_force")


def test_a_providers_batch_answers_each_line(api: Api, subscribed: Parties) -> None:
    lines = [
        json.dumps(ICE_SESSION),
        json.dumps(ICE_SESSION | {"id": "s-2", "evse_id": "DE*XYZ*E1"}),
        json.dumps(ICE_SESSION | {"id": "s-3", "provider_id": "FR*EMP"}),
        json.dumps(ICE_SESSION | {"id": "s-4", "evse_id": "DE*ABC*E9"}),
    ]
    answers = batch(api, "\n".join(lines).encode(), as_="DE*ICE")
    assert answers[0]["price"]["total"]["excl_vat"] == D("16.65")
    assert answers[0]["price"]["provider_id"] == "DE*ICE"
    assert (answers[1]["problem"]["code"], answers[1]["problem"]["status"]) == (
        "evse.not_found",
        404,
    )
    assert answers[2]["problem"]["code"] == "pricing.provider_not_caller"
    assert answers[3]["price"]["zero_reason"]


def test_a_provider_without_any_subscription_prices_nothing_in_a_batch(
    api: Api, subscribed: Parties
) -> None:
    body = "\n".join(json.dumps(ICE_SESSION | {"id": f"s-{n}"}) for n in range(3))
    answers = batch(api, body.encode(), as_=NEW)
    assert {a["problem"]["code"] for a in answers} == {"evse.not_found"}
