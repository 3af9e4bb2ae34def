"""Large pushes and imports run in worker processes, outside the server's interpreter.

Parsing and writing a batch at the body limit is minutes of Python code. Run in a thread
of the server, it held the GIL ~95% of the time (py-spy), and every other request —
`GET /health` included — waited for it between the interpreter's switches: with two such
imports on two busy cores, `/health` took seconds. A body that was spooled to a file
(larger than `SPOOL_IN_MEMORY`) is therefore handed, by the file's path, to a process of
a pool of `EVSENET_MAX_CONCURRENT_WRITES` workers (`services/import_pool.py`), which
reads it, imports it on its own connection to the same database and sends back the
summary, or the domain error that refused it, which the route answers as before. Small
bodies, and stores a second process cannot open (in-memory SQLite), stay in a thread.

The write gate still admits the writes; the pool only runs them. `evsenet serve` starts
the pool with the server (`start`), so that no push waits for a worker to start; with
`--workers N`, or under a test client, it starts with the first large write. It is
shared by every app of the process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import IO, ParamSpec, TypeVar

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import make_url

from evsenet import config
from evsenet.api.problems import ApiProblem
from evsenet.services.import_pool import BodyWrite, Raised, ready, run_in_worker, start_worker
from evsenet.store.engine import Store

P = ParamSpec("P")
T = TypeVar("T")


class ImportWorkers:
    """The process pool, started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=config.max_concurrent_writes(),
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=start_worker,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def start(self) -> list[int]:
        """Start every worker now and wait until each answers; their process IDs."""
        pool = self.pool()
        slots = config.max_concurrent_writes()
        started = [pool.submit(ready) for _ in range(slots)]
        return sorted({future.result() for future in started})

    def discard(self, broken: ProcessPoolExecutor) -> None:
        """Forget a pool whose worker died; the next write starts a new one."""
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        """The worker processes running now."""
        processes = getattr(self._pool, "_processes", None) or {}
        return sorted(processes)


WORKERS = ImportWorkers()


def spooled_path(body: IO[bytes]) -> str | None:
    """A path another process can open the spooled body by, or None when it is in memory.

    A spooled body on disk is an unlinked temporary file; on Linux its open descriptor
    is reachable as /proc/<pid>/fd/<n>, which opens the same file with its own offset.
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
    write: BodyWrite[P, T], store: Store, body: IO[bytes], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`write(store, body, *args)`, in a worker process when the body was spooled to a file
    and the database can be shared, else in a worker thread. Closes `body`.

    A domain error the write raised is raised here as itself; a worker that died (killed
    for lack of memory, say) is a 503 `write.worker_lost` (`worker_lost`).
    """
    with body:
        path = spooled_path(body)
        if path is None or not shareable(store):
            return await run_in_threadpool(write, store, body, *args, **kwargs)
        pool = WORKERS.pool()
        job = partial(run_in_worker, write, store.url, path, *args, **kwargs)
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(pool, job)
        except BrokenProcessPool as error:
            WORKERS.discard(pool)
            raise worker_lost() from error
    if isinstance(outcome, Raised):
        raise outcome.revived()
    return outcome


WORKER_LOST_RETRY_SECONDS = 1


def worker_lost() -> ApiProblem:
    """The answer to a write whose worker process ended before it answered. Its database
    transaction ended with the process, uncommitted: nothing was written. The pool is
    replaced (`ImportWorkers.discard`), so the same request sent again can succeed."""
    return ApiProblem(
        503,
        "write.worker_lost",
        "The worker process that ran this push or import ended before it finished (it may "
        "have been stopped for lack of memory); nothing was written. Send the request again.",
        headers={"Retry-After": str(WORKER_LOST_RETRY_SECONDS)},
    )
