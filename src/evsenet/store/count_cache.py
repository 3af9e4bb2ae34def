"""Exact list totals kept between requests, keyed by the operator's data version.

A filtered list's total (and the assigned list's per-group counts) can only be counted
from the matching rows, which at a million EVSEs costs tens of milliseconds a page. The
answer cannot change until the operator's data does, and every write that could change it
increments the operator's data version in its own transaction
(`operator_counters.version`, `Counters.changed`). So a count is stored under the version
it was counted at and looked up under the version the request reads: a write makes every
older entry unreachable, and the least recently used entries leave when the cache is full.

Each `Store` (one database, one process) has its own cache; several server processes
each keep theirs, and all of them read the version from the database, so none can serve
a total another process's write made stale.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from threading import Lock

CAPACITY = 65_536
"""Counts kept per store: an entry weighs one plus its number of per-group counts (a
network may have any number of groups), so memory stays bounded (a few MiB)."""


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    size: int
    """Entries."""
    weight: int
    """Their weights' sum (at most `capacity`)."""
    capacity: int


class CountCache:
    """A bounded least-recently-used map from (operator, list, filter, version) keys to
    counts, safe to share between a server's threads. Values are per-group counts as
    (group, count) pairs, immutable so that no caller can change a stored answer; the
    entries' weights (`_weight`) add up to at most `capacity`, and an entry heavier than
    that is not kept."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("a count cache holds at least one entry")
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, tuple[tuple[int, int], ...]] = OrderedDict()
        self._weight = 0
        self._lock = Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: Hashable) -> tuple[tuple[int, int], ...] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return found

    def put(self, key: Hashable, counts: tuple[tuple[int, int], ...]) -> None:
        if _weight(counts) > self.capacity:
            return
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._weight -= _weight(replaced)
            self._entries[key] = counts
            self._weight += _weight(counts)
            while self._weight > self.capacity:
                _, dropped = self._entries.popitem(last=False)
                self._weight -= _weight(dropped)

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                self._hits, self._misses, len(self._entries), self._weight, self.capacity
            )


def _weight(counts: tuple[tuple[int, int], ...]) -> int:
    return 1 + len(counts)
