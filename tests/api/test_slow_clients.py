"""Slow and idle clients against a real `evsenet serve` process (issue 11, slowloris).

Sockets that send half a request are closed by the server within the configured
deadline while `/health` keeps answering; a stalled body is dropped; connections beyond
the cap are closed at once; an endless header block is refused with 431.
"""

from __future__ import annotations

import json
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.served_process import serve_sqlite

HEADER_TIMEOUT_S = 2
BODY_TIMEOUT_S = 2
IDLE_SOCKETS = 2_000


@dataclass
class Served:
    port: int
    token: str
    process: subprocess.Popen[bytes]

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def health_seconds(self) -> tuple[int, float]:
        """Status and seconds of one `GET /health` on a new connection."""
        started = time.perf_counter()
        with self.connect() as connection:
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := connection.recv(65_536):
                answer += chunk
        return int(answer.split(b" ", 2)[1]), time.perf_counter() - started


def _serve(tmp_path: Path, *arguments: str, **settings: str) -> Iterator[Served]:
    with serve_sqlite(tmp_path, "DE*ABC", "slow clients", *arguments, **settings) as server:
        yield Served(server.port, server.token, server.process)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    yield from _serve(
        tmp_path,
        EVSENET_HEADER_TIMEOUT_S=str(HEADER_TIMEOUT_S),
        EVSENET_BODY_TIMEOUT_S=str(BODY_TIMEOUT_S),
        EVSENET_MAX_CONNECTIONS=str(IDLE_SOCKETS + 500),
    )


@pytest.fixture
def descriptors() -> Iterator[None]:
    """Room for thousands of sockets in this test process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = IDLE_SOCKETS + 1_000
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the open-file hard limit {hard} leaves no room for {IDLE_SOCKETS} sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _closed_within(sockets: list[socket.socket], seconds: float) -> dict[socket.socket, float]:
    """When (`time.monotonic()`) the server closed each socket, waiting up to `seconds`."""
    started = time.monotonic()
    closed: dict[socket.socket, float] = {}
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        while len(closed) < len(sockets):
            left = seconds - (time.monotonic() - started)
            if left <= 0:
                break
            for key, _ in selector.select(timeout=left):
                ready = key.fileobj
                assert isinstance(ready, socket.socket)
                try:
                    data = ready.recv(65_536)
                except ConnectionError:
                    data = b""
                if not data:
                    closed[ready] = time.monotonic()
                    selector.unregister(ready)
    return closed


SAMPLER = """
import json, socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
latencies, statuses, end = [], set(), time.monotonic() + seconds
while time.monotonic() < end:
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET /health HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    latencies.append(time.perf_counter() - started)
    statuses.add(int(answer.split(b" ", 2)[1]))
print(json.dumps({"latencies": latencies, "statuses": sorted(statuses)}))
"""
"""Samples `/health` in a process of its own, so that the test's own work on thousands of
sockets does not delay the samples."""


def _sample_health(port: int, seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", SAMPLER, str(port), str(seconds)], stdout=subprocess.PIPE
    )


def _p50_p99(sampler: subprocess.Popen[bytes]) -> tuple[float, float]:
    """The median and the 99th percentile of the sampled answers, all of them 200."""
    output, _ = sampler.communicate(timeout=60)
    sampled = json.loads(output)
    assert sampled["statuses"] == [200]
    latencies = sampled["latencies"]
    return statistics.median(latencies), statistics.quantiles(latencies, n=100)[98]


@pytest.mark.usefixtures("descriptors")
def test_two_thousand_half_open_sockets_are_closed_in_time_while_health_answers(
    served: Served,
) -> None:
    # On a machine shared with other work /health alone can take tens of milliseconds, so
    # the bound is 100 ms or three times the median the same server answers in without
    # idle sockets at the moment; the 99th percentile, which on a machine at a load of 18
    # was measured at up to 500 ms (all 2,000 deadlines pass within a second or two), is
    # held to one second.
    median_alone, _ = _p50_p99(_sample_health(served.port, 2))
    sockets = []
    opened: dict[socket.socket, float] = {}
    try:
        for number in range(IDLE_SOCKETS):
            sock = served.connect()
            opened[sock] = time.monotonic()
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nX-Half: " + str(number).encode())
            sock.setblocking(False)
            sockets.append(sock)
        # The idle sockets are held: sample /health until they are closed and a while after.
        sampler = _sample_health(served.port, HEADER_TIMEOUT_S + 1)
        closed = _closed_within(sockets, HEADER_TIMEOUT_S + 3)
        p50, p99 = _p50_p99(sampler)
    finally:
        for sock in sockets:
            sock.close()
    assert len(closed) == IDLE_SOCKETS, f"{IDLE_SOCKETS - len(closed)} sockets still open"
    held = [closed[sock] - opened[sock] for sock in sockets]
    assert min(held) >= HEADER_TIMEOUT_S - 0.5, "closed before the deadline"
    assert max(held) <= HEADER_TIMEOUT_S + 3, "closed long after the deadline"
    assert p50 <= max(0.1, 3 * median_alone), f"/health p50 {p50 * 1000:.0f} ms"
    assert p99 <= 1.0, f"/health p99 {p99 * 1000:.0f} ms with {IDLE_SOCKETS} idle sockets"


def test_a_body_that_stops_arriving_is_dropped_after_the_body_timeout(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(
            b"POST /api/v1/evses/push HTTP/1.1\r\nHost: t\r\n"
            b"Authorization: Bearer " + served.token.encode() + b"\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            b'{"ActionType": "insert"'
        )
        sock.setblocking(False)
        started = time.monotonic()
        closed = _closed_within([sock], BODY_TIMEOUT_S + 3)
    assert len(closed) == 1
    assert BODY_TIMEOUT_S - 0.5 <= time.monotonic() - started <= BODY_TIMEOUT_S + 3
    assert served.health_seconds()[0] == 200


def test_a_slowly_dripped_request_line_gets_no_more_time(served: Served) -> None:
    with served.connect() as sock:
        started = time.monotonic()
        request = b"GET /health HTTP/1.1\r\nHost: t\r\n" + b"X: y\r\n" * 100
        closed_at = None
        for byte in request:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed_at = time.monotonic() - started
                break
            time.sleep(0.05)
            if time.monotonic() - started > HEADER_TIMEOUT_S + 3:
                break
        if closed_at is None:
            sock.setblocking(False)
            closed = _closed_within([sock], 1)
            assert closed, "the dripping client was never dropped"
            closed_at = time.monotonic() - started
    assert closed_at <= HEADER_TIMEOUT_S + 2


def test_an_endless_header_block_is_refused_with_431(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n")
        try:
            for number in range(2_000):
                sock.sendall(b"X-Filler-%d: %s\r\n" % (number, b"x" * 100))
        except OSError:
            pass
        answer = sock.recv(65_536)
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_connections_beyond_the_cap_are_closed_at_once(tmp_path: Path) -> None:
    for served in _serve(tmp_path, EVSENET_MAX_CONNECTIONS="20", EVSENET_HEADER_TIMEOUT_S="30"):
        held = [served.connect() for _ in range(20)]
        try:
            time.sleep(0.3)
            extra = served.connect()
            extra.setblocking(False)
            closed = _closed_within([extra], 2)
            extra.close()
            assert len(closed) == 1, "a connection beyond the cap was kept"
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.3)
        assert served.health_seconds()[0] == 200


def test_worker_processes_keep_the_same_deadlines(tmp_path: Path) -> None:
    for served in _serve(tmp_path, "--workers", "2", EVSENET_HEADER_TIMEOUT_S="2"):
        time.sleep(6)  # past uvicorn's first health checks of its workers
        assert served.process.poll() is None
        with served.connect() as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n")
            sock.setblocking(False)
            assert len(_closed_within([sock], 5)) == 1
        assert [served.health_seconds()[0] for _ in range(4)] == [200] * 4
