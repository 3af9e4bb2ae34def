"""`/health` while a large push is parsed, against a real `evsenet serve` (issue 11).

A push spooled to a file is parsed and written in a worker process, so the server's own
interpreter stays free for other requests: `/health` answers while the push runs, and
the push's CPU time is spent outside the server process. A server killed (SIGKILL)
while a worker imports leaves no worker behind and the batch all or nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from evsenet.store.engine import Store
from tests.api.conftest import oicp_record
from tests.served_process import health_status, serve_sqlite

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads process times from /proc"
)

OPERATOR = "DE*ABC"
RECORDS = 20_000
KILLED_RECORDS = 60_000
"""Enough that a worker is still importing when the server is killed, on a quiet machine too."""
PUSH_TIMEOUT_S = 600


@dataclass
class Served:
    port: int
    token: str
    path: Path
    process: subprocess.Popen[bytes]

    def health(self) -> int:
        return health_status(self.port)

    def push(self, body: bytes, outcome: dict[str, object]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PUSH_TIMEOUT_S)
        try:
            connection.request(
                "POST",
                "/api/v1/evses/push",
                body=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            response = connection.getresponse()
            outcome["status"] = response.status
            outcome["body"] = json.loads(response.read())
        except OSError as error:
            outcome["error"] = error
        finally:
            connection.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    settings = {"EVSENET_MAX_CONCURRENT_WRITES": "1"}
    with serve_sqlite(tmp_path, OPERATOR, "pushes", **settings) as server:
        yield Served(server.port, server.token, server.path, server.process)


def _body(records: int) -> bytes:
    """A fullLoad of `records` records (~650 bytes each, spooled to a file)."""
    items = [
        oicp_record(f"{OPERATOR}*E{number:07d}", ChargingStationID=f"S{number}")
        for number in range(records)
    ]
    return json.dumps(
        {
            "ActionType": "fullLoad",
            "OperatorEvseData": {"OperatorID": OPERATOR, "EvseDataRecord": items},
        }
    ).encode()


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name; None once it is gone."""
    try:
        text_ = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text_.rsplit(")", 1)[1].split()


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[1] == str(pid):
                found.append(int(entry.name))
    return found


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process's own threads (not of its children)."""
    fields = _stat(pid)
    assert fields is not None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu(pid: int) -> dict[int, float]:
    return {child: _cpu_seconds(child) for child in _children(pid)}


def _evses(path: Path) -> int:
    store = Store(f"sqlite:///{path}")
    try:
        with store.transaction() as connection:
            return int(connection.execute(text("SELECT count(*) FROM evses")).scalar_one())
    finally:
        store.dispose()


def test_health_answers_while_a_large_push_is_parsed_outside_the_server(
    served: Served,
) -> None:
    body = _body(RECORDS)
    server_before = _cpu_seconds(served.process.pid)
    workers_before = _children_cpu(served.process.pid)
    outcome: dict[str, object] = {}
    pushing = threading.Thread(target=served.push, args=(body, outcome))
    pushing.start()
    answered_during_push = []
    while pushing.is_alive():
        status = served.health()
        if pushing.is_alive():
            answered_during_push.append(status)
        time.sleep(0.05)
    pushing.join()
    server_cpu = _cpu_seconds(served.process.pid) - server_before
    workers_cpu = sum(
        seconds - workers_before.get(pid, 0.0)
        for pid, seconds in _children_cpu(served.process.pid).items()
    )

    assert outcome.get("status") == 200, outcome
    assert outcome["body"]["inserted"] == RECORDS  # type: ignore[index]
    assert answered_during_push, "the push ended before /health could be asked"
    assert set(answered_during_push) == {200}
    assert workers_cpu > server_cpu, (
        f"the server spent {server_cpu:.1f} s of CPU on the push, its workers {workers_cpu:.1f} s"
    )


def test_a_server_killed_during_a_push_leaves_no_worker_and_all_or_nothing(
    served: Served,
) -> None:
    body = _body(KILLED_RECORDS)
    workers_before = _children_cpu(served.process.pid)
    outcome: dict[str, object] = {}
    pushing = threading.Thread(target=served.push, args=(body, outcome), daemon=True)
    pushing.start()
    deadline = time.monotonic() + PUSH_TIMEOUT_S
    busy: list[int] = []
    while not busy and pushing.is_alive():
        assert time.monotonic() < deadline, "no worker took up the push"
        busy = [
            pid
            for pid, seconds in _children_cpu(served.process.pid).items()
            if seconds - workers_before.get(pid, 0.0) > 0.2
        ]
        time.sleep(0.05)
    if not busy:
        pytest.skip(f"the push ended before the kill: {outcome}")

    served.process.send_signal(signal.SIGKILL)
    served.process.wait()
    pushing.join(timeout=30)

    gone_by = time.monotonic() + 10
    while any(_alive(pid) for pid in busy):
        assert time.monotonic() < gone_by, "a worker outlived its server"
        time.sleep(0.1)
    assert _evses(served.path) in (0, KILLED_RECORDS)
