"""A real `evsenet serve` process for the tests that need one: a free port, and a server
on a fresh SQLite file with one operator and its token, started and stopped."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from evsenet.services.operators import register_operator
from evsenet.services.tokens import create_token
from evsenet.store.engine import Store
from evsenet.store.migrate import upgrade

START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def health_status(port: int) -> int:
    """The status of one `GET /health` of the server on `port`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status
    finally:
        connection.close()


@dataclass(frozen=True)
class ServedProcess:
    port: int
    token: str
    path: Path
    process: subprocess.Popen[bytes]


@contextmanager
def serve_sqlite(
    tmp_path: Path, operator: str, token_label: str, *arguments: str, **settings: str
) -> Iterator[ServedProcess]:
    """`evsenet serve *arguments` on a migrated SQLite file in `tmp_path` where `operator`
    is registered with a token, with the environment variables `settings`; yielded once
    `/health` answers 200, terminated (killed if it does not stop) afterwards unless the
    test ended it itself."""
    path = tmp_path / "served.sqlite"
    store = Store(f"sqlite:///{path}")
    upgrade(store)
    register_operator(store, operator, "Served")
    _, token = create_token(store, operator, token_label)
    store.dispose()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "EVSENET_DATABASE_URL"}
    env |= {"EVSENET_DATABASE_PATH": str(path), **settings}
    process = subprocess.Popen(
        [sys.executable, "-m", "evsenet.cli", "serve", "--port", str(port), *arguments],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "no server within the start timeout"
            try:
                if health_status(port) == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield ServedProcess(port, token, path, process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
