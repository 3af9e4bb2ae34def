"""The offer wizard's forms and the body: exact-times text and the weekly grid agree with
the slots they show, for every schedule; unreadable lines are named by their number."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import InvalidRecord
from evsenet.domain.money import currency
from evsenet.domain.offer import GroupPrices
from evsenet.domain.schedule import TimeSlot, Weekday, clock, time_slot
from evsenet.web import offer_forms as forms

TARIFFS = ["Day", "Night", "Weekend"]
DAY_END = 86_399


@st.composite
def schedules(draw: st.DrawFn) -> GroupPrices:
    """A day-by-day schedule: each day cut at random seconds, each piece a random tariff
    or left as a gap."""
    slots: list[TimeSlot] = []
    for day in Weekday:
        cuts = sorted(draw(st.sets(st.integers(1, DAY_END), max_size=5)))
        bounds = [0, *cuts, DAY_END + 1]
        for start, end in pairwise(bounds):
            name = draw(st.sampled_from([*TARIFFS, ""]))
            if name:
                slots.append(
                    time_slot(
                        day=day,
                        start=clock(start),
                        end=clock(end - 1),
                        tariff=name,
                        colour=forms.colour_of(TARIFFS, name).value,
                    )
                )
    return GroupPrices("1", currency("EUR"), tuple(slots))


@given(schedules())
def test_the_exact_times_text_reads_back_into_the_same_slots(prices: GroupPrices) -> None:
    plans = forms.slots_from_text(forms.slots_text(prices), TARIFFS, "slots")
    read = [
        (plan["daysOfTheWeek"][0], s["startTime"], s["endTime"], s["tariffName"], s["color"])
        for plan in plans
        for s in plan["timeSlots"]
    ]
    expected = [
        (s.day.name, clock(s.start), clock(s.end), s.tariff, s.colour.value)
        for s in sorted(prices.slots, key=lambda s: (s.day, s.start))
    ]
    assert read == expected


@given(schedules())
def test_each_grid_cell_shows_the_tariff_at_the_start_of_its_hour(prices: GroupPrices) -> None:
    cells = forms.grid(prices)
    assert [len(row) for row in cells] == [24] * 7
    for row in cells:
        for cell in row:
            second = cell.hour * 3600
            covering = [
                s.tariff
                for s in prices.slots
                if s.day.name == cell.day and s.start <= second <= s.end
            ]
            assert cell.tariff == (covering[0] if covering else "")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("MONDAY 06:00:00 Day", 1),
        ("MONDAY 00:00:00-05:59:59 Night\n\nMONDAY", 3),
        ("MONDAY 06:00:00-07:00:00-08:00:00 Day", 1),
        ("MONDAY 06:00:00-07:00:00", 1),
    ],
    ids=["no end", "a day alone", "three times", "no tariff"],
)
def test_an_unreadable_line_is_refused_with_its_number(text: str, line: int) -> None:
    with pytest.raises(InvalidRecord) as refused:
        forms.slots_from_text(text, TARIFFS, "slots")
    assert refused.value.problems[0].code == "slot.line_unreadable"
    assert refused.value.problems[0].message.startswith(f"Line {line} ")


def test_a_tariff_under_an_existing_name_replaces_it_and_keeps_the_others() -> None:
    body = {"tariffs": [{"name": "Day", "currency": "EUR"}, {"name": "Night", "currency": "EUR"}]}
    changed = forms.with_tariff(body, {"name": "Day", "currency": "CHF"})
    assert changed["tariffs"] == [
        {"name": "Night", "currency": "EUR"},
        {"name": "Day", "currency": "CHF"},
    ]
    assert forms.without_tariff(changed, "Night")["tariffs"] == [{"name": "Day", "currency": "CHF"}]
