"""Review: every blocking problem of an offer's prices, and each group's coverage."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from evsenet.domain.money import currency
from evsenet.domain.offer import GroupPrices, Offer, offer_terms, with_group_currency
from evsenet.domain.offer_review import NetworkGroup, group_coverage, offer_problems
from evsenet.domain.schedule import Colour, TimeSlot, Weekday
from evsenet.domain.tariff import Tariff, pricing_component

TERMS = offer_terms(
    now=datetime(2026, 11, 29, 12, tzinfo=UTC),
    name="Berlin 2027",
    description=None,
    service_type=1,
    offer_to_all=True,
    providers=[],
    valid_from=datetime(2027, 1, 1, tzinfo=UTC),
    valid_to=None,
    notice_days=None,
    lead_time_days=42,
    cancellation_days=30,
    minimum_term_days=1,
    two_step=None,
    attachment_id=None,
    network_id="net-1",
    vat_percent=Decimal(19),
)
EUR, CHF = currency("EUR"), currency("CHF")
ENERGY = pricing_component(type="CHARGING_ENERGY", reference_unit="KILOWATT_HOUR", cost=Decimal(1))
DAY, NIGHT = Tariff("Day", EUR, (ENERGY,)), Tariff("Night", EUR, (ENERGY,))
GROUPS = [NetworkGroup("g-1", "North"), NetworkGroup("g-2", "South")]


def week(tariff: str) -> tuple[TimeSlot, ...]:
    return tuple(TimeSlot(day, 0, 86_399, tariff, Colour.INDIGO) for day in Weekday)


def offer(tariffs: tuple[Tariff, ...], groups: tuple[GroupPrices, ...]) -> Offer:
    return Offer(TERMS, tariffs, groups)


def test_a_complete_offer_has_no_blocking_problem() -> None:
    complete = offer(
        (DAY, NIGHT), (GroupPrices("g-1", EUR, week("day")), GroupPrices("g-2", EUR, week("Night")))
    )
    assert offer_problems(complete, GROUPS) == []
    assert complete.tariff("NIGHT") == NIGHT


def test_review_lists_every_blocking_problem_with_where_it_is() -> None:
    tuesday_gap = (
        *tuple(s for s in week("Day") if s.day != Weekday.TUESDAY),
        TimeSlot(Weekday.TUESDAY, 0, 21599, "Day", Colour.INDIGO),
        TimeSlot(Weekday.TUESDAY, 25200, 86399, "Day", Colour.INDIGO),
    )
    broken = offer(
        (DAY, Tariff("DAY", EUR, (ENERGY,)), Tariff("Swiss", CHF, (ENERGY,))),
        (
            GroupPrices("g-1", EUR, tuesday_gap),
            GroupPrices("g-9", EUR, week("Day")),
            GroupPrices("g-1", EUR, week("Day")),
        ),
    )
    found = [(p.code, p.field, p.group_id, p.message) for p in offer_problems(broken, GROUPS)]
    assert found == [
        (
            "offer.tariff_duplicate",
            "tariffs[1].name",
            None,
            "Tariff name 'DAY' is used twice (letter case does not count)",
        ),
        (
            "schedule.gap",
            "groups[0].slots",
            "g-1",
            "Group North: TUESDAY 06:00:00–06:59:59 has no tariff",
        ),
        (
            "offer.group_unknown",
            "groups[1]",
            "g-9",
            "Group g-9 is not a group of the offer's network",
        ),
        ("offer.group_duplicate", "groups[2]", "g-1", "Group g-1 is priced twice"),
        (
            "offer.group_unpriced",
            "groups",
            "g-2",
            "Group South has no currency and schedule under this offer",
        ),
    ]


def test_review_names_tariffs_of_another_currency_and_unknown_tariffs() -> None:
    swiss = Tariff("Swiss", CHF, (ENERGY,))
    mixed = (*week("Day")[:6], TimeSlot(Weekday.SUNDAY, 0, 86399, "Swiss", Colour.INDIGO))
    unknown = week("Weekend")
    found = offer_problems(
        offer((DAY, swiss), (GroupPrices("g-1", EUR, mixed), GroupPrices("g-2", EUR, unknown))),
        GROUPS,
    )
    assert [(p.code, p.group_id, p.day) for p in found][:2] == [
        ("schedule.currency_mismatch", "g-1", Weekday.SUNDAY),
        ("schedule.unknown_tariff", "g-2", Weekday.MONDAY),
    ]
    assert len(found) == 8


def test_an_offer_without_tariffs_is_blocked() -> None:
    found = offer_problems(offer((), ()), [])
    assert [p.code for p in found] == ["offer.tariffs_missing"]


def test_coverage_shows_each_network_group_with_its_currency_and_covered_share() -> None:
    half_monday = (TimeSlot(Weekday.MONDAY, 0, 43_199, "Day", Colour.INDIGO),)
    overlapping = (*week("Day"), TimeSlot(Weekday.MONDAY, 0, 99, "Day", Colour.INDIGO))
    coverage = group_coverage(
        offer((DAY,), (GroupPrices("g-1", EUR, half_monday),)),
        [*GROUPS, NetworkGroup("g-3", "East")],
    )
    assert [(c.group_id, c.currency, c.covered_seconds, c.complete) for c in coverage] == [
        ("g-1", EUR, 43_200, False),
        ("g-2", None, 0, False),
        ("g-3", None, 0, False),
    ]
    assert coverage[0].covered_percent == Decimal("7.14")
    (full,) = group_coverage(offer((DAY,), (GroupPrices("g-1", EUR, overlapping),)), GROUPS[:1])
    assert (full.complete, full.covered_percent) == (True, Decimal("100.00"))


def test_a_schedule_with_more_slots_than_every_quarter_hour_is_refused_unread() -> None:
    quarter_hours = tuple(
        TimeSlot(day, q * 900, q * 900 + 899, "Day", Colour.INDIGO)
        for day in Weekday
        for q in range(96)
    )
    allowed = offer((DAY,), (GroupPrices("g-1", EUR, quarter_hours),))
    assert offer_problems(allowed, GROUPS[:1]) == []
    extra = (*quarter_hours, TimeSlot(Weekday.MONDAY, 0, 0, "Day", Colour.INDIGO))
    (problem,) = offer_problems(offer((DAY,), (GroupPrices("g-1", EUR, extra),)), GROUPS[:1])
    assert (problem.code, problem.field) == ("schedule.too_many_slots", "groups[0].slots")
    assert problem.message == (
        "Group North has 673 time slots; at most 672 (every 15 minutes of the week) are allowed"
    )


def test_changing_a_groups_currency_removes_its_slots_and_says_how_many() -> None:
    draft = offer((DAY,), (GroupPrices("g-1", EUR, week("Day")),))
    same, removed = with_group_currency(draft, "g-1", EUR)
    assert (same, removed) == (draft, 0)
    swiss, removed = with_group_currency(draft, "g-1", CHF)
    assert removed == 7
    assert swiss.groups == (GroupPrices("g-1", CHF, ()),)
    added, removed = with_group_currency(draft, "g-2", CHF)
    assert removed == 0
    assert added.groups[1] == GroupPrices("g-2", CHF, ())
