"""Pricing sessions for a provider's token against the operator's own, on one SQLite file.

    .venv/bin/python benchmarks/bench_provider_pricing.py [--sessions 20000] [--evses 2000]

Seeds operator DE*ABC with `--evses` EVSEs in the two groups of network Berlin (the
test fixtures' offer-to-all with a two-step process, in force from 2027-01-01), provider
DE*ICE subscribed to it, and prices the same sessions (one per EVSE, round robin, two
hours each) through `services.pricing.price_sessions` (operator) and
`services.provider_pricing.price_sessions_for_provider` (provider). Prints sessions per
second for both and checks that every total agrees.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.integration.network_fixtures import ACTOR, A, seed  # noqa: E402
from tests.integration.offer_fixtures import NOW, network  # noqa: E402
from tests.integration.provider_fixtures import GOOD_DATA, ICE, IN_2027, world  # noqa: E402

from evsenet.domain.ids import OperatorId  # noqa: E402
from evsenet.domain.pricing.priced_session import SessionPrice, SessionRequest  # noqa: E402
from evsenet.formats.price_sessions import read_session  # noqa: E402
from evsenet.services import subscriptions  # noqa: E402
from evsenet.services.pricing import price_sessions  # noqa: E402
from evsenet.services.provider_pricing import price_sessions_for_provider  # noqa: E402
from evsenet.store.engine import Store  # noqa: E402
from evsenet.store.migrate import upgrade  # noqa: E402


def _sessions(count: int, evses: int) -> list[SessionRequest]:
    start = IN_2027.replace(hour=6)
    return [
        read_session(
            {
                "id": f"s-{n}",
                "evse_id": f"{A}*E{n % evses + 1}",
                "provider_id": "DE*ICE",
                "session_start": (start + timedelta(minutes=n % 1440)).isoformat(),
                "session_end": (start + timedelta(minutes=n % 1440 + 120)).isoformat(),
                "energy_kwh": 20,
            }
        )
        for n in range(count)
    ]


def _timed(label: str, run: object, count: int) -> list[SessionPrice]:
    began = time.perf_counter()
    answers = list(run)  # type: ignore[call-overload]
    seconds = time.perf_counter() - began
    priced = [a for a in answers if isinstance(a, SessionPrice)]
    print(f"{label:9} {count} sessions in {seconds:6.2f} s: {count / seconds:8.0f} sessions/s")
    return priced


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--evses", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.sqlite")
        upgrade(store)
        seed(store, count=args.evses)
        half = args.evses // 2
        w = world(store, network(store, north=half, south=args.evses - half))
        row = subscriptions.subscribe(
            store, ICE, w.to_all, GOOD_DATA, terms_confirmed=True, actor=ACTOR, now=NOW
        )
        subscriptions.accept(store, OperatorId.parse(A), row.pk, actor=ACTOR, now=NOW)
        requests = _sessions(args.sessions, args.evses)
        operator = _timed("operator", price_sessions(store, A, requests), args.sessions)
        provider = _timed(
            "provider", price_sessions_for_provider(store, ICE, requests), args.sessions
        )
        agree = [o.total for o in operator] == [p.total for p in provider]
        print(f"priced: operator {len(operator)}, provider {len(provider)}; totals agree: {agree}")
        store.dispose()


if __name__ == "__main__":
    main()
