"""The pricing benchmarks run end to end on a few sessions (without the peer pricer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_pricing_benchmark_prices_200_sessions_without_the_peer() -> None:
    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_pricing.py"),
            "--sessions",
            "200",
            "--no-peer",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert "generating 200 CDRs under 6 tariffs" in finished.stdout
    assert finished.stdout.count("/s CPU") == 5  # read, engine, kernel, SessionTotals, read
    assert "its totals differ from the reference engine's for 0" in finished.stdout
    assert "ocpi-tariffs" not in finished.stdout


def test_the_totals_service_benchmark_prices_200_sessions_both_ways_alike() -> None:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_price_totals.py"), "--sessions", "200"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.count("/s CPU") == 4
    assert finished.stdout.count("answers agree: True") == 2
