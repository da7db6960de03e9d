"""Notes drafted and linted for a full build: each paper's from the cache where its inputs are those of an
earlier build, else in the worker processes (`full.full_build`)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..records import Paper, Problem
from .cache import Store, digest
from .jobs import drafts_of_paper, lint_job, lint_paper_job, pickled

if TYPE_CHECKING:
    from ..notes import NoteDraft
    from ..sources import Source


def cached_drafts(
    papers: list[Paper], keys: list[str], store: Store, roots: list[str], course: str
) -> list[list[NoteDraft]]:
    """`drafts_of` each paper, or its drafts from an earlier build of the same paper records whose
    images are still what they were, and whose files the cards name as they did then (from the course
    folder `course`: the key holds those names, not the working folder the paths were given from)."""
    from ..media import current

    finders = _finders_of(papers, roots)
    places = _places_of(papers, course)
    keys = [
        digest(key, *finder, *(part for item in sorted(mine.items()) for part in item))
        for key, finder, mine in zip(keys, finders, places)
    ]
    grouped = _cached_calls(
        store,
        keys,
        drafts_of_paper,
        lambda i: (papers[i], finders[i], places[i]),
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
    from .parallel import workers

    found = [store.get(key) for key in keys]
    if valid is not None:
        found = [value if value is None or valid(value) else None for value in found]
    missing = [i for i, value in enumerate(found) if value is None]
    with workers() as pool:
        if not pool.spreads(len(missing)):  # here: a result is pickled only for the cache, not read back
            for i in missing:
                found[i] = fn(arg_of(i))
                if store.keeps:
                    store.put(keys[i], found[i])
            return found
        for i, data in zip(missing, pool.map(pickled, [(fn, arg_of(i)) for i in missing], chunksize=32)):
            store.put_pickled(keys[i], data)
            found[i] = pickle.loads(data)
    return found


def cached_lint(
    papers: list[Paper], keys: list[str], grouped: list[list[NoteDraft]], sources: dict[str, Source], store: Store
) -> tuple[list[Problem], list[list[Problem]]]:
    """`lint`: the files' problems, and each paper's; a paper's are kept while its records and its files'
    text are."""
    from ..lint import lint_files

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
        lint_paper_job,
        lambda i: lint_job(papers[i], grouped[i], sources),
    )
    return lint_files(sources), per_paper


def _finders_of(papers: list[Paper], roots: list[str]) -> list[list[str]]:
    """For each paper, the roots its files' images are found in: only those of its own files (a job
    carries no more), none when it has no image."""
    from ..media import Finder

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


def _places_of(papers: list[Paper], course: str) -> list[dict[str, str]]:
    """For each paper, its files as its cards name them (`sources.course_paths`), each file resolved once."""
    from ..notes import files_of
    from ..sources import course_paths

    mine = [files_of([paper]) for paper in papers]
    every = course_paths((f for files in mine for f in files), course)
    return [{f: every[f] for f in files} for files in mine]


def _seen_images(drafts: list[NoteDraft]) -> list[str]:
    """What a paper's notes found of their images (where, what, and what was said of it), as parts of a key."""
    return [repr(image) for d in drafts for image in d.images]
