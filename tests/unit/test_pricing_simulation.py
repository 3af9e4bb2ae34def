"""The simulator's session plan (local wall-clock times at the EVSE) and its stacked bars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing.priced_session import ChartBar
from evsenet.domain.pricing.simulation import (
    MAX_MINUTES,
    WHOLE_SESSION,
    SessionPlan,
    bar_chart,
)

BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal
SUNDAY_NOON = datetime(2026, 11, 29, 12, tzinfo=UTC)


def plan(**changes: object) -> SessionPlan:
    values: dict[str, object] = {
        "evse_id": "DE*ABC*E1",
        "provider_id": "DE*EMP",
        "start_time": time(18, 30),
        "weekday": 1,
        "charging_minutes": 45,
        "idle_minutes": 0,
        "energy_kwh": D(30),
        "now": SUNDAY_NOON,
    }
    values.update(changes)
    return SessionPlan(**values)  # type: ignore[arg-type]


def test_a_weekday_is_the_next_one_at_the_evse() -> None:
    session = plan().request_in(BERLIN).session
    assert session.session_start == datetime(2026, 12, 1, 18, 30, tzinfo=BERLIN)
    assert session.charging_start == session.session_start
    assert (
        session.charging_end == session.session_end == datetime(2026, 12, 1, 19, 15, tzinfo=BERLIN)
    )
    assert session.energy_kwh == D(30)


def test_today_counts_as_the_next_weekday_by_the_evses_clock() -> None:
    # 23:30 UTC on Monday is already 00:30 on Tuesday in Berlin.
    late_monday = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    start = plan(now=late_monday).start_in(BERLIN)
    assert start.date() == date(2026, 12, 1)


def test_a_date_wins_over_the_weekday() -> None:
    start = plan(on=date(2027, 1, 8), weekday=1).start_in(BERLIN)
    assert start == datetime(2027, 1, 8, 18, 30, tzinfo=BERLIN)


def test_idle_time_ends_the_session_after_charging() -> None:
    session = plan(idle_minutes=30).request_in(BERLIN).session
    assert session.charging_end is not None
    assert session.session_end - session.charging_end == timedelta(minutes=30)


def test_a_local_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        plan(on=date(2027, 3, 28), start_time=time(2, 30)).request_in(BERLIN)
    assert refused.value.code == "simulation.local_time_skipped"
    assert refused.value.field == "start_time"
    assert "Europe/Berlin" in refused.value.message


def test_a_local_time_shown_twice_is_its_first_occurrence() -> None:
    start = plan(on=date(2027, 10, 31), start_time=time(2, 30)).start_in(BERLIN)
    assert start.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_minutes_are_real_time_across_a_dst_change() -> None:
    session = plan(on=date(2027, 3, 28), start_time=time(1, 30), charging_minutes=60)
    request = session.request_in(BERLIN).session
    assert request.session_end.astimezone(BERLIN).strftime("%H:%M") == "03:30"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"weekday": None}, "simulation.start_missing", "start_day"),
        ({"weekday": 7}, "simulation.start_missing", "start_day"),
        ({"charging_minutes": -1}, "session.end_before_start", "charging_minutes"),
        ({"idle_minutes": -1}, "session.charging_outside", "idle_minutes"),
        ({"charging_minutes": MAX_MINUTES + 1}, "session.time_out_of_range", "charging_minutes"),
        ({"idle_minutes": MAX_MINUTES + 1}, "session.time_out_of_range", "idle_minutes"),
        ({"on": date(9999, 12, 31)}, "session.time_out_of_range", "start_day"),
        ({"on": date(1, 1, 1)}, "session.time_out_of_range", "start_day"),
    ],
    ids=[
        "no day",
        "no such weekday",
        "negative charging",
        "negative idle",
        "long",
        "long idle",
        "year 9999",
        "year 1",
    ],
)
def test_a_plan_that_is_no_session_is_refused(
    changes: dict[str, object], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        plan(**changes).request_in(BERLIN)
    assert (refused.value.code, refused.value.field) == (code, field)


def bar(slot: str, component: str, excl: str, incl: str) -> ChartBar:
    return ChartBar(
        slot=slot, component=component, amount_excl_vat=D(excl), amount_incl_vat=D(incl)
    )


def test_bars_per_slot_and_a_whole_session_bar_share_one_scale() -> None:
    chart = bar_chart(
        [
            bar("Day", "SESSION", "1", "1.19"),
            bar("Day", "CHARGING_ENERGY", "3", "3.57"),
            bar("Night", "CHARGING_ENERGY", "4", "4.76"),
        ]
    )
    assert [b.label for b in chart.bars] == ["Day", "Night", WHOLE_SESSION]
    assert chart.scale == D("9.52")
    assert chart.components == ("CHARGING_ENERGY", "SESSION")
    day, night, whole = chart.bars
    assert [s.component for s in day.segments] == ["CHARGING_ENERGY", "SESSION"]
    assert day.segments[0].width == D("3.57") / D("9.52")
    assert day.segments[1].offset == day.segments[0].width
    assert night.total_incl_vat == D("4.76")
    assert whole.total_excl_vat == D(8)
    assert sum(s.width for s in whole.segments) == 1


def test_one_slot_is_one_bar_and_a_discount_has_no_width() -> None:
    chart = bar_chart(
        [bar("Day", "CHARGING_ENERGY", "3", "3.57"), bar("Day", "SESSION", "-1", "-1.19")]
    )
    assert [b.label for b in chart.bars] == ["Day"]
    energy, flat = chart.bars[0].segments
    assert energy.width == 1
    assert flat.width == 0
    assert flat.amount_incl_vat == D("-1.19")


def test_a_chart_of_zeros_draws_nothing() -> None:
    chart = bar_chart([bar("not priced", "PARKING", "0", "0")])
    assert chart.scale == 0
    assert all(s.width == 0 for b in chart.bars for s in b.segments)


AMOUNTS = st.decimals(min_value=0, max_value=1000, places=4)
ITEMS = st.lists(
    st.tuples(
        st.sampled_from(["Day", "Night", "Weekend"]),
        st.sampled_from(["CHARGING_ENERGY", "CHARGING_TIME", "PARKING", "SESSION"]),
        AMOUNTS,
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda item: (item[0], item[1]),
)


@given(ITEMS)
def test_segments_stack_inside_their_bar_and_keep_every_amount(
    items: list[tuple[str, str, Decimal]],
) -> None:
    chart = bar_chart(
        [bar(slot, c, str(amount), str(amount * D("1.19"))) for slot, c, amount in items]
    )
    for drawn in chart.bars:
        end = D(0)
        for segment in drawn.segments:
            assert segment.offset == end
            end += segment.width
        assert end <= 1 + D("1e-20")
        assert drawn.total_incl_vat == sum((s.amount_incl_vat for s in drawn.segments), D(0))
    whole = chart.bars[-1]
    assert whole.total_excl_vat == sum((amount for _, _, amount in items), D(0))
    if chart.scale > 0:
        assert abs(sum((s.width for s in whole.segments), D(0)) - 1) < D("1e-20")
