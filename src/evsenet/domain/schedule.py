"""A group's weekly schedule: for each day, time slots naming a tariff, in local time.

A slot covers `start`…`end` of one weekday, both inclusive to the second, as Hubject
writes them: `00:00:00`–`21:59:59` and `22:00:00`–`23:59:59` cover a whole day. Times are
`HH:MM:SS` from `00:00:00` to `23:59:59`; `24:00:00` does not exist (the last second of a
day is `23:59:59`). A slot names its tariff and one of Hubject's five display colours.

`schedule_problems` finds every problem of a schedule at once — each gap, each overlap,
each slot naming a tariff the offer does not have or a tariff of another currency than
the group's — with a message that names the day and the exact seconds:
"TUESDAY 06:00:00–06:59:59 has no tariff". The weekly lookup (`WeekLookup`) lives in
`evsenet.domain.schedule_lookup`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from evsenet.domain.errors import FieldProblem, InvalidRecord
from evsenet.domain.money import Currency
from evsenet.domain.tariff import Tariff, name_key

SECONDS_PER_DAY = 86_400
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY
LAST_SECOND = SECONDS_PER_DAY - 1
MAX_SLOTS = 7 * 96
"""Slots a group's weekly schedule may have: every 15 minutes of the week (dynamic
prices) fits; more is refused by review (`schedule.too_many_slots`), which keeps the
validator's work bounded."""
MESSAGE_NAMES = 5
"""Tariff names an overlap message lists before it says "and N more"."""
_CLOCK = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})")


class Weekday(IntEnum):
    """A day of the week; the values are `datetime.weekday()`'s (Monday is 0)."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class Colour(StrEnum):
    """The display colours Hubject offers for a time slot."""

    POWDER_BLUE = "Powder blue"
    ICEBERG = "Iceberg"
    INDIGO = "Indigo"
    WATER_BLUE = "Water blue"
    CAROLINA = "Carolina"


@dataclass(frozen=True, slots=True)
class TimeSlot:
    """`tariff` applies on `day` from second `start` to second `end` of the day, inclusive."""

    day: Weekday
    start: int
    end: int
    tariff: str
    colour: Colour

    @property
    def week_start(self) -> int:
        """The slot's first second counted from Monday 00:00:00."""
        return self.day * SECONDS_PER_DAY + self.start

    @property
    def week_end(self) -> int:
        """The slot's last second (inclusive) counted from Monday 00:00:00."""
        return self.day * SECONDS_PER_DAY + self.end


@dataclass(frozen=True, slots=True)
class ScheduleProblem:
    """One thing that keeps a schedule from pricing every second of the week once.

    `start`/`end` are seconds of `day`, inclusive; `tariffs` the distinct tariff names
    involved, in the order they began to cover the stretch.
    """

    code: str
    message: str
    day: Weekday
    start: int
    end: int
    tariffs: tuple[str, ...] = ()


def clock(seconds: int) -> str:
    """`HH:MM:SS` of a second of the day: 3600 → `01:00:00`."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def span(day: Weekday, start: int, end: int) -> str:
    """How a message names a stretch of one day: `TUESDAY 06:00:00–06:59:59`."""
    return f"{day.name} {clock(start)}–{clock(end)}"


def parse_clock(text: object, field: str) -> int:
    """The second of the day of an `HH:MM:SS` time; raises `InvalidRecord`.

    `24:00:00` is refused: a slot ends inclusively at `23:59:59`.
    """
    match = _CLOCK.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidRecord(
            [FieldProblem(field, "slot.time_malformed", f"Time {text!r} is not written HH:MM:SS")]
        )
    hours, minutes, seconds = (int(part) for part in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        hint = " (a day ends at 23:59:59, inclusive)" if hours == 24 else ""
        raise InvalidRecord(
            [
                FieldProblem(
                    field,
                    "slot.time_out_of_range",
                    f"Time {text} is not a time of day between 00:00:00 and 23:59:59{hint}",
                )
            ]
        )
    return hours * 3600 + minutes * 60 + seconds


def parse_day(text: object, field: str) -> Weekday:
    """The weekday named `MONDAY` … `SUNDAY`; raises `InvalidRecord`."""
    if isinstance(text, str) and text in Weekday.__members__:
        return Weekday[text]
    raise InvalidRecord(
        [FieldProblem(field, "slot.day_unknown", f"{text!r} is not a day MONDAY … SUNDAY")]
    )


def parse_colour(text: object, field: str) -> Colour:
    """One of Hubject's slot colours (exact spelling); raises `InvalidRecord`."""
    if isinstance(text, str) and text in Colour._value2member_map_:
        return Colour(text)
    allowed = ", ".join(colour.value for colour in Colour)
    raise InvalidRecord(
        [FieldProblem(field, "slot.colour_unknown", f"Colour {text!r} is not one of {allowed}")]
    )


def time_slot(*, day: Weekday, start: str, end: str, tariff: str, colour: str) -> TimeSlot:
    """A slot from Hubject's texts; raises `InvalidRecord` listing every problem
    (fields `start`, `end`, `tariff`, `colour`)."""
    problems: list[FieldProblem] = []
    first = last = None
    try:
        first = parse_clock(start, "start")
    except InvalidRecord as error:
        problems.extend(error.problems)
    try:
        last = parse_clock(end, "end")
    except InvalidRecord as error:
        problems.extend(error.problems)
    if first is not None and last is not None and last < first:
        problems.append(
            FieldProblem(
                "end",
                "slot.end_before_start",
                f"{day.name}: the slot ends at {end}, before it starts at {start}; a slot "
                "cannot cross midnight (split it in two days)",
            )
        )
    if not isinstance(tariff, str) or not tariff.strip():
        problems.append(FieldProblem("tariff", "slot.tariff_missing", "A slot names a tariff"))
    try:
        hue = parse_colour(colour, "colour")
    except InvalidRecord as error:
        problems.extend(error.problems)
    if problems:
        raise InvalidRecord(problems)
    assert first is not None
    assert last is not None
    return TimeSlot(day, first, last, tariff.strip(), hue)


def ordered(slots: Iterable[TimeSlot]) -> list[TimeSlot]:
    """Slots in week order (day, start, end)."""
    return sorted(slots, key=lambda slot: (slot.day, slot.start, slot.end))


def covered_seconds(slots: Iterable[TimeSlot]) -> int:
    """How many seconds of the week at least one slot covers (604800 = the whole week)."""
    total, reach = 0, -1
    for slot in sorted(slots, key=lambda s: s.week_start):
        start, end = max(slot.week_start, reach + 1), slot.week_end
        if end >= start:
            total += end - start + 1
        reach = max(reach, end)
    return total


def schedule_problems(
    slots: Sequence[TimeSlot],
    *,
    tariffs: Mapping[str, Tariff] | None = None,
    currency: Currency | None = None,
) -> list[ScheduleProblem]:
    """Every problem of a weekly schedule, in week order.

    - `schedule.gap`: a stretch of a day no slot covers;
    - `schedule.overlap`: a stretch covered by more than one slot (one problem per
      maximal stretch covered by the same slots);
    - `schedule.unknown_tariff`: a slot names a tariff not in `tariffs` (keyed by
      `name_key`; skipped when `tariffs` is None);
    - `schedule.currency_mismatch`: a slot's tariff is in another currency than the
      group's `currency` (skipped when `currency` is None).
    """
    problems: list[ScheduleProblem] = []
    by_day: dict[Weekday, list[TimeSlot]] = {day: [] for day in Weekday}
    for slot in ordered(slots):
        by_day[slot.day].append(slot)
    for day in Weekday:
        problems.extend(_coverage_problems(day, by_day[day]))
    if tariffs is not None:
        problems.extend(_tariff_problems(ordered(slots), tariffs, currency))
    return sorted(problems, key=lambda p: (p.day, p.start, p.end, p.code))


def _coverage_problems(day: Weekday, slots: list[TimeSlot]) -> list[ScheduleProblem]:
    """Sweep one day's slot edges, counting the slots (and their tariffs) that cover each
    stretch between two edges. Every edge changes the covering slots, so each stretch
    between edges is reported on its own. O(n log n) plus the tariff names listed."""
    edges: dict[int, list[tuple[int, str]]] = {0: [], SECONDS_PER_DAY: []}
    for slot in slots:
        edges.setdefault(slot.start, []).append((+1, slot.tariff))
        edges.setdefault(slot.end + 1, []).append((-1, slot.tariff))
    names: dict[str, int] = {}
    """Covering slots per tariff name, in the order the names began to cover."""
    count = 0
    problems = []
    points = sorted(edges)
    for here, following in itertools.pairwise(points):
        # additions first, so that a tariff continuing across the edge keeps its place
        for change, name in sorted(edges[here], key=lambda event: -event[0]):
            count += change
            left = names.get(name, 0) + change
            if left:
                names[name] = left
            else:
                del names[name]
        end = following - 1
        if count == 0:
            problems.append(
                ScheduleProblem(
                    "schedule.gap", f"{span(day, here, end)} has no tariff", day, here, end
                )
            )
        elif count > 1:
            problems.append(
                ScheduleProblem(
                    "schedule.overlap",
                    f"{span(day, here, end)} is covered by {_covered_by(names, count)}",
                    day,
                    here,
                    end,
                    tuple(names),
                )
            )
    return problems


def _covered_by(names: Mapping[str, int], count: int) -> str:
    distinct = list(names)
    if len(distinct) == 1:
        return f"{count} slots of tariff {distinct[0]}"
    if len(distinct) > MESSAGE_NAMES:
        shown = ", ".join(distinct[:MESSAGE_NAMES])
        return f"tariffs {shown} and {len(distinct) - MESSAGE_NAMES} more"
    return "tariffs " + ", ".join(distinct[:-1]) + " and " + distinct[-1]


def _tariff_problems(
    slots: list[TimeSlot], tariffs: Mapping[str, Tariff], currency: Currency | None
) -> list[ScheduleProblem]:
    problems = []
    for slot in slots:
        known = tariffs.get(name_key(slot.tariff))
        where = span(slot.day, slot.start, slot.end)
        if known is None:
            problems.append(
                ScheduleProblem(
                    "schedule.unknown_tariff",
                    f"{where} names tariff {slot.tariff!r}, which the offer does not define",
                    slot.day,
                    slot.start,
                    slot.end,
                    (slot.tariff,),
                )
            )
        elif currency is not None and known.currency != currency:
            problems.append(
                ScheduleProblem(
                    "schedule.currency_mismatch",
                    f"{where} uses tariff {known.name} in {known.currency.code}, but the "
                    f"group is priced in {currency.code}",
                    slot.day,
                    slot.start,
                    slot.end,
                    (known.name,),
                )
            )
    return problems
