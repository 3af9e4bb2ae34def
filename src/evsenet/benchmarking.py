"""CPU time of the processes that do a benchmark's work (Linux `/proc`), so that figures
measured on a loaded machine say what the work itself costs, not how long it waited for
a core: the process itself, a server process, and on PostgreSQL the backends serving the
connections that carry an `application_name`. Also what the web benchmarks share: a
store to measure in, signing in through the form, the app's own time of an answer."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, text

from evsenet.store.engine import Store

if TYPE_CHECKING:
    from starlette.testclient import TestClient

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process so far (0 once it has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def with_application_name(url: str, name: str) -> str:
    """A PostgreSQL URL whose connections name themselves `name` (pg_stat_activity)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}application_name={name}"


@dataclass
class CpuMeter:
    """Sums the CPU time of `pids` and of the PostgreSQL backends whose connections are
    named `application` (found through `admin`, any connection to that server)."""

    pids: list[int]
    admin: Engine | None = None
    application: str | None = None
    in_process: bool = False
    _start: dict[int, float] = field(default_factory=dict)
    _own: float = 0.0

    def _backends(self) -> list[int]:
        if self.admin is None or self.application is None:
            return []
        with self.admin.connect() as connection:
            rows = connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": self.application},
            )
            return [int(pid) for pid in rows.scalars()]

    def _sample(self) -> dict[int, float]:
        return {pid: process_cpu_seconds(pid) for pid in {*self.pids, *self._backends()}}

    def start(self) -> None:
        self._start = self._sample()
        self._own = time.process_time()

    def seconds(self) -> float:
        """CPU seconds since `start` (backends that started meanwhile count from zero)."""
        now = self._sample()
        spent = sum(now[pid] - self._start.get(pid, 0.0) for pid in now)
        if self.in_process:
            spent += time.process_time() - self._own
        return spent


@contextmanager
def measured(meter: CpuMeter, into: list[float]) -> Iterator[None]:
    """Append the CPU seconds of the block to `into`."""
    meter.start()
    yield
    into.append(meter.seconds())


def milliseconds(values: Iterable[float]) -> str:
    return ", ".join(f"{value * 1000:.0f} ms" for value in values)


def cpu_pressure() -> str:
    """The kernel's CPU pressure (PSI): the share of the last 60 s in which some runnable
    task waited for a core. Near 100 % the wall clock says more about the machine's other
    work than about the code measured."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (FileNotFoundError, IndexError):
        return "unknown"
    fields = dict(item.split("=") for item in line.split()[1:])
    return f"{fields.get('avg60', '?')} % (some, avg60)"


@contextmanager
def bench_store(postgres_url: str | None, name: str) -> Iterator[Store]:
    """A fresh, empty store for one benchmark run: a SQLite file in a temporary folder, or
    with `postgres_url` a schema of its own (`name` and the time; `application_name`
    `name`), dropped afterwards with everything in it."""
    if postgres_url is None:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
            try:
                yield store
            finally:
                store.dispose()
        return
    schema = f"{name}_{int(time.time())}"
    admin = create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    private = f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    store = Store(with_application_name(private, name))
    try:
        yield store
    finally:
        store.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def server_ms(headers: Mapping[str, str]) -> float:
    """The app's own time for one answer (milliseconds), from the `Server-Timing` header
    the web app sends."""
    found = _SERVER_TIMING.search(headers.get("server-timing", ""))
    assert found, "the app sent no Server-Timing header"
    return float(found.group(1))


def csrf_token(page: str) -> str:
    """The CSRF token of a web page's forms."""
    found = _CSRF_FIELD.search(page)
    assert found, "the page has no CSRF token (not signed in?)"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str) -> None:
    """Sign in through the web app's form, CSRF token and all, as a person would."""
    token = csrf_token(client.get("/sign-in").text)
    client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})
