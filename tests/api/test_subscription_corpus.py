"""Bad subscription input through the HTTP paths, data-driven, on SQLite and PostgreSQL:
every case is refused with its status and code and leaves every table as it was."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from tests.api.offer_api import send
from tests.api.provider_api import NEW, Parties, parties
from tests.integration.snapshots import dump

if TYPE_CHECKING:
    from tests.api.conftest import Api

GOOD = {
    "taxId": "DE136695976",
    "billingContactEmail": "billing@new.example",
    "billingAddressCity": "London",
    "billingAddressCountry": "GB",
    "billingAddressPostalCode": "SW1A 1AA",
    "billingAddressStreet": "1 Main Street",
}
ICE, EMP = "DE*ICE", "FR*EMP"


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    method: str
    path: str
    """With `{to_all}`, `{bilateral}`, `{draft}`, `{requested}`, `{rejected}`, `{sub_bi}`."""
    as_: str
    body: dict[str, Any] | None
    status: int
    code: str


def subscribe(offer: str, data: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    return {
        "offer_id": offer,
        "master_data": GOOD if data is None else data,
        "terms_confirmed": True,
        **more,
    }


def without(name: str) -> dict[str, Any]:
    return {k: v for k, v in GOOD.items() if k != name}


SUBSCRIBE = "/api/v1/provider/subscriptions"
MINE = SUBSCRIBE + "/{requested}"
CASES = [
    Case(
        "subscribing-twice-to-the-offer-to-all",
        "POST",
        SUBSCRIBE,
        ICE,
        subscribe("{to_all}"),
        409,
        "subscription.exists",
    ),
    Case(
        "subscribing-twice-to-the-bilateral-offer",
        "POST",
        SUBSCRIBE,
        ICE,
        subscribe("{bilateral}", {}),
        409,
        "subscription.exists",
    ),
    Case(
        "subscribing-again-while-rejected",
        "POST",
        SUBSCRIBE,
        EMP,
        subscribe("{to_all}"),
        409,
        "subscription.exists",
    ),
    Case(
        "subscribing-to-a-foreign-bilateral-offer",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{bilateral}", {}),
        404,
        "offer.not_found",
    ),
    Case(
        "subscribing-to-a-draft",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{draft}"),
        404,
        "offer.not_found",
    ),
    Case(
        "subscribing-to-an-unknown-offer",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("999999"),
        404,
        "offer.not_found",
    ),
    Case(
        "subscribing-to-offer-zero", "POST", SUBSCRIBE, NEW, subscribe("0"), 404, "offer.not_found"
    ),
    Case(
        "subscribing-to-an-offer-beyond-any-key",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe(str(2**70)),
        404,
        "offer.not_found",
    ),
    Case(
        "master-data-without-the-vat-id",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", without("taxId")),
        400,
        "subscription.field_missing",
    ),
    Case(
        "master-data-without-the-e-mail",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", without("billingContactEmail")),
        400,
        "subscription.field_missing",
    ),
    Case(
        "master-data-with-an-empty-city",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", {**GOOD, "billingAddressCity": "  "}),
        400,
        "subscription.field_missing",
    ),
    Case(
        "master-data-with-a-malformed-e-mail",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", {**GOOD, "billingContactEmail": "billing at new"}),
        400,
        "subscription.email_malformed",
    ),
    Case(
        "master-data-with-an-unknown-country",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", {**GOOD, "billingAddressCountry": "XX"}),
        400,
        "subscription.country_unknown",
    ),
    Case(
        "master-data-with-a-bad-vat-check-digit",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", {**GOOD, "taxId": "DE136695977"}),
        400,
        "subscription.vat_id_invalid",
    ),
    Case(
        "master-data-with-a-too-short-vat-id",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", {**GOOD, "taxId": "FR12"}),
        400,
        "subscription.vat_id_invalid",
    ),
    Case(
        "master-data-with-an-unknown-field",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", {**GOOD, "favouriteColour": "blue"}),
        400,
        "subscription.field_unknown",
    ),
    Case(
        "master-data-field-as-a-number",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", {**GOOD, "billingAddressPostalCode": 10115}),
        400,
        "subscription.field_not_text",
    ),
    Case(
        "master-data-field-with-a-line-break",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", {**GOOD, "billingAddressStreet": "1 Main\nStreet"}),
        400,
        "subscription.field_malformed",
    ),
    Case(
        "terms-not-confirmed",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", terms_confirmed=False),
        400,
        "subscription.terms_not_confirmed",
    ),
    Case(
        "subscribe-body-with-an-unknown-member",
        "POST",
        SUBSCRIBE,
        NEW,
        subscribe("{to_all}", plan="gold"),
        422,
        "request.invalid",
    ),
    Case(
        "subscribe-body-without-an-offer",
        "POST",
        SUBSCRIBE,
        NEW,
        {"master_data": GOOD},
        422,
        "request.invalid",
    ),
    Case(
        "accepting-an-already-rejected-request",
        "POST",
        "/api/v1/subscriptions/{rejected}/accept",
        "DE*ABC",
        None,
        409,
        "subscription.not_requested",
    ),
    Case(
        "rejecting-an-already-rejected-request",
        "POST",
        "/api/v1/subscriptions/{rejected}/reject",
        "DE*ABC",
        {"reason": "OTHERS"},
        409,
        "subscription.not_requested",
    ),
    Case(
        "accepting-a-subscribed-subscription",
        "POST",
        "/api/v1/subscriptions/{sub_bi}/accept",
        "DE*ABC",
        None,
        409,
        "subscription.not_requested",
    ),
    Case(
        "rejecting-with-an-unknown-reason",
        "POST",
        "/api/v1/subscriptions/{requested}/reject",
        "DE*ABC",
        {"reason": "TOO_CHEAP"},
        400,
        "subscription.reason_unknown",
    ),
    Case(
        "rejecting-with-a-control-character",
        "POST",
        "/api/v1/subscriptions/{requested}/reject",
        "DE*ABC",
        {"reason": "OTHERS", "message": "no\x00"},
        400,
        "subscription.message_control_character",
    ),
    Case(
        "rejecting-without-a-reason",
        "POST",
        "/api/v1/subscriptions/{requested}/reject",
        "DE*ABC",
        {"message": "no"},
        422,
        "request.invalid",
    ),
    Case(
        "another-operator-accepts",
        "POST",
        "/api/v1/subscriptions/{requested}/accept",
        "NL*EVN",
        None,
        404,
        "subscription.not_found",
    ),
    Case(
        "another-operator-rejects",
        "POST",
        "/api/v1/subscriptions/{requested}/reject",
        "NL*EVN",
        {"reason": "OTHERS"},
        404,
        "subscription.not_found",
    ),
    Case(
        "another-operator-reads-the-subscribers",
        "GET",
        "/api/v1/offers/{to_all}/subscriptions",
        "NL*EVN",
        None,
        404,
        "offer.not_found",
    ),
    Case(
        "resubmitting-a-request-not-rejected",
        "PUT",
        MINE + "/master-data",
        ICE,
        {"master_data": GOOD, "terms_confirmed": True},
        409,
        "subscription.not_rejected",
    ),
    Case(
        "resubmitting-with-the-same-bad-vat-id",
        "PUT",
        SUBSCRIBE + "/{rejected}/master-data",
        EMP,
        {"master_data": {**GOOD, "taxId": "DE136695977"}, "terms_confirmed": True},
        400,
        "subscription.vat_id_invalid",
    ),
    Case(
        "resubmitting-another-providers-request",
        "PUT",
        SUBSCRIBE + "/{rejected}/master-data",
        ICE,
        {"master_data": GOOD, "terms_confirmed": True},
        404,
        "subscription.not_found",
    ),
    Case(
        "cancelling-inside-the-minimum-term",
        "POST",
        SUBSCRIBE + "/{sub_bi}/cancel",
        ICE,
        {"effective_at": "2027-01-01T00:00:00Z"},
        409,
        "subscription.inside_minimum_term",
    ),
    Case(
        "cancelling-with-a-time-without-zone",
        "POST",
        SUBSCRIBE + "/{sub_bi}/cancel",
        ICE,
        {"effective_at": "2028-01-01T00:00:00"},
        400,
        "subscription.time_without_zone",
    ),
    Case(
        "cancelling-a-request",
        "POST",
        MINE + "/cancel",
        ICE,
        {},
        409,
        "subscription.not_subscribed",
    ),
    Case(
        "cancelling-another-providers-subscription",
        "POST",
        SUBSCRIBE + "/{sub_bi}/cancel",
        EMP,
        {},
        404,
        "subscription.not_found",
    ),
    Case(
        "an-operator-token-on-a-provider-path",
        "POST",
        SUBSCRIBE,
        "DE*ABC",
        subscribe("{to_all}"),
        403,
        "auth.wrong_party",
    ),
    Case(
        "a-provider-token-on-an-operator-path",
        "POST",
        "/api/v1/subscriptions/{requested}/accept",
        ICE,
        None,
        403,
        "auth.wrong_party",
    ),
]

SESSION = {
    "evse_id": "DE*ABC*E1",
    "session_start": "2027-01-05T21:00:00+01:00",
    "session_end": "2027-01-05T23:00:00+01:00",
    "energy_kwh": 30,
}
"""A session at A's EVSE in its offer-to-all's group North, for the token's provider."""
PRICES = "/api/v1/prices"
PROVIDER_OFFER = "/api/v1/provider/offers/{offer}/"
CASES += [
    Case(
        "pricing-at-an-operator-the-provider-is-not-subscribed-to",
        "POST",
        PRICES,
        EMP,
        SESSION,
        404,
        "evse.not_found",
    ),
    Case(
        "pricing-another-providers-session",
        "POST",
        PRICES,
        ICE,
        {**SESSION, "provider_id": EMP},
        400,
        "pricing.provider_not_caller",
    ),
    Case(
        "pricing-with-a-malformed-provider-id",
        "POST",
        PRICES,
        ICE,
        {**SESSION, "provider_id": "ice"},
        400,
        "provider_id.malformed",
    ),
    Case(
        "pricing-before-the-provider-subscribed",
        "POST",
        PRICES,
        ICE,
        {**SESSION, "session_start": "2026-11-01T10:00:00Z", "session_end": "2026-11-01T11:00:00Z"},
        400,
        "pricing.no_subscription_in_force",
    ),
    Case(
        # DE*ICE's request to the offer-to-all waits for A; its bilateral subscription is
        # to a reservation offer, which prices no charging session.
        "pricing-under-a-request-not-yet-accepted",
        "POST",
        PRICES,
        ICE,
        SESSION,
        400,
        "pricing.no_offer_in_force",
    ),
    *(
        Case(
            f"downloading-{export.replace('/', '-')}-of-{what}",
            "GET",
            PROVIDER_OFFER.replace("{offer}", offer) + export,
            who,
            None,
            404,
            "offer.not_found",
        )
        for export in ("ocpi/tariffs", "oicp/pricing-products", "oicp/evse-pricing")
        for what, offer, who in (
            ("an-offer-whose-request-was-rejected", "{to_all}", EMP),
            ("an-offer-whose-request-waits", "{to_all}", ICE),
            ("a-bilateral-offer-not-naming-the-provider", "{bilateral}", NEW),
        )
    ),
    Case(
        "downloading-a-draft",
        "GET",
        PROVIDER_OFFER.replace("{offer}", "{draft}") + "ocpi/tariffs",
        ICE,
        None,
        404,
        "offer.not_found",
    ),
    Case(
        "downloading-an-offer-beyond-any-key",
        "GET",
        PROVIDER_OFFER.replace("{offer}", str(2**70)) + "oicp/evse-pricing",
        ICE,
        None,
        404,
        "offer.not_found",
    ),
    Case(
        "an-operator-token-on-a-provider-download",
        "GET",
        PROVIDER_OFFER.replace("{offer}", "{to_all}") + "ocpi/tariffs",
        "DE*ABC",
        None,
        403,
        "auth.wrong_party",
    ),
    Case(
        "a-provider-token-on-an-operator-download",
        "GET",
        "/api/v1/offers/{sub_bi}/ocpi/tariffs",
        ICE,
        None,
        403,
        "auth.wrong_party",
    ),
]


def _fill(text: str, p: Parties) -> str:
    return text.format(
        to_all=p.world.to_all,
        bilateral=p.world.bilateral,
        draft=p.world.draft,
        requested=p.requested,
        rejected=p.rejected,
        sub_bi=p.bilateral,
    )


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_a_bad_subscription_request_is_refused_and_writes_nothing(api: Api, case: Case) -> None:
    p = parties(api)
    body = None
    if case.body is not None:
        filled = dict(case.body)
        if "offer_id" in filled:
            filled["offer_id"] = int(_fill(filled["offer_id"], p))
        body = json.dumps(filled).encode()
    before = dump(api.store)
    response = send(api, case.method, _fill(case.path, p), body, as_=case.as_)
    api.problem(response, case.status, case.code)
    assert dump(api.store) == before


def test_the_corpus_has_at_least_25_cases_each_with_its_own_id() -> None:
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)
