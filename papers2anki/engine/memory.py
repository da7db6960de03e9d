"""Handing the memory a build has let go back to the system, so that its peak is what it holds at once."""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def give_back() -> None:
    """Return the C heap's free pages to the system.

    glibc keeps freed blocks in its heap for reuse. A stage that lets go of many small buffers (the
    cached parses and notes of 100,000 questions) leaves them scattered there, and later stages do
    not reuse them: their small objects come from Python's own allocator, their large buffers are
    mapped apart. At 100,000 questions that was 150 MB of the build's peak, held for nothing.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector held off for the `with`, for work that makes many containers and
    no cycles worth collecting: reading the last build's record and map makes a quarter of a million
    at 100,000 questions, and the collector walked them all again and again as they were made
    (80 ms of a one-question rebuild's second). Cycles made meanwhile are collected after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
