"""No silent data loss: mass withdrawals need their count confirmed; files need records."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError, WithdrawalsUnconfirmed
from evsenet.domain.inventory import (
    KnownEvse,
    PushAction,
    PushPlan,
    check_withdrawals,
    require_records,
)
from evsenet.formats import ParsedBatch


def inventory(active: int, withdrawn: int = 0) -> dict[str, KnownEvse]:
    known = {f"DEABCE{n}": KnownEvse(n, False) for n in range(active)}
    known |= {f"DEABCEW{n}": KnownEvse(10_000 + n, True) for n in range(withdrawn)}
    return known


def plan(withdrawals: int) -> PushPlan:
    return PushPlan(withdrawals=list(range(withdrawals)))


@pytest.mark.parametrize(
    ("active", "withdrawals", "confirmed"),
    [
        pytest.param(10, 0, None, id="nothing-withdrawn"),
        pytest.param(10, 5, None, id="exactly-half"),
        pytest.param(10, 6, 6, id="more-than-half-confirmed"),
        pytest.param(10, 10, 10, id="all-confirmed"),
        pytest.param(0, 0, None, id="empty-inventory"),
        pytest.param(0, 0, 0, id="empty-inventory-confirmed-zero"),
        pytest.param(10, 3, 3, id="a-few-confirmed-anyway"),
        pytest.param(3, 1, None, id="withdrawn-evses-do-not-count-as-active"),
    ],
)
def test_pushes_that_pass(active: int, withdrawals: int, confirmed: int | None) -> None:
    check_withdrawals(plan(withdrawals), inventory(active, 5), confirmed, "DE*ABC")


@pytest.mark.parametrize(
    ("active", "withdrawals", "confirmed", "code"),
    [
        pytest.param(10, 6, None, "batch.withdrawals_unconfirmed", id="more-than-half"),
        pytest.param(10, 10, None, "batch.withdrawals_unconfirmed", id="all"),
        pytest.param(1, 1, None, "batch.withdrawals_unconfirmed", id="the-only-one"),
        pytest.param(10, 10, 9, "batch.withdrawals_mismatch", id="stale-count-below"),
        pytest.param(10, 6, 7, "batch.withdrawals_mismatch", id="stale-count-above"),
        pytest.param(10, 3, 4, "batch.withdrawals_mismatch", id="stale-count-of-a-few"),
        pytest.param(10, 0, 6, "batch.withdrawals_mismatch", id="confirmed-but-none"),
    ],
)
def test_pushes_that_are_refused_name_the_count(
    active: int, withdrawals: int, confirmed: int | None, code: str
) -> None:
    with pytest.raises(WithdrawalsUnconfirmed) as caught:
        check_withdrawals(plan(withdrawals), inventory(active, 2), confirmed, "DE*ABC")
    error = caught.value
    assert (error.code, error.withdrawals, error.active) == (code, withdrawals, active)
    assert f"confirm_withdrawals={withdrawals}" in error.message
    assert f"--confirm-withdrawals {withdrawals}" in error.message
    assert f"{withdrawals} of the {active} active EVSEs of DE*ABC" in error.message
    assert "Nothing was written" in error.message


@given(st.integers(0, 200), st.data())
def test_without_a_count_a_push_passes_exactly_when_it_withdraws_at_most_half(
    active: int, data: st.DataObject
) -> None:
    withdrawals = data.draw(st.integers(0, active))
    try:
        check_withdrawals(plan(withdrawals), inventory(active), None, "DE*ABC")
    except WithdrawalsUnconfirmed:
        assert withdrawals * 2 > active
    else:
        assert withdrawals * 2 <= active
    check_withdrawals(plan(withdrawals), inventory(active), withdrawals, "DE*ABC")


@pytest.mark.parametrize("action", list(PushAction))
def test_a_file_without_records_is_refused(action: PushAction) -> None:
    with pytest.raises(DomainError) as caught:
        require_records(ParsedBatch(action, "line", []))
    assert caught.value.code == "import.no_records"


def test_an_oicp_body_may_name_no_records() -> None:
    require_records(ParsedBatch(PushAction.FULL_LOAD, "index", []))
