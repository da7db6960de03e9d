"""The last build's record: a build with nothing to do sees it without parsing; one after a few files
changed rebuilds only their papers (`rebuild`)."""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..corpus import Corpus
from ..files import read_bytes
from ..identity import build_time
from ..records import Paper
from ..reports import BuildReport, DeckReport
from .cache import Store, code_fingerprint, digest, file_state

if TYPE_CHECKING:
    from .full import Built
    from .options import BuildOptions


class LastBuild:
    """What the last build read and wrote, to see that a build has nothing to do without parsing, or
    that only a few papers changed (see `rebuild`).

    Kept only when the build's result is a fixed point: building again from the lock it wrote gives the
    same lock and the same deck files (see `full_build`), so the stored report is that rebuild's report.
    """

    def __init__(self, folder: Path | None, lock_file: Path, corpus: Corpus | list[Paper], options: tuple) -> None:
        self.folder = folder
        self.store = Store(folder, f"last-{lock_file.name}")
        self.settled = Store(folder, f"settled-{lock_file.name}")  # small, rewritten on its own
        self.maps = Store(folder, f"map-{lock_file.name}")  # large: read only when files changed
        self.lock_file = lock_file
        usable = isinstance(corpus, Corpus) and corpus.inputs is not None and corpus.cached
        self.corpus = corpus if usable and isinstance(corpus, Corpus) else None  # (isinstance again for mypy)
        self.options = options
        self.now = build_time()  # one reading of the clock for the checks and the build they allow
        self._found: tuple | None = None
        self._states: list[tuple[int, int, int, int] | None] = []  # of the files in the record's report
        self._patched = False  # _states made current by `delta` for the record it writes
        self.known: dict[str, tuple[tuple[int, int, int, int] | None, str]] | None = None  # settled sources
        self._key_now = ""  # the key of this build's inputs, once worked out
        self._columns: tuple[list[Any], ...] = ()  # the record's decks' reports, as stored
        self._static_token = ""  # which full build's map the static part in the store is

    def _key(self, known: dict[str, tuple[tuple[int, int, int, int] | None, str]] | None = None) -> str:
        """A digest of the code, the sources and the options. The lock and the decks are told by their
        states (see `_last`): as the decks, it is what the last build wrote until its state changes."""
        assert self.corpus is not None and self.corpus.inputs is not None
        return digest(self._base(), self.corpus.inputs.fingerprint(known))

    def _base(self) -> str:
        """The key without the sources."""
        return digest(code_fingerprint(), repr(self.options))

    def _last(self) -> tuple | None:
        """The last build's record, if its output files are as it left them and its lock has not expired."""
        if self._found is None:
            if self.corpus is None or not self.corpus.deferred:
                return None  # already parsed (or made by hand): nothing to save by skipping
            found = self.store.get("last")
            if found is None:
                return None
            key, report, decks, matches, states, valid_until, media = found
            self._columns = decks
            report.decks = [DeckReport(*row) for row in zip(*decks)]
            found = (key, report, matches, states, valid_until, media)
            if self.now > valid_until:
                return None
            self._states = [file_state(path) for path in report.unchanged]
            if _digest_of_states(self._states) != states:
                return None
            self._found = found
        return self._found

    def unchanged(self) -> BuildReport | None:
        found = self._last()
        if found is None:
            return None
        key, report, matches, _, _, media = found
        self.known = self.settled.get("settled")
        self._key_now = self._key(self.known)  # the sources' digests do not change within the build
        if key != _with_images(self._key_now, media, now=True):
            return None
        self._trust_settled()
        report = replace(report)
        report.matches = matches.split("\0") if matches else []
        return report

    def _trust_settled(self) -> None:
        assert self.corpus is not None and self.corpus.inputs is not None
        settled = self.corpus.inputs.settled()
        if settled != self.known:  # files read this time that can be trusted by their state next time
            self.settled.put("settled", settled)
            self.settled.save()

    def delta(self, options: BuildOptions) -> Built | None:
        """The build when only a few papers changed (see `rebuild`), written; None: build in full."""
        from ..files import write_files
        from ..package import package_bytes
        from .full import Built
        from .rebuild import DYNAMIC, STATIC, BuildMap, Foreseen, delta

        found = self._last()
        if found is None:
            return None
        key, report, matches, _, valid_until, media = found
        if report.held_back:
            return None  # a paper held back, its deck not in the last report: only a full build sorts that out
        if media:
            return None  # which papers show an image is not in the map: a full build sees to the changed ones
        kept, static = self.maps.get("map"), self.maps.get("static")
        if kept is None or static is None or kept[:2] != (key, self._base()) or static[0] != kept[2]:
            return None
        bmap = BuildMap(**dict(zip(STATIC, static[1])), **dict(zip(DYNAMIC, kept[3])))
        self._static_token = static[0]
        assert self.corpus is not None and self.corpus.inputs is not None
        inputs = self.corpus.inputs
        lock = read_bytes(str(self.lock_file))
        if inputs.files != bmap.files or inputs.encoding != bmap.encoding or lock is None:
            return None
        digests = dict(inputs.digests(self.known))
        done = delta(bmap, Foreseen(report, matches, valid_until), digests, lock, options, self.now)
        if done is None:
            return None
        # The redone papers' decks are made again (a few): written only where their bytes changed. The
        # store of deck files (`full_build`) is left as it is: its entries for these files no longer match
        # their states, so a full build makes them again.
        files: dict[Path, bytes | Callable[[], bytes]] = {
            Path(name): functools.partial(package_bytes, specs) for name, specs in done.packages.items()
        }
        if done.lock != lock:  # compared here: write_files need not read the lock again
            files[self.lock_file] = done.lock
        written = {str(p) for p in write_files(files, differ={self.lock_file})}
        everything = report.unchanged  # the decks, then the lock, as the last build listed them
        done.report.written = [f for f in everything if f in written]
        done.report.unchanged = [f for f in everything if f not in written]
        if done.foreseen is not None:
            done.foreseen.unchanged = list(everything)
            # Only the files written have new states.
            self._states = [file_state(f) if f in written else s for f, s in zip(everything, self._states)]
            for j, deck in done.redone.items():
                for column, value in zip(self._columns, _deck_row(deck)):
                    column[j] = value
            self._patched = True
        return Built(done.report, done.foreseen, done.valid_until, done.bmap)

    def remember(self, built: Built) -> None:
        """Keep what this build read and wrote (see `full.Built`)."""
        again, valid_until, bmap, images = built.foreseen, built.valid_until, built.bmap, built.images
        if self.corpus is None or again is None or not self.corpus.exact:
            return
        key = _with_images(self._key_now or self._key(), images)
        if not self._patched:  # a full build: every file's state and deck anew
            self._states = [file_state(path) for path in again.unchanged]
            self._columns = tuple(list(column) for column in zip(*(_deck_row(d) for d in again.decks))) or ([],) * 6
        states = _digest_of_states(self._states)
        if states is None:
            return
        # The match lines kept as one string (NUL is in no file name): 100,000 strings are slow to unpickle.
        matches = "\0".join(again.matches)
        assert self.corpus.inputs is not None
        # And the decks' reports as columns: 25,000 objects are slow to pickle.
        record = (key, replace(again, matches=[], decks=[]), self._columns, matches, states, valid_until, images)
        self.store.put("last", record)
        self.store.save()
        if bmap is not None:
            from .rebuild import DYNAMIC, STATIC

            if not self._patched:  # a full build: its map's static part anew (a delta keeps it as it was)
                self.maps.put("static", (key, tuple(getattr(bmap, f) for f in STATIC)))
                self._static_token = key
            self.maps.put("map", (key, self._base(), self._static_token, tuple(getattr(bmap, f) for f in DYNAMIC)))
            self.maps.save()
        if not self._patched:  # (after a delta, only the files it read are not yet trusted: read again next time)
            self.settled.put("settled", self.corpus.inputs.settled())
            self.settled.save()


def _with_images(key: str, images: tuple[tuple[str, str], ...], now: bool = False) -> str:
    """A build's key with the images its notes refer to: what was found at each (or, `now`, is there now)."""
    if not images:
        return key
    from ..media import seen_at

    return digest(key, *(part for path, seen in images for part in (path, seen_at(path)[0] if now else seen)))


def _deck_row(d: DeckReport) -> tuple[str, str, int, int, int, int]:
    return (d.name, d.file, d.new, d.changed, d.unchanged, d.removed)


def _digest_of_states(states: list[tuple[int, int, int, int] | None]) -> str | None:
    """One digest of what tells each file we wrote from one changed since (see cache.file_state);
    None when one of them is missing."""
    return None if None in states else digest(pickle.dumps(states, protocol=pickle.HIGHEST_PROTOCOL))
