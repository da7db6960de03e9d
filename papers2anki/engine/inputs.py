"""The source files of a build: found, read once, told apart from the last build's by their state, parsed
(from the cache where their bytes are those of an earlier build, else in the workers)."""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus import Corpus
from ..files import read_bytes
from ..records import Problem
from .cache import Store, digest, file_state, folder_for
from .jobs import pickled, read_and_parse
from .memory import dumps

if TYPE_CHECKING:
    from ..parse import ParseResult
    from ..sources import Source


# A file changed this close to when a build looked at it may change again within the same tick of its
# clock, unseen: a tenth of a second for clocks in nanoseconds (the kernel's tick is 1-10 ms), two
# seconds for whole seconds (FAT's 2 s, HFS+'s 1 s).
RACY_NS = 100_000_000


RACY_WHOLE_SECONDS_NS = 2_000_000_000


def marked(data: bytes | None) -> tuple[bytes, ...]:
    """File bytes for a digest, a missing file told apart from any content, without copying the bytes."""
    return (b"-",) if data is None else (b"+", data)


class Inputs:
    """The source files of a corpus: their stats when found, their bytes and digests when first asked.

    As git's index does, a file whose size, inode and times are those of the last build, and whose
    last change was well before that build looked at it, is taken to hold the same bytes: a build
    with nothing to do then reads none of them.
    """

    def __init__(self, files: list[str], encoding: str | None) -> None:
        self.files = files
        self.encoding = encoding or ""
        self.looked = 0
        self._stats: list[tuple[int, int, int, int] | None] | None = None
        self._raw: dict[str, bytes | None] = {}
        self._digests: dict[str, str] = {}

    @property
    def stats(self) -> list[tuple[int, int, int, int] | None]:
        """Each file's state, taken on first need and before any of its bytes are read: a state then
        never stands for bytes newer than itself."""
        if self._stats is None:
            self.looked = time.time_ns()
            self._stats = [file_state(path) for path in self.files]
        return self._stats

    def raw(self) -> dict[str, bytes | None]:
        """Every file's bytes, read once."""
        return {path: self._bytes(path) for path in self.files}

    def _bytes(self, path: str) -> bytes | None:
        if path not in self._raw:
            self.stats  # noqa: B018 (taken first, see `stats`)
            self._raw[path] = read_bytes(path)
        return self._raw[path]

    def release(self) -> None:
        self._raw = {}

    def digests(self, known: dict[str, tuple[tuple[int, int, int, int] | None, str]] | None = None) -> dict[str, str]:
        """Each file's digest; from `known` (a file's settled state and digest) where its state is the same."""
        for path, state in zip(self.files, self.stats):
            if path in self._digests:
                continue
            old = known.get(path) if known else None
            if old is not None and state is not None and old[0] == state:
                self._digests[path] = old[1]
            else:
                self._digests[path] = digest(*marked(self._bytes(path)))
        return self._digests

    def fingerprint(self, known: dict[str, tuple[tuple[int, int, int, int] | None, str]] | None = None) -> str:
        digests = self.digests(known)
        # (Where each file is, too: its cards name it from the course folder, see `sources.course_paths`.)
        parts = (part for path in self.files for part in (path, os.path.abspath(path), digests[path]))
        return digest(self.encoding, *parts)

    def settled(self) -> dict[str, tuple[tuple[int, int, int, int] | None, str]]:
        """The files whose state can stand for their bytes next time, with their digests."""
        digests = self.digests()

        def settled(state: tuple[int, int, int, int]) -> bool:  # a later write moves both times past it
            changed = max(state[2], state[3])  # modified, or changed (a modification time set back by hand)
            return changed < self.looked - (RACY_WHOLE_SECONDS_NS if changed % 1_000_000_000 == 0 else RACY_NS)

        return {
            path: (state, digests[path])
            for path, state in zip(self.files, self.stats)
            if state is not None and settled(state)
        }


def _parsed_files(
    files: list[str],
    raw: dict[str, bytes | None],
    encoding: str | None,
    store: Store,
    fresh_ones: list[tuple[str, str, bytes]],
) -> Iterator[tuple[str, tuple[Source, ParseResult] | Problem]]:
    """Each file's parse, from the cache where its bytes are those of an earlier build; the others'
    cache key and pickled parse go to `fresh_ones`, to be cached once the file is seen unchanged."""
    from .parallel import workers

    keys = {path: digest(path, encoding or "", data) if (data := raw[path]) is not None else "" for path in files}
    cached = {path: store.get(key) for path, key in keys.items() if key}
    missing = [path for path in files if cached.get(path) is None]
    jobs = [(path, encoding) for path in missing]
    with workers() as pool:
        if pool.spreads(len(jobs)):
            # Taken as they come, in order, so that this process merges while the workers parse; the
            # workers send their parses pickled, as the cache keeps them.
            fresh: Iterator[tuple[tuple[Source, ParseResult] | Problem, bytes | None]] = (
                (pickle.loads(data), data) for data in pool.map(pickled, [(read_and_parse, job) for job in jobs])
            )
        else:  # here: a parse is pickled only for the cache, and not read back
            fresh = ((result, None) for result in map(read_and_parse, jobs))
        for path in files:
            hit = cached.get(path)
            if hit is not None:
                yield path, hit
                continue
            result, data = next(fresh)
            if keys[path] and not isinstance(result, Problem) and store.keeps:
                fresh_ones.append((path, keys[path], data if data is not None else dumps(result)))
            yield path, result


def parse_into(
    corpus: Corpus, files: list[str], raw: dict[str, bytes | None], encoding: str | None, store: Store
) -> None:
    from ..held import no_lists
    from ..merge import merge
    from ..sources import NoSources

    fresh: list[tuple[str, str, bytes]] = []
    merged = merge(_parsed_files(files, raw, encoding, store, fresh))
    # The fingerprint stands for these records, and a parse is cached under its file's bytes, only if
    # the file did not change while it was parsed.
    unchanged = {path: read_bytes(path) == raw[path] for path in files}
    corpus.exact = all(unchanged.values())
    if corpus.inputs is not None:
        corpus.inputs.digests()
        corpus.inputs.release()  # the digests are taken: the bytes are not needed again
    for path, key, data in fresh:
        if unchanged[path]:
            store.put_pickled(key, data)
    papers = list(merged.papers.values())
    nothing = no_lists(papers, merged.problems, corpus.paths)
    if nothing is not None:  # files, none of them text: no list to read (a usage error, nothing written)
        raise NoSources(nothing)
    corpus.fill(papers, merged.problems, merged.sources, merged)


def lazy_corpus(names: list[str], encoding: str | None, lock_file: Path | None) -> Corpus:
    """The corpus of the files found under `names`, read and parsed on first use; with the cache of the
    builds of `lock_file` (None: no cache)."""
    from ..sources import find_source_files

    inputs = Inputs([path for path in find_source_files(names) if not path.endswith(".lock")], encoding)
    store = Store(folder_for(lock_file) if lock_file is not None else None, "parse")
    corpus = Corpus()
    corpus.paths = names
    corpus.parsed = store
    corpus.inputs = inputs
    corpus.cached = lock_file is not None
    corpus.defer(lambda: parse_into(corpus, inputs.files, inputs.raw(), encoding, store))
    return corpus
