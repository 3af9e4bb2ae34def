"""The weekly lookup: the right tariff at every slot boundary of the week, and at
instants read in an IANA zone, including the DST change days of 2026 in Europe/Berlin and
America/New_York."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.schedule import (
    LAST_SECOND,
    SECONDS_PER_DAY,
    SECONDS_PER_WEEK,
    Colour,
    TimeSlot,
    Weekday,
)
from evsenet.domain.schedule_lookup import (
    ScheduleInterval,
    WeekLookup,
    intervals,
    local_week_time,
)

DST_DAYS = [
    pytest.param("Europe/Berlin", date(2026, 3, 29), id="berlin-spring-forward"),
    pytest.param("Europe/Berlin", date(2026, 10, 25), id="berlin-fall-back"),
    pytest.param("America/New_York", date(2026, 3, 8), id="new-york-spring-forward"),
    pytest.param("America/New_York", date(2026, 11, 1), id="new-york-fall-back"),
]


def piece(day: Weekday, start: int, end: int, tariff: str) -> TimeSlot:
    return TimeSlot(day, start, end, tariff, Colour.ICEBERG)


@st.composite
def full_weeks(draw: st.DrawFn) -> list[TimeSlot]:
    """A schedule covering every second of the week once: each day cut at random
    seconds (often on the hour, where DST moves the clock), each piece a random tariff."""
    slots = []
    on_the_hour = st.integers(1, 23).map(lambda h: h * 3600)
    for day in Weekday:
        cuts = draw(st.sets(st.one_of(on_the_hour, st.integers(1, LAST_SECOND)), max_size=6))
        edges = [0, *sorted(cuts), SECONDS_PER_DAY]
        for first, after in itertools.pairwise(edges):
            slots.append(piece(day, first, after - 1, draw(st.sampled_from("ABCD"))))
    return slots


def oracle(slots: list[TimeSlot], day: Weekday, second: int) -> str | None:
    """The tariff by linear scan: the slot whose day and seconds contain the moment."""
    matches = [s.tariff for s in slots if s.day == day and s.start <= second <= s.end]
    assert len(matches) <= 1
    return matches[0] if matches else None


def boundaries(slots: list[TimeSlot]) -> set[int]:
    return {s.week_start for s in slots} | {s.week_end + 1 for s in slots}


@settings(max_examples=200, deadline=None)
@given(full_weeks())
def test_the_lookup_answers_every_boundary_second_of_the_week_and_its_neighbours(
    slots: list[TimeSlot],
) -> None:
    lookup = WeekLookup(slots)
    for boundary in boundaries(slots):
        for second in (boundary - 1, boundary, boundary + 1):
            if 0 <= second < SECONDS_PER_WEEK:
                day, of_day = divmod(second, SECONDS_PER_DAY)
                assert lookup.tariff_at_second(second) == oracle(slots, Weekday(day), of_day)


@settings(max_examples=60, deadline=None)
@given(full_weeks())
@pytest.mark.parametrize(("zone_name", "day"), DST_DAYS)
def test_on_dst_change_days_each_instant_gets_the_tariff_of_its_wall_time(
    zone_name: str, day: date, slots: list[TimeSlot]
) -> None:
    zone = ZoneInfo(zone_name)
    lookup = WeekLookup(slots)
    weekday = Weekday(day.weekday())
    walls = {b - weekday * SECONDS_PER_DAY for b in boundaries(slots)} | {7200, 10_800}
    for wall in sorted(w + d for w in walls for d in (-1, 0, 1) if 0 <= w + d < SECONDS_PER_DAY):
        hours, rest = divmod(wall, 3600)
        local = datetime.combine(day, time(hours, rest // 60, rest % 60), tzinfo=zone)
        for fold in (0, 1):
            instant = local.replace(fold=fold).astimezone(UTC)
            shown = instant.astimezone(zone)
            if shown.replace(tzinfo=None) != local.replace(tzinfo=None):
                continue  # this wall time does not occur: the skipped hour
            assert lookup.tariff_at_instant(instant, zone_name) == oracle(slots, weekday, wall)
    transition = _transition(zone, day)
    for offset in (-1, 0, 1):
        instant = transition + timedelta(seconds=offset)
        wall_day, wall = local_week_time(instant, zone)
        assert lookup.tariff_at_instant(instant, zone) == oracle(slots, wall_day, wall)


def _transition(zone: ZoneInfo, day: date) -> datetime:
    """The UTC instant on `day` at which the zone's offset changes."""
    start = datetime.combine(day, time(0), tzinfo=UTC)
    before = start.astimezone(zone).utcoffset()
    for minute in range(0, 36 * 60, 1):
        instant = start + timedelta(minutes=minute)
        if instant.astimezone(zone).utcoffset() != before:
            return instant
    raise AssertionError(f"no transition on {day}")


SPRING = [
    piece(d, 0, 7199, "early") if d == Weekday.SUNDAY else piece(d, 0, LAST_SECOND, "other")
    for d in Weekday
]


def _with_two_to_three(tariff: str) -> list[TimeSlot]:
    slots = [piece(d, 0, LAST_SECOND, "other") for d in Weekday if d != Weekday.SUNDAY]
    return [
        *slots,
        piece(Weekday.SUNDAY, 0, 7199, "other"),
        piece(Weekday.SUNDAY, 7200, 10_799, tariff),
        piece(Weekday.SUNDAY, 10_800, LAST_SECOND, "other"),
    ]


def test_the_skipped_hour_of_spring_forward_never_prices() -> None:
    lookup = WeekLookup(_with_two_to_three("two-to-three"))
    start = datetime(2026, 3, 28, 22, tzinfo=UTC)
    answers = {
        lookup.tariff_at_instant(start + timedelta(minutes=m), "Europe/Berlin")
        for m in range(0, 6 * 60)
    }
    assert answers == {"other"}
    assert lookup.tariff_at_instant(datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), "Europe/Berlin")
    assert local_week_time(datetime(2026, 3, 29, 1, tzinfo=UTC), "Europe/Berlin") == (
        Weekday.SUNDAY,
        3 * 3600,
    )


def test_the_repeated_hour_of_fall_back_prices_both_times_by_its_wall_time() -> None:
    lookup = WeekLookup(_with_two_to_three("two-to-three"))
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert local_week_time(first, "Europe/Berlin") == local_week_time(second, "Europe/Berlin")
    assert lookup.tariff_at_instant(first, "Europe/Berlin") == "two-to-three"
    assert lookup.tariff_at_instant(second, "Europe/Berlin") == "two-to-three"
    assert lookup.tariff_at_instant(datetime(2026, 10, 25, 2, tzinfo=UTC), "Europe/Berlin") == (
        "other"
    )


def test_a_gap_answers_none_and_an_overlap_cannot_be_compiled() -> None:
    gappy = WeekLookup([piece(Weekday.MONDAY, 3600, 7199, "A")])
    assert gappy.tariff_at(Weekday.MONDAY, time(0, 59, 59)) is None
    assert gappy.tariff_at(Weekday.MONDAY, time(1)) == "A"
    assert gappy.tariff_at(Weekday.MONDAY, 7200) is None
    with pytest.raises(DomainError) as refused:
        WeekLookup([piece(Weekday.MONDAY, 0, 100, "A"), piece(Weekday.MONDAY, 100, 200, "B")])
    assert refused.value.code == "schedule.overlap"


def test_a_naive_instant_or_an_unknown_zone_is_refused() -> None:
    lookup = WeekLookup(SPRING)
    with pytest.raises(DomainError) as naive:
        lookup.tariff_at_instant(datetime(2026, 3, 29, 1), "Europe/Berlin")
    assert naive.value.code == "time.naive"
    with pytest.raises(DomainError) as unknown:
        lookup.tariff_at_instant(datetime(2026, 3, 29, 1, tzinfo=UTC), "Europe/Atlantis")
    assert unknown.value.code == "time_zone.unknown"


def test_intervals_are_ordered_and_merge_neighbours_of_one_tariff_on_request() -> None:
    slots = [
        piece(Weekday.TUESDAY, 100, 199, "B"),
        piece(Weekday.MONDAY, 0, 99, "A"),
        piece(Weekday.MONDAY, 100, 199, "A"),
        piece(Weekday.MONDAY, 200, 299, "B"),
    ]
    assert intervals(slots) == (
        ScheduleInterval(Weekday.MONDAY, 0, 99, "A"),
        ScheduleInterval(Weekday.MONDAY, 100, 199, "A"),
        ScheduleInterval(Weekday.MONDAY, 200, 299, "B"),
        ScheduleInterval(Weekday.TUESDAY, 100, 199, "B"),
    )
    assert intervals(slots, merge=True) == (
        ScheduleInterval(Weekday.MONDAY, 0, 199, "A"),
        ScheduleInterval(Weekday.MONDAY, 200, 299, "B"),
        ScheduleInterval(Weekday.TUESDAY, 100, 199, "B"),
    )


@settings(max_examples=100, deadline=None)
@given(full_weeks())
def test_the_intervals_tile_the_week_and_agree_with_the_lookup(slots: list[TimeSlot]) -> None:
    lookup = WeekLookup(slots)
    for merge in (False, True):
        pieces = intervals(slots, merge=merge)
        reach = -1
        for piece_ in pieces:
            first = piece_.day * SECONDS_PER_DAY + piece_.start
            assert first == reach + 1
            reach = piece_.day * SECONDS_PER_DAY + piece_.end
            assert lookup.tariff_at(piece_.day, piece_.start) == piece_.tariff
            assert lookup.tariff_at(piece_.day, piece_.end) == piece_.tariff
        assert reach == SECONDS_PER_WEEK - 1
    merged = intervals(slots, merge=True)
    assert all(not (a.day == b.day and a.tariff == b.tariff) for a, b in itertools.pairwise(merged))
