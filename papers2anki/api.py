"""The pipeline as a small public API: load, check, build. The CLI, preview, push and examples/ call these.

The stages (`sources` -> `parse` -> `latex` -> `render`/`notes` -> `lint` -> `identity` -> `lock` ->
`package`) turn records into records; the engine (`papers2anki.engine`) runs them for a build: from the
cache, in worker processes, or not at all when nothing changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from . import lock as lockmod
from .corpus import Corpus, source_roots
from .defaults import DEFAULT_OUT, DEFAULT_ROOT, DEFAULT_SOURCES
from .identity import build_time
from .notes import drafts_of
from .records import Paper, Problem
from .reports import BuildReport, DeckReport

if TYPE_CHECKING:
    from .previous import DeckNotes

__all__ = [
    "DEFAULT_OUT",
    "DEFAULT_ROOT",
    "DEFAULT_SOURCES",
    "BuildReport",
    "Corpus",
    "DeckReport",
    "build",
    "build_time",
    "check",
    "default_lock_path",
    "drafts_of",
    "lists_folder",
    "load",
    "source_roots",
]


def load(
    paths: Iterable[str | os.PathLike[str]] = (DEFAULT_SOURCES,), *, encoding: str | None = None, cache: bool = True
) -> Corpus:
    """Read question lists and reviews; papers with the same folded title are merged.

    The files are found now, and read and parsed on first use of the corpus. With `cache`, a file
    whose bytes are those of an earlier build is not parsed again: its parse is read from the cache of
    builds with the default lock (see `papers2anki.engine.cache`), and `build` may find it has nothing
    to do. Only `build` writes that cache.

    A path that does not exist, or a folder with no file to read in it or its subfolders (hidden files,
    locks and images are not lists), raises `papers2anki.sources.NoSources` (a ValueError) saying what
    was looked for and where; nothing is read or written then. Files none of which is text (PDFs) raise
    it too, when they are first read (the corpus's `papers`, `problems` or `sources`).
    """
    from .engine.inputs import lazy_corpus

    names = [os.fspath(p) for p in paths]
    return lazy_corpus(names, encoding, default_lock_path(names) if cache else None)


def check(
    paths: Iterable[str | os.PathLike[str]] | Corpus = (DEFAULT_SOURCES,), *, encoding: str | None = None
) -> list[Problem]:
    """Every problem of the sources (paths, or a corpus `load` gave), sorted by file and line; writes nothing."""
    from .lint import problems_of

    corpus = paths if isinstance(paths, Corpus) else load(paths, encoding=encoding)
    grouped = drafts_of(corpus.papers, source_roots(corpus))
    return problems_of(list(corpus.problems), corpus.papers, grouped, corpus.sources)[0]


def default_lock_path(paths: Iterable[str | os.PathLike[str]]) -> Path:
    """The lock of the lists at `paths` when none is given: the nearest `papers2anki.lock` in the first
    path's folder (the folder itself, for a folder) or a folder above it, up to the top of its git
    repository, so that a list or a subfolder built alone keeps its course's identities; else a new one
    there."""
    folder = lists_folder(paths)
    return lockmod.find_lock(folder) or folder / lockmod.LOCK_NAME


def lists_folder(paths: Iterable[str | os.PathLike[str]]) -> Path:
    """The folder of the first of `paths` (itself, for a folder): where a new lock goes."""
    first = Path(next(iter(paths), DEFAULT_SOURCES))
    return first if first.is_dir() else first.parent


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
    dry_run: bool = False,
    previous: DeckNotes | None = None,
) -> BuildReport:
    """Package one deck per paper into `out_dir` (or all into `single`), keeping identities in the lock.

    A paper with errors (see `held.paper_errors`) is held back unless `force`: its deck file and its rows in
    the lock stay as they were, its title goes to `report.held_back`, and the other papers are built. The
    errors are in `report.problems` (`report.errors` counts them); nothing is raised for them. While a
    source file cannot be read (`report.unread`), no note of the lock is marked removed: the notes it held
    keep their rows.

    Work whose inputs did not change since the last build (notes' fields, lint, deck files) is taken from
    the user's cache folder (see `papers2anki.engine.cache`): the files written are the same as without
    it. A build whose sources, lock, options and output files are exactly as the last build left them
    does nothing and reports what that build foresaw for its rebuild.

    A note whose content differs from what the previous deck file (in `out_dir`, or `single`) holds for
    its GUID counts as changed, even when the lock says otherwise (an edit undone with the lock): its
    `mod` becomes newer than the deck file's, so that Anki takes the content back. A build that reads
    every source file removes the deck files earlier builds wrote into `out_dir` (as recorded beside the
    lock) for papers that are gone (`report.deleted`); one given only some of the lists keeps the lock's
    rows and deck names of the papers it did not read as they are. With `dry_run` nothing is written or
    removed: `report.written` and `report.deleted` say what would be. `previous` is what the notes'
    destination last got besides those deck files (`papers2anki.previous.DeckNotes`; `push` passes what it
    last imported into the collection): a note whose content differs from it counts as changed too.

    Each card's Source field names its file from the course folder, the folder above the lock's
    (`sources/seminar-04.txt:3` for the default `sources/papers2anki.lock`), with `/` on every system: the
    same bytes whatever the working folder and however the paths were given. A file outside the course
    folder is named by its file name alone. Without `lock_path` the lock is the one beside the first
    path `load` was given, or `sources/papers2anki.lock` for a list of papers: their locations are then
    relative to the working folder, which is the course folder.
    """
    from .engine.build import BuildOptions, run_build

    paths = (corpus.paths if isinstance(corpus, Corpus) else []) or [DEFAULT_SOURCES]
    lock_file = Path(lock_path) if lock_path else default_lock_path(paths)
    options = BuildOptions(out_dir, lock_file, single, root, rename_decks, force, progress, dry_run, previous)
    return run_build(corpus, options)
