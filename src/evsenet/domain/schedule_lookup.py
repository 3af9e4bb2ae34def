"""Which tariff applies at a second of the week, and at an instant in an EVSE's zone.

`WeekLookup` compiles a schedule without overlaps into a sorted list of boundaries (the
week-seconds at which the tariff may change) and answers `tariff_at` with one bisection:
O(log n) per question, whatever the number of slots. A stretch no slot covers answers
None (a schedule with gaps cannot be published, but a draft can be looked at).

`tariff_at_instant` reads an aware instant on the wall clock of an IANA zone with
`zoneinfo`. So on the spring-forward day the skipped hour (02:00–02:59 in Berlin on
2026-03-29) never occurs, and on the fall-back day the repeated hour (02:00–02:59 on
2026-10-25) is priced twice by the tariff of that wall time: the schedule is in local
time, as the EVSE shows it.

`ScheduleInterval`s are the form the pricing engine compiles: ordered, per weekday,
inclusive seconds of the day, one tariff each.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evsenet.domain.errors import DomainError
from evsenet.domain.schedule import (
    SECONDS_PER_DAY,
    TimeSlot,
    Weekday,
    ordered,
    schedule_problems,
)


@dataclass(frozen=True, slots=True)
class ScheduleInterval:
    """`tariff` applies on `day` from second `start` to second `end` (inclusive)."""

    day: Weekday
    start: int
    end: int
    tariff: str


def intervals(slots: Iterable[TimeSlot], *, merge: bool = False) -> tuple[ScheduleInterval, ...]:
    """The slots as ordered intervals (day, start, end). With `merge`, neighbouring
    intervals of one day that name the same tariff (by name, as written) become one."""
    result: list[ScheduleInterval] = []
    for slot in ordered(slots):
        last = result[-1] if result else None
        if (
            merge
            and last is not None
            and last.day == slot.day
            and last.end + 1 == slot.start
            and last.tariff == slot.tariff
        ):
            result[-1] = ScheduleInterval(slot.day, last.start, slot.end, slot.tariff)
        else:
            result.append(ScheduleInterval(slot.day, slot.start, slot.end, slot.tariff))
    return tuple(result)


class WeekLookup:
    """The tariff of any second of the week, from a schedule without overlaps."""

    __slots__ = ("_boundaries", "_tariffs")

    def __init__(self, slots: Iterable[TimeSlot]) -> None:
        listed = ordered(slots)
        overlaps = [p for p in schedule_problems(listed) if p.code == "schedule.overlap"]
        if overlaps:
            raise DomainError(
                "schedule.overlap",
                "A schedule with overlapping slots has no single tariff at "
                + "; ".join(p.message for p in overlaps[:3]),
                field="slots",
            )
        boundaries: list[int] = [0]
        tariffs: list[str | None] = [None]
        for slot in listed:
            start, after = slot.week_start, slot.week_end + 1
            if boundaries[-1] == start:
                tariffs[-1] = slot.tariff
            else:
                boundaries.append(start)
                tariffs.append(slot.tariff)
            boundaries.append(after)
            tariffs.append(None)
        self._boundaries = boundaries
        self._tariffs = tariffs

    @property
    def boundaries(self) -> tuple[int, ...]:
        """The week-seconds at which the answer may change (0 first)."""
        return tuple(self._boundaries)

    def tariff_at_second(self, week_second: int) -> str | None:
        """The tariff at `week_second` (0 = Monday 00:00:00), or None in a gap."""
        if not 0 <= week_second < 7 * SECONDS_PER_DAY:
            raise ValueError(f"{week_second} is not a second of the week")
        return self._tariffs[bisect_right(self._boundaries, week_second) - 1]

    def tariff_at(self, day: Weekday, at: time | int) -> str | None:
        """The tariff on `day` at wall time `at` (a `time`, or the second of the day)."""
        second = at if isinstance(at, int) else at.hour * 3600 + at.minute * 60 + at.second
        if not 0 <= second < SECONDS_PER_DAY:
            raise ValueError(f"{second} is not a second of the day")
        return self.tariff_at_second(day * SECONDS_PER_DAY + second)

    def tariff_at_instant(self, instant: datetime, zone: str | ZoneInfo) -> str | None:
        """The tariff at an aware `instant` read on the wall clock of IANA `zone`."""
        day, second = local_week_time(instant, zone)
        return self.tariff_at(day, second)


@lru_cache(maxsize=1024)
def zone_info(name: str) -> ZoneInfo:
    """The IANA zone `name`; raises `DomainError` `time_zone.unknown`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            "time_zone.unknown", f"{name!r} is not an IANA time zone", field="time_zone"
        ) from None


def local_week_time(instant: datetime, zone: str | ZoneInfo) -> tuple[Weekday, int]:
    """The weekday and second of the day that the wall clock of `zone` shows at `instant`.

    Raises `DomainError` `time.naive` for an instant without a UTC offset: a naive time
    could be any of 38 offsets.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DomainError(
            "time.naive", f"{instant.isoformat()} has no UTC offset; give an aware instant"
        )
    local = instant.astimezone(zone if isinstance(zone, ZoneInfo) else zone_info(zone))
    return Weekday(local.weekday()), local.hour * 3600 + local.minute * 60 + local.second
