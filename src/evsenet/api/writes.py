"""At most a configured number of pushes and imports at once (`EVSENET_MAX_CONCURRENT_WRITES`).

A push at the body limit holds its body, its records and their rows in memory while it
runs; four at once took the server past 8 GiB before this gate. A write is admitted
before its body is read: one that finds every slot taken waits up to `wait_seconds`
(while it waits its body stays with the client) and is then answered 503
`write.busy` with `Retry-After`. The gate counts per server process; with
`--workers N` the bound is N times the setting.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from evsenet.api.problems import ApiProblem, problem_responses

POLL_SECONDS = 0.02
"""How often a waiting write looks for a free slot. Polling keeps the gate free of any
one event loop (test clients run each request on a loop of its own)."""

BUSY_RESPONSES = problem_responses(503)


class WriteGate:
    """Admits at most `slots` writes at once; the others wait, then are refused."""

    def __init__(self, slots: int, wait_seconds: float) -> None:
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        """How many writes hold a slot now."""
        return self._running

    def _try_enter(self) -> bool:
        with self._lock:
            if self._running >= self.slots:
                return False
            self._running += 1
            return True

    def _leave(self) -> None:
        with self._lock:
            self._running -= 1

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold a slot for the block; ApiProblem 503 when none frees up in time."""
        deadline = time.monotonic() + self.wait_seconds
        while not self._try_enter():
            if time.monotonic() >= deadline:
                retry = max(1, math.ceil(self.wait_seconds))
                raise ApiProblem(
                    503,
                    "write.busy",
                    f"{self.slots} pushes or imports are running, as many as this server "
                    f"takes at once; send the request again in {retry} seconds",
                    headers={"Retry-After": str(retry)},
                )
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            self._leave()
