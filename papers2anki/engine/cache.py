"""Skipping work that did not change since the last build, without ever changing what a build writes.

A build keeps results in the user's cache folder (`$XDG_CACHE_HOME/papers2anki` or `~/.cache/papers2anki`,
`%LOCALAPPDATA%\\papers2anki` on Windows; `PAPERS2ANKI_CACHE` chooses another, `PAPERS2ANKI_CACHE=off`
none), in a folder per lock file, so that neither the sources nor the decks folder gets anything
but decks and the lock. One file per kind: each source file's text and parse, each paper's note
fields, the corpus's lint problems, and what each deck file was made from with the file's size and
times when it was written. Keys are digests
of everything a result depends on; every file also carries a fingerprint of this code, genanki,
mistune, pylatexenc, SQLite and Python, so an upgrade never reuses an old result. An entry that
cannot be read (a torn write, another version, a checksum mismatch) is a miss: a cache can make a
build faster, never different. Each file is rewritten with only what the last build used, so it
does not grow. (Entries are pickles: whoever can write the cache folder can run code, as whoever
can write the sources folder beside it can already change every deck.)
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .memory import dumps, give_back

KEEP_DAYS = 30  #: a lock's cache folder unused this long is removed


@functools.cache
def code_fingerprint() -> str:
    """Changes whenever anything that shapes a build's output may have changed."""
    import sqlite3

    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent  # the whole package, not only the engine
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".html", ".css"):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    for dist in ("genanki", "mistune", "pylatexenc"):
        h.update(_installed(dist).encode())
    h.update(sqlite3.sqlite_version.encode())
    h.update(sys.version.encode())
    return h.hexdigest()[:24]


def _installed(dist: str) -> str:
    """Which version of `dist` is installed: the names of its metadata folders beside it (a leftover
    one of another version included), else importlib.metadata's answer, which costs 30 ms to import:
    a tenth of a build with nothing to do."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(dist)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        site = Path(spec.origin).parent.parent
        found = sorted(p.name for p in site.glob(f"{dist}-*-info"))  # .dist-info, .egg-info
        if found:
            return ",".join(found)
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def digest(*parts: str | bytes) -> str:
    """A key from parts; lengths are included, so ("ab", "c") and ("a", "bc") differ."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def cache_root() -> Path | None:
    chosen = os.environ.get("PAPERS2ANKI_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "0", "off", "no", "false") else Path(chosen)
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "papers2anki"


def folder_for(lock_file: Path) -> Path | None:
    """The cache folder of builds that use this lock file (None: no caching)."""
    root = cache_root()
    return None if root is None else root / digest(os.path.abspath(lock_file))[:24]


_pruned = False


def _prune(root: Path) -> None:
    """Once per process, remove the folders of locks not built for KEEP_DAYS (deleted projects, tests)."""
    global _pruned
    if _pruned:
        return
    _pruned = True
    limit = time.time() - KEEP_DAYS * 86400
    try:
        for folder in root.iterdir():
            if folder.is_dir() and len(folder.name) == 24 and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass


class Store:
    """One kind of result in one file: key -> pickled value, read once, written atomically by `save`."""

    def __init__(self, folder: Path | None, name: str) -> None:
        self.path = folder / f"{name}.pickle" if folder is not None else None
        self._old: dict[str, bytes] | None = None
        self._new: dict[str, bytes] = {}

    def _entries(self) -> dict[str, bytes]:
        if self._old is None:
            self._old = {}
            if self.path is not None:
                try:
                    blob = memoryview(self.path.read_bytes())  # sliced without a copy
                    if hashlib.sha256(blob[32:]).digest() == blob[:32]:
                        data = pickle.loads(blob[32:])
                        if data["code"] == code_fingerprint():
                            self._old = data["entries"]
                except Exception:  # missing, torn, foreign: start empty
                    self._old = {}
        return self._old

    def get(self, key: str) -> Any:
        """The value stored under `key` (kept for the next build), or None."""
        raw = self._new.get(key) or self._entries().get(key)
        if raw is None:
            return None
        try:
            value = pickle.loads(raw)
        except Exception:
            return None
        self._new[key] = raw
        return value

    def put(self, key: str, value: Any) -> None:
        self._new[key] = dumps(value)

    @property
    def keeps(self) -> bool:
        """Whether what is put is kept for the next build (False: no cache folder)."""
        return self.path is not None

    def put_pickled(self, key: str, data: bytes) -> None:
        """`put` of a value already pickled (by a worker process, say)."""
        self._new[key] = data

    def save(self, release: bool = False) -> None:
        """Write what this build used; a folder that cannot be written only costs the next build time.

        With `release`, the store is done with: its entries are let go (a large build's are hundreds
        of MiB), and later calls find and keep nothing.
        """
        try:
            self._write()
        finally:
            if release:
                self.path, self._old, self._new = None, {}, {}
                give_back()

    def _write(self) -> None:
        if self.path is None or self._new == self._entries():
            return
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _prune(self.path.parent.parent)
            os.utime(self.path.parent)  # this lock's folder is in use
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            with os.fdopen(fd, "wb") as f:
                # Pickled straight into the file, hashed on the way: a copy of a large store in memory
                # (the drafts of 100,000 notes are 120 MB) would raise the build's peak by as much.
                h = hashlib.sha256()
                f.write(bytes(h.digest_size))

                class Hashed:
                    def write(self, data: bytes) -> int:
                        h.update(data)
                        return f.write(data)

                pickle.dump(
                    {"code": code_fingerprint(), "entries": self._new}, Hashed(), protocol=pickle.HIGHEST_PROTOCOL
                )
                f.seek(0)
                f.write(h.digest())
            os.replace(tmp, self.path)
            tmp = None
        except OSError:
            pass
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)


def file_state(path: str | os.PathLike[str]) -> tuple[int, int, int, int] | None:
    """What tells a file we wrote from one changed since: size, inode, modification and change times."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
