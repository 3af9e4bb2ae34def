"""Server memory and `/health` latency under pushes at the body limit, against `evsenet serve`.

    .venv/bin/python benchmarks/bench_memory.py [--body-mib 256] [--parallel 4]
        [--records 100000] [--max-concurrent-writes N]

Starts a real `evsenet serve` process on a fresh SQLite file and runs two scenarios, each
on a server of its own:

1. `parallel`: `--parallel` operators each push a `fullLoad` body just under the body
   limit (`--body-mib`, `EVSENET_MAX_BODY_MIB`) at the same moment, each on its own
   connection. A push answered 503 (`write.busy`) is sent again after its `Retry-After`,
   as a well-behaved client does. Meanwhile a separate process samples `GET /health`.
2. `records`: one `fullLoad` of `--records` records.

For each it prints the resident memory of the server's whole process tree (the server
and its import worker processes) before the pushes and its peak, sampled every
`SAMPLE_SECONDS` as the sum of the processes' RSS, and the sum of their own peaks
(`VmHWM`, an upper bound: the processes peak at different moments); the peak over the
sum of the bodies sent, the peak's growth over the body size, every push's status and
seconds, and `/health` p50/p99/max, first for `--alone` seconds with no push running
(what the machine's load alone costs) and then during the pushes. To tell CPU
starvation from the server's own blocking it prints the load average and the share of
the time the server's event-loop thread waited for a CPU while runnable
(`/proc/<pid>/schedstat`). Targets (issue 11): peak ≤ 3× the bodies in flight,
`/health` p99 ≤ 100 ms, 100,000 records ≤ 3× body size.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evsenet.services.operators import register_operator
from evsenet.services.tokens import create_token
from evsenet.store.engine import Store
from evsenet.store.migrate import upgrade

MIB = 1024 * 1024
PUSH = "/api/v1/evses/push"
SAMPLE_SECONDS = 0.1
SAMPLER = """
import json, socket, sys, time
port, stop_file = int(sys.argv[1]), sys.argv[2]
import os
latencies, failures = [], 0
REQUEST = b"GET /health HTTP/1.1\\r\\nHost: b\\r\\nConnection: close\\r\\n\\r\\n"
while not os.path.exists(stop_file):
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(REQUEST)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        ok = answer.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    latencies.append(time.perf_counter() - started)
    failures += not ok
    time.sleep(0.02)
print(json.dumps({"latencies": latencies, "failures": failures}))
"""


def operator_id(number: int) -> str:
    return f"DE*B{number:02d}"


def record(operator: str, number: int) -> dict[str, Any]:
    """A full OICP 2.3 EvseDataRecord, as a CPO backend sends it."""
    return {
        "EvseID": f"{operator}*E{number:07d}",
        "ChargingStationID": f"STATION {number // 2:07d}",
        "Address": {
            "Country": "DEU",
            "City": "Berlin",
            "PostalCode": f"{10000 + number % 90000}",
            "Street": "Invalidenstraße",
            "HouseNum": str(1 + number % 300),
            "TimeZone": "UTC+01:00",
        },
        "GeoCoordinates": {
            "DecimalDegree": {
                "Latitude": f"{52 + (number % 1000) / 10000:.6f}",
                "Longitude": f"{13 + (number % 997) / 10000:.6f}",
            }
        },
        "ChargingFacilities": [{"PowerType": "AC_3_PHASE", "Power": 22}],
        "Plugs": ["Type 2 Outlet"],
        "Accessibility": "Free publicly accessible",
        "IsOpen24Hours": True,
        "HotlineNumber": "+4930123456",
        "IsHubjectCompatible": True,
        "DynamicInfoAvailable": "auto",
        "AuthenticationModes": ["NFC RFID Classic", "REMOTE"],
        "ValueAddedServices": ["None"],
        "RenewableEnergy": False,
        "CalibrationLawDataAvailability": "Not Available",
        "PaymentOptions": ["Contract"],
    }


def body(operator: str, *, records: int | None = None, max_bytes: int | None = None) -> bytes:
    """A fullLoad body of `records` records, or of as many as fit in `max_bytes`."""
    head = json.dumps(
        {"ActionType": "fullLoad", "OperatorEvseData": {"OperatorID": operator}}
    ).encode()[:-2]
    parts = [head, b', "EvseDataRecord": [']
    size, number = sum(map(len, parts)) + 3, 0
    while True:
        if records is not None and number >= records:
            break
        item = json.dumps(record(operator, number), ensure_ascii=False).encode()
        if max_bytes is not None and size + len(item) + 2 > max_bytes:
            break
        parts.append(item if number == 0 else b", " + item)
        size += len(item) + 2
        number += 1
    parts.append(b"]}}")
    return b"".join(parts)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kib(pid: int, key: str) -> int:
    """`key` (VmRSS, VmHWM) of the process in KiB; 0 once it has ended."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for line in lines:
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def process_tree(root: int) -> list[int]:
    """`root` and every process descended from it."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError):
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def tree_kib(root: int, key: str) -> int:
    return sum(rss_kib(pid, key) for pid in process_tree(root))


class TreeMemory(threading.Thread):
    """Samples the sum of the RSS of the server's process tree until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_kib = 0
        self.hwm_kib: dict[int, int] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            tree = process_tree(self.root)
            self.peak_kib = max(self.peak_kib, sum(rss_kib(pid, "VmRSS") for pid in tree))
            for pid in tree:
                self.hwm_kib[pid] = max(self.hwm_kib.get(pid, 0), rss_kib(pid, "VmHWM"))


def waited_ns(pid: int) -> tuple[int, int]:
    """Nanoseconds the process's main thread ran and waited runnable for a CPU."""
    ran, waited, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    return int(ran), int(waited)


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(folder: Path, operators: list[str], settings: dict[str, str]) -> Server:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.sqlite"
    store = Store(f"sqlite:///{path}")
    upgrade(store)
    tokens = {}
    for operator in operators:
        register_operator(store, operator, f"Operator {operator}")
        tokens[operator] = create_token(store, operator, "bench")[1]
    store.dispose()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "EVSENET_DATABASE_URL"}
    env |= {"EVSENET_DATABASE_PATH": str(path), **settings}
    process = subprocess.Popen(
        [sys.executable, "-m", "evsenet.cli", "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(port, process, tokens)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("the server did not start")


@dataclass
class Pushed:
    operator: str
    status: int = 0
    seconds: float = 0.0
    busy_answers: int = 0
    summary: str = ""


def push(server: Server, operator: str, data: bytes, result: Pushed) -> None:
    started = time.perf_counter()
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3600)
        headers = {
            "Authorization": f"Bearer {server.tokens[operator]}",
            "Content-Type": "application/json",
        }
        try:
            connection.request("POST", PUSH, body=data, headers=headers)
            response = connection.getresponse()
            answer = response.read()
        except (BrokenPipeError, ConnectionResetError):
            # Refused (503) before the whole body was sent: read what the server said.
            response = connection.getresponse()
            answer = response.read()
        if response.status == 503:
            result.busy_answers += 1
            time.sleep(float(response.getheader("Retry-After") or 1))
            continue
        break
    result.status = response.status
    result.seconds = time.perf_counter() - started
    decoded = json.loads(answer)
    result.summary = (
        f"inserted {decoded['inserted']}" if response.status == 200 else decoded.get("code", "")
    )


def sample_health(port: int, stop_file: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", SAMPLER, str(port), str(stop_file)], stdout=subprocess.PIPE
    )


def p99_of(latencies: list[float]) -> float:
    """The 99th percentile, interpolated between samples (never above the maximum)."""
    return statistics.quantiles(latencies, n=100, method="inclusive")[98]


def percentiles(latencies: list[float]) -> str:
    p50 = statistics.median(latencies) * 1000
    p99 = p99_of(latencies) * 1000
    return f"{p50:.1f} / {p99:.1f} / {max(latencies) * 1000:.1f} ms ({len(latencies)} samples)"


def health_alone(server: Server, folder: Path, seconds: float) -> str:
    stop_file = folder / "stop-alone"
    sampler = sample_health(server.port, stop_file)
    time.sleep(seconds)
    stop_file.touch()
    return percentiles(json.loads(sampler.communicate(timeout=60)[0])["latencies"])


def run(
    folder: Path, bodies: dict[str, bytes], settings: dict[str, str], name: str, alone: float
) -> dict[str, Any]:
    server = start_server(folder, list(bodies), settings)
    pid = server.process.pid
    try:
        time.sleep(0.5)
        before = tree_kib(pid, "VmRSS")
        quiet = health_alone(server, folder, alone)
        load_before = os.getloadavg()[0]
        memory = TreeMemory(pid)
        memory.start()
        ran_before, waited_before = waited_ns(pid)
        stop_file = folder / "stop-sampling"
        sampler = sample_health(server.port, stop_file)
        results = {operator: Pushed(operator) for operator in bodies}
        threads = [
            threading.Thread(target=push, args=(server, operator, data, results[operator]))
            for operator, data in bodies.items()
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        stop_file.touch()
        sampled = json.loads(sampler.communicate(timeout=60)[0])
        ran_after, waited_after = waited_ns(pid)
        ran, waited = ran_after - ran_before, waited_after - waited_before
        memory.stopped.set()
        memory.join()
        peak = max(memory.peak_kib, rss_kib(pid, "VmHWM"))
        hwm_sum = sum(memory.hwm_kib.values())
        load_after = os.getloadavg()[0]
    finally:
        server.stop()
    total = sum(map(len, bodies.values()))
    latencies = sampled["latencies"]
    return {
        "scenario": name,
        "bodies": len(bodies),
        "body_mib": [round(len(data) / MIB, 1) for data in bodies.values()],
        "total_bodies_mib": round(total / MIB, 1),
        "rss_before_mib": round(before / 1024, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "peak_over_bodies": round(peak * 1024 / total, 2),
        "growth_over_bodies": round((peak - before) * 1024 / total, 2),
        "sum_of_process_peaks_mib": round(hwm_sum / 1024, 1),
        "sum_of_process_peaks_over_bodies": round(hwm_sum * 1024 / total, 2),
        "processes": len(memory.hwm_kib),
        "seconds": round(elapsed, 1),
        "load_average": f"{load_before:.1f} before, {load_after:.1f} after",
        "event_loop_thread": f"ran {ran / 1e9:.1f} s, waited for a CPU {waited / 1e9:.1f} s "
        f"({100 * waited / 1e9 / elapsed:.0f}% of the time)",
        "health_alone_p50_p99_max": quiet,
        "pushes": [
            f"{r.operator}: {r.status} {r.summary} in {r.seconds:.1f} s"
            + (f" after {r.busy_answers} × 503" if r.busy_answers else "")
            for r in results.values()
        ],
        "health_samples": len(latencies),
        "health_failures": sampled["failures"],
        "health_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "health_p99_ms": round(p99_of(latencies) * 1000, 1),
        "health_max_ms": round(max(latencies) * 1000, 1),
    }


def show(result: dict[str, Any]) -> None:
    print(f"== {result['scenario']}")
    for key, value in result.items():
        if key == "pushes":
            for line in value:
                print(f"   push {line}")
        elif key != "scenario":
            print(f"   {key}: {value}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body-mib", type=int, default=256)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--max-concurrent-writes", type=int)
    parser.add_argument("--skip", choices=("parallel", "records"))
    parser.add_argument("--alone", type=float, default=10.0, help="seconds of /health alone")
    arguments = parser.parse_args()
    settings = {"EVSENET_MAX_BODY_MIB": str(arguments.body_mib)}
    if arguments.max_concurrent_writes:
        settings["EVSENET_MAX_CONCURRENT_WRITES"] = str(arguments.max_concurrent_writes)
    print(f"settings: {settings}")
    limit = arguments.body_mib * MIB
    with tempfile.TemporaryDirectory(prefix="evsenet-bench-memory-") as folder:
        if arguments.skip != "parallel":
            operators = [operator_id(n) for n in range(1, arguments.parallel + 1)]
            template = body(operators[0], max_bytes=limit - 4096)
            bodies = {
                operator: template.replace(operators[0].encode(), operator.encode())
                for operator in operators
            }
            del template
            show(run(Path(folder) / "parallel", bodies, settings, "parallel", arguments.alone))
            del bodies
        if arguments.skip != "records":
            operator = operator_id(1)
            data = {operator: body(operator, records=arguments.records)}
            room = max(arguments.body_mib, len(data[operator]) // MIB + 1)
            wide = settings | {"EVSENET_MAX_BODY_MIB": str(room)}
            show(run(Path(folder) / "records", data, wide, "records", arguments.alone))


if __name__ == "__main__":
    main()
