"""The aggregate cache: which cached aggregates the log's tail shows to be behind,
how far the cache's position moves, and what it forgets."""

from __future__ import annotations

from uuid import UUID, uuid4

import msgspec

from walkthrough.aggregate_cache import AggregateCache
from walkthrough.persistence import Tail


class Counter(msgspec.Struct, frozen=True):
    version: int


A, B, C = uuid4(), uuid4(), uuid4()


def tail(position: int, *changed: tuple[UUID, int]) -> Tail:
    return Tail(position=position, changed=list(changed), receipts={})


def cache_with(*items: tuple[UUID, int], maxsize: int = 10) -> AggregateCache:
    cache = AggregateCache(maxsize)
    for aggregate_id, version in items:
        cache.put(aggregate_id, Counter(version))
    return cache


def test_an_empty_cache_has_nothing_and_no_position() -> None:
    cache = AggregateCache(10)
    assert cache.get(A) == (None, False)
    assert cache.position is None


def test_a_change_newer_than_the_cached_version_marks_it_behind() -> None:
    cache = cache_with((A, 2), (B, 3))
    cache.follow(tail(7, (A, 3), (B, 3)))
    assert cache.get(A) == (Counter(2), True)
    assert cache.get(B) == (Counter(3), False)  # our own write: already cached
    assert cache.position == 7


def test_changes_to_aggregates_not_cached_are_only_passed_over() -> None:
    cache = cache_with((A, 1))
    cache.follow(tail(4, (B, 5), (C, 1)))
    assert cache.get(B) == (None, False)
    assert cache.get(C) == (None, False)
    assert cache.get(A) == (Counter(1), False)
    assert cache.position == 4


def test_an_unknown_tail_forgets_everything() -> None:
    cache = cache_with((A, 2), (B, 3))
    cache.follow(tail(3, (A, 5)))
    cache.follow(Tail(position=20_000, changed=None, receipts={}))
    assert cache.get(A) == (None, False)
    assert cache.get(B) == (None, False)
    assert cache.position == 20_000
    cache.put(A, Counter(5))
    assert cache.get(A) == (Counter(5), False)


def test_putting_the_newest_version_clears_behind_and_an_older_one_does_not() -> None:
    cache = cache_with((A, 2))
    cache.follow(tail(5, (A, 3), (A, 4)))
    cache.put(A, Counter(3))
    assert cache.get(A) == (Counter(3), True)
    cache.put(A, Counter(4))
    assert cache.get(A) == (Counter(4), False)


def test_behind_remembers_the_newest_change_seen_across_tails() -> None:
    cache = cache_with((A, 1))
    cache.follow(tail(5, (A, 5)))
    cache.follow(tail(6, (A, 4)))
    cache.put(A, Counter(4))
    assert cache.get(A) == (Counter(4), True)
    cache.put(A, Counter(6))
    assert cache.get(A) == (Counter(6), False)


def test_our_own_insert_moves_the_position_only_when_it_directly_follows() -> None:
    cache = AggregateCache(10)
    cache.wrote([1, 2])
    assert cache.position is None  # never followed: nothing to move
    cache.follow(tail(10))
    cache.wrote([11, 12, 13])
    assert cache.position == 13
    cache.wrote([15, 16])  # 14 is someone else's, not read yet
    assert cache.position == 13
    cache.wrote([13])  # not after the position
    assert cache.position == 13
    cache.wrote([])
    assert cache.position == 13
    cache.wrote([14])
    assert cache.position == 14


def test_the_least_recently_used_is_dropped_at_maxsize() -> None:
    cache = cache_with((A, 1), (B, 1), maxsize=2)
    assert cache.get(A)[0] == Counter(1)  # A is now used more recently than B
    cache.put(C, Counter(1))
    assert cache.get(B) == (None, False)
    assert cache.get(A) == (Counter(1), False)
    assert cache.get(C) == (Counter(1), False)


def test_putting_again_counts_as_a_use() -> None:
    cache = cache_with((A, 1), (B, 1), maxsize=2)
    cache.put(A, Counter(2))
    cache.put(C, Counter(1))
    assert cache.get(B) == (None, False)
    assert cache.get(A) == (Counter(2), False)


def test_forget_drops_only_the_aggregates_named() -> None:
    cache = cache_with((A, 1), (B, 1))
    cache.follow(tail(3, (A, 3)))
    cache.forget([A, C])
    assert cache.get(A) == (None, False)
    assert cache.get(B) == (Counter(1), False)
    assert cache.position == 3
