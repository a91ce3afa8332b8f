"""RecentCache keeps the last N values put, whatever is put after, and is safe across threads."""

from __future__ import annotations

import threading

from cardaudit.recent import RecentCache


def test_putting_one_more_than_it_holds_drops_the_oldest() -> None:
    cache: RecentCache[str, int] = RecentCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)  # a key it holds is replaced, nothing dropped
    assert (cache.get("a"), cache.get("b"), len(cache)) == (10, 2, 2)
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (None, 2, 3, 2)


def test_threads_putting_at_once_never_exceed_the_bound() -> None:
    cache: RecentCache[int, int] = RecentCache(64)

    def fill(offset: int) -> None:
        for i in range(5_000):
            cache.put(offset + i, i)
            cache.get(offset + i // 2)

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 64
