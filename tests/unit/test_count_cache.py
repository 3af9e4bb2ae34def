"""The count cache: bounded by its entries' weight (one plus their per-group counts),
least recently used out first, hits and misses counted."""

from __future__ import annotations

import pytest

from evsenet.store.count_cache import CountCache


def test_a_stored_count_is_found_under_its_key_only() -> None:
    cache = CountCache(capacity=4)
    cache.put(("unassigned", 1, None, "Köln", 7), ((0, 12),))
    assert cache.get(("unassigned", 1, None, "Köln", 7)) == ((0, 12),)
    assert cache.get(("unassigned", 1, None, "Köln", 8)) is None
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.size) == (1, 1, 1)


def test_the_cache_keeps_at_most_its_capacity_dropping_the_least_recently_used() -> None:
    cache = CountCache(capacity=6)  # three entries of one count each
    for version in range(3):
        cache.put(("k", version), ((0, version),))
    assert cache.get(("k", 0)) == ((0, 0),)  # 0 is now the most recently used
    for version in range(3, 100):
        cache.put(("k", version), ((0, version),))
        assert cache.stats().size <= 3
    assert cache.get(("k", 0)) is None
    assert cache.get(("k", 99)) == ((0, 99),)
    assert cache.get(("k", 96)) is None
    assert cache.stats().size == 3


def test_reading_an_entry_keeps_it_over_older_ones() -> None:
    cache = CountCache(capacity=4)
    cache.put("a", ((0, 1),))
    cache.put("b", ((0, 2),))
    cache.get("a")
    cache.put("c", ((0, 3),))
    assert cache.get("b") is None
    assert cache.get("a") == ((0, 1),)


def test_a_cache_without_room_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        CountCache(capacity=0)


def test_entries_with_many_group_counts_weigh_more() -> None:
    cache = CountCache(capacity=10)
    cache.put("small", ((0, 1),))
    cache.put("groups", tuple((group, 1) for group in range(1, 8)))  # weight 8
    assert cache.stats().weight == 10
    cache.put("another", ((0, 2),))
    assert cache.get("small") is None
    assert cache.stats().weight <= 10
    cache.put("too heavy", tuple((group, 1) for group in range(1, 11)))
    assert cache.get("too heavy") is None
    assert cache.get("another") == ((0, 2),)
