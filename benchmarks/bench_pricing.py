"""Pricing speed and agreement: evsenet's engine against the peer pricer `ocpi-tariffs`.

    .venv/bin/python benchmarks/bench_pricing.py [--sessions 100000] [--seed 9] [--no-peer]
        [--rounds 3]

Generates OCPI 2.2.1 CDRs (Europe/Berlin, the week of the 2025 spring DST change) under
six tariffs: flat energy; start fee + energy + parking with a 15-minute step; time of use
with a window across midnight and weekdays; TIME with different step sizes before and
after 17:00 (OCPI's step_size example); the spec's complex tariff (current, weekdays,
parking windows); kWh tiers with min and max price. Sessions have one to three charging
periods of 5–150 minutes at 3.7–150 kW and an optional parking period, so they cross
time-of-day borders and midnight.

Prices every CDR with evsenet — the reference engine (itemised breakdown) and the totals
path (the compiled kernel, `domain/pricing/kernel.py`, with the reference engine for the
sessions it does not handle), tariffs and the zone's offsets prepared once — and, in the
same run, with the peer `ocpi_tariffs.v2_2_1.tariff_calculator.calculate_cdr_cost`; prints
sessions per second (wall clock, and this process's CPU time: the machine is shared; each
phase run `--rounds` times, the fastest round counted, for both engines alike) for
pricing alone and for reading the JSON plus pricing, the ratios (target: evsenet ≥ 10× the
peer), the share of sessions the kernel handled, that its totals equal the reference
engine's, and how many totals differ from the peer's (its 4-decimal totals rounded
half-up to cents), by the first reason that applies.

The peer is a benchmark-time dependency, not a project one (its PyPI wheel is empty):
    .venv/bin/pip install --no-deps ../shared/peer-tools/ocpi-tariffs-py
Without it (or with --no-peer) only evsenet is measured.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as datetime_time
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from evsenet.domain.pricing import (
    CompiledTariff,
    PriceBreakdown,
    Session,
    compile_tariff,
    price_session,
)
from evsenet.domain.pricing.kernel import (
    KernelRow,
    KernelTariff,
    SessionTotals,
    kernel_rows,
    prepare,
    price_totals,
    totals_of,
    zone_table,
)
from evsenet.formats.ocpi import read_cdr, read_tariff
from evsenet.formats.ocpi.cdrs import OcpiCdr

ZONE = ZoneInfo("Europe/Berlin")
FIRST_DAY = datetime(2025, 3, 24, tzinfo=ZONE).astimezone(UTC)
"""Monday 00:00 local; sessions are laid out in UTC (wall-clock arithmetic would fold)."""
CENT = Decimal("0.01")
MIDNIGHT = datetime_time(0)
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


def _component(kind: str, price: str, vat: float | None = 19.0, step: int = 1) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "price": float(price), "step_size": step}
    if vat is not None:
        body["vat"] = vat
    return body


def _tariff(tariff_id: str, elements: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "country_code": "DE",
        "party_id": "EVN",
        "id": tariff_id,
        "currency": "EUR",
        "elements": elements,
        "last_updated": "2025-01-01T00:00:00Z",
        **extra,
    }


TARIFFS = [
    _tariff("energy", [{"price_components": [_component("ENERGY", "0.39")]}]),
    _tariff(
        "start-energy-parking",
        [
            {
                "price_components": [
                    _component("FLAT", "1.00"),
                    _component("ENERGY", "0.35"),
                    _component("PARKING_TIME", "6.00", step=900),
                ]
            }
        ],
    ),
    _tariff(
        "time-of-use",
        [
            {
                "price_components": [_component("ENERGY", "0.25")],
                "restrictions": {"start_time": "22:00", "end_time": "06:00"},
            },
            {
                "price_components": [_component("ENERGY", "0.49")],
                "restrictions": {
                    "start_time": "07:00",
                    "end_time": "20:00",
                    "day_of_week": WEEKDAYS,
                },
            },
            {"price_components": [_component("ENERGY", "0.35")]},
        ],
    ),
    _tariff(
        "step-size",
        [
            {
                "price_components": [
                    _component("TIME", "1.20", None, 1800),
                    _component("PARKING_TIME", "1.00", None, 900),
                ],
                "restrictions": {"start_time": "00:00", "end_time": "17:00"},
            },
            {
                "price_components": [
                    _component("TIME", "2.40", None, 900),
                    _component("PARKING_TIME", "1.00", None, 900),
                ],
                "restrictions": {"start_time": "17:00", "end_time": "20:00"},
            },
            {
                "price_components": [_component("TIME", "2.40", None, 900)],
                "restrictions": {"start_time": "20:00", "end_time": "00:00"},
            },
        ],
    ),
    _tariff(
        "complex",
        [
            {"price_components": [_component("FLAT", "2.50", 15.0)]},
            {
                "price_components": [_component("TIME", "1.00", 20.0, 900)],
                "restrictions": {"max_current": 32.0},
            },
            {
                "price_components": [_component("TIME", "2.00", 20.0, 600)],
                "restrictions": {"min_current": 32.0, "day_of_week": WEEKDAYS},
            },
            {
                "price_components": [_component("TIME", "1.25", 20.0, 600)],
                "restrictions": {"min_current": 32.0, "day_of_week": ["SATURDAY", "SUNDAY"]},
            },
            {
                "price_components": [_component("PARKING_TIME", "5.00", 10.0, 300)],
                "restrictions": {
                    "start_time": "09:00",
                    "end_time": "18:00",
                    "day_of_week": WEEKDAYS,
                },
            },
            {
                "price_components": [_component("PARKING_TIME", "6.00", 10.0, 300)],
                "restrictions": {
                    "start_time": "10:00",
                    "end_time": "17:00",
                    "day_of_week": ["SATURDAY"],
                },
            },
        ],
    ),
    _tariff(
        "tiers-min-max",
        [
            {
                "price_components": [_component("ENERGY", "0.55", step=100)],
                "restrictions": {"max_kwh": 20.0},
            },
            {"price_components": [_component("ENERGY", "0.45", step=100)]},
        ],
        min_price={"excl_vat": 2.00, "incl_vat": 2.38},
        max_price={"excl_vat": 25.00, "incl_vat": 29.75},
    ),
]


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(count: int, seed: int) -> list[tuple[int, dict[str, Any]]]:
    """`count` (tariff index, OCPI CDR) pairs, reproducible from `seed`."""
    rng = random.Random(seed)
    sessions = []
    for number in range(count):
        tariff_index = rng.randrange(len(TARIFFS))
        start = FIRST_DAY + timedelta(minutes=rng.randrange(7 * 24 * 60))
        moment = start
        periods = []
        for _ in range(rng.randint(1, 3)):
            minutes = rng.randint(5, 150)
            power = Decimal(rng.choice(["3.7", "11", "22", "50", "150"]))
            hours = Decimal(minutes) / 60
            energy = (power * hours * Decimal("0.9")).quantize(Decimal("0.001"))
            current = (power * 1000 / 400).quantize(Decimal("0.1"))
            periods.append(
                {
                    "start_date_time": _instant(moment),
                    "dimensions": [
                        {"type": "ENERGY", "volume": float(energy)},
                        {"type": "TIME", "volume": float(hours.quantize(Decimal("0.0001")))},
                        {"type": "CURRENT", "volume": float(current)},
                    ],
                }
            )
            moment += timedelta(minutes=minutes)
        if rng.random() < 0.5:
            minutes = rng.randint(1, 90)
            periods.append(
                {
                    "start_date_time": _instant(moment),
                    "dimensions": [
                        {
                            "type": "PARKING_TIME",
                            "volume": float((Decimal(minutes) / 60).quantize(Decimal("0.0001"))),
                        }
                    ],
                }
            )
            moment += timedelta(minutes=minutes)
        sessions.append(
            (
                tariff_index,
                {
                    "country_code": "DE",
                    "party_id": "EVN",
                    "id": f"CDR{number}",
                    "start_date_time": _instant(start),
                    "end_date_time": _instant(moment),
                    "cdr_location": {"id": "LOC1", "country": "DEU"},
                    "currency": "EUR",
                    "charging_periods": periods,
                    "total_cost": {"excl_vat": 0},
                    "total_energy": 0,
                    "total_time": 0,
                    "last_updated": _instant(moment),
                },
            )
        )
    return sessions


class Seconds(NamedTuple):
    """A phase's wall-clock time and this process's CPU time (the machine is shared: CPU
    time leaves out the time other processes had the cores)."""

    wall: float
    cpu: float

    def __add__(self, other: object) -> Seconds:
        assert isinstance(other, Seconds)
        return Seconds(self.wall + other.wall, self.cpu + other.cpu)

    def ratio(self, other: Seconds) -> str:
        """`self` / `other` as "wall …×, CPU …×"."""
        return f"wall {self.wall / other.wall:.2f}×, CPU {self.cpu / other.cpu:.2f}×"


ROUNDS = 3
"""How many times each phase runs; its fastest round counts (`--rounds`)."""


def _timed(
    label: str, work: Callable[[], list[Any]], count: int, *, rounds: int = ROUNDS
) -> tuple[list[Any], Seconds]:
    """Run `work` `rounds` times, each with the cyclic garbage collector paused (for both
    engines alike: the results of 100,000 sessions stay alive, which would otherwise make
    the collector walk an ever larger heap), and keep the fastest round's wall and CPU
    time: the machine's noise only ever adds time, and a phase of 0.25 s (the kernel's)
    moved the ratio by ±10 % from one single run to the next."""
    measured: list[Seconds] = []
    result: list[Any] = []
    for _ in range(rounds):
        result = []
        gc.collect()
        gc.disable()
        try:
            began, began_cpu = time.perf_counter(), time.process_time()
            result = work()
            measured.append(Seconds(time.perf_counter() - began, time.process_time() - began_cpu))
        finally:
            gc.enable()
    seconds = Seconds(min(r.wall for r in measured), min(r.cpu for r in measured))
    print(
        f"  {label:<40} {seconds.wall:7.2f} s {count / seconds.wall:9,.0f}/s wall"
        f" {seconds.cpu:7.2f} s {count / seconds.cpu:9,.0f}/s CPU"
    )
    return result, seconds


def _wraps_midnight(tariff: CompiledTariff) -> bool:
    """An element whose window runs across midnight or ends at 00:00."""
    return any(
        element.restrictions.end_time is not None
        and (
            element.restrictions.end_time == MIDNIGHT
            or (
                element.restrictions.start_time is not None
                and element.restrictions.start_time > element.restrictions.end_time
            )
        )
        for element in tariff.tariff.elements
    )


def _reason(
    priced: PriceBreakdown, cdr: OcpiCdr, tariff: CompiledTariff, peer_excl: Decimal
) -> str:
    """The first difference between the engines that explains this session's totals."""
    if priced.adjustment is not None:
        return "min/max price applied (the peer ignores min_price and max_price)"
    if abs(priced.total_cost.excl_vat - peer_excl) < CENT:
        return "rounding (the peer rounds to 4 decimals, then this comparison to cents)"
    spans = {(line.start, line.end) for line in priced.lines}
    if len(spans) > len(cdr.session.periods):
        return "a period crosses a restriction border (the peer prices a period by its start)"
    if _wraps_midnight(tariff):
        return "a window across midnight or ending 00:00 (the peer compares times as text)"
    if tariff.kwh_thresholds or any(
        c.restrictions.min_current is not None or c.restrictions.max_current is not None
        for candidates in tariff.candidates.values()
        for c in candidates
    ):
        return "kWh or current restrictions (the peer does not evaluate them)"
    if any(line.step_rounding for line in priced.lines):
        return "step_size (the peer rounds each dimension's total once, TIME never with parking)"
    return "other"


def _by_tariff(generated: list[tuple[int, dict[str, Any]]]) -> list[list[int]]:
    """The positions of the sessions of each tariff."""
    positions: list[list[int]] = [[] for _ in TARIFFS]
    for position, (index, _) in enumerate(generated):
        positions[index].append(position)
    return positions


def _kernel_totals(
    prepared: list[KernelTariff], positions: list[list[int]], sessions: list[Session]
) -> list[KernelRow | PriceBreakdown]:
    """Every session's totals: the kernel's row, or the reference engine's breakdown for a
    session the kernel does not handle (in the order of `sessions`)."""
    result: list[KernelRow | PriceBreakdown | None] = [None] * len(sessions)
    for tariff, where in zip(prepared, positions, strict=True):
        batch = [sessions[position] for position in where]
        for position, row, session in zip(where, kernel_rows(tariff, batch), batch, strict=True):
            result[position] = row if row is not None else price_session(tariff.compiled, session)
    return result  # type: ignore[return-value]


def _as_totals(
    prepared: list[KernelTariff], positions: list[list[int]], sessions: list[Session]
) -> list[SessionTotals]:
    """Every session's totals as `SessionTotals` (Decimal amounts), per tariff."""
    result: list[SessionTotals | None] = [None] * len(sessions)
    for tariff, where in zip(prepared, positions, strict=True):
        priced = price_totals(tariff, [sessions[position] for position in where])
        for position, totals in zip(where, priced, strict=True):
            result[position] = totals
    return result  # type: ignore[return-value]


def _every_amount(totals: list[SessionTotals]) -> list[tuple[object, ...]]:
    """Every Decimal of every session's totals (built on first access)."""
    return [
        (
            t.total_cost,
            t.total_energy_cost,
            t.total_time_cost,
            t.total_parking_cost,
            t.total_fixed_cost,
            t.total_reservation_cost,
            t.total_energy,
            t.total_time,
            t.total_parking_time,
            t.total_reservation_time,
        )
        for t in totals
    ]


def _check_kernel(
    generated: list[tuple[int, dict[str, Any]]],
    prepared: list[KernelTariff],
    rows: list[KernelRow | PriceBreakdown],
    ours: list[PriceBreakdown],
) -> None:
    """Print the share the kernel handled and whether its totals are the reference's."""
    handled = differing = 0
    for (index, _), row, reference in zip(generated, rows, ours, strict=True):
        if isinstance(row, PriceBreakdown):
            continue
        handled += 1
        if totals_of(prepared[index], row) != SessionTotals.of(reference).with_kernel():
            differing += 1
    count = len(rows)
    print(
        f"kernel handled {handled:,} of {count:,} sessions ({100 * handled / count:.1f} %); "
        f"its totals differ from the reference engine's for {differing:,}"
    )
    for tariff in prepared:
        if tariff.declined is not None:
            print(f"  kernel declines tariff {tariff.compiled.tariff.id}: {tariff.declined}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--no-peer", action="store_true", help="measure evsenet only")
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help="runs of each phase; the fastest counts"
    )
    arguments = parser.parse_args(argv)
    count = arguments.sessions
    timed = partial(_timed, rounds=max(1, arguments.rounds))

    peer: Any = None
    if not arguments.no_peer:
        try:
            from ocpi_tariffs.v2_2_1 import models as peer_models
            from ocpi_tariffs.v2_2_1.tariff_calculator import calculate_cdr_cost

            peer = (peer_models, calculate_cdr_cost)
        except ImportError:
            print(
                "peer `ocpi-tariffs` not installed; measuring evsenet only "
                "(.venv/bin/pip install --no-deps ../shared/peer-tools/ocpi-tariffs-py)"
            )

    print(f"generating {count:,} CDRs under {len(TARIFFS)} tariffs (seed {arguments.seed})")
    generated = generate(count, arguments.seed)
    texts = [json.dumps(cdr) for _, cdr in generated]
    compiled = [compile_tariff(read_tariff(json.dumps(t)).tariff) for t in TARIFFS]
    prepared = [prepare(tariff) for tariff in compiled]
    positions = _by_tariff(generated)

    print("evsenet")
    cdrs, read_seconds = timed(
        "read CDR JSON (strict)", lambda: [read_cdr(t, time_zone=ZONE) for t in texts], count
    )
    ours, price_seconds = timed(
        "price (breakdown, totals)",
        lambda: [
            price_session(compiled[index], cdr.session)
            for (index, _), cdr in zip(generated, cdrs, strict=True)
        ],
        count,
    )
    sessions = [cdr.session for cdr in cdrs]
    began = time.perf_counter()
    zone_table(ZONE, sessions)
    print(
        f"  (the zone's UTC offsets prepared once for the kernel, like the tariffs: "
        f"{1000 * (time.perf_counter() - began):.0f} ms)"
    )
    rows, kernel_seconds = timed(
        "price totals (kernel, engine fallback)",
        lambda: _kernel_totals(prepared, positions, sessions),
        count,
    )
    timed(
        "  the same, as SessionTotals (Decimals)",
        lambda: _as_totals(prepared, positions, sessions),
        count,
    )
    timed(
        "  the same, every amount read",
        lambda: _every_amount(_as_totals(prepared, positions, sessions)),
        count,
    )
    _check_kernel(generated, prepared, rows, ours)
    print(f"kernel totals / reference engine: {price_seconds.ratio(kernel_seconds)}")
    if peer is None:
        return 0

    models, calculate = peer
    peer_tariffs = [models.Tariff.model_validate(t) for t in TARIFFS]
    print("ocpi-tariffs (peer)")
    peer_cdrs, peer_read_seconds = timed(
        "read CDR (pydantic model_validate)",
        lambda: [models.Cdr.model_validate_json(t) for t in texts],
        count,
    )
    theirs, peer_price_seconds = timed(
        "price (totals only)",
        lambda: [
            calculate(cdr, peer_tariffs[index])
            for (index, _), cdr in zip(generated, peer_cdrs, strict=True)
        ],
        count,
    )
    for label, seconds in (
        ("reference engine", price_seconds),
        ("kernel totals", kernel_seconds),
    ):
        print(
            f"evsenet ({label}) / peer, pricing: {peer_price_seconds.ratio(seconds)}; "
            f"reading + pricing: "
            f"{(peer_read_seconds + peer_price_seconds).ratio(read_seconds + seconds)} "
            "(target ≥ 10×)"
        )

    reasons: Counter[str] = Counter()
    for (index, _), cdr, mine, other in zip(generated, cdrs, ours, theirs, strict=True):
        excl = other.excl_vat.quantize(CENT, rounding=ROUND_HALF_UP)
        incl = (other.incl_vat or other.excl_vat).quantize(CENT, rounding=ROUND_HALF_UP)
        if (mine.total_cost.excl_vat, mine.total_cost.incl_vat) != (excl, incl):
            reasons[_reason(mine, cdr, compiled[index], other.excl_vat)] += 1
    differing = sum(reasons.values())
    print(f"totals that differ: {differing:,} of {count:,} ({100 * differing / count:.1f} %)")
    for reason, number in reasons.most_common():
        print(f"  {number:8,}  {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
