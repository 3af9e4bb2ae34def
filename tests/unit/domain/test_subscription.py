# ruff: noqa: E501
"""Subscription rules: master data checks, VAT IDs, reasons, cancellation dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import Conflict, DomainError, InvalidRecord
from evsenet.domain.offer import TwoStepFields
from evsenet.domain.subscription import (
    RejectReason,
    SubscriptionStatus,
    cancellation_end,
    master_data,
    require_status,
    vat_id_problem,
)

EVERYTHING = TwoStepFields(*([True] * 10))
COMPLETE = {
    "tax_id": "DE136695976",
    "brand_name": "Ice",
    "billing_contact_email": "a.b+c@ice.example.de",
    "billing_contact_phone": "+49 30 123456",
    "billing_contact_first_name": "Ada",
    "billing_contact_last_name": "Lovelace",
    "billing_address_city": "Berlin",
    "billing_address_country": "DEU",
    "billing_address_postal_code": "10115",
    "billing_address_street": "Invalidenstraße 1",
}
T0 = datetime(2027, 1, 1, tzinfo=UTC)


def test_complete_master_data_is_kept_trimmed_with_the_country_as_alpha_2() -> None:
    data = master_data(EVERYTHING, {**COMPLETE, "brand_name": "  Ice "}, terms_confirmed=True)
    assert data.as_dict()["brand_name"] == "Ice"
    assert data.as_dict()["billing_address_country"] == "DE"


@pytest.mark.parametrize(
    ("vat_id", "country", "plausible"),
    [
        pytest.param("DE136695976", None, True, id="german-with-prefix"),
        pytest.param("136695976", "DE", True, id="german-by-billing-country"),
        pytest.param("DE136695977", None, False, id="german-wrong-check-digit"),
        pytest.param("DE12345", None, False, id="german-too-short"),
        pytest.param("EL094259216", None, True, id="greek-el-prefix"),
        pytest.param("FR40303265045", None, True, id="french"),
        pytest.param("FR41303265045", None, False, id="french-wrong-key"),
        pytest.param("NL004495445B01", None, True, id="dutch"),
        pytest.param("CHE-116.281.710 MWST", "CH", True, id="swiss-with-suffix"),
        pytest.param("12345678", None, False, id="no-country-at-all"),
    ],
)
def test_vat_ids_are_checked_by_their_countrys_rules(
    vat_id: str, country: str | None, plausible: bool
) -> None:
    assert (vat_id_problem(vat_id, country) is None) is plausible


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        pytest.param({"tax_id": None}, {"subscription.field_missing"}, id="missing"),
        pytest.param({"billing_contact_email": "x@y"}, {"subscription.email_malformed"}, id="email-without-domain-dot"),
        pytest.param({"billing_contact_email": "a b@c.de"}, {"subscription.email_malformed"}, id="email-with-space"),
        pytest.param({"billing_address_country": "Germany"}, {"subscription.country_unknown"}, id="country-name"),
        pytest.param({"tax_id": "DE136695977", "billing_address_country": "ZZ"}, {"subscription.vat_id_invalid", "subscription.country_unknown"}, id="two-problems-at-once"),
        pytest.param({"shoe_size": "42"}, {"subscription.field_unknown"}, id="unknown-field"),
        pytest.param({"brand_name": ["Ice"]}, {"subscription.field_not_text"}, id="list"),
        pytest.param({"brand_name": "x" * 256}, {"subscription.field_malformed"}, id="too-long"),
    ],
)  # fmt: skip
def test_bad_master_data_reports_every_problem(changes: dict[str, object], codes: set[str]) -> None:
    sent = {k: v for k, v in {**COMPLETE, **changes}.items() if v is not None}
    with pytest.raises(InvalidRecord) as refused:
        master_data(EVERYTHING, sent, terms_confirmed=True)
    assert {p.code for p in refused.value.problems} == codes


def test_unconfirmed_terms_are_refused_even_without_required_fields() -> None:
    with pytest.raises(InvalidRecord) as refused:
        master_data(TwoStepFields(), {}, terms_confirmed=False)
    assert refused.value.code == "subscription.terms_not_confirmed"


def test_a_reason_is_one_of_hubjects_five() -> None:
    assert RejectReason.parse(" invalid_vat_id ") is RejectReason.INVALID_VAT_ID
    with pytest.raises(InvalidRecord):
        RejectReason.parse("TOO_EXPENSIVE")


def test_a_move_from_the_wrong_state_is_a_conflict_naming_the_state_needed() -> None:
    with pytest.raises(Conflict) as refused:
        require_status(SubscriptionStatus.REJECTED, SubscriptionStatus.REQUESTED, "accepted")
    assert refused.value.code == "subscription.not_requested"


DAYS = st.integers(min_value=0, max_value=365)


@given(subscribed=st.integers(0, 1000), asked=st.integers(0, 1000), cancel=DAYS, term=DAYS)
def test_a_cancellation_never_ends_inside_the_minimum_term_or_the_cancellation_period(
    subscribed: int, asked: int, cancel: int, term: int
) -> None:
    subscribed_at = T0 + timedelta(days=subscribed)
    now = subscribed_at + timedelta(days=asked)
    ends = cancellation_end(
        subscribed_at=subscribed_at,
        now=now,
        cancellation_days=cancel,
        minimum_term_days=term,
        wanted=None,
    )
    assert ends >= subscribed_at + timedelta(days=term)
    assert ends >= now + timedelta(days=cancel)
    assert ends in {subscribed_at + timedelta(days=term), now + timedelta(days=cancel)}


@given(offset=st.integers(-400, 400), term=DAYS, cancel=DAYS)
def test_a_wanted_end_is_taken_exactly_when_it_is_allowed(
    offset: int, term: int, cancel: int
) -> None:
    wanted = T0 + timedelta(days=offset)
    earliest = max(T0 + timedelta(days=term), T0 + timedelta(days=cancel))
    try:
        ends = cancellation_end(
            subscribed_at=T0, now=T0, cancellation_days=cancel, minimum_term_days=term,
            wanted=wanted,
        )  # fmt: skip
    except Conflict:
        assert wanted < earliest
    else:
        assert ends == wanted
        assert wanted >= earliest


def test_a_wanted_end_without_a_zone_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        cancellation_end(
            subscribed_at=T0, now=T0, cancellation_days=0, minimum_term_days=0,
            wanted=datetime(2028, 1, 1),
        )  # fmt: skip
    assert refused.value.code == "subscription.time_without_zone"
