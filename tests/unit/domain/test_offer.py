"""Offer terms (every field rule, every problem at once) and the whole-offer review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError, InvalidRecord
from evsenet.domain.ids import ProviderId
from evsenet.domain.offer import (
    ServiceType,
    TwoStepFields,
    offer_terms,
    two_years_after,
)

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
START = datetime(2027, 1, 1, tzinfo=UTC)
ICE = ProviderId.parse("DE*ICE")
UNLIMITED: dict[str, Any] = {
    "now": NOW,
    "name": "Berlin 2027",
    "description": "Day and night",
    "service_type": 1,
    "offer_to_all": True,
    "providers": [],
    "valid_from": START,
    "valid_to": None,
    "notice_days": None,
    "lead_time_days": 42,
    "cancellation_days": 30,
    "minimum_term_days": 1,
    "two_step": None,
    "attachment_id": None,
    "network_id": "net-1",
    "vat_percent": Decimal(19),
}
LIMITED: dict[str, Any] = {
    **UNLIMITED,
    "valid_to": datetime(2028, 1, 1, tzinfo=UTC),
    "notice_days": 30,
    "lead_time_days": None,
}


def refused(**values: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRecord) as caught:
        offer_terms(**values)
    return [(p.field, p.code) for p in caught.value.problems]


def test_valid_terms_are_kept_trimmed() -> None:
    terms = offer_terms(**{**UNLIMITED, "name": "  Berlin 2027 ", "attachment_id": " att "})
    assert (terms.name, terms.attachment_id, terms.unlimited) == ("Berlin 2027", "att", True)
    assert terms.service_type is ServiceType.AUTHORIZATION
    assert ServiceType.RESERVATION.label == "Reservation"
    limited = offer_terms(**LIMITED)
    assert (limited.unlimited, limited.notice_days) == (False, 30)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"name": ""}, [("name", "offer.name_missing")], id="no-name"),
        pytest.param({"name": "x" * 256}, [("name", "offer.name_too_long")], id="long-name"),
        pytest.param(
            {"description": "a\x00b"},
            [("description", "offer.description_control_character")],
            id="nul-in-description",
        ),
        pytest.param(
            {"service_type": 2}, [("service_type", "offer.service_type_unknown")], id="type-2"
        ),
        pytest.param(
            {"valid_from": NOW}, [("valid_from", "offer.valid_from_past")], id="now-is-not-future"
        ),
        pytest.param(
            {"valid_from": NOW + timedelta(days=3000)},
            [("valid_from", "offer.valid_from_too_far")],
            id="absurd-start",
        ),
        pytest.param(
            {"lead_time_days": None},
            [("lead_time_days", "offer.lead_time_missing")],
            id="no-lead-time",
        ),
        pytest.param(
            {"lead_time_days": 14},
            [("lead_time_days", "offer.lead_time_out_of_range")],
            id="lead-time-14",
        ),
        pytest.param(
            {"notice_days": 10},
            [("notice_days", "offer.notice_period_not_allowed")],
            id="notice-on-unlimited",
        ),
        pytest.param(
            {"cancellation_days": -1, "minimum_term_days": 400},
            [
                ("cancellation_days", "offer.cancellation_out_of_range"),
                ("minimum_term_days", "offer.minimum_term_out_of_range"),
            ],
            id="negative-and-huge-days",
        ),
        pytest.param(
            {"offer_to_all": False},
            [("providers", "offer.providers_missing")],
            id="bilateral-to-nobody",
        ),
        pytest.param(
            {"providers": [ICE]},
            [("providers", "offer.providers_not_allowed")],
            id="to-all-with-providers",
        ),
        pytest.param(
            {"offer_to_all": False, "providers": [ICE], "two_step": TwoStepFields(tax_id=True)},
            [("two_step", "offer.two_step_not_allowed")],
            id="two-step-bilateral",
        ),
        pytest.param(
            {"two_step": TwoStepFields()},
            [("two_step", "offer.two_step_fields_missing")],
            id="two-step-empty",
        ),
        pytest.param(
            {"vat_percent": Decimal("100.01")},
            [("vat_percent", "offer.vat_out_of_range")],
            id="vat-101",
        ),
        pytest.param(
            {"vat_percent": Decimal("19.125")},
            [("vat_percent", "offer.vat_too_precise")],
            id="vat-3-decimals",
        ),
        pytest.param(
            {"network_id": " "}, [("network_id", "offer.network_missing")], id="no-network"
        ),
    ],
)
def test_unlimited_terms_are_refused_naming_each_field(
    changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert refused(**{**UNLIMITED, **changes}) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"notice_days": None}, [("notice_days", "offer.notice_period_missing")], id="no-notice"
        ),
        pytest.param(
            {"lead_time_days": 30},
            [("lead_time_days", "offer.lead_time_not_allowed")],
            id="lead-time",
        ),
        pytest.param(
            {"valid_to": START},
            [("valid_to", "offer.valid_to_not_after_start")],
            id="ends-when-it-starts",
        ),
        pytest.param(
            {"valid_to": datetime(2029, 1, 1, 0, 0, 1, tzinfo=UTC)},
            [("valid_to", "offer.valid_to_too_far")],
            id="two-years-and-a-second",
        ),
        pytest.param(
            {"valid_to": START + timedelta(days=10)},
            [("notice_days", "offer.notice_period_too_long")],
            id="notice-longer-than-offer",
        ),
        pytest.param(
            {"notice_days": 400, "valid_to": datetime(2029, 1, 1, tzinfo=UTC)},
            [("notice_days", "offer.notice_period_out_of_range")],
            id="notice-400",
        ),
    ],
)
def test_limited_terms_are_refused_naming_each_field(
    changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert refused(**{**LIMITED, **changes}) == expected


def test_a_limited_offer_may_run_exactly_two_years() -> None:
    assert offer_terms(**{**LIMITED, "valid_to": datetime(2029, 1, 1, tzinfo=UTC)}).valid_to
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert two_years_after(leap) == datetime(2030, 2, 28, tzinfo=UTC)


def test_a_naive_date_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        offer_terms(**{**UNLIMITED, "valid_from": datetime(2027, 1, 1)})
    assert caught.value.code == "time.naive"


def test_all_problems_of_the_terms_come_at_once() -> None:
    found = refused(
        **{
            **LIMITED,
            "name": "",
            "notice_days": None,
            "lead_time_days": 20,
            "vat_percent": Decimal(-1),
        }
    )
    assert found == [
        ("name", "offer.name_missing"),
        ("lead_time_days", "offer.lead_time_not_allowed"),
        ("notice_days", "offer.notice_period_missing"),
        ("vat_percent", "offer.vat_out_of_range"),
    ]


@given(
    st.integers(1, 1500),
    st.integers(1, 2 * 366 * 86_400),
    st.integers(0, 365),
)
def test_a_limited_offer_is_accepted_exactly_when_it_runs_at_most_two_years(
    start_days: int, duration_seconds: int, notice_days: int
) -> None:
    valid_from = NOW + timedelta(days=start_days)
    valid_to = valid_from + timedelta(seconds=duration_seconds)
    values = {**LIMITED, "valid_from": valid_from, "valid_to": valid_to, "notice_days": notice_days}
    expected = set()
    if valid_to > two_years_after(valid_from):
        expected.add(("valid_to", "offer.valid_to_too_far"))
    if notice_days * 86_400 > duration_seconds:
        expected.add(("notice_days", "offer.notice_period_too_long"))
    if expected:
        assert set(refused(**values)) == expected
    else:
        assert offer_terms(**values).valid_to == valid_to
