"""The batch pricing service, itemised against totals only (the C kernel), on one SQLite file.

    .venv/bin/python benchmarks/bench_price_totals.py [--sessions 20000]

Seeds operator DE*ABC's network Berlin (E1–E10, the test fixtures' offer-to-all and
DE*EMP's bilateral offer, `tests/integration/mixed_sessions.py`) and prices the mixed
sessions of the tests through `services.pricing.price_sessions`, itemised and with
`PricingCache(totals_only=True)`: once all for DE*EMP (a bilateral offer: parking without
grace, a blocking fee from session start) and once all for DE*ICE (the offer-to-all,
whose parking after a grace period is evsenet's after-charging extension; the kernel has
priced it since it handles that extension).
Prints sessions per second (wall clock and this process's CPU time: the machine is
shared) and checks that every answer agrees but for the lines.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.integration.mixed_sessions import mixed_sessions, publish_kernel_offer  # noqa: E402
from tests.integration.network_fixtures import ACTOR, A, seed  # noqa: E402
from tests.integration.offer_fixtures import NOW, network, request  # noqa: E402

from evsenet.domain.pricing.priced_session import SessionPrice, SessionRequest  # noqa: E402
from evsenet.formats.price_sessions import parse_session  # noqa: E402
from evsenet.services import offers  # noqa: E402
from evsenet.services.pricing import PricingCache, PricingRefusal, price_sessions  # noqa: E402
from evsenet.store.engine import Store  # noqa: E402
from evsenet.store.migrate import upgrade  # noqa: E402

Answer = SessionPrice | PricingRefusal


def _timed(label: str, store: Store, requests: list[SessionRequest], totals: bool) -> list[Answer]:
    cache = PricingCache(totals_only=totals)
    began, began_cpu = time.perf_counter(), time.process_time()
    answers = list(price_sessions(store, A, requests, cache=cache))
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    count = len(requests)
    print(
        f"  {label:<28} {wall:6.2f} s {count / wall:8,.0f}/s wall"
        f" {cpu:6.2f} s {count / cpu:8,.0f}/s CPU"
    )
    return answers


def _same(itemised: list[Answer], totals: list[Answer]) -> bool:
    return all(
        (fast.index, fast.error.code) == (slow.index, slow.error.code)
        if isinstance(slow, PricingRefusal) and isinstance(fast, PricingRefusal)
        else isinstance(slow, SessionPrice) and fast == replace(slow, lines=())
        for slow, fast in zip(itemised, totals, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20_000)
    args = parser.parse_args()
    sessions = mixed_sessions(args.sessions)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.sqlite")
        upgrade(store)
        seed(store, count=10)
        net = network(store)
        body = request("create_unlimited_offer_to_all.json", net)
        offers.create_and_publish(store, A, body, acknowledge_zero_priced=3, actor=ACTOR, now=NOW)
        publish_kernel_offer(store, net)
        for provider, what in (("DE*EMP", "no grace"), ("DE*ICE", "parking after a grace")):
            requests = [
                parse_session(json.dumps(session | {"provider_id": provider}))
                for session in sessions
            ]
            print(f"{args.sessions:,} mixed sessions for {provider} ({what})")
            itemised = _timed("itemised (lines)", store, requests, totals=False)
            totals = _timed("totals only", store, requests, totals=True)
            priced = sum(isinstance(a, SessionPrice) and a.currency is not None for a in totals)
            print(f"  {priced:,} priced by a tariff; answers agree: {_same(itemised, totals)}")
        store.dispose()


if __name__ == "__main__":
    main()
