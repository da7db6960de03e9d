"""Memory: handing what a build has let go back to the system, so that its peak is what it holds at once,
and pickling records so that neither the worker processes nor the caches leave copies of their text behind."""

from __future__ import annotations

import dataclasses
import functools
import gc
import io
import pickle
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any


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


# -- pickling records: how the engine sends them to its workers and keeps them in its caches ---------------
#
# The records are plain slotted dataclasses and know nothing of this. Two things made pickling them costly:
# - Python 3.11 pickles a frozen slotted dataclass through `dataclasses.fields()` per object, and any other
#   slotted one as a dict of its slots: at 100,000 questions that was seconds each way between the worker
#   processes and into the cache. Here a record is pickled as a call with its field values, in order.
# - pickle writes a `str` through its UTF-8 form, which CPython then keeps inside the string for as long
#   as it lives: every Russian text the main process sent to a worker stayed in memory twice (190 MB at
#   100,000 questions). Bytes made by `str.encode` are not kept: `dumps(..., pack=True)` writes a record's
#   non-ASCII text as UTF-8 bytes. A string that recurs (a file's path in each of its locations, a paper's
#   title in each of its notes) is encoded and decoded once while it recurs, so that pickle still writes
#   it once and it comes back one string. (Bytes in a packed record are always its text: a record with a
#   field of bytes is not packed.) Packing is worth it only in a process that keeps the strings it pickles, not in a
#   worker (whose records live for one job), where plain pickles are made and read back twice as fast.
#
# Either pickle is read back by `pickle.loads` alone: it names `unpacked` (in this module) and the record
# classes, which pickle imports.


def dumps(value: Any, pack: bool = True) -> bytes:
    """`value` pickled, its records as calls, with their non-ASCII text as bytes when `pack`."""
    buffer = io.BytesIO()
    dump(value, buffer, pack)
    return buffer.getvalue()


def dump(value: Any, file: IO[bytes], pack: bool = True) -> None:
    """`dumps` into a file."""
    _Pickler(file, pack).dump(value)


class Packed:
    """A value that pickles itself with `dumps` (for the worker processes: multiprocessing pickles what it
    sends with its own pickler, when it sends it)."""

    __slots__ = ("value", "pack")

    def __init__(self, value: Any, pack: bool = True) -> None:
        self.value = value
        self.pack = pack

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return (pickle.loads, (dumps(self.value, self.pack),))


def unpacked(cls: type, values: tuple[Any, ...]) -> Any:
    """A record from the values `dumps` packed."""
    return cls(*[_unpack(v) for v in values])


_fields: dict[type, tuple[tuple[str, ...], bool] | None] = {}


def _fields_of(cls: type) -> tuple[tuple[str, ...], bool] | None:
    """A record class's fields, in the order its constructor takes them, and whether its text may be
    packed (not when it has a field of bytes, which would come back text); None: not a record."""
    try:
        return _fields[cls]
    except KeyError:
        pass
    found = None
    if cls.__module__.partition(".")[0] == "papers2anki" and dataclasses.is_dataclass(cls) and "__slots__" in vars(cls):
        fields = dataclasses.fields(cls)
        if all(f.init for f in fields):
            found = (tuple(f.name for f in fields), not any("bytes" in str(f.type) for f in fields))
    _fields[cls] = found
    return found


class _Pickler(pickle.Pickler):
    """Records as calls with their field values; with `pack`, their non-ASCII text as UTF-8 bytes."""

    def __init__(self, file: IO[bytes], pack: bool) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.pack = pack

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        found = _fields_of(cls)
        if found is None:
            return NotImplemented
        names, packable = found
        values = [getattr(obj, name) for name in names]
        if not (self.pack and packable) or not any(map(_is_text, values)):
            return (cls, tuple(values))
        return (unpacked, (cls, tuple([_packed(v) for v in values])))


def _is_text(value: Any) -> bool:
    """Holds non-ASCII text (ASCII strings are pickled from their own bytes, nothing is kept)."""
    kind = type(value)
    if kind is str:
        return not value.isascii()
    return kind is list and any(type(v) is str and not v.isascii() for v in value)


@functools.lru_cache(maxsize=1024)
def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@functools.lru_cache(maxsize=1024)
def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _packed(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _encoded(value)
    if kind is list:
        return [_encoded(v) if type(v) is str and not v.isascii() else v for v in value]
    return value


def _unpack(value: Any) -> Any:
    kind = type(value)
    if kind is bytes:
        return _decoded(value)
    if kind is list:
        return [_decoded(v) if type(v) is bytes else v for v in value]
    return value
