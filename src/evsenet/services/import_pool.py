"""Pushes and imports of a body file, as a worker process of the server runs them.

`api/import_workers.py` hands a large body to a process of its pool by the spooled
file's path; this module is what that process imports, and no more: the format readers
and the inventory use case, not the web framework (a worker stays ~40 MiB smaller).
A domain error crosses the process boundary as `Raised` and is raised again in the
server, so that the route answers it exactly as if it had run in the server.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Concatenate, ParamSpec, TypeVar

from evsenet.domain.errors import DomainError
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction
from evsenet.formats.files import FileFormat, read_file
from evsenet.formats.oicp_stream import read_oicp_push_file
from evsenet.services.inventory import ImportSummary, import_evses
from evsenet.store.engine import Store

P = ParamSpec("P")
T = TypeVar("T")

BodyWrite = Callable[Concatenate[Store, IO[bytes], P], T]
"""A push or import: (store, body file, *arguments) -> its summary."""

ORPHAN_POLL_SECONDS = 0.2
"""How often a worker checks that the server that started it is still alive."""
WORKER_NICENESS = 10
"""How much lower than the server's the workers' CPU priority is."""


def push_oicp(
    store: Store,
    body: IO[bytes],
    operator: OperatorId,
    skip_invalid: bool,
    confirm_withdrawals: int | None = None,
) -> ImportSummary:
    """Read an OICP push body record by record and import it for `operator`; the body
    file is closed once it is read."""
    with body:
        batch = read_oicp_push_file(body)
    return import_evses(
        store,
        operator.display,
        batch,
        skip_invalid=skip_invalid,
        confirm_withdrawals=confirm_withdrawals,
    )


def import_file(
    store: Store,
    body: IO[bytes],
    operator: OperatorId,
    kind: FileFormat,
    action: PushAction,
    zone: str | None,
    skip_invalid: bool,
    confirm_withdrawals: int | None = None,
) -> ImportSummary:
    """Read a file of the given format and import it for `operator`; the body file is
    closed once it is read."""
    with body:
        data = body.read()
    batch = read_file(data, kind, operator, action, zone)
    del data
    return import_evses(
        store,
        operator.display,
        batch,
        skip_invalid=skip_invalid,
        confirm_withdrawals=confirm_withdrawals,
    )


@dataclass(frozen=True, slots=True)
class Raised:
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


_stores: dict[str, Store] = {}
"""The engine of the database the worker last wrote to (a server has one)."""


def _store(url: str) -> Store:
    if url not in _stores:
        for other in _stores.values():
            other.dispose()
        _stores.clear()
        _stores[url] = Store(url)
    return _stores[url]


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL_SECONDS)
    os._exit(1)


def start_worker(parent: int) -> None:
    """Initialise a worker: end it when the server `parent` ends (no import outlives its
    server; the database rolls back the transaction it had open), and yield the CPU to
    the server, so that on a busy machine its requests run before batch work. Ctrl-C in
    the terminal reaches the whole process group: the server shuts its workers down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    os.nice(WORKER_NICENESS)


def ready() -> int:
    """A worker's answer to the pool's start: its process ID."""
    return os.getpid()


def _give_back_memory() -> None:
    """Return the batch's freed memory to the system, so that an idle worker stays small."""
    gc.collect()
    malloc_trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only
    if malloc_trim is not None:
        malloc_trim(0)


def run_in_worker(
    write: BodyWrite[P, T], url: str, path: str, *args: P.args, **kwargs: P.kwargs
) -> T | Raised:
    """Entry point in the worker: open the spooled body by its path and run the write on
    this process's own engine for `url`."""
    store = _store(url)
    try:
        with open(path, "rb") as body:
            return write(store, body, *args, **kwargs)
    except DomainError as error:
        return Raised(type(error), error.args, dict(error.__dict__))
    finally:
        _give_back_memory()
