"""The pipeline as a small public API: load, check, build. The CLI and examples/ call these."""

from __future__ import annotations

import functools
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import lock as lockmod
from .defaults import DEFAULT_OUT, DEFAULT_ROOT, DEFAULT_SOURCES
from .engine.cache import Store, code_fingerprint, digest, file_state, folder_for
from .engine.memory import give_back, paused_gc
from .records import Paper, Problem

if TYPE_CHECKING:  # the stages are imported where used: a build with nothing to do needs none of them
    from .engine.parallel import Workers
    from .engine.rebuild import BuildMap
    from .lock import Lock
    from .merge import Merged
    from .notes import NoteDraft
    from .package import DeckSpec
    from .parse import ParseResult
    from .sources import Source


class Corpus:
    """Everything read from the sources: papers merged across files, and the problems met.

    `load` finds the files; they are read and parsed on first use of `papers`, `problems` or
    `sources`: a build whose inputs are byte for byte those of the last build does not parse at all.
    """

    __slots__ = (
        "_papers",
        "_problems",
        "_sources",
        "_pending",
        "parsed",
        "paths",
        "inputs",
        "exact",
        "cached",
        "merged",
    )

    def __init__(
        self,
        papers: list[Paper] | None = None,
        problems: list[Problem] | None = None,
        sources: dict[str, Source] | None = None,
    ) -> None:
        self._papers: list[Paper] = papers if papers is not None else []
        self._problems: list[Problem] = problems if problems is not None else []
        self._sources: dict[str, Source] = sources if sources is not None else {}
        self._pending: Callable[[], None] | None = None
        self.parsed: Store | None = None  #: parses for the next build to keep
        self.paths: list[str] = []  #: what `load` was given
        self.inputs: _Inputs | None = None  #: the files `load` found
        self.exact = True  #: no file changed between reading its bytes and parsing it
        self.cached = True  #: `load(cache=...)`: earlier builds' results may stand in for work
        self.merged: Merged | None = None  #: which file holds which paper (for a rebuild of a few files)

    @property
    def fingerprint(self) -> str:
        """A digest of every input byte ("" when not known)."""
        return self.inputs.fingerprint() if self.inputs is not None else ""

    def _ready(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending()

    @property
    def papers(self) -> list[Paper]:
        self._ready()
        return self._papers

    @property
    def problems(self) -> list[Problem]:
        self._ready()
        return self._problems

    @property
    def sources(self) -> dict[str, Source]:
        self._ready()
        return self._sources

    @property
    def skipped(self) -> int:
        """How many lines of the sources were skipped as scaffolding (`parse --outline` says which)."""
        self._ready()
        return sum(self.merged.skipped.values()) if self.merged is not None else 0

    def __iter__(self) -> Iterator[Paper]:
        return iter(self.papers)

    def __len__(self) -> int:
        return len(self.papers)

    def __repr__(self) -> str:
        return f"Corpus({len(self.papers)} papers, {len(self.problems)} problems, {len(self.sources)} files)"


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:  # not Path(): its parsing cost more than the read, per file
            return f.read()
    except OSError:
        return None


def _read_and_parse(job: tuple[str, str | None]) -> tuple[Source, ParseResult] | Problem:
    """`read_source` + `parse_source` of one file (in a worker process for large corpora)."""
    from .parse import parse_source
    from .sources import SourceError, read_source

    path, encoding = job
    try:
        source = read_source(path, encoding)
    except SourceError as exc:
        problem = exc.problem
        if problem.rule == "binary-file":
            return Problem(problem.location, "warning", problem.message, problem.rule)
        return problem
    return source, parse_source(source)


def _parsed_files(
    files: list[str],
    raw: dict[str, bytes | None],
    encoding: str | None,
    store: Store,
    fresh_ones: list[tuple[str, str, bytes]],
) -> Iterator[tuple[str, tuple[Source, ParseResult] | Problem]]:
    """Each file's parse, from the cache where its bytes are those of an earlier build; the others'
    cache key and pickled parse go to `fresh_ones`, to be cached once the file is seen unchanged."""
    from .engine.parallel import workers

    keys = {path: digest(path, encoding or "", data) if (data := raw[path]) is not None else "" for path in files}
    cached = {path: store.get(key) for path, key in keys.items() if key}
    missing = [path for path in files if cached.get(path) is None]
    with workers() as pool:
        # Taken as they come, in order, so that this process merges while the workers parse.
        fresh = pool.map(_pickled, [(_read_and_parse, (path, encoding)) for path in missing])
        for path in files:
            hit = cached.get(path)
            if hit is not None:
                yield path, hit
                continue
            data = next(fresh)
            result = pickle.loads(data)
            if keys[path] and not isinstance(result, Problem):
                fresh_ones.append((path, keys[path], data))
            yield path, result


def _pickled(call: tuple[Callable[[Any], Any], Any]) -> bytes:
    """A worker's result as the bytes the cache keeps, so that this process does not pickle it again."""
    fn, arg = call
    return pickle.dumps(fn(arg), protocol=pickle.HIGHEST_PROTOCOL)


def load(
    paths: Iterable[str | os.PathLike[str]] = (DEFAULT_SOURCES,), *, encoding: str | None = None, cache: bool = True
) -> Corpus:
    """Read question lists and reviews; papers with the same folded title are merged.

    The files are found now, and read and parsed on first use of the corpus. With `cache`, a file
    whose bytes are those of an earlier build is not parsed again: its parse is read from the cache of
    builds with the default lock (see `cache`), and `build` may find it has nothing to do. Only
    `build` writes that cache.
    """
    from .sources import find_source_files

    names = [os.fspath(p) for p in paths]
    store = Store(folder_for(default_lock_path(names)) if cache else None, "parse")
    inputs = _Inputs([path for path in find_source_files(names) if not path.endswith(".lock")], encoding)
    corpus = Corpus()
    corpus.paths = names
    corpus.parsed = store
    corpus.inputs = inputs
    corpus.cached = cache
    corpus._pending = lambda: _parse_into(corpus, inputs.files, inputs.raw(), encoding, store)
    return corpus


def _marked(data: bytes | None) -> tuple[bytes, ...]:
    """File bytes for a digest, a missing file told apart from any content, without copying the bytes."""
    return (b"-",) if data is None else (b"+", data)


# A file changed this close to when a build looked at it may change again within the same tick of its
# clock, unseen: a tenth of a second for clocks in nanoseconds (the kernel's tick is 1-10 ms), two
# seconds for whole seconds (FAT's 2 s, HFS+'s 1 s).
RACY_NS = 100_000_000
RACY_WHOLE_SECONDS_NS = 2_000_000_000


class _Inputs:
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
            self._raw[path] = _read_bytes(path)
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
                self._digests[path] = digest(*_marked(self._bytes(path)))
        return self._digests

    def fingerprint(self, known: dict[str, tuple[tuple[int, int, int, int] | None, str]] | None = None) -> str:
        digests = self.digests(known)
        return digest(self.encoding, *(part for path in self.files for part in (path, digests[path])))

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


def _parse_into(
    corpus: Corpus, files: list[str], raw: dict[str, bytes | None], encoding: str | None, store: Store
) -> None:
    from .merge import merge

    fresh: list[tuple[str, str, bytes]] = []
    merged = merge(_parsed_files(files, raw, encoding, store, fresh))
    # The fingerprint stands for these records, and a parse is cached under its file's bytes, only if
    # the file did not change while it was parsed.
    unchanged = {path: _read_bytes(path) == raw[path] for path in files}
    corpus.exact = all(unchanged.values())
    if corpus.inputs is not None:
        corpus.inputs.digests()
        corpus.inputs.release()  # the digests are taken: the bytes are not needed again
    for path, key, data in fresh:
        if unchanged[path]:
            store.put_pickled(key, data)
    corpus._papers = list(merged.papers.values())
    corpus._problems = merged.problems
    corpus._sources = merged.sources
    corpus.merged = merged


def drafts_of(papers: list[Paper], roots: Iterable[str] = ()) -> list[list[NoteDraft]]:
    """Each paper's notes, in study order: its questions, then its review.

    `roots`: the sources folders the lists' images must lie in (`source_roots`); a list in none of
    them has its own folder."""
    from .media import Finder
    from .notes import question_draft, review_draft

    finder = Finder(list(roots))
    out = []
    for paper in papers:
        drafts = [question_draft(paper, q, i, finder) for i, q in enumerate(paper.questions)]
        if paper.review is not None:
            drafts.append(review_draft(paper, paper.review, len(drafts), finder))
        out.append(drafts)
    return out


def source_roots(corpus: Corpus | list[Paper]) -> list[str]:
    """The folders a corpus's images must lie in: each folder `load` was given, a file's own folder."""
    if not isinstance(corpus, Corpus):
        return []
    return sorted({os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in corpus.paths})


def check(
    paths: Iterable[str | os.PathLike[str]] | Corpus = (DEFAULT_SOURCES,), *, encoding: str | None = None
) -> list[Problem]:
    """Every problem of the sources (paths, or a corpus `load` gave), sorted by file and line; writes nothing."""
    from .lint import lint

    corpus = paths if isinstance(paths, Corpus) else load(paths, encoding=encoding)
    drafts = [d for group in drafts_of(corpus.papers, source_roots(corpus)) for d in group]
    return sorted(corpus.problems + lint(corpus.papers, drafts, corpus.sources), key=lambda p: p.sort_key)


@dataclass(slots=True)
class DeckReport:
    name: str
    file: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(slots=True)
class BuildReport:
    """What a build did."""

    papers: int = 0
    questions: int = 0
    reviews: int = 0
    formulas: int = 0
    skipped: int = 0  #: lines of the sources skipped as scaffolding (front matter, comments, ...)
    decks: list[DeckReport] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)  #: one line per note: how it found its identity
    notices: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  #: questions gone from the sources
    held_back: list[str] = field(default_factory=list)  #: titles of the papers not written: they have errors
    unread: list[str] = field(default_factory=list)  #: files that could not be read (no note marked removed)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)

    @property
    def errors(self) -> int:
        """How many problems are errors: without `force`, their papers are in `held_back`."""
        return sum(p.severity == "error" for p in self.problems)


def default_lock_path(paths: Iterable[str | os.PathLike[str]]) -> Path:
    first = Path(next(iter(paths), DEFAULT_SOURCES))
    return (first if first.is_dir() else first.parent) / lockmod.LOCK_NAME


def build_time() -> int:
    """The build's clock: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch else int(time.time())


def build(
    corpus: Corpus | list[Paper],
    out_dir: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    lock_path: str | os.PathLike[str] | None = None,
    single: str | os.PathLike[str] | None = None,
    root: str = DEFAULT_ROOT,
    rename_decks: bool = False,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BuildReport:
    """Package one deck per paper into `out_dir` (or all into `single`), keeping identities in the lock.

    A paper with errors (see `held.paper_errors`) is held back unless `force`: its deck file and its rows in
    the lock stay as they were, its title goes to `report.held_back`, and the other papers are built. The
    errors are in `report.problems` (`report.errors` counts them); nothing is raised for them. While a
    source file cannot be read (`report.unread`), no note of the lock is marked removed: the notes it held
    keep their rows.

    Work whose inputs did not change since the last build (notes' fields, lint, deck files) is taken from
    the user's cache folder (see `papers2anki.engine.cache`): the files written are the same as without it. A
    build whose sources, lock, options and output files are exactly as the last build left them does
    nothing and reports what that build foresaw for its rebuild.
    """
    if isinstance(corpus, Corpus):
        lock_file = Path(lock_path) if lock_path else default_lock_path(corpus.paths or [DEFAULT_SOURCES])
    else:
        lock_file = Path(lock_path) if lock_path else default_lock_path([DEFAULT_SOURCES])
    # Paths as given (the report shows them so) and as they resolve (the same spelling elsewhere).
    places = [os.fspath(out_dir), os.fspath(single) if single else "", str(lock_file)]
    options = (*places, *(os.path.abspath(p) if p else "" for p in places), root, rename_decks, force)
    last = _LastBuild(folder_for(lock_file), lock_file, corpus, options)
    with paused_gc():  # (reading and writing the last build's record: many containers, no cycles)
        report = last.unchanged()
    if report is not None:
        return report
    from .engine.parallel import shared

    with shared():
        with paused_gc():
            built = None if single else last.delta(out_dir, root, rename_decks, force)
        if built is None:
            built = _build(corpus, out_dir, lock_file, single, root, rename_decks, force, progress)
    with paused_gc():
        last.remember(*built)
    return built[0]


class _LastBuild:
    """What the last build read and wrote, to see that a build has nothing to do without parsing, or
    that only a few papers changed (see `rebuild`).

    Kept only when the build's result is a fixed point: building again from the lock it wrote gives the
    same lock and the same deck files (see `_build`), so the stored report is that rebuild's report.
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
            if self.corpus is None or self.corpus._pending is None:
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

    def delta(
        self, out_dir: str | os.PathLike[str], root: str, rename_decks: bool, force: bool
    ) -> tuple[BuildReport, BuildReport | None, int, BuildMap | None, tuple[tuple[str, str], ...]] | None:
        """The build when only a few papers changed (see `rebuild`), written; None: build in full."""
        from .engine.rebuild import DYNAMIC, STATIC, BuildMap, delta
        from .package import package_bytes, write_files

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
        lock = _read_bytes(str(self.lock_file))
        if inputs.files != bmap.files or inputs.encoding != bmap.encoding or lock is None:
            return None
        digests = dict(inputs.digests(self.known))
        target_of = _deck_files(out_dir)
        done = delta(bmap, report, matches, valid_until, digests, lock, self.now, root, rename_decks, force, target_of)
        if done is None:
            return None
        # The redone papers' decks are made again (a few): written only where their bytes changed. The
        # store of deck files (`_build`) is left as it is: its entries for these files no longer match
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
        return done.report, done.foreseen, done.valid_until, done.bmap, ()

    def remember(
        self,
        report: BuildReport,
        again: BuildReport | None,
        valid_until: int,
        bmap: BuildMap | None = None,
        images: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Keep what this build read and wrote; `images`: each image file its notes refer to, and what
        they found there (`media.Image.seen`)."""
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
            from .engine.rebuild import DYNAMIC, STATIC

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
    from .media import seen_at

    return digest(key, *(part for path, seen in images for part in (path, seen_at(path)[0] if now else seen)))


def _deck_row(d: DeckReport) -> tuple[str, str, int, int, int, int]:
    return (d.name, d.file, d.new, d.changed, d.unchanged, d.removed)


def _digest_of_states(states: list[tuple[int, int, int, int] | None]) -> str | None:
    """One digest of what tells each file we wrote from one changed since (see cache.file_state);
    None when one of them is missing."""
    return None if None in states else digest(pickle.dumps(states, protocol=pickle.HIGHEST_PROTOCOL))


def _deck_files(out_dir: str | os.PathLike[str]) -> Callable[[str], str]:
    """A paper's deck file from its slug, spelled alike by full builds and rebuilds of a few papers."""
    out = Path(out_dir)

    def deck_file(slug: str) -> str:  # os.path, not Path: 25,000 Paths cost a second
        return os.path.join(out, f"{slug}.apkg")

    return deck_file


def _valid_until(lock: Lock) -> int:
    """Until when a rebuild would keep the lock as it is: its oldest removed entry expires then."""
    removed = [e.removed for e in lock.notes if e.removed is not None]
    return min(removed) + lockmod.KEEP_REMOVED_DAYS * 86400 if removed else 2**62


@dataclass(slots=True)
class _Assignment:
    """Identities for one build: the new lock, the decks to package, and what the report says of them."""

    lock: Lock
    decks: list[DeckSpec]
    reports: list[DeckReport]
    matches: list[str]
    notices: list[str]
    removed: list[str]
    notice_counts: list[int] = field(default_factory=list)  #: how many of the notices each paper gave


def _build(
    corpus: Corpus | list[Paper],
    out_dir: str | os.PathLike[str],
    lock_file: Path,
    single: str | os.PathLike[str] | None,
    root: str,
    rename_decks: bool,
    force: bool,
    progress: Callable[[int], None] | None,
) -> tuple[BuildReport, BuildReport | None, int, BuildMap | None, tuple[tuple[str, str], ...]]:
    """The build, the report of a rebuild with no change (None when that rebuild would write), until when
    that holds, the map of what was made (for a rebuild of a few papers), and the image files the notes
    refer to with what was found there."""
    from .engine.parallel import workers
    from .engine.rebuild import LockText
    from .lock import Lock
    from .package import Streamed, decks_digest, write_files

    if isinstance(corpus, Corpus):
        papers, problems, sources = corpus.papers, list(corpus.problems), corpus.sources
        if corpus.parsed is not None:
            corpus.parsed.save(release=True)
    else:
        papers, problems, sources = list(corpus), [], {}
    now = build_time()
    folder = folder_for(lock_file)
    stores = {kind: Store(folder, f"{kind}-{lock_file.name}") for kind in ("drafts", "lint", "files")}
    paper_keys = [digest(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)) for p in papers]
    grouped = _cached_drafts(papers, paper_keys, stores["drafts"], source_roots(corpus))
    stores["drafts"].save(release=True)  # each store is written once its stage is done, and let go
    all_drafts = [d for g in grouped for d in g]
    images = tuple(sorted({(i.path, i.seen) for d in all_drafts for i in d.images if i.path}))
    file_lint, paper_lint = _cached_lint(papers, paper_keys, grouped, sources, stores["lint"])
    stores["lint"].save(release=True)
    problems = sorted(problems + file_lint + [p for found in paper_lint for p in found], key=lambda p: p.sort_key)
    report = BuildReport(papers=len(papers), problems=problems)
    report.questions = sum(len(p.questions) for p in papers)
    report.reviews = sum(p.review is not None for p in papers)
    report.formulas = sum(len(d.formulas) for d in all_drafts)
    if isinstance(corpus, Corpus):
        report.skipped = corpus.skipped

    old = lockmod.read_lock(lock_file)
    facts = _Facts.of(papers, grouped)
    errors = [] if force else _paper_errors(corpus, papers, facts.paper_keys, paper_lint, problems)
    hold, old = _Hold.of(papers, facts, errors, old)
    report.held_back = [papers[i].title for i in hold.papers]
    report.unread = _unread(corpus)
    if progress and hold.papers:
        progress(len(hold.papers))  # (done: nothing to package)
    keep_gone = bool(report.unread)  # the notes of a file not read are not gone
    built, built_drafts, built_facts = hold.others(papers, grouped, facts)
    single_file = str(Path(single)) if single else ""

    deck_file = _deck_files(out_dir)

    def target_of(slug: str) -> str:
        return single_file or deck_file(slug)

    done = _assign(
        built,
        built_drafts,
        built_facts,
        old,
        now,
        root,
        rename_decks,
        target_of,
        hold.taken(old),
        keep_gone,
    )
    del old
    # What a rebuild from the lock this build writes would do: when it keeps every identity and
    # writes nothing (the usual case), its report can be given without parsing next time. It reads
    # the notes back in the lock's order (matching takes the first of equal entries, so order counts
    # for duplicate questions). The papers held back would be held back again, their rows kept again.
    read_back = Lock(done.lock.notes_in_order(), done.lock.decks, done.lock.note_types)
    again = _assign(
        built,
        built_drafts,
        built_facts,
        read_back,
        now,
        root,
        rename_decks,
        target_of,
        hold.taken(read_back),
        keep_gone,
    )
    foreseen = _rebuild_of(done, read_back, again)
    again.decks, again.lock = [], Lock()  # only its report is kept
    facts.skeletons.clear()  # (a skeleton of every note's text: matching is done)
    give_back()  # the matching's and the second assignment's memory, before packaging
    report.decks, report.matches, report.notices, report.removed = (
        done.reports,
        done.matches,
        done.notices,
        done.removed,
    )

    # A deck file made from the same specs and untouched since we wrote it is not made again.
    made = stores["files"]
    targets: list[tuple[Path, list[DeckSpec]]] = (
        [(Path(single), done.decks)] if single else [(Path(d.file), [s]) for s, d in zip(done.decks, done.reports)]
    )
    specs_of: dict[Path, str] = {}  # filled by _packages for the files it makes
    todo: dict[Path, list[DeckSpec]] = {}
    for target, specs in targets:
        on_disk = file_state(target)
        known = made.get(str(target)) if on_disk is not None else None
        if known is not None and known[1] == on_disk and known[0] == decks_digest(specs):
            specs_of[target] = known[0]
            if progress:
                progress(len(specs))
        else:
            todo[target] = specs
    lock_rows: list[tuple[str, int, int]] = []  # (filled as the lock is written)
    with workers() as pool:
        lazy: dict[Path, bytes | Callable[[], bytes] | Streamed] = dict(_packages(todo, pool, progress, specs_of))
        lock = hold.lock(done.lock)
        lazy[lock_file] = Streamed(lambda: LockText.counted(lock.pieces(), lock_rows))
        written = set(write_files(lazy))
    for path in [t for t, _ in targets] + [lock_file]:
        (report.written if path in written else report.unchanged).append(str(path))
    for target, _ in targets:
        made.put(str(target), (specs_of[target], file_state(target)))
    made.save(release=True)

    bmap = None  # (none when papers are held back: the next build is a full one, see _LastBuild.delta)
    if isinstance(corpus, Corpus) and corpus.merged is not None and corpus.inputs is not None and not single:
        from .engine.rebuild import BuildMap

        inputs = corpus.inputs
        bmap = (
            None
            if hold.papers
            else BuildMap.of(
                inputs.files,
                inputs.encoding,
                inputs.digests(),
                corpus.merged,
                file_lint,
                papers,
                paper_lint,
                grouped,
                facts,
                done.lock,
                lock_rows,
                again.notice_counts,
            )
        )
    if foreseen is None:
        return report, None, 0, bmap, images
    files = [str(t) for t, _ in targets] + [str(lock_file)]
    rebuild = replace(report, written=[], unchanged=files, **foreseen)
    return report, rebuild, _valid_until(done.lock), bmap, images


def _rebuild_of(done: _Assignment, read_back: Lock, again: _Assignment) -> dict[str, Any] | None:
    """What the report of `again` (from `read_back`, the lock `done` wrote) says, when it changes
    nothing; else None."""
    same = (
        (again.lock.decks, again.lock.note_types) == (read_back.decks, read_back.note_types)
        and again.lock.notes_in_order() == read_back.notes
        and all(
            (a.name, [(n.guid, n.mod) for n in a.notes], a.type_mods)
            == (b.name, [(n.guid, n.mod) for n in b.notes], b.type_mods)
            for a, b in zip(again.decks, done.decks)
        )
    )
    if not same:
        return None
    return {"decks": again.reports, "matches": again.matches, "notices": again.notices, "removed": again.removed}


@dataclass(slots=True)
class _Facts:
    """What both assignments of a build need, worked out once: at 100,000 notes each costs seconds."""

    paper_keys: list[str]  #: each paper's folded title
    slugs: list[str]  #: each paper's file name
    fingerprints: list[list[str]]  #: each note's content digest, paper by paper
    skeletons: dict[str, str] = field(default_factory=dict)  #: for lock.match_notes

    @staticmethod
    def of(papers: list[Paper], grouped: list[list[NoteDraft]]) -> _Facts:
        from .slug import unique_slugs

        return _Facts(
            [p.key for p in papers],
            unique_slugs([p.title for p in papers]),
            [[d.fingerprint for d in drafts] for drafts in grouped],
        )


def _assign(
    papers: list[Paper],
    grouped: list[list[NoteDraft]],
    facts: _Facts,
    old: Lock,
    now: int,
    root: str,
    rename_decks: bool,
    target_of: Callable[[str], str],
    taken: set[str] | None = None,
    keep_gone: bool = False,
) -> _Assignment:
    """Give every note its GUID and `mod` from the old lock (see `lock`), and every paper its deck.

    `taken`: the GUIDs a new one must differ from (by default, those of `old`). `keep_gone`: the entries
    that match no note are kept as they are, not marked (or reported) removed, nor dropped when expired."""
    from .lock import Lock, NoteEntry, TypeEntry
    from .notes import note_types
    from .package import DeckSpec, NoteSpec

    new = Lock()
    types = note_types()
    type_mods: dict[int, int] = {}
    for nt in types:
        prev = old.note_types.get(nt.name)
        # Anki updates only when strictly newer: a change made within the same second still counts.
        mod = prev.mod if prev and prev.fingerprint == nt.fingerprint else max(now, prev.mod + 1 if prev else now)
        new.note_types[nt.name] = TypeEntry(nt.fingerprint, mod)
        type_mods[nt.id] = mod
    by_kind = {"question": types[0], "review": types[1]}

    paper_keys = facts.paper_keys
    keys = lockmod.match_papers(list(zip(paper_keys, (p.title for p in papers))), old)
    all_drafts = [d for g in grouped for d in g]
    wanted = [(keys.get(d.paper_key, d.paper_key), d.kind, d.content) for d in all_drafts]
    taken = {e.guid for e in old.notes} if taken is None else taken
    matches, gone = lockmod.match_notes(wanted, old.notes, taken, facts.skeletons)
    entries = {e.guid: e for e in old.notes}

    done = _Assignment(new, [], [], [], [], [])
    index = 0
    for paper, paper_key, drafts, slug, fingerprints in zip(
        papers, paper_keys, grouped, facts.slugs, facts.fingerprints
    ):
        lock_key = keys.get(paper_key, paper_key)
        notices_before = len(done.notices)
        title = paper.title.replace("::", ":")  # `::` would nest decks in Anki
        wanted_name = f"{root}::{title}" if root else title
        name = old.decks.get(lock_key, wanted_name)
        if name != wanted_name:
            if rename_decks:
                done.notices.append(
                    f"deck '{name}' renamed to '{wanted_name}' (--rename-decks): its old cards stay in the old deck"
                )
                name = wanted_name
            else:
                done.notices.append(
                    f"deck name kept as '{name}' for '{paper.title}' (pinned in the lock; --rename-decks to rename)"
                )
        new.decks[paper_key] = name
        done.notice_counts.append(len(done.notices) - notices_before)
        deck = DeckReport(name, target_of(slug))
        notes = []
        for draft, fingerprint in zip(drafts, fingerprints):
            match = matches[index]
            index += 1
            entry = entries.get(match.guid)
            if entry is not None and entry.fingerprint == fingerprint:
                mod, state = entry.mod, "unchanged"
                deck.unchanged += 1
            else:
                mod = max(now, entry.mod + 1) if entry is not None else now
                state = "changed" if entry is not None else "new"
                if entry is None:
                    deck.new += 1
                else:
                    deck.changed += 1
            new.notes.append(NoteEntry(match.guid, paper_key, draft.kind, fingerprint, mod, draft.content))
            done.matches.append(f"{draft.location.short}: {match.how} {match.score:.2f} -> {match.guid} ({state})")
            notes.append(
                NoteSpec(
                    by_kind[draft.kind],
                    match.guid,
                    draft.fields,
                    [slug, _file_tag(draft.location.file)],
                    draft.position,
                    mod,
                )
            )
        media = {image.name: image.path for d in drafts for image in d.images if image.name}
        done.decks.append(DeckSpec(name, _description(paper, drafts), notes, type_mods, media))
        done.reports.append(deck)

    for entry in gone:
        removed = entry.removed
        deck_name = old.decks.get(entry.paper, entry.paper)
        if not keep_gone:
            if removed is None:
                removed = now
                done.removed.append(f"{deck_name}: '{entry.text[:70]}' is no longer in the sources (kept in the lock)")
            for d in done.reports:
                if d.name == deck_name:
                    d.removed += 1
            if now - removed > lockmod.KEEP_REMOVED_DAYS * 86400:
                continue
        new.notes.append(
            NoteEntry(
                entry.guid,
                keys.get(entry.paper, entry.paper),
                entry.kind,
                entry.fingerprint,
                entry.mod,
                entry.text,
                removed,
            )
        )
        new.decks.setdefault(entry.paper, deck_name)
    return done


@dataclass(slots=True)
class _Hold:
    """The papers a build holds back for their errors (see `held.paper_errors`), and their notes' rows and
    deck names in the lock, kept exactly as they were: not matched, not marked removed, not renamed."""

    papers: list[int] = field(default_factory=list)  #: their indices in the build
    kept: Lock = field(default_factory=lambda: lockmod.Lock())  #: their rows and deck names in the old lock

    @staticmethod
    def of(papers: list[Paper], facts: _Facts, errors: list[list[Problem]], old: Lock) -> tuple[_Hold, Lock]:
        """What is held back, and the old lock without it: the lock the other papers are matched against."""
        held = [i for i, found in enumerate(errors) if found]
        if not held:
            return _Hold(), old
        # A paper's rows are those of its key in the lock: its old key when its title was corrected.
        keys = lockmod.match_papers(list(zip(facts.paper_keys, (p.title for p in papers))), old)
        mine = {keys.get(facts.paper_keys[i], facts.paper_keys[i]) for i in held}
        kept = lockmod.Lock(
            [e for e in old.notes if e.paper in mine], {k: v for k, v in old.decks.items() if k in mine}
        )
        rest = lockmod.Lock(
            [e for e in old.notes if e.paper not in mine],
            {k: v for k, v in old.decks.items() if k not in mine},
            old.note_types,
        )
        return _Hold(held, kept), rest

    def others(
        self, papers: list[Paper], grouped: list[list[NoteDraft]], facts: _Facts
    ) -> tuple[list[Paper], list[list[NoteDraft]], _Facts]:
        """The papers built: all but those held back, with their notes and facts."""
        if not self.papers:
            return papers, grouped, facts
        held = set(self.papers)
        keep = [i for i in range(len(papers)) if i not in held]
        built = _Facts(
            [facts.paper_keys[i] for i in keep],
            [facts.slugs[i] for i in keep],  # (worked out among all papers: a held one keeps its slug taken)
            [facts.fingerprints[i] for i in keep],
            facts.skeletons,
        )
        return [papers[i] for i in keep], [grouped[i] for i in keep], built

    def taken(self, lock: Lock) -> set[str] | None:
        """The GUIDs a new one must differ from: `lock`'s and the held rows' (None: `lock`'s, nothing is held)."""
        if not self.papers:
            return None
        return {e.guid for e in lock.notes} | {e.guid for e in self.kept.notes}

    def lock(self, lock: Lock) -> Lock:
        """The lock to write: `lock`, the built papers', with the held papers' rows and deck names as they were."""
        if not self.papers:
            return lock
        return lockmod.Lock(lock.notes + self.kept.notes, {**self.kept.decks, **lock.decks}, lock.note_types)


def _paper_errors(
    corpus: Corpus | list[Paper],
    papers: list[Paper],
    keys: list[str],
    paper_lint: list[list[Problem]],
    problems: list[Problem],
) -> list[list[Problem]]:
    """Each paper's errors (see `held.paper_errors`): `paper_lint` and merging its parts are its own, the
    corpus's problems (reading, parsing) its when at one of its lines. Empty when `problems` has no error."""
    from .held import paper_errors

    if not any(p.severity == "error" for p in problems):
        return []
    if not isinstance(corpus, Corpus):
        return paper_errors(papers, [], paper_lint)
    merged = corpus.merged.paper_problems if corpus.merged is not None else {}
    own = [merged.get(key, []) + found for key, found in zip(keys, paper_lint)]
    return paper_errors(papers, corpus.problems, own)


def _unread(corpus: Corpus | list[Paper]) -> list[str]:
    """The source files that could not be read (see `held.unread_files`)."""
    from .held import unread_files

    if not isinstance(corpus, Corpus) or corpus.merged is None:
        return []
    return unread_files(corpus.merged.outlines, corpus.merged.file_problems)


@functools.lru_cache(maxsize=4096)
def _file_tag(path: str) -> str:
    """The tag naming a note's source file (Path() per note cost 4 s at 100,000 notes)."""
    return Path(path).name.replace(" ", "_")


def _packages(
    todo: dict[Path, list[DeckSpec]],
    pool: Workers,
    progress: Callable[[int], None] | None,
    digests: dict[Path, str],
) -> dict[Path, bytes | Callable[[], bytes]]:
    """For `write_files`: each target's package, made when it is asked for, in path order.

    The workers run ahead of the writing by at most one window, so that a build of 25,000 packages
    never holds them all. Each package's `decks_digest` is put into `digests`.
    """
    order = sorted(todo)
    window = 256

    def made() -> Iterator[tuple[Path, tuple[bytes, str]]]:
        for start in range(0, len(order), window):
            part = order[start : start + window]
            yield from zip(part, pool.map(_package_and_digest, [todo[t] for t in part], chunksize=8))

    results = made()

    def next_package(target: Path) -> bytes:
        made_for, (data, digest_of_specs) = next(results)
        assert made_for == target, (made_for, target)  # write_files asks in path order
        digests[target] = digest_of_specs
        if progress:
            progress(len(todo[target]))
        return data

    return {target: functools.partial(next_package, target) for target in order}


def _package_and_digest(specs: list[DeckSpec]) -> tuple[bytes, str]:
    """A package and the digest of what it was made from (in a worker, both off the main process)."""
    from .package import decks_digest, package_bytes

    return package_bytes(specs), decks_digest(specs)


def _cached_drafts(papers: list[Paper], keys: list[str], store: Store, roots: list[str]) -> list[list[NoteDraft]]:
    """`drafts_of` each paper, or its drafts from an earlier build of the same paper records whose
    images are still what they were."""
    from .media import current

    finders = _finders_of(papers, roots)
    keys = [digest(key, *finder) if finder else key for key, finder in zip(keys, finders)]
    grouped = _cached_calls(
        store,
        keys,
        _drafts_of_paper,
        lambda i: (papers[i], finders[i]),
        valid=lambda drafts: current((image.path, image.seen) for d in drafts for image in d.images),
    )
    for paper, drafts in zip(papers, grouped):
        _share_with_paper(paper, drafts)
    return grouped


def _share_with_paper(paper: Paper, drafts: list[NoteDraft]) -> None:
    """A draft's content and location are its question's (or review's), come back from a worker as
    copies, and its paper key a copy per draft: the paper's own are kept instead, and one key for all
    its drafts (80 MB at 100,000 questions)."""
    if not drafts:
        return
    key = drafts[0].paper_key
    origins = [(q.text, q.location) for q in paper.questions]
    if paper.review is not None:
        origins.append((paper.review.text, paper.review.location))
    for draft, (text, location) in zip(drafts, origins):
        if draft.content == text:
            draft.content = text
        if draft.location == location:
            draft.location = location
        if draft.paper_key == key:
            draft.paper_key = key


def _cached_calls(
    store: Store,
    keys: list[str],
    fn: Callable[[Any], Any],
    arg_of: Callable[[int], Any],
    valid: Callable[[Any], bool] | None = None,
) -> list[Any]:
    """`fn(arg_of(i))` for each key: from the cache where it holds the key (and the value is `valid`),
    else made in the workers and cached as they pickled it."""
    from .engine.parallel import workers

    found = [store.get(key) for key in keys]
    if valid is not None:
        found = [value if value is None or valid(value) else None for value in found]
    missing = [i for i, value in enumerate(found) if value is None]
    with workers() as pool:
        for i, data in zip(missing, pool.map(_pickled, [(fn, arg_of(i)) for i in missing], chunksize=32)):
            store.put_pickled(keys[i], data)
            found[i] = pickle.loads(data)
    return found


def _cached_lint(
    papers: list[Paper], keys: list[str], grouped: list[list[NoteDraft]], sources: dict[str, Source], store: Store
) -> tuple[list[Problem], list[list[Problem]]]:
    """`lint`: the files' problems, and each paper's; a paper's are kept while its records and its files'
    text are."""
    from .lint import lint_files

    texts = {path: digest(source.text) for path, source in sources.items()}
    files = [sorted({d.location.file for d in drafts}) for drafts in grouped]
    # (A paper's images are in its key: the same records with an image changed warn differently.)
    lint_keys = [
        digest(key, *(part for path in paths for part in (path, texts.get(path, ""))), *_seen_images(drafts))
        for key, paths, drafts in zip(keys, files, grouped)
    ]
    per_paper = _cached_calls(
        store,
        lint_keys,
        _lint_paper,
        lambda i: _lint_job(papers[i], grouped[i], sources),
    )
    return lint_files(sources), per_paper


def _lint_job(
    paper: Paper, drafts: list[NoteDraft], sources: dict[str, Source]
) -> tuple[Paper, list[NoteDraft], dict[str, Source]]:
    """`lint_paper`'s arguments: a job carries only the files its paper's messages point into."""
    files = sorted({d.location.file for d in drafts})
    return paper, drafts, {f: sources[f] for f in files if f in sources}


def _lint_paper(job: tuple[Paper, list[NoteDraft], dict[str, Source]]) -> list[Problem]:
    from .lint import lint_paper

    return lint_paper(*job)


def _drafts_of_paper(job: tuple[Paper, list[str]]) -> list[NoteDraft]:
    paper, roots = job
    return drafts_of([paper], roots)[0]


def _finders_of(papers: list[Paper], roots: list[str]) -> list[list[str]]:
    """For each paper, the roots its files' images are found in: only those of its own files (a job
    carries no more), none when it has no image."""
    from .media import Finder

    if not roots:
        return [[] for _ in papers]
    finder = Finder(roots)
    out: list[list[str]] = []
    for paper in papers:
        texts = [q.text + q.answer for q in paper.questions] + ([paper.review.text] if paper.review else [])
        if not any("![" in text for text in texts):  # no image: the roots change nothing
            out.append([])
            continue
        files = {q.location.file for q in paper.questions} | ({paper.review.location.file} if paper.review else set())
        out.append(sorted({finder.root_of(f) for f in files}))
    return out


def _seen_images(drafts: list[NoteDraft]) -> list[str]:
    """What a paper's notes found of their images (where, what, and what was said of it), as parts of a key."""
    return [repr(image) for d in drafts for image in d.images]


def _description(paper: Paper, drafts: list[NoteDraft]) -> str:
    for draft in drafts:
        if draft.kind == "review":
            return draft.fields[3]
    return ""
