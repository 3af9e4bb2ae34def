"""Pricing sessions under published offers, on SQLite and PostgreSQL.

Operator A's network Berlin: North (E1–E4) priced Day 06:00–21:59:59 on weekdays
(0.59/kWh, parking 0.10/min after 60 min, 0.35 per session) and Night otherwise
(0.4499/kWh); South (E5–E7) Day all week; E8–E10 in no group. VAT 19 %.
"""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.pricing.ngp_session import NgpSession
from evsenet.domain.pricing.priced_session import SessionPrice, SessionRequest
from evsenet.services import offers as offer_svc
from evsenet.services.pricing import (
    PricingRefusal,
    price_session_at_evse,
    price_sessions,
    simulate,
)
from evsenet.store.engine import Store
from tests.integration.network_fixtures import ACTOR, A, B, seed, withdraw
from tests.integration.offer_fixtures import NOW, Net, network, raw, request

D = Decimal
BERLIN = ZoneInfo("Europe/Berlin")
UNLIMITED = "create_unlimited_offer_to_all.json"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def session(
    evse: str = "DE*ABC*E1",
    provider: str = "DE*EMP",
    start: str = "2027-01-05 21:00",
    end: str = "2027-01-05 23:00",
    charging: tuple[str, str] | None = ("2027-01-05 21:00", "2027-01-05 22:30"),
    kwh: str = "30",
) -> SessionRequest:
    return SessionRequest(
        evse_id=evse,
        provider_id=provider,
        session=NgpSession(
            session_start=at(start),
            session_end=at(end),
            charging_start=at(charging[0]) if charging else None,
            charging_end=at(charging[1]) if charging else None,
            energy_kwh=D(kwh),
        ),
        id="s1",
    )


@pytest.fixture
def net(store: Store) -> Net:
    seed(store, count=10)
    created = network(store)
    offer_svc.create_and_publish(
        store, A, request(UNLIMITED, created), acknowledge_zero_priced=3, actor=ACTOR, now=NOW
    )
    return created


def bilateral_for_ice(store: Store, net: Net, day_energy: str) -> int:
    data = copy.deepcopy(raw(UNLIMITED))
    data.update(
        offerToAll=False,
        subscriberPartnerIds=["DE*ICE"],
        twoStepProcess=False,
        twoStepRequiredMasterDataFields=None,
    )
    data["tariffs"][0]["pricingComponents"][0]["cost"] = D(day_energy)
    changes: dict[str, Any] = {
        k: data[k]
        for k in (
            "offerToAll",
            "subscriberPartnerIds",
            "twoStepProcess",
            "twoStepRequiredMasterDataFields",
            "tariffs",
        )
    }
    published = offer_svc.create_and_publish(
        store,
        A,
        request(UNLIMITED, net, **changes),
        acknowledge_zero_priced=3,
        actor=ACTOR,
        now=NOW,
    )
    return published.id


def test_a_session_across_the_night_border_is_itemised_and_rounded_once(
    store: Store, net: Net
) -> None:
    priced = price_session_at_evse(store, A, session())
    # 0.35 session fee (Day slot holds the start) + 20 kWh × 0.59 + 10 kWh × 0.4499.
    assert priced.total.excl_vat == D("16.65")
    assert priced.total.incl_vat == D("19.81")
    assert priced.currency == "EUR"
    assert priced.offer_version == 1
    assert priced.group_id == net.north
    assert priced.group_name == "North"
    energy: dict[str | None, Decimal] = {}
    for line in priced.lines:
        if line.component == "CHARGING_ENERGY":
            energy[line.tariff] = energy.get(line.tariff, D(0)) + line.amount_excl_vat
    # The session fee's 1-second window at the start cuts the Day energy in two lines.
    assert energy == {"Day": D("11.8000"), "Night": D("4.4990")}
    assert [x.component for x in priced.lines if x.tariff == "Day" and x.quantity == 1] == [
        "SESSION"
    ]


def test_parking_after_the_grace_is_charged_in_the_day_slot(store: Store, net: Net) -> None:
    # South is Day all week: 10:00–11:00 charging 20 kWh, parked until 12:30 → 30 min paid.
    priced = price_session_at_evse(
        store,
        A,
        session(
            evse="DE*ABC*E5",
            start="2027-01-05 10:00",
            end="2027-01-05 12:30",
            charging=("2027-01-05 10:00", "2027-01-05 11:00"),
            kwh="20",
        ),
    )
    assert priced.total.excl_vat == D("0.35") + D("11.80") + D("3.00")


def test_a_bilateral_offer_naming_the_provider_beats_the_offer_to_all(
    store: Store, net: Net
) -> None:
    bilateral = bilateral_for_ice(store, net, "0.50")
    ice = price_session_at_evse(store, A, session(provider="DE-ICE"))
    other = price_session_at_evse(store, A, session(provider="NL*XYZ"))
    assert ice.offer_id == bilateral
    assert ice.total.excl_vat == D("0.35") + D("10.00") + D("4.499").quantize(D("0.01"))
    assert other.offer_id != bilateral
    assert other.total.excl_vat == D("16.65")


def test_an_evse_in_no_group_is_priced_at_zero_with_the_reason(store: Store, net: Net) -> None:
    priced = price_session_at_evse(store, A, session(evse="DE*ABC*E9"))
    assert priced.total.excl_vat == D(0)
    assert priced.zero_reason is not None
    assert "no EVSE group" in priced.zero_reason


@pytest.mark.parametrize(
    ("sent", "code", "kind"),
    [
        pytest.param(session(evse="DE*ABC*E999"), "evse.not_found", NotFound, id="unknown-evse"),
        pytest.param(session(evse="NL*EVN*E1"), "evse.not_found", NotFound, id="foreign-evse"),
        pytest.param(session(evse="not an id"), "evse_id.malformed", DomainError, id="bad-evse-id"),
        pytest.param(
            session(provider="??"), "provider_id.malformed", DomainError, id="bad-provider"
        ),
        pytest.param(
            session(start="2026-12-31 23:00", end="2026-12-31 23:30", charging=None),
            "pricing.no_offer_in_force",
            DomainError,
            id="before-any-offer",
        ),
        pytest.param(
            session(end="2027-01-05 20:00", charging=None),
            "session.end_before_start",
            DomainError,
            id="periods-out-of-order",
        ),
        pytest.param(
            session(charging=("2027-01-05 20:00", "2027-01-05 22:00")),
            "session.charging_outside",
            DomainError,
            id="charging-outside-the-session",
        ),
        pytest.param(session(kwh="-3"), "session.volume_negative", DomainError, id="negative-kwh"),
        pytest.param(
            session(evse="DE*ABC*E9", kwh="-3"),
            "session.volume_negative",
            DomainError,
            id="negative-kwh-at-an-evse-in-no-group",
        ),
    ],
)
def test_a_session_that_cannot_be_priced_is_refused_with_its_code(
    store: Store, net: Net, sent: SessionRequest, code: str, kind: type[DomainError]
) -> None:
    with pytest.raises(kind) as raised:
        price_session_at_evse(store, A, sent)
    assert raised.value.code.startswith(code.split(".")[0])
    assert raised.value.code == code


def test_a_withdrawn_evse_prices_nothing(store: Store, net: Net) -> None:
    withdraw(store, "DE*ABC*E2")
    with pytest.raises(DomainError) as raised:
        price_session_at_evse(store, A, session(evse="DE*ABC*E2"))
    assert raised.value.code == "pricing.evse_withdrawn"


def test_a_batch_answers_each_session_in_order_with_a_price_or_a_refusal(
    store: Store, net: Net
) -> None:
    sent = [session(), session(evse="DE*ABC*E999"), session(evse="DE*ABC*E9")] * 400
    answers = list(price_sessions(store, A, sent))
    assert len(answers) == 1200
    assert isinstance(answers[0], SessionPrice)
    assert isinstance(answers[1], PricingRefusal)
    assert answers[1].index == 1
    assert answers[1].error.code == "evse.not_found"
    assert isinstance(answers[1199], SessionPrice)
    assert answers[1199].zero_reason is not None
    priced = [a for a in answers if isinstance(a, SessionPrice) and a.currency]
    assert {a.total.excl_vat for a in priced} == {D("16.65")}


def test_another_operator_cannot_price_at_the_operators_evses(store: Store, net: Net) -> None:
    with pytest.raises(NotFound):
        price_session_at_evse(store, B, session())


def test_a_draft_can_be_simulated_with_chart_data(store: Store, net: Net) -> None:
    draft = offer_svc.create_offer(store, A, request(UNLIMITED, net), actor=ACTOR, now=NOW)
    simulated = simulate(store, A, draft.id, session())
    assert simulated.price.total.excl_vat == D("16.65")
    bars = {(bar.slot, bar.component): bar.amount_excl_vat for bar in simulated.chart}
    assert bars[("TUESDAY 06:00:00–21:59:59", "CHARGING_ENERGY")] == D("11.8000")
    assert bars[("TUESDAY 22:00:00–23:59:59", "CHARGING_ENERGY")] == D("4.4990")
    with pytest.raises(NotFound):
        simulate(store, B, draft.id, session(evse="NL*EVN*E1"))
