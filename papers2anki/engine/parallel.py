"""Independent work (reading and parsing files, rendering papers, packaging decks) spread over the cores.

A build of a department's archive parses thousands of files and writes thousands of packages, each
on its own: with one process per core that work takes a fraction of its time on one. Results come
back in the order of the inputs, so the output is the same bytes whatever the number of processes.
`PAPERS2ANKI_JOBS` sets the number of processes (1: everything in this process). Small jobs stay in
this process: starting workers costs more than they would save.

Workers are forked, so they start with this process's modules and need no `if __name__ == "__main__"`
in the caller's script; where there is no fork (Windows), or where this process runs threads (which
fork would copy half-way, e.g. with Anki's backend loaded), the work is done here.
"""

from __future__ import annotations

import gc
import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from .memory import Packed

if TYPE_CHECKING:
    from concurrent.futures import Executor

T = TypeVar("T")
R = TypeVar("R")

# Fewer items than this are done here, when no pool runs yet. A course of 1,000 questions (250 papers, 75
# files) is done faster, or no slower, in one process than in two: forking, sending the records and
# reading the results back cost as much as half the work saves, and the workers double the peak memory.
MIN_ITEMS = 500
# Once a pool runs (a large build's parse started it), what it costs to start is paid: lists from this
# long go to it (packages are made in windows of 256).
MIN_ITEMS_RUNNING = 200


def jobs() -> int:
    """How many processes to use: PAPERS2ANKI_JOBS, else the cores this process may run on."""
    chosen = os.environ.get("PAPERS2ANKI_JOBS", "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _single_threaded() -> bool:
    """No other thread, Python's or native (Anki's backend runs Rust threads that fork would orphan)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1]) == 1
    except (OSError, ValueError):
        pass
    return threading.active_count() == 1


class Workers:
    """A pool of processes made on first need and shut down by `close` (or `with`)."""

    def __init__(self, count: int | None = None) -> None:
        self.count = count if count is not None else jobs()
        self._pool: Executor | None = None

    def spreads(self, count: int) -> bool:
        """Whether `map` of this many items would send them to worker processes (where it can)."""
        least = MIN_ITEMS if self._pool is None else min(MIN_ITEMS, MIN_ITEMS_RUNNING)
        return self.count > 1 and count >= least

    def map(self, fn: Callable[[T], R], items: Iterable[T], chunksize: int = 16) -> Iterator[R]:
        """`fn` over `items`, in order; `fn` must be a module-level function (it is sent by name)."""
        todo = list(items)
        if not self.spreads(len(todo)):
            return map(fn, todo)
        if self._pool is None:
            # Imported here: a build of a few papers makes no pool (20 ms).
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            if "fork" not in multiprocessing.get_all_start_methods() or not _single_threaded():
                return map(fn, todo)
            # Objects made so far are left out of the workers' garbage collections, which would
            # otherwise touch, and so copy, every page they share with this process.
            gc.freeze()
            self._pool = ProcessPoolExecutor(
                self.count, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start
            )
        # Sent in chunks, each pickled by `memory.dumps` when it is sent (see `memory`).
        chunks = [Packed((fn, todo[i : i + chunksize])) for i in range(0, len(todo), chunksize)]
        del todo
        return itertools.chain.from_iterable(self._pool.map(_run_chunk, chunks))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
            gc.unfreeze()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


_in_worker = False


def in_worker() -> bool:
    """Whether this process is one of a pool's workers."""
    return _in_worker


def _worker_start() -> None:
    global _in_worker
    gc.enable()  # a pool forked while this process held its collector off still collects
    _in_worker = True


def _run_chunk(chunk: tuple[Callable[[T], R], list[T]]) -> list[R]:
    fn, items = chunk
    return [fn(item) for item in items]


_shared: Workers | None = None


@contextmanager
def shared() -> Iterator[Workers]:
    """One pool for every stage inside the `with`: forked once, early, while this process is small."""
    global _shared
    if _shared is not None:
        yield _shared
        return
    _shared = Workers()
    try:
        yield _shared
    finally:
        _shared.close()
        _shared = None


@contextmanager
def workers() -> Iterator[Workers]:
    """The shared pool when there is one, else a pool for this `with` alone."""
    if _shared is not None:
        yield _shared
        return
    with Workers() as own:
        yield own
