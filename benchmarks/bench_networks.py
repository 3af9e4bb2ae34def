"""EVSE networks at scale: bulk assignment by filter and the two lists through HTTP.

    .venv/bin/python benchmarks/bench_networks.py [--evses 1000000] [--requests 200]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-sqlite]

For each database (a fresh SQLite file in WAL mode; with `--postgres URL`, a private schema
of that database, dropped afterwards) it

1. migrates the schema and writes `--evses` EVSEs of one operator straight into the
   tables with one set-based `INSERT … SELECT` (not through the import service, which
   validates every record and would take minutes for a million; see `fill_evses`), sets
   the maintained counters from the rows, then VACUUMs (PostgreSQL) and ANALYZEs them,
   as autovacuum would in a database in use;
2. creates a draft network with three groups and times three bulk assignments by filter
   through the service (`assign_evses`): each assigns one city's EVSEs, a tenth of the
   inventory (100,000 of 1,000,000); target <= 1 s each;
   (the assignments are then VACUUMed/ANALYZEd too);
3. starts a real `evsenet serve` process on a free port, warms it up with a few unfiltered
   pages, then asks, with an httpx client, for a filtered 50-row page of each list
   (`GET /api/v1/networks/{id}/evses?assigned=false|true&…`), filters rotating through
   city, country, postal code, power type and output range (and group), each answer with
   its total count: first once per filter — the server counts the total and caches it
   (a miss) — then `--requests` times (totals from the cache while nothing is written:
   hits); prints both apart, p50 and p95 of the repeats (target p95 <= 50 ms);
4. prints the server's peak resident memory (VmHWM) after the requests, the CPU time of
   the work beside every wall clock (see `evsenet.benchmarking`) and the CPU pressure;
5. replays the same requests in-process on a fresh app (`create_app`) to print the count
   cache's hits and misses, which a separate server process cannot report.

The inventory is laid out so that filters select known shares (see `CITIES`): EVSE `n`
is point `n % 2 + 1` of station `n // 2`, the station's city is `CITIES[station % 10]`,
30% of the stations of every city are DC (50, 150, 300, 350 kW), the others AC (3.7 … 22 kW).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, text

from evsenet.benchmarking import (
    CpuMeter,
    cpu_pressure,
    measured,
    milliseconds,
    with_application_name,
)
from evsenet.domain.geography import single_zone
from evsenet.domain.ids import OperatorId
from evsenet.domain.text import search_key
from evsenet.store.engine import Store
from evsenet.store.repositories.counters import Counters
from evsenet.store.tables import operators

OPERATOR = "DE*ABC"
PAGE_SIZE = 50
WARM_UP_PAGES = 6
SERVER_START_TIMEOUT_S = 60


@dataclass(frozen=True, slots=True)
class BenchCity:
    name: str
    country: str
    latitude: Decimal
    longitude: Decimal
    postal_codes: tuple[str, str, str, str]
    streets: tuple[str, str, str, str]


CITIES: tuple[BenchCity, ...] = (
    BenchCity("Berlin", "DEU", Decimal("52.520008"), Decimal("13.404954"),
              ("10115", "10117", "10243", "12043"),
              ("Friedrichstraße", "Invalidenstraße", "Torstraße", "Sonnenallee")),
    BenchCity("Hamburg", "DEU", Decimal("53.551086"), Decimal("9.993682"),
              ("20095", "20144", "22041", "22767"),
              ("Jungfernstieg", "Osterstraße", "Holstenstraße", "Eppendorfer Weg")),
    BenchCity("München", "DEU", Decimal("48.137154"), Decimal("11.576124"),
              ("80331", "80469", "81369", "81675"),
              ("Leopoldstraße", "Sonnenstraße", "Lindwurmstraße", "Ungererstraße")),
    BenchCity("Köln", "DEU", Decimal("50.937531"), Decimal("6.960279"),
              ("50667", "50672", "50733", "51063"),
              ("Hohe Straße", "Aachener Straße", "Venloer Straße", "Neusser Straße")),
    BenchCity("Frankfurt am Main", "DEU", Decimal("50.110924"), Decimal("8.682127"),
              ("60311", "60313", "60318", "60486"),
              ("Zeil", "Berger Straße", "Mainzer Landstraße", "Eschersheimer Landstraße")),
    BenchCity("Stuttgart", "DEU", Decimal("48.775846"), Decimal("9.182932"),
              ("70173", "70178", "70190", "70372"),
              ("Königstraße", "Tübinger Straße", "Neckarstraße", "Marktstraße")),
    BenchCity("Düsseldorf", "DEU", Decimal("51.227741"), Decimal("6.773456"),
              ("40210", "40213", "40476", "40545"),
              ("Königsallee", "Kölner Straße", "Nordstraße", "Luegallee")),
    BenchCity("Leipzig", "DEU", Decimal("51.339695"), Decimal("12.373075"),
              ("04103", "04109", "04177", "04275"),
              ("Grimmaische Straße", "Karl-Liebknecht-Straße", "Jahnallee", "Eisenbahnstraße")),
    BenchCity("Amsterdam", "NLD", Decimal("52.367573"), Decimal("4.904139"),
              ("1011", "1012", "1017", "1053"),
              ("Damrak", "Kalverstraat", "Overtoom", "Ferdinand Bolstraat")),
    BenchCity("Paris", "FRA", Decimal("48.856613"), Decimal("2.352222"),
              ("75001", "75004", "75011", "75015"),
              ("Rue de Rivoli", "Boulevard Voltaire", "Rue de Vaugirard", "Rue Oberkampf")),
)  # fmt: skip
"""Ten cities, one per station number modulo 10."""

CITY_COUNT = len(CITIES)
EVSES_PER_STATION = 2


def _city_rows() -> str:
    """The cities as a VALUES list (literals: the strings are ours, without quotes)."""
    rows = []
    for index, city in enumerate(CITIES):
        zone = single_zone(city.country)
        assert zone is not None
        values = [
            str(index),
            *(f"'{value}'" for value in (city.name, search_key(city.name), city.country, zone)),
            str(city.latitude),
            str(city.longitude),
            *(f"'{code}'" for code in city.postal_codes),
            *(f"'{street}'" for street in city.streets),
        ]
        rows.append(f"({', '.join(values)})")
    return ",\n".join(rows)


CITY_COLUMNS = "idx, name, name_key, country, zone, lat, lon, p0, p1, p2, p3, s0, s1, s2, s3"


def _series(dialect: str, count: int) -> str:
    """A CTE `series(n)` of 0 … count-1."""
    if dialect == "postgresql":
        return f"series(n) AS (SELECT generate_series(0, {count - 1}) AS n)"
    return f"series(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM series WHERE n + 1 < {count})"


def _fill_sql(
    dialect: str, operator_pk: int, prefix_sent: str, prefix_norm: str, count: int
) -> str:
    """One INSERT … SELECT writing every generated EVSE."""
    pg = dialect == "postgresql"
    pad = "lpad(CAST(st AS text), 7, '0')" if pg else "substr('0000000' || st, -7, 7)"
    text_of = "CAST({} AS text)" if pg else "CAST({} AS TEXT)"
    point = text_of.format("(n % 2) + 1")
    stamp = "TIMESTAMPTZ '2026-01-01 00:00:00+00'" if pg else "'2026-01-01 00:00:00.000000'"
    pick = (
        "CASE (st / 10) % 4 WHEN 0 THEN c.{0}0 WHEN 1 THEN c.{0}1 WHEN 2 THEN c.{0}2 "
        "ELSE c.{0}3 END"
    )
    # 30% DC stations in every city (a city is st % 10; the tens of st shift the choice),
    # outputs by another digit of st.
    dc = "((st + 3 * (st / 10)) % 10) < 3"
    power_type = (
        f"CASE WHEN {dc} THEN 'DC' WHEN ((st / 10) % 10) < 2 THEN 'AC_1_PHASE' "
        "ELSE 'AC_3_PHASE' END"
    )
    output = (
        f"CASE WHEN {dc} THEN (CASE (st / 100) % 4 WHEN 0 THEN 50 WHEN 1 THEN 150 "
        "WHEN 2 THEN 300 ELSE 350 END) "
        "WHEN ((st / 10) % 10) < 2 THEN (CASE (st / 100) % 2 WHEN 0 THEN 3.7 ELSE 7.4 END) "
        "ELSE (CASE (st / 100) % 2 WHEN 0 THEN 11 ELSE 22 END) END"
    )
    plugs = f"CASE WHEN {dc} THEN 'CCS Combo 2 Plug (Cable Attached)' ELSE 'Type 2 Outlet' END"
    offset = "((st % 1000) - 500) * 0.0001"
    columns = (
        "operator_pk, evse_id, evse_id_sent, charging_station_id, country, city, "
        "postal_code, city_key, postal_code_key, street, house_number, latitude, longitude, "
        "power_type, output_kw, plugs, time_zone, created_at, updated_at"
    )
    return f"""
WITH RECURSIVE {_series(dialect, count)},
cities({CITY_COLUMNS}) AS (VALUES {_city_rows()}),
numbered AS (SELECT n, n / {EVSES_PER_STATION} AS st FROM series)
INSERT INTO evses ({columns})
SELECT
    {operator_pk},
    '{prefix_norm}E' || {pad} || {point},
    '{prefix_sent}*E' || {pad} || '*' || {point},
    'BENCH-' || {pad},
    c.country,
    c.name,
    {pick.format("p")},
    c.name_key,
    {pick.format("p")},
    {pick.format("s")},
    {text_of.format("(st % 180) + 1")},
    ROUND(c.lat + {offset}, 6),
    ROUND(c.lon + {offset}, 6),
    {power_type},
    {output},
    {plugs},
    c.zone,
    {stamp},
    {stamp}
FROM numbered JOIN cities c ON c.idx = numbered.st % {CITY_COUNT}
"""


def fill_evses(store: Store, operator: OperatorId, count: int) -> None:
    """Write `count` EVSEs of `operator` (already registered, with no EVSEs yet)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    dialect = store.dialect
    with store.engine.begin() as connection:
        operator_pk = connection.execute(
            operators.select()
            .with_only_columns(operators.c.id)
            .where(operators.c.operator_id == operator.normalised)
        ).scalar_one()
        sql = _fill_sql(dialect, operator_pk, operator.display, operator.normalised, count)
        if dialect == "postgresql":
            sql = sql.replace("%", "%%")  # psycopg reads % as a placeholder
        connection.exec_driver_sql(sql)
        # The fill bypasses the repositories: set the maintained counters from the rows.
        Counters(connection).recount()
    settle(store, "evses")


def settle(store: Store, table: str) -> None:
    """What autovacuum does to a table of a database in use after a bulk write: on
    PostgreSQL `VACUUM (ANALYZE)` (statistics, and the visibility map that lets the lists'
    counts be index-only scans instead of reading every matching row's heap page); on
    SQLite `ANALYZE`. This schema's table only (a database-wide ANALYZE deadlocked with
    other schemas' tests)."""
    command = f"VACUUM (ANALYZE) {table}" if store.dialect == "postgresql" else f"ANALYZE {table}"
    with store.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(command)


def expected_city_share(count: int, city_index: int) -> int:
    """How many of `count` generated EVSEs lie in `CITIES[city_index]`."""
    stations = (count + EVSES_PER_STATION - 1) // EVSES_PER_STATION
    total = 0
    for station in range(city_index, stations, CITY_COUNT):
        total += min(EVSES_PER_STATION, count - station * EVSES_PER_STATION)
    return total


# --- the measurements ---------------------------------------------------------------

ASSIGNED_CITIES = (3, 1, 2)
"""Köln, Hamburg, München: one bulk assignment each, into its own group."""
UNASSIGNED_FILTERS: tuple[dict[str, str], ...] = (
    {"city": "Berlin"},
    {"power_type": "DC", "min_output_kw": "150"},
    {"country": "NLD"},
    {"postal_code": "101"},
    {"city": "Paris", "power_type": "AC_3_PHASE"},
    {"min_output_kw": "300"},
)
ASSIGNED_FILTERS: tuple[dict[str, str], ...] = (
    {"group_id": "{g0}"},
    {"city": "Köln"},
    {"power_type": "DC"},
    {"group_id": "{g1}", "power_type": "AC_3_PHASE"},
    {"postal_code": "50"},
    {"min_output_kw": "300", "group_id": "{g2}"},
)


@dataclass(frozen=True, slots=True)
class Figures:
    database: str
    evses: int
    fill_seconds: float
    assign_seconds: list[float]
    assign_cpu_seconds: list[float]
    """CPU of the assigning process and (PostgreSQL) of its database backend."""
    assigned_each: list[int]
    unassigned_ms: list[float]
    assigned_ms: list[float]
    """The repeated requests (after the first of each filter)."""
    first_ms: dict[str, list[float]]
    """Per list, the first request of each filter (its count not cached yet)."""
    cpu_ms_per_page: dict[str, float]
    """Mean CPU per request of the server process and (PostgreSQL) its backends: per list,
    and per list's first requests (`"<list> first"`)."""
    cache_hits_misses: tuple[int, int]
    """The count cache's hits and misses when the same requests are replayed in-process."""
    per_filter_ms: dict[str, float]
    """The median of each list and filter: where the time goes."""
    server_peak_mib: float


@contextmanager
def fresh_database(kind: str, postgres_url: str | None) -> Iterator[str]:
    """The URL of an empty database: a temporary SQLite file, or a private PostgreSQL
    schema dropped afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-networks-")
        try:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    assert postgres_url is not None
    schema = f"evsenet_bench_networks_{os.getpid()}"
    admin = create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(url: str) -> Iterator[tuple[str, int]]:
    """A real `evsenet serve` process on a free port: its base URL and process id."""
    port = _free_port()
    command = [sys.executable, "-m", "evsenet.cli", "--database", url, "serve", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise SystemExit(f"evsenet serve stopped: {error}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("evsenet serve did not answer /health in time")
            time.sleep(0.1)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def peak_rss_mib(pid: int) -> float:
    """The peak resident memory of a running process (Linux: VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _requests(
    assigned: bool, filters: Sequence[dict[str, str]], groups: Sequence[int], count: int
) -> Iterator[tuple[str, dict[str, str]]]:
    """(label, query parameters) of `count` filtered pages, filters in rotation."""
    names = {f"g{n}": str(group) for n, group in enumerate(groups)}
    for n in range(count):
        params = {key: value.format(**names) for key, value in filters[n % len(filters)].items()}
        label = " ".join(f"{key}={value}" for key, value in params.items())
        yield label, params | {"assigned": str(assigned).lower(), "limit": str(PAGE_SIZE)}


def _pages(
    client: httpx.Client,
    path: str,
    assigned: bool,
    filters: Sequence[dict[str, str]],
    groups: Sequence[int],
    requests: int,
) -> list[tuple[str, float]]:
    """(filter, milliseconds) of `requests` filtered pages."""
    timings = []
    for label, params in _requests(assigned, filters, groups, requests):
        started = time.perf_counter()
        response = client.get(path, params=params)
        body = response.json()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or "total" not in body:
            raise SystemExit(f"GET {path} {params} answered {response.status_code}: {body}")
        timings.append((label, elapsed))
    return timings


def _warm_up(client: httpx.Client, path: str) -> None:
    """Unfiltered pages (their totals are maintained counters, nothing is cached)."""
    for n in range(WARM_UP_PAGES):
        params = {"assigned": str(n % 2 == 0).lower(), "limit": str(PAGE_SIZE)}
        client.get(path, params=params).raise_for_status()


LISTS = (("unassigned", False), ("assigned", True))


def replay_cache_counts(
    url: str, token: str, path: str, groups: Sequence[int], requests: int
) -> tuple[int, int]:
    """The count cache's (hits, misses) for the benchmark's requests, replayed in-process
    on a fresh app (the server process keeps its cache to itself)."""
    from fastapi.testclient import TestClient

    from evsenet.api import create_app

    store = Store(url)
    try:
        with TestClient(create_app(store)) as client:
            client.headers["Authorization"] = f"Bearer {token}"
            for _, assigned in LISTS:
                filters = ASSIGNED_FILTERS if assigned else UNASSIGNED_FILTERS
                for count in (len(filters), requests):
                    for _, params in _requests(assigned, filters, groups, count):
                        client.get(path, params=params).raise_for_status()
        stats = store.counts.stats()
        return stats.hits, stats.misses
    finally:
        store.dispose()


def _medians(lists: dict[str, list[tuple[str, float]]]) -> dict[str, float]:
    grouped: dict[str, list[float]] = {}
    for name, timings in lists.items():
        for label, elapsed in timings:
            grouped.setdefault(f"{name}: {label}", []).append(elapsed)
    return {label: statistics.median(values) for label, values in grouped.items()}


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def measure(kind: str, url: str, evses: int, requests: int) -> Figures:
    from evsenet.domain.network import Actor, GroupRef
    from evsenet.domain.network_lists import EvseSelection
    from evsenet.services.inventory import evse_filter
    from evsenet.services.networks import add_group, assign_evses, create_network
    from evsenet.services.operators import register_operator
    from evsenet.services.tokens import create_token
    from evsenet.store.migrate import upgrade

    operator = OperatorId.parse(OPERATOR)
    actor = Actor("system", None, "benchmark")
    application = f"evsenet_bench_{os.getpid()}"
    admin = None
    if kind == "postgresql":
        admin = create_engine(url)
        url = with_application_name(url, application)
    store = Store(url)
    cpu: list[float] = []
    assigner = CpuMeter([], admin, application, in_process=True)
    try:
        upgrade(store)
        register_operator(store, OPERATOR, "Benchmark operator")
        started = time.perf_counter()
        fill_evses(store, operator, evses)
        fill_seconds = time.perf_counter() - started
        _progress(f"{kind}: {evses:,} EVSEs written in {fill_seconds:.1f} s")
        network = create_network(store, operator, "Benchmark", actor=actor)
        groups, seconds, counts = [], [], []
        for index in ASSIGNED_CITIES:
            city = CITIES[index].name
            group = add_group(store, operator, network.id, f"{city} group", actor=actor)
            groups.append(group.id)
            selection = EvseSelection(criteria=evse_filter(city=city))
            started = time.perf_counter()
            with measured(assigner, cpu):
                report = assign_evses(
                    store, operator, network.id, GroupRef(id=group.id), selection, actor=actor
                )
            seconds.append(time.perf_counter() - started)
            counts.append(report.assigned)
            _progress(
                f"{kind}: assigned {report.assigned:,} EVSEs in {seconds[-1]:.3f} s "
                f"({cpu[-1]:.3f} s CPU)"
            )
            if report.assigned != expected_city_share(evses, index):
                raise SystemExit(f"{city}: assigned {report.assigned} EVSEs")
        settle(store, "assignments")
        token = create_token(store, OPERATOR, "benchmark")[1]
    finally:
        store.dispose()
    path = f"/api/v1/networks/{network.id}/evses"
    with (
        server(url) as (base, pid),
        httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client,
    ):
        serving = CpuMeter([pid], admin, application)
        _warm_up(client, path)
        timings: dict[str, list[tuple[str, float]]] = {}
        cpu_ms: dict[str, float] = {}
        for name, assigned in LISTS:
            filters = ASSIGNED_FILTERS if assigned else UNASSIGNED_FILTERS
            for key, count in ((f"{name} first", len(filters)), (name, requests)):
                spent: list[float] = []
                with measured(serving, spent):
                    timings[key] = _pages(client, path, assigned, filters, groups, count)
                cpu_ms[key] = spent[0] * 1000 / count
        peak = peak_rss_mib(pid)
    if admin is not None:
        admin.dispose()
    cache = replay_cache_counts(url, token, path, groups, requests)
    return Figures(
        kind,
        evses,
        fill_seconds,
        seconds,
        cpu,
        counts,
        [elapsed for _, elapsed in timings["unassigned"]],
        [elapsed for _, elapsed in timings["assigned"]],
        {name: [ms for _, ms in timings[f"{name} first"]] for name, _ in LISTS},
        cpu_ms,
        cache,
        _medians({name: timings[name] for name, _ in LISTS}),
        peak,
    )


def report(figures: Figures) -> None:
    f = figures
    print(f"\n{f.evses:,} EVSEs on {f.database} (written in {f.fill_seconds:.1f} s)")
    each = ", ".join(f"{s:.3f} s" for s in f.assign_seconds)
    print(
        f"  bulk assign by filter ({f.assigned_each[0]:,} EVSEs each): {each}; "
        f"median {statistics.median(f.assign_seconds):.3f} s (target <= 1 s); "
        f"CPU {milliseconds(f.assign_cpu_seconds)}"
    )
    for label, timings in (("unassigned", f.unassigned_ms), ("assigned", f.assigned_ms)):
        first = f.first_ms[label]
        print(
            f"  {label} list, filtered {PAGE_SIZE}-row page with total over HTTP:\n"
            f"    first request of each of {len(first)} filters (total counted): "
            f"median {statistics.median(first):.1f} ms, max {max(first):.1f} ms; "
            f"server CPU {f.cpu_ms_per_page[f'{label} first']:.1f} ms per request\n"
            f"    then: p50 {_percentile(timings, 0.5):.1f} ms, "
            f"p95 {_percentile(timings, 0.95):.1f} ms "
            f"({len(timings)} requests; target p95 <= 50 ms); "
            f"server CPU {f.cpu_ms_per_page[label]:.1f} ms per request"
        )
    hits, misses = f.cache_hits_misses
    print(f"  count cache, the same requests replayed in-process: {hits} hits, {misses} misses")
    print(f"  server peak RSS: {f.server_peak_mib:.1f} MiB")
    print(f"  CPU pressure at the end: {cpu_pressure()}")
    print("  median per list and filter (repeats):")
    for label, median in f.per_filter_ms.items():
        print(f"    {median:7.1f} ms  {label}")


def main(argv: Sequence[str] | None = None) -> list[Figures]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--evses", type=int, default=1_000_000, help="EVSEs to generate")
    parser.add_argument("--requests", type=int, default=200, help="pages asked per list")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    args = parser.parse_args(argv)
    if args.evses < 2 * CITY_COUNT:
        parser.error(f"--evses must be at least {2 * CITY_COUNT}")
    kinds = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.postgres else [])
    if not kinds:
        parser.error("nothing to measure: --no-sqlite needs --postgres URL")
    results = []
    for kind in kinds:
        with fresh_database(kind, args.postgres) as url:
            figures = measure(kind, url, args.evses, args.requests)
        report(figures)
        results.append(figures)
    return results


if __name__ == "__main__":
    main()
