"""`POST /api/v1/prices:batch?detail=totals` on SQLite and PostgreSQL: the totals of the
itemised answer, warnings and refusals alike, without the lines (priced by the C kernel)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from evsenet.domain.ids import OperatorId
from evsenet.services import subscriptions as svc
from tests.api.conftest import Api
from tests.api.offer_api import fixture_bytes, hubject_path, prepare, send
from tests.api.provider_api import parties
from tests.api.test_prices_api import SESSION, publish_offer
from tests.integration.mixed_sessions import (
    UNLIMITED,
    mixed_sessions,
    publish_kernel_offer,
    without_lines,
)
from tests.integration.network_fixtures import ACTOR
from tests.integration.offer_fixtures import NOW

D = Decimal


def batch(api: Api, sessions: list[dict[str, Any]], as_: str, **query: str) -> Any:
    body = "".join(json.dumps(session) + "\n" for session in sessions).encode()
    return api.client.post(
        "/api/v1/prices:batch",
        params=query,
        content=body,
        headers={**api.auth(as_), "Content-Type": "application/x-ndjson"},
    )


def answers(api: Api, sessions: list[dict[str, Any]], as_: str, **query: str) -> list[Any]:
    response = batch(api, sessions, as_, **query)
    assert response.status_code == 200, response.text
    return [json.loads(line, parse_float=Decimal) for line in response.text.splitlines()]


def kinds(answered: list[dict[str, Any]]) -> Counter[str]:
    """How many answers are priced, zero priced, or refused with each code."""
    return Counter(
        a["problem"]["code"]
        if "problem" in a
        else "zero"
        if a["price"]["zero_reason"]
        else "priced"
        for a in answered
    )


def publish_offers(api: Api) -> int:
    """A's offer-to-all (published through the API) and DE*EMP's bilateral offer that the
    kernel takes (`mixed_sessions`); the bilateral's id."""
    net = prepare(api)
    body = fixture_bytes(UNLIMITED, net)
    published = send(api, "POST", hubject_path(api), body, acknowledgeZeroPriced=3)
    assert published.status_code == 201, published.text
    return publish_kernel_offer(api.store, net)


def test_totals_are_the_itemised_totals_of_every_session_of_a_mixed_file(api: Api) -> None:
    bilateral = publish_offers(api)
    sessions = mixed_sessions(700)
    itemised = answers(api, sessions, api.A)
    totals = answers(api, sessions, api.A, detail="totals")
    assert totals == [without_lines(answer) for answer in itemised]
    assert all("lines" not in a["price"] for a in totals if "price" in a)
    assert all(a["price"]["lines"] for a in itemised if "price" in a and a["price"]["currency"])
    found = kinds(totals)
    assert found["priced"] > 400
    assert found["zero"] > 50
    for code in ("evse.not_found", "session.volume_negative", "session.charging_outside"):
        assert found[code] > 0, found
    offers = {(a["price"]["offer_id"], a["price"]["group_name"]) for a in totals if "price" in a}
    assert offers >= {(bilateral, "North"), (bilateral, "South"), (1, "North"), (1, "South")}


def test_detail_lines_is_the_itemised_answer(api: Api) -> None:
    publish_offers(api)
    sessions = mixed_sessions(30, seed=3)
    assert answers(api, sessions, api.A, detail="lines") == answers(api, sessions, api.A)


def test_an_unknown_detail_is_refused_before_any_pricing(api: Api) -> None:
    publish_offer(api)
    api.problem(batch(api, [SESSION], api.A, detail="total"), 422, "request.invalid")
    api.problem(batch(api, [SESSION], api.A, details="totals"), 400, "request.unknown_parameter")


def test_a_provider_gets_totals_as_its_itemised_answer_and_nothing_of_another(
    api: Api,
) -> None:
    p = parties(api)
    svc.accept(api.store, OperatorId.parse(api.A), p.requested, actor=ACTOR, now=NOW)
    sessions = [
        {k: v for k, v in s.items() if k != "provider_id"}
        for s in mixed_sessions(120, seed=5)
        if s["session_start"] >= "2027-02"
    ]
    itemised = answers(api, sessions, "DE*ICE")
    totals = answers(api, sessions, "DE*ICE", detail="totals")
    assert totals == [without_lines(answer) for answer in itemised]
    assert kinds(totals)["priced"] > 0
    foreign = answers(api, sessions, api.B, detail="totals")
    assert {a["problem"]["code"] for a in foreign} <= {
        "evse.not_found",
        "json.field.missing",
    }
