"""Schedule speed: validating a busy weekly schedule and looking up tariffs.

    .venv/bin/python benchmarks/bench_schedule.py [--slots-per-day 96] [--lookups 200000]

A schedule of `--slots-per-day` equal slots on each of the seven days (96 = every 15
minutes, the busiest a schedule editor makes), four tariffs in turn. Prints the median of
five rounds: one `schedule_problems` run, one `WeekLookup` compile, and the lookups per
second of `tariff_at_second` and of `tariff_at_instant` (an aware instant read in
Europe/Berlin through zoneinfo), and the validator's worst case: `MAX_SLOTS` nested slots
of distinct tariffs on one day.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from evsenet.domain.schedule import (
    MAX_SLOTS,
    SECONDS_PER_DAY,
    SECONDS_PER_WEEK,
    Colour,
    TimeSlot,
    Weekday,
    schedule_problems,
)
from evsenet.domain.schedule_lookup import WeekLookup


def busy_week(per_day: int) -> list[TimeSlot]:
    width = SECONDS_PER_DAY // per_day
    slots = []
    for day in Weekday:
        for index in range(per_day):
            end = SECONDS_PER_DAY - 1 if index == per_day - 1 else (index + 1) * width - 1
            slots.append(TimeSlot(day, index * width, end, "ABCD"[index % 4], Colour.INDIGO))
    return slots


def nested_day(count: int) -> list[TimeSlot]:
    """The validator's worst case: `count` slots on Monday, each inside the one before,
    each naming its own tariff (every stretch is an overlap listing many names)."""
    return [
        TimeSlot(Weekday.MONDAY, i, SECONDS_PER_DAY - 1 - i, f"T{i}", Colour.INDIGO)
        for i in range(count)
    ]


def median_seconds(run: Callable[[], object], rounds: int = 5) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slots-per-day", type=int, default=96)
    parser.add_argument("--lookups", type=int, default=200_000)
    options = parser.parse_args()
    slots = busy_week(options.slots_per_day)
    lookup = WeekLookup(slots)
    rng = random.Random(7)
    seconds = [rng.randrange(SECONDS_PER_WEEK) for _ in range(options.lookups)]
    base = datetime(2026, 10, 19, tzinfo=UTC)
    instants = [base + timedelta(seconds=s) for s in seconds]
    validate = median_seconds(lambda: schedule_problems(slots))
    compile_ = median_seconds(lambda: WeekLookup(slots))
    by_second = median_seconds(lambda: [lookup.tariff_at_second(s) for s in seconds])
    by_instant = median_seconds(
        lambda: [lookup.tariff_at_instant(i, "Europe/Berlin") for i in instants]
    )
    worst = nested_day(MAX_SLOTS)
    nested = median_seconds(lambda: schedule_problems(worst), rounds=3)
    print(f"slots: {len(slots)} ({options.slots_per_day} per day)")
    print(f"schedule_problems: {validate * 1000:.2f} ms")
    print(f"WeekLookup compile: {compile_ * 1000:.2f} ms")
    print(f"tariff_at_second: {options.lookups / by_second:,.0f} lookups/s")
    print(f"tariff_at_instant (Europe/Berlin): {options.lookups / by_instant:,.0f} lookups/s")
    print(f"schedule_problems, worst case ({MAX_SLOTS} nested slots): {nested * 1000:.1f} ms")


if __name__ == "__main__":
    main()
