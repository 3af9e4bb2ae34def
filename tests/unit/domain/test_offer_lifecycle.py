"""An offer's states, the one-offer-to-all rule and price versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import Conflict, DomainError
from evsenet.domain.offer import ServiceType
from evsenet.domain.offer_lifecycle import (
    TRANSITIONS,
    InForce,
    OfferStatus,
    PriceVersion,
    check_price_update,
    ensure_editable,
    ensure_same_network,
    ensure_single_offer_to_all,
    next_version,
    offers_to_all_in_the_way,
    status_at,
    transition,
    version_at,
)

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
JAN, JUL = datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC)
AUTH, RESERVATION = ServiceType.AUTHORIZATION, ServiceType.RESERVATION


@pytest.mark.parametrize(
    ("current", "target"),
    [
        pytest.param(c, t, id=f"{c}-to-{t}")
        for c, targets in TRANSITIONS.items()
        for t in sorted(targets)
    ],
)
def test_each_allowed_transition_is_taken(current: OfferStatus, target: OfferStatus) -> None:
    assert transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        pytest.param(c, t, id=f"{c}-to-{t}")
        for c in OfferStatus
        for t in OfferStatus
        if t not in TRANSITIONS[c]
    ],
)
def test_every_other_transition_is_refused(current: OfferStatus, target: OfferStatus) -> None:
    with pytest.raises(Conflict) as refused:
        transition(current, target)
    assert refused.value.code == "offer.transition_not_allowed"


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(JAN - timedelta(seconds=1), OfferStatus.PENDING, id="before-start"),
        pytest.param(JAN, OfferStatus.ACTIVE, id="at-start"),
        pytest.param(JUL - timedelta(seconds=1), OfferStatus.ACTIVE, id="last-second"),
        pytest.param(JUL, OfferStatus.EXPIRED, id="at-end"),
    ],
)
def test_the_status_of_a_published_offer_follows_its_validity(
    at: datetime, expected: OfferStatus
) -> None:
    assert status_at(published=True, valid_from=JAN, valid_to=JUL, at=at) is expected


def test_drafts_stay_drafts_unlimited_offers_never_expire_and_cancelling_ends_them() -> None:
    far = datetime(2099, 1, 1, tzinfo=UTC)
    assert status_at(published=False, valid_from=JAN, valid_to=JUL, at=far) is OfferStatus.DRAFT
    assert status_at(published=True, valid_from=JAN, valid_to=None, at=far) is OfferStatus.ACTIVE
    cancelled = status_at(published=True, valid_from=JAN, valid_to=None, at=JUL, cancelled_from=JUL)
    assert cancelled is OfferStatus.CANCELLED


def test_only_a_draft_may_change() -> None:
    ensure_editable(OfferStatus.DRAFT)
    for status in OfferStatus:
        if status is not OfferStatus.DRAFT:
            with pytest.raises(Conflict) as refused:
                ensure_editable(status)
            assert refused.value.code == "offer.published_immutable"


def test_a_second_offer_to_all_of_the_same_type_may_not_be_in_force_at_the_same_time() -> None:
    existing = [
        InForce("o-1", AUTH, JAN, JUL),
        InForce("o-2", RESERVATION, JAN, None),
    ]
    after = InForce("new", AUTH, JUL, None)
    assert offers_to_all_in_the_way(after, existing) == []
    ensure_single_offer_to_all(after, existing)
    clash = InForce("new", AUTH, JUL - timedelta(seconds=1), None)
    assert offers_to_all_in_the_way(clash, existing) == [existing[0]]
    with pytest.raises(Conflict) as refused:
        ensure_single_offer_to_all(clash, existing)
    assert refused.value.code == "offer.offer_to_all_overlap"
    assert offers_to_all_in_the_way(InForce("o-1", AUTH, JAN, JUL), existing) == []


_MOMENTS = st.integers(0, 100).map(lambda d: JAN + timedelta(days=d))


@given(_MOMENTS, st.one_of(st.none(), _MOMENTS), _MOMENTS, st.one_of(st.none(), _MOMENTS))
def test_two_periods_overlap_exactly_when_some_day_is_in_both(
    a_from: datetime, a_to: datetime | None, b_from: datetime, b_to: datetime | None
) -> None:
    if (a_to is not None and a_to <= a_from) or (b_to is not None and b_to <= b_from):
        return
    a, b = InForce("a", AUTH, a_from, a_to), InForce("b", AUTH, b_from, b_to)
    days = [JAN + timedelta(days=d) for d in range(0, 102)]

    def inside(p: InForce, day: datetime) -> bool:
        return p.valid_from <= day and (p.valid_until is None or day < p.valid_until)

    shared = any(inside(a, day) and inside(b, day) for day in days)
    assert bool(offers_to_all_in_the_way(a, [b])) == shared


VERSION_1 = PriceVersion("o-1", 1, JAN)


def test_a_price_update_at_least_the_lead_time_ahead_makes_the_next_version() -> None:
    later = JAN + timedelta(days=60)
    check_price_update(
        unlimited=True, lead_time_days=42, current=VERSION_1, update_date=later, now=JAN
    )
    old, new = next_version(VERSION_1, new_id="o-2", update_date=later)
    assert old == PriceVersion("o-1", 1, JAN, None, "o-2")
    assert new == PriceVersion("o-2", 2, later, "o-1", None)
    assert version_at([old, new], later - timedelta(seconds=1)) == old
    assert version_at([old, new], later) == new
    assert version_at([old, new], JAN - timedelta(seconds=1)) is None


@pytest.mark.parametrize(
    ("values", "code"),
    [
        pytest.param(
            {"unlimited": False, "lead_time_days": None},
            "offer.version_limited",
            id="limited-offer",
        ),
        pytest.param(
            {"update_date": JAN + timedelta(days=42) - timedelta(seconds=1)},
            "offer.version_inside_lead_time",
            id="one-second-inside-lead-time",
        ),
        pytest.param(
            {"now": JAN - timedelta(days=60), "update_date": JAN},
            "offer.version_before_current",
            id="same-start-as-current",
        ),
        pytest.param(
            {"current": PriceVersion("o-1", 1, JAN, None, "o-2")},
            "offer.version_not_latest",
            id="not-the-latest",
        ),
        pytest.param(
            {"update_date": datetime(2027, 6, 1)},
            "time.naive",
            id="naive-update-date",
        ),
    ],
)
def test_a_price_update_is_refused_with_its_reason(values: dict[str, object], code: str) -> None:
    arguments: dict[str, object] = {
        "unlimited": True,
        "lead_time_days": 42,
        "current": VERSION_1,
        "update_date": JAN + timedelta(days=60),
        "now": JAN,
        **values,
    }
    with pytest.raises(DomainError) as refused:
        check_price_update(**arguments)  # type: ignore[arg-type]
    assert refused.value.code == code


def test_the_update_may_start_exactly_when_the_lead_time_ends() -> None:
    check_price_update(
        unlimited=True,
        lead_time_days=42,
        current=VERSION_1,
        update_date=JAN + timedelta(days=42),
        now=JAN,
    )


def test_a_price_version_keeps_the_offers_network() -> None:
    ensure_same_network("net-1", "net-1")
    with pytest.raises(DomainError) as refused:
        ensure_same_network("net-1", "net-2")
    assert refused.value.code == "offer.version_network_mismatch"
