"""A build's outputs beside its notes: what the previous deck files hold (for the undo rule, see
`previous`), whether the build reads all the sources, and the record of the deck files it wrote, from
which the deck files of gone papers are removed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import lock as lockmod
from ..corpus import Corpus
from ..previous import DeckNotes, deck_notes, read_record, record_bytes, record_path
from ..records import Paper, Problem
from ..sources import files_in, find_source_files
from .cache import Store, file_state

if TYPE_CHECKING:
    from ..package import DeckSpec


def previous_of(files: Iterable[str], made: Store | None = None, besides: DeckNotes | None = None) -> DeckNotes:
    """What the deck files at these paths hold now (those that exist): from `made` (the store of deck
    files, see `full_build`) for a file untouched since a build wrote it, else read from the file; with
    what `besides` holds (the build's option `previous`)."""
    found = DeckNotes()
    if besides is not None:
        found.add(besides)
    for path in dict.fromkeys(files):
        known = made.get(str(Path(path))) if made is not None else None  # (keyed as `full_build` puts them)
        if known is not None and len(known) > 2 and known[1] is not None and known[1] == file_state(path):
            notes, types = known[2]
            found.add(DeckNotes({g: (f, m) for g, f, m in notes}, {i: (f, m) for i, f, m in types}))
        else:
            found.add(deck_notes(path))
    return found


def recorded_elsewhere(lock_file: Path, out_dir: str, files: list[str]) -> list[str]:
    """The deck files builds of this lock wrote into `out_dir` that are none of `files` (those this build
    writes): the deck files of gone papers, and of papers whose title changed since. They are read as
    previous deck files too, for the undo rule: a title corrected and then restored (`git revert`) moved
    the paper's notes to a file of the new name, the one the collection last imported them from."""
    out = os.path.abspath(out_dir)
    mine = {os.path.abspath(f) for f in files}
    found = (f for f in read_record(lock_file) if os.path.dirname(os.path.abspath(f)) == out)
    return sorted(f for f in found if os.path.abspath(f) not in mine)


Shipped = tuple[tuple[tuple[str, str, int], ...], tuple[tuple[int, str, int], ...]]


def shipped(specs: list[DeckSpec], fingerprints: dict[str, str]) -> Shipped:
    """What a deck file made of `specs` holds, for `previous_of`: each note's GUID, content fingerprint
    and `mod`, each note type's id, fingerprint and `mod`."""
    notes = tuple((n.guid, fingerprints.get(n.guid, ""), n.mod) for spec in specs for n in spec.notes)
    types = {n.note_type.id: (n.note_type.fingerprint, s.type_mods[n.note_type.id]) for s in specs for n in s.notes}
    return notes, tuple((i, f, m) for i, (f, m) in sorted(types.items()))


def unread_papers(corpus: Corpus | list[Paper], lock_file: Path, out_dir: str | None = None) -> dict[str, str]:
    """The papers of the lock's course that a build does not read, each with the first list not read that
    holds it: not empty, a build of part of the sources.

    The course's lists are those a build of the lock's folder would read, its subfolders too. A build given
    that folder (or one above it) reads them all, and so does one given papers as records. Otherwise each
    list of the course that the build does not read counts when it holds a part of a paper (its questions,
    its review) that the lock has notes of and the lists read do not hold: other files beside a lock kept
    at the top of a course (a README, a copy of the lists) count for nothing, and a list in a subfolder
    built alone with its course's lock (`sources/part2/c.txt`) leaves the rest of the course as it was,
    never "gone". A list not read that cannot be read (not text) counts as holding every paper of the
    lock that the lists read do not hold, as a full build keeps the notes of a file it cannot read."""
    if not isinstance(corpus, Corpus):
        return {}
    folder = os.path.dirname(lock_file) or "."
    whole = os.path.abspath(folder)
    for given in map(os.path.abspath, corpus.paths):
        if os.path.isdir(given) and (whole == given or whole.startswith(given.rstrip(os.sep) + os.sep)):
            return {}
    lock = os.path.abspath(lock_file)
    lists = [p for p in files_in(folder, skip=out_dir) if not p.endswith(".apkg") and os.path.abspath(p) != lock]
    if not lists:  # (the usual case outside the lists' folder: only the lock and the decks there)
        return {}
    given_files = {os.path.abspath(p) for p in find_source_files(corpus.paths)}
    lists = [os.path.normpath(p) for p in lists if os.path.abspath(p) not in given_files]
    if not lists:
        return {}
    known = {n.paper for n in lockmod.read_lock(lock_file).notes if n.removed is None}
    encoding = corpus.inputs.encoding if corpus.inputs is not None else None
    parts, unreadable = parts_in(lists, encoding or None)
    found = {part: path for part, path in parts.items() if part[0] in known}
    if not found and not unreadable:
        return {}
    held = _parts(corpus.papers)  # (a copy of a list read holds nothing more)
    elsewhere = {key: path for (key, kind), path in found.items() if kind not in held.get(key, ())}
    for key in sorted(known - held.keys()) if unreadable else ():  # (what it holds is unknown: any of them)
        elsewhere.setdefault(key, unreadable[0])
    return elsewhere


def _parts(papers: list[Paper]) -> dict[str, set[str]]:
    """Which parts of each paper (by key) these records hold: its questions, its review."""
    found: dict[str, set[str]] = {}
    for paper in papers:
        parts = found.setdefault(paper.key, set())
        if paper.questions:
            parts.add("question")
        if paper.review is not None:
            parts.add("review")
    return found


def parts_in(files: list[str], encoding: str | None) -> tuple[dict[tuple[str, str], str], list[str]]:
    """The parts of papers these lists hold, (paper key, "question" or "review"), each with the first list
    that holds it; and the lists that could not be read (not text, not decodable): they may hold any."""
    from ..text import title_key
    from .jobs import read_and_parse

    found: dict[tuple[str, str], str] = {}
    unreadable: list[str] = []
    for path in files:
        result = read_and_parse((path, encoding))
        if isinstance(result, Problem):
            unreadable.append(path)
            continue
        parsed = result[1]
        for paper in parsed.papers:
            if paper.questions:
                found.setdefault((paper.key, "question"), path)
        for review in parsed.reviews:
            found.setdefault((title_key(review.title), "review"), path)
    return found, unreadable


@dataclass(slots=True)
class Record:
    """The record of deck files written for a lock, as this build leaves it, and the files it removes."""

    path: Path  #: where it is kept (see `previous.record_path`)
    text: bytes | None  #: its new text; None: not kept by this build (one package for all papers)
    gone: list[str] = field(default_factory=list)  #: deck files of papers that are gone, to remove


def record_of(lock_file: Path, out_dir: str | None, made: list[str], whole: bool) -> Record:
    """The record after a build into `out_dir` that makes the deck files `made`. Only a build that knows
    which papers are gone (`whole`: every list read, no paper held back) removes: the files it recorded
    earlier in `out_dir` that are no paper's now."""
    path = record_path(lock_file)
    if out_dir is None:
        return Record(path, None)
    out = os.path.abspath(out_dir)
    keep = {os.path.abspath(f): f for f in made}
    gone = []
    for recorded in sorted(read_record(lock_file)):
        at = os.path.abspath(recorded)
        if at in keep:
            continue
        if os.path.dirname(at) != out or not whole:
            keep[at] = recorded  # another folder's, or perhaps a paper's not read or held back
        elif os.path.isfile(recorded) and not os.path.islink(recorded):
            gone.append(os.path.join(out_dir, os.path.basename(at)))  # spelled as the build's own files
    return Record(path, record_bytes(lock_file, set(keep)), gone)


def remove(files: list[str]) -> None:
    """Remove the deck files of gone papers (after the build's files are in place)."""
    for path in files:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
