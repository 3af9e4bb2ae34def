"""Import speed: the real inventory service against a raw executemany, side by side.

    .venv/bin/python benchmarks/bench_import.py [--records 100000] [--rounds 3]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each round runs three measurements, each in a fresh process and a fresh SQLite file
(WAL, synchronous=FULL, as evsenet runs it), in turn so machine noise hits all alike:

- `service`: `import_evses` with a generated `fullLoad` batch of raw records (what a format
  reader hands over): validation of every field, the plan against the inventory, the
  write, the commit.
- `raw-bare`: the same rows, already converted, inserted with sqlite3's `executemany`
  into a bare table with the same columns and no constraints or indexes.
- `raw-schema`: the same, into the real `evses` table (its unique index and CHECKs).

Prints the median seconds of each, the ratios (target: service / raw-bare <= 3), and the
peak resident memory of each process: before the timed part (the generated input) and
at the end. With `--postgres URL`, each round also runs the service on PostgreSQL (in a
private schema, dropped afterwards): the path to scale, where inserts use COPY.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OPERATOR = "DE*ABC"
MODES = ("service", "raw-bare", "raw-schema")
POSTGRES_URL_VARIABLE = "EVSENET_BENCH_POSTGRES_URL"
COLUMNS = (
    "operator_pk",
    "evse_id",
    "evse_id_sent",
    "charging_station_id",
    "country",
    "city",
    "postal_code",
    "street",
    "house_number",
    "latitude",
    "longitude",
    "power_type",
    "output_kw",
    "plugs",
    "time_zone",
    "created_at",
    "updated_at",
)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _raw_rows(count: int) -> list[tuple[Any, ...]]:
    """The generated records as the rows a raw insert would write (no validation).

    Decimals stay exact text, as evsenet binds them on SQLite, so both sides write the
    same values."""
    from evsenet.demo import generate_evses
    from evsenet.domain.ids import EvseId, OperatorId

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = []
    for item in generate_evses(OperatorId.parse(OPERATOR), count):
        raw = item.evse
        rows.append(
            (
                1,
                EvseId.parse(raw.evse_id or "").normalised,
                raw.evse_id,
                raw.charging_station_id,
                "DEU",
                raw.city,
                raw.postal_code,
                raw.street,
                raw.house_number,
                raw.latitude,
                raw.longitude,
                raw.power_type,
                raw.output_kw,
                "|".join(raw.plugs),
                raw.time_zone or "Europe/Berlin",
                now,
                now,
            )
        )
    return rows


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    return connection


def _measure_raw(path: Path, count: int, *, bare: bool) -> dict[str, float]:
    if bare:
        connection = _connect(path)
        connection.execute(f"CREATE TABLE evses (id INTEGER PRIMARY KEY, {', '.join(COLUMNS)})")
    else:
        from evsenet.store.engine import Store
        from evsenet.store.migrate import upgrade

        store = Store(f"sqlite:///{path}")
        upgrade(store)
        store.dispose()
        connection = _connect(path)
        connection.execute(
            "INSERT INTO operators (operator_id, display_id, name, created_at) "
            "VALUES ('DEABC', 'DE*ABC', '', '2026-01-01 00:00:00.000000')"
        )
    rows = _raw_rows(count)
    sql = f"INSERT INTO evses ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    gc.collect()
    before = _peak_mib()
    start = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(sql, rows)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return {"seconds": seconds, "rss_before_mib": before, "rss_peak_mib": _peak_mib()}


def _measure_service(url: str, count: int) -> dict[str, float]:
    from evsenet.demo import demo_batch
    from evsenet.domain.ids import OperatorId
    from evsenet.domain.inventory import PushAction
    from evsenet.formats import ParsedBatch
    from evsenet.services.inventory import import_evses
    from evsenet.services.operators import register_operator
    from evsenet.store.engine import Store
    from evsenet.store.migrate import upgrade

    store = Store(url)
    upgrade(store)
    register_operator(store, OPERATOR)
    generated = demo_batch(OperatorId.parse(OPERATOR), count)
    batch = ParsedBatch(PushAction.FULL_LOAD, generated.position_kind, generated.items)
    gc.collect()
    before = _peak_mib()
    start = time.perf_counter()
    summary = import_evses(store, OPERATOR, batch)
    seconds = time.perf_counter() - start
    if summary.inserted != count:
        raise SystemExit(f"service imported {summary.inserted} of {count} records")
    start = time.perf_counter()
    again = import_evses(store, OPERATOR, batch)
    repeat = time.perf_counter() - start
    if again.unchanged != count:
        raise SystemExit(f"re-import left {again.unchanged} of {count} records unchanged")
    return {
        "seconds": seconds,
        "repeat_seconds": repeat,
        "rss_before_mib": before,
        "rss_peak_mib": _peak_mib(),
    }


def _measure_postgres_service(url: str, count: int) -> dict[str, float]:
    """The service on PostgreSQL, in a private schema dropped afterwards."""
    from sqlalchemy import create_engine, text

    schema = f"evsenet_bench_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in url else "?"
        return _measure_service(f"{url}{separator}options=-csearch_path%3D{schema}", count)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _child(mode: str, count: int) -> None:
    if mode == "service-postgresql":
        result = _measure_postgres_service(os.environ[POSTGRES_URL_VARIABLE], count)
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        if mode == "service":
            result = _measure_service(f"sqlite:///{path}", count)
        else:
            result = _measure_raw(path, count, bare=mode == "raw-bare")
    print(json.dumps(result))


def _run(mode: str, count: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--records", str(count)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="also measure the service there")
    parser.add_argument("--child", choices=(*MODES, "service-postgresql"))
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.records)
        return
    modes: tuple[str, ...] = MODES
    if args.postgres:
        os.environ[POSTGRES_URL_VARIABLE] = args.postgres
        modes = (*MODES, "service-postgresql")
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for round_number in range(1, args.rounds + 1):
        for mode in modes:
            results[mode].append(_run(mode, args.records))
        print(
            f"round {round_number}: "
            + ", ".join(f"{mode} {results[mode][-1]['seconds']:.3f} s" for mode in modes),
            flush=True,
        )
    _report(args.records, args.rounds, results)


def _report(records: int, rounds: int, results: dict[str, list[dict[str, float]]]) -> None:
    median = {mode: statistics.median(r["seconds"] for r in runs) for mode, runs in results.items()}
    print(
        f"\n{records:,} EVSE records, median of {rounds} rounds (SQLite in WAL mode unless named)"
    )
    for mode, runs in results.items():
        last = runs[-1]
        print(
            f"  {mode:<18} {median[mode]:7.3f} s   peak RSS {last['rss_peak_mib']:7.1f} MiB "
            f"(input ready: {last['rss_before_mib']:.1f} MiB)"
        )
    for mode in ("service", "service-postgresql"):
        if mode in results:
            repeat = statistics.median(r["repeat_seconds"] for r in results[mode])
            print(f"  {mode} re-import of the same batch (all unchanged): {repeat:.3f} s")
    print(
        f"  ratio service / raw-bare:   {median['service'] / median['raw-bare']:.2f}  (target <= 3)"
    )
    print(f"  ratio service / raw-schema: {median['service'] / median['raw-schema']:.2f}")
    print(f"  service throughput: {records / median['service']:,.0f} records/s")


if __name__ == "__main__":
    main()
