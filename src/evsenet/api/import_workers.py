"""Large pushes and imports run in worker processes, outside the server's interpreter.

Parsing and writing a batch at the body limit is minutes of Python code. Run in a thread
of the server, it holds the GIL most of that time, and every other request — `GET
/health` included — waits for it between the interpreter's switches: with two such
imports on two busy cores, `/health` took seconds. A body that was spooled to a file
(larger than `SPOOL_IN_MEMORY`) is therefore handed, by the file's path, to a process of
a pool of `EVSENET_MAX_CONCURRENT_WRITES` workers, which reads it, imports it on its own
connection to the same database and sends back the summary, or the domain error that
refused it, which the route answers exactly as before. Small bodies, and stores a second
process cannot open (in-memory SQLite), stay in a worker thread.

The write gate still admits the writes; the pool only runs them. A worker whose server
died (kill -9) ends itself within `ORPHAN_POLL_SECONDS`, so no import outlives its
server; the transaction it had open is rolled back by the database.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, Concatenate, ParamSpec, TypeVar

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import make_url

from evsenet import config
from evsenet.domain.errors import DomainError
from evsenet.store.engine import Store

P = ParamSpec("P")
T = TypeVar("T")

Write = Callable[Concatenate[Store, IO[bytes], P], T]
"""A push or import: (store, body file, *arguments) -> its summary."""

ORPHAN_POLL_SECONDS = 0.2
"""How often a worker checks that the server that started it is still alive."""
WORKER_NICENESS = 10
"""How much lower than the server's the workers' CPU priority is."""


@dataclass(frozen=True, slots=True)
class _Raised:
    """A domain error raised in a worker, in a form that crosses the process boundary
    (DomainError's constructors take other arguments than `args`, so it cannot be
    unpickled as itself)."""

    kind: type[DomainError]
    args: tuple[Any, ...]
    state: dict[str, Any]

    def revived(self) -> DomainError:
        error = self.kind.__new__(self.kind)
        error.args = self.args
        error.__dict__.update(self.state)
        return error


_worker_stores: dict[str, Store] = {}


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL_SECONDS)
    os._exit(1)


def _start_worker(parent: int) -> None:
    """Watch the server, and yield the CPU to it: on a busy machine the kernel runs the
    server's requests before the batch work of a worker (`WORKER_NICENESS`)."""
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    os.nice(WORKER_NICENESS)


def _give_back_memory() -> None:
    """Return the batch's freed memory to the system, so an idle worker stays small."""
    gc.collect()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.malloc_trim(0)


def _run_in_worker(
    write: Write[P, T], url: str, path: str, *args: P.args, **kwargs: P.kwargs
) -> T | _Raised:
    """Entry point in the worker: open the spooled body by its path and run the write."""
    store = _worker_stores.get(url)
    if store is None:
        store = _worker_stores[url] = Store(url)
    try:
        with open(path, "rb") as body:
            return write(store, body, *args, **kwargs)
    except DomainError as error:
        return _Raised(type(error), error.args, dict(error.__dict__))
    finally:
        _give_back_memory()


class ImportWorkers:
    """The process pool, started on first use and shared by every app of the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=config.max_concurrent_writes(),
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def discard(self, broken: ProcessPoolExecutor) -> None:
        """Forget a pool whose worker died; the next write starts a new one."""
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def pids(self) -> list[int]:
        """The worker processes running now (for tests and benchmarks)."""
        pool = self._pool
        processes = getattr(pool, "_processes", None) or {}
        return sorted(processes)


WORKERS = ImportWorkers()


def spooled_path(body: IO[bytes]) -> str | None:
    """A path another process can open the spooled body by, or None when it is in memory.

    A spooled body on disk is an unlinked temporary file; on Linux its open descriptor
    is reachable as /proc/<pid>/fd/<n>, which opens the same file, with its own offset.
    """
    if not sys.platform.startswith("linux"):
        return None
    file = getattr(body, "_file", body)
    try:
        descriptor = file.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    path = Path(f"/proc/{os.getpid()}/fd/{descriptor}")
    return str(path) if path.exists() else None


def shareable(store: Store) -> bool:
    """Whether a worker process can open the same database (not an in-memory SQLite)."""
    url = make_url(store.url)
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


async def run_write(
    write: Write[P, T], store: Store, body: IO[bytes], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`write(store, body, *args)`, in a worker process when the body was spooled to a file
    and the database can be shared, else in a worker thread. Closes `body`.

    A domain error the write raised is raised here as itself.
    """
    with body:
        path = spooled_path(body)
        if path is None or not shareable(store):
            return await run_in_threadpool(write, store, body, *args, **kwargs)
        pool = WORKERS.pool()
        job = partial(_run_in_worker, write, store.url, path, *args, **kwargs)
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(pool, job)
        except BrokenProcessPool:
            WORKERS.discard(pool)
            raise
    if isinstance(outcome, _Raised):
        raise outcome.revived()
    return outcome
