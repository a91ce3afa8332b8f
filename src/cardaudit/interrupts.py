"""Ctrl-C and SIGTERM: a run ends the way Ctrl-C ends it, and pools are interrupted safely.

SIGTERM (a CI runner cancelling the job, `kill`) ends a run the way Ctrl-C does: finished
rows are written and the stored run is marked incomplete, instead of dying mid-write.

Python raises KeyboardInterrupt wherever the main thread happens to be. Inside
`concurrent.futures` (wait, submit, result) that can be between taking a future's lock and
releasing it; the lock stays held, the pool's manager thread blocks on it when the next
result arrives, and the interpreter then waits for that thread at exit forever: a cancelled
CI job whose audit never ends. So while a pool runs, the signals only note the request, and
the waiting loop raises KeyboardInterrupt at a point where it holds no lock.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

POLL_SECONDS = 0.2
_SIGNALS = (signal.SIGINT, signal.SIGTERM)

T = TypeVar("T")
Check = Callable[[], None]


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt within the block (the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _no_check() -> None:
    return None


@contextmanager
def deferred_interrupts() -> Iterator[Check]:
    """Within the block SIGINT and SIGTERM are noted, not raised; the `check` it yields raises
    KeyboardInterrupt once one arrived. A request still pending at the end is raised then.
    Outside the main thread (where signals cannot be handled) it changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield _no_check
        return
    requested = threading.Event()

    def note(signum: int, frame: FrameType | None) -> None:
        requested.set()

    def check() -> None:
        if requested.is_set():
            raise KeyboardInterrupt

    previous = [(number, signal.signal(number, note)) for number in _SIGNALS]
    try:
        yield check
    finally:
        for number, handler in previous:
            if handler is not None:  # None: set outside Python, cannot be restored
                signal.signal(number, handler)
    check()


def wait_first(pending: Iterable[Future[Any]], check: Check) -> set[Future[Any]]:
    """The futures done, waiting until at least one is; calls `check` between short waits."""
    while True:
        check()
        done, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        if done:
            return done


def map_threads(function: Callable[[Any], T], items: list[Any], jobs: int,
                on_done: Callable[[T], None] | None = None) -> list[T]:
    """`function` over `items` in `jobs` threads, results in order; Ctrl-C cancels what has
    not started and raises KeyboardInterrupt. `on_done` sees each result as it comes, in
    this thread (a progress bar need not be thread-safe)."""
    with deferred_interrupts() as check:
        pool = ThreadPoolExecutor(max_workers=max(1, jobs))
        try:
            futures = [pool.submit(function, item) for item in items]
            pending = set(futures)
            while pending:
                done = wait_first(pending, check)
                pending -= done
                if on_done is not None:
                    for future in done:
                        on_done(future.result())
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return [future.result() for future in futures]
