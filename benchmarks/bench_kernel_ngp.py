"""Totals of NGP sessions under a tariff with a parking grace and a blocking fee from
charging end: the reference engine against the compiled kernel.

    .venv/bin/python benchmarks/bench_kernel_ngp.py [--sessions 20000] [--seed 9]

The group's schedule (Europe/Berlin, the week of the 2025 autumn DST change) is Day
06:00–21:59:59 — energy 0.39/kWh, charging time 0.013/min, a 0.50 session fee, parking
0.05/min after a 30-minute grace, a blocking fee of 6.00/h from 120 minutes after charging
end — and Night: energy 0.29/kWh, parking 0.05/min after a 60-minute grace. Both graces
are `min_duration_after_charging` (evsenet's extension) in the one engine tariff
`ngp.compile_group` makes of the schedule.

Sessions: 60 % charge then park (a wait of up to 10 minutes, 10–300 minutes charging,
up to 10 hours parked), 15 % charge to the end, 10 % park only, 15 % end exactly at a
grace (charging end + 30 or 120 minutes, give or take one microsecond). Each is priced
by `price_session` (the reference engine, totals taken from its breakdown) and by
`price_totals` (the kernel, the reference engine for what it declines); prints sessions per
second (wall clock and this process's CPU time: the machine is shared), the share the
kernel handled, and whether every total agrees.

To measure another checkout's kernel (before/after), put its `src` first on `sys.path`
and run this file with `runpy`; it then does not add its own.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

if "evsenet" not in sys.modules:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from evsenet.domain.pricing import Session, compile_tariff, price_session
from evsenet.domain.pricing.kernel import (
    SessionTotals,
    kernel_rows,
    prepare,
    price_totals,
)
from evsenet.domain.pricing.ngp import compile_group
from evsenet.domain.pricing.ngp_session import NgpSession, engine_session
from evsenet.domain.schedule import Colour, TimeSlot, Weekday
from evsenet.domain.tariff import Tariff, pricing_component, tariff

ZONE = ZoneInfo("Europe/Berlin")
FIRST = datetime(2025, 10, 20, tzinfo=UTC)
D = Decimal
T = TypeVar("T")


def _tariffs() -> dict[str, Tariff]:
    day = tariff(
        name="Day",
        currency_code="EUR",
        components=(
            pricing_component(
                type="CHARGING_ENERGY", reference_unit="KILOWATT_HOUR", cost=D("0.39")
            ),
            pricing_component(type="CHARGING_TIME", reference_unit="MINUTE", cost=D("0.013")),
            pricing_component(type="SESSION", reference_unit="NONE", cost=D("0.50")),
            pricing_component(
                type="PARKING", reference_unit="MINUTE", cost=D("0.05"), grace_minutes=30
            ),
            pricing_component(
                type="BLOCKING_FEE",
                reference_unit="HOUR",
                cost=D("6.00"),
                grace_minutes=120,
                fee_initiated="CHARGING_END",
            ),
        ),
    )
    night = tariff(
        name="Night",
        currency_code="EUR",
        components=(
            pricing_component(
                type="CHARGING_ENERGY", reference_unit="KILOWATT_HOUR", cost=D("0.29")
            ),
            pricing_component(
                type="PARKING", reference_unit="MINUTE", cost=D("0.05"), grace_minutes=60
            ),
        ),
    )
    return {day.key: day, night.key: night}


def _slots() -> list[TimeSlot]:
    slots = []
    for weekday in Weekday:
        slots += [
            TimeSlot(weekday, 0, 6 * 3600 - 1, "Night", Colour.INDIGO),
            TimeSlot(weekday, 6 * 3600, 22 * 3600 - 1, "Day", Colour.ICEBERG),
            TimeSlot(weekday, 22 * 3600, 86_399, "Night", Colour.INDIGO),
        ]
    return slots


def generate(count: int, seed: int) -> list[Session]:
    """`count` NGP sessions of the kinds above, as the engine's sessions."""
    rng = random.Random(seed)
    sessions = []
    for _ in range(count):
        start = FIRST + timedelta(
            seconds=rng.randrange(7 * 86_400), microseconds=rng.randrange(10**6)
        )
        kind = rng.random()
        charge_from = start + timedelta(seconds=rng.randrange(600))
        charge_to = charge_from + timedelta(seconds=rng.randrange(600, 18_000))
        kwh = D(rng.randrange(100, 80_000)) / 1000
        if kind < 0.60:
            end = charge_to + timedelta(seconds=rng.randrange(36_000))
        elif kind < 0.75:
            end = charge_to
        elif kind < 0.85:
            charge_from = charge_to = start
            kwh = D(0)
            end = start + timedelta(seconds=rng.randrange(60, 36_000))
        else:
            grace = rng.choice([30, 120]) * 60
            end = charge_to + timedelta(seconds=grace, microseconds=rng.choice([-1, 0, 1]))
        session, _ = engine_session(
            NgpSession(
                session_start=start,
                session_end=end,
                charging_start=charge_from,
                charging_end=charge_to,
                energy_kwh=kwh,
            ),
            ZONE,
        )
        sessions.append(session)
    return sessions


def _timed(label: str, count: int, work: Callable[[], T]) -> T:
    began, began_cpu = time.perf_counter(), time.process_time()
    answer = work()
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    print(
        f"  {label:<34} {wall:6.2f} s {count / wall:9,.0f}/s wall"
        f" {cpu:6.2f} s {count / cpu:9,.0f}/s CPU"
    )
    return answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    group = compile_group(_slots(), _tariffs(), D(19), tariff_id="ngp")
    compiled = compile_tariff(group.tariff)
    prepared = prepare(compiled)
    sessions = generate(args.sessions, args.seed)
    count = len(sessions)
    print(
        f"{count:,} NGP sessions, {len(group.tariff.elements)} elements, "
        f"kernel declines the tariff: {prepared.declined or 'no'}"
    )
    reference = _timed(
        "reference engine (price_session)",
        count,
        lambda: [SessionTotals.of(price_session(compiled, s)) for s in sessions],
    )
    totals = _timed("kernel totals (price_totals)", count, lambda: price_totals(prepared, sessions))
    rows = _timed("raw kernel rows (kernel_rows)", count, lambda: kernel_rows(prepared, sessions))
    handled = sum(row is not None for row in rows)
    agree = all(
        t.by_kernel == (row is not None) and t == (r.with_kernel() if t.by_kernel else r)
        for t, r, row in zip(totals, reference, rows, strict=True)
    )
    print(f"  kernel handled {handled:,} of {count:,}; every total agrees: {agree}")


if __name__ == "__main__":
    main()
