"""Weekly schedules: slot rules and codes, and a validator that finds exactly the gaps and
overlaps of any schedule (checked against a brute-force oracle with Hypothesis)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import InvalidRecord
from evsenet.domain.money import currency
from evsenet.domain.schedule import (
    LAST_SECOND,
    SECONDS_PER_DAY,
    Colour,
    TimeSlot,
    Weekday,
    clock,
    ordered,
    parse_clock,
    schedule_problems,
    time_slot,
)
from evsenet.domain.tariff import Tariff, pricing_component

EUR, CHF = currency("EUR"), currency("CHF")
ENERGY = pricing_component(type="CHARGING_ENERGY", reference_unit="KILOWATT_HOUR", cost=Decimal(1))


def slot(day: Weekday, start: str, end: str, tariff: str = "A") -> TimeSlot:
    return time_slot(day=day, start=start, end=end, tariff=tariff, colour="Indigo")


def whole_week(tariff: str = "A") -> list[TimeSlot]:
    return [slot(day, "00:00:00", "23:59:59", tariff) for day in Weekday]


def codes_of(error: InvalidRecord) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in error.problems]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("00:00:00", 0, id="midnight"),
        pytest.param("06:00:00", 21_600, id="six"),
        pytest.param("23:59:59", LAST_SECOND, id="last-second"),
    ],
)
def test_a_clock_time_is_a_second_of_the_day(text: str, seconds: int) -> None:
    assert parse_clock(text, "start") == seconds
    assert clock(seconds) == text


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param("00:00:00", "24:00:00", [("end", "slot.time_out_of_range")], id="24h"),
        pytest.param("06:00", "07:00:00", [("start", "slot.time_malformed")], id="no-seconds"),
        pytest.param("6:00:00", "07:00:00", [("start", "slot.time_malformed")], id="one-digit"),
        pytest.param("10:60:00", "11:00:00", [("start", "slot.time_out_of_range")], id="minute-60"),
        pytest.param("10:00:00", "09:59:59", [("end", "slot.end_before_start")], id="backwards"),
        pytest.param(
            "25:00:00",
            "xx",
            [("start", "slot.time_out_of_range"), ("end", "slot.time_malformed")],
            id="both-wrong",
        ),
    ],
)
def test_a_slot_with_a_bad_time_is_refused_naming_the_field(
    start: str, end: str, expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidRecord) as refused:
        slot(Weekday.MONDAY, start, end)
    assert codes_of(refused.value) == expected


def test_a_slot_needs_a_tariff_and_one_of_hubjects_colours() -> None:
    with pytest.raises(InvalidRecord) as refused:
        time_slot(day=Weekday.FRIDAY, start="00:00:00", end="01:00:00", tariff=" ", colour="Red")
    assert codes_of(refused.value) == [
        ("tariff", "slot.tariff_missing"),
        ("colour", "slot.colour_unknown"),
    ]
    assert {c.value for c in Colour} == {
        "Powder blue",
        "Iceberg",
        "Indigo",
        "Water blue",
        "Carolina",
    }


def test_a_single_second_slot_is_allowed() -> None:
    one = slot(Weekday.SUNDAY, "23:59:59", "23:59:59")
    assert (one.start, one.end, one.week_end) == (LAST_SECOND, LAST_SECOND, 7 * SECONDS_PER_DAY - 1)


def test_a_full_week_has_no_problem() -> None:
    assert schedule_problems(whole_week()) == []


def test_a_gap_is_named_with_its_day_and_exact_seconds() -> None:
    slots = [*whole_week()[:1], *whole_week()[2:]]
    slots += [
        slot(Weekday.TUESDAY, "00:00:00", "05:59:59"),
        slot(Weekday.TUESDAY, "07:00:00", "23:59:59"),
    ]
    (gap,) = schedule_problems(slots)
    assert (gap.code, gap.message) == ("schedule.gap", "TUESDAY 06:00:00–06:59:59 has no tariff")


def test_an_overlap_names_the_tariffs_that_cover_it() -> None:
    slots = [d for d in whole_week() if d.day != Weekday.WEDNESDAY]
    slots += [
        slot(Weekday.WEDNESDAY, "00:00:00", "10:29:59", "A"),
        slot(Weekday.WEDNESDAY, "10:00:00", "23:59:59", "B"),
    ]
    (overlap,) = schedule_problems(slots)
    assert overlap.code == "schedule.overlap"
    assert overlap.message == "WEDNESDAY 10:00:00–10:29:59 is covered by tariffs A and B"
    assert overlap.tariffs == ("A", "B")


def test_an_empty_schedule_has_one_gap_per_day() -> None:
    found = schedule_problems([])
    assert [(p.code, p.day, p.start, p.end) for p in found] == [
        ("schedule.gap", day, 0, LAST_SECOND) for day in Weekday
    ]


def test_unknown_tariffs_and_tariffs_of_another_currency_are_named_per_slot() -> None:
    tariffs = {"a": Tariff("A", EUR, (ENERGY,)), "b": Tariff("B", CHF, (ENERGY,))}
    slots = [d for d in whole_week() if d.day != Weekday.MONDAY]
    slots += [
        slot(Weekday.MONDAY, "00:00:00", "11:59:59", "b"),
        slot(Weekday.MONDAY, "12:00:00", "23:59:59", "Weekend"),
    ]
    found = schedule_problems(slots, tariffs=tariffs, currency=EUR)
    assert [(p.code, p.message) for p in found] == [
        (
            "schedule.currency_mismatch",
            "MONDAY 00:00:00–11:59:59 uses tariff B in CHF, but the group is priced in EUR",
        ),
        (
            "schedule.unknown_tariff",
            "MONDAY 12:00:00–23:59:59 names tariff 'Weekend', which the offer does not define",
        ),
    ]


# --- Hypothesis: exactly the gaps and overlaps -------------------------------------------

_POINTS = st.one_of(
    st.sampled_from([0, 1, 3599, 3600, 3601, 43_199, 43_200, LAST_SECOND - 1, LAST_SECOND]),
    st.integers(0, LAST_SECOND),
)


@st.composite
def random_slots(draw: st.DrawFn) -> list[TimeSlot]:
    slots = []
    for day in draw(st.lists(st.sampled_from(list(Weekday)), max_size=14)):
        a, b = draw(_POINTS), draw(_POINTS)
        tariff = draw(st.sampled_from("ABC"))
        slots.append(TimeSlot(day, min(a, b), max(a, b), tariff, Colour.INDIGO))
    return slots


def _oracle(slots: list[TimeSlot]) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Gaps and overlaps by brute force: cut each day at every slot edge, test every
    slot against each piece, join neighbouring pieces covered by the same slots."""
    gaps: list[tuple[object, ...]] = []
    overlaps: list[tuple[object, ...]] = []
    for day in Weekday:
        mine = [s for s in ordered(slots) if s.day == day]
        cuts = sorted({0, SECONDS_PER_DAY} | {s.start for s in mine} | {s.end + 1 for s in mine})
        runs: list[tuple[int, int, tuple[int, ...]]] = []
        for first, after in itertools.pairwise(cuts):
            cover = tuple(i for i, s in enumerate(mine) if s.start <= first <= s.end)
            if runs and runs[-1][2] == cover:
                runs[-1] = (runs[-1][0], after - 1, cover)
            else:
                runs.append((first, after - 1, cover))
        for first, last, cover in runs:
            if not cover:
                gaps.append((day, first, last))
            elif len(cover) > 1:
                overlaps.append((day, first, last, tuple(sorted({mine[i].tariff for i in cover}))))
    return gaps, overlaps


@settings(max_examples=300, deadline=None)
@given(random_slots())
def test_the_validator_finds_exactly_the_gaps_and_overlaps_of_any_schedule(
    slots: list[TimeSlot],
) -> None:
    found = schedule_problems(slots)
    gaps = [(p.day, p.start, p.end) for p in found if p.code == "schedule.gap"]
    overlaps = [
        (p.day, p.start, p.end, tuple(sorted(p.tariffs)))
        for p in found
        if p.code == "schedule.overlap"
    ]
    assert (gaps, overlaps) == _oracle(slots)
    for problem in found:
        assert problem.message.startswith(f"{problem.day.name} {clock(problem.start)}–")


@settings(max_examples=200, deadline=None)
@given(random_slots(), st.lists(st.integers(0, LAST_SECOND), min_size=20, max_size=20))
def test_every_second_is_in_a_gap_or_an_overlap_exactly_when_zero_or_several_slots_cover_it(
    slots: list[TimeSlot], probes: list[int]
) -> None:
    found = schedule_problems(slots)
    edges = {e for s in slots for e in (s.start - 1, s.start, s.end, s.end + 1)}
    for day in Weekday:
        for second in {p for p in (*probes, *edges) if 0 <= p < SECONDS_PER_DAY}:
            covering = sum(s.day == day and s.start <= second <= s.end for s in slots)
            hits = [p.code for p in found if p.day == day and p.start <= second <= p.end]
            expected = {0: ["schedule.gap"], 1: []}.get(covering, ["schedule.overlap"])
            assert hits == expected, (day, clock(second), covering)


def test_an_overlap_of_many_tariffs_lists_five_and_counts_the_rest() -> None:
    nested = [TimeSlot(Weekday.MONDAY, 0, 3599, f"T{i}", Colour.INDIGO) for i in range(8)]
    overlap = next(p for p in schedule_problems(nested) if p.code == "schedule.overlap")
    assert overlap.message == (
        "MONDAY 00:00:00–00:59:59 is covered by tariffs T0, T1, T2, T3, T4 and 3 more"
    )
    assert overlap.tariffs == tuple(f"T{i}" for i in range(8))


def test_a_tariff_given_twice_for_the_same_stretch_is_counted() -> None:
    twice = [d for d in whole_week() if d.day != Weekday.FRIDAY]
    twice += [slot(Weekday.FRIDAY, "00:00:00", "23:59:59")] * 2
    (overlap,) = schedule_problems(twice)
    assert overlap.message == "FRIDAY 00:00:00–23:59:59 is covered by 2 slots of tariff A"
