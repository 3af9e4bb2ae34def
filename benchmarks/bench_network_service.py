"""Network service speed on a large inventory (no HTTP: `bench_networks.py` measures that).

    .venv/bin/python benchmarks/bench_network_service.py [--evses 1000000] [--rounds 20]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Generates the EVSEs with set-based SQL (`evsenet.store.synthetic`), then prints the seconds
of a bulk assignment of 100,000 EVSEs by filter (postal code starting with 0: 2 of the
generator's 20 cities) and of the unassignment of the same, and p50/p95 milliseconds of
50-row pages of both lists with their total counts (first page and a page after a cursor).
SQLite runs on a temporary file; PostgreSQL in a private schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, text

from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor, GroupRef
from evsenet.domain.network_lists import EvseSelection, KeysetPage, NetworkEvseFilter
from evsenet.services import networks as svc
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store
from evsenet.store.migrate import upgrade
from evsenet.store.synthetic import generate_evses

OPERATOR = "DE*ABC"
ACTOR = Actor.system()


CPU: list[float] = []
"""The process CPU seconds of each `_timed` call: on SQLite the database works in this
process, so on a busy machine they say what the wall clock would show on an idle one."""


def _timed(action: Callable[[], object]) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    action()
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - start


def run(store: Store, evses: int, rounds: int) -> None:
    upgrade(store)
    row = register_operator(store, OPERATOR)
    started = time.perf_counter()
    with store.transaction(write=True) as connection:
        generate_evses(connection, row.pk, OperatorId.parse(OPERATOR), evses)
    # What autovacuum does after a bulk load (PostgreSQL: the visibility map makes the
    # lists' counts index-only scans); this schema's table only.
    command = "VACUUM (ANALYZE) evses" if store.dialect == "postgresql" else "ANALYZE evses"
    with store.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(command)
    print(f"generated {evses:,} EVSEs in {time.perf_counter() - started:.1f} s")
    network = svc.create_network(store, OPERATOR, "Bench", actor=ACTOR).id
    group = svc.add_group(store, OPERATOR, network, "Zero", actor=ACTOR).id
    other = svc.add_group(store, OPERATOR, network, "Other", actor=ACTOR).id
    zero = NetworkEvseFilter.parse(postal_code="0")
    print(f"load average: {os.getloadavg()}")
    selection = EvseSelection(criteria=zero)
    report: list[object] = []
    seconds = _timed(
        lambda: report.append(
            svc.assign_evses(store, OPERATOR, network, GroupRef(id=group), selection, actor=ACTOR)
        )
    )
    print(f"assign by filter: {report[0]} in {seconds:.3f} s (CPU {CPU[-1]:.3f} s)")
    moved = EvseSelection(criteria=NetworkEvseFilter(group_id=group), assigned=True)
    seconds = _timed(
        lambda: svc.assign_evses(store, OPERATOR, network, GroupRef(id=other), moved, actor=ACTOR)
    )
    print(f"move the same by filter: {seconds:.3f} s (CPU {CPU[-1]:.3f} s)")
    back = EvseSelection(criteria=NetworkEvseFilter(group_id=other), assigned=True)
    seconds = _timed(lambda: svc.unassign_evses(store, OPERATOR, network, back, actor=ACTOR))
    print(f"unassign the same by filter: {seconds:.3f} s (CPU {CPU[-1]:.3f} s)")
    svc.assign_evses(store, OPERATOR, network, GroupRef(id=group), selection, actor=ACTOR)
    ids = [f"DE*ABC*E{n}" for n in range(1, 100_001) if n % 20 not in (7, 11)]
    ids = ids[:50_000]
    seconds = _timed(
        lambda: svc.assign_evses(
            store, OPERATOR, network, GroupRef(id=other), EvseSelection(evse_ids=ids), actor=ACTOR
        )
    )
    print(f"assign 50,000 listed EVSE IDs: {seconds:.3f} s (CPU {CPU[-1]:.3f} s)")
    if store.dialect == "postgresql":
        with store.engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM (ANALYZE) assignments")
    cases = {
        "unassigned, Köln + DC": (False, NetworkEvseFilter.parse(city="Köln", power_type="DC")),
        "unassigned, Köln": (False, NetworkEvseFilter.parse(city="köln")),
        "unassigned, DC >= 100 kW": (
            False,
            NetworkEvseFilter.parse(power_type="DC", min_output_kw="100"),
        ),
        "unassigned, ID text 'E12345'": (False, NetworkEvseFilter.parse(text="E12345")),
        "unassigned, no filter": (False, NetworkEvseFilter()),
        "assigned, group Zero": (True, NetworkEvseFilter(group_id=group)),
        "assigned, group Zero + DC": (
            True,
            NetworkEvseFilter.parse(group_id=group, power_type="DC"),
        ),
        "assigned, no filter": (True, NetworkEvseFilter()),
    }
    for label, (assigned, criteria) in cases.items():
        for sort in ("evse_id", "city"):
            first = svc.list_network_evses(
                store, OPERATOR, network, assigned=assigned, criteria=criteria,
                page=KeysetPage(limit=50, sort=sort),
            )  # fmt: skip
            after = KeysetPage(limit=50, sort=sort, after=first.next_cursor)
            samples = []
            CPU.clear()
            for round_ in range(rounds):
                page = after if round_ % 2 else KeysetPage(limit=50, sort=sort)
                listing = partial(
                    svc.list_network_evses,
                    store,
                    OPERATOR,
                    network,
                    assigned=assigned,
                    criteria=criteria,
                    page=page,
                )
                samples.append(_timed(listing))
            samples.sort()
            CPU.sort()
            p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
            cpu95 = CPU[max(0, round(0.95 * len(CPU)) - 1)]
            print(
                f"{label:32} sort={sort:8} total={first.total:>8,}  "
                f"p50={statistics.median(samples) * 1000:6.1f} ms  p95={p95 * 1000:6.1f} ms  "
                f"(CPU p50={statistics.median(CPU) * 1000:6.1f} ms p95={cpu95 * 1000:6.1f} ms)"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--evses", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--postgres", help="a PostgreSQL URL (a private schema is used)")
    args = parser.parse_args()
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in args.postgres else "?"
        store = Store(f"{args.postgres}{separator}options=-csearch_path%3D{schema}")
        try:
            run(store, args.evses, args.rounds)
        finally:
            store.dispose()
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        try:
            run(store, args.evses, args.rounds)
        finally:
            store.dispose()


if __name__ == "__main__":
    main()
