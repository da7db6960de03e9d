"""Which paper an error belongs to. Without `--force`, a paper with errors is held back: `build` keeps its
previous deck file and its lock rows as they were, `preview` and `push` leave it out; the other papers
go ahead. An error that belongs to no paper (on a line no paper keeps) holds none back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .corpus import Corpus
from .plural import plural
from .records import Location, Paper, Problem


def paper_errors(
    papers: list[Paper], loose: Iterable[Problem], own: Iterable[Iterable[Problem]]
) -> list[list[Problem]]:
    """Each paper's errors, in the order of `papers` (an empty list: the paper has none).

    `own` holds one list per paper of the problems found in that paper alone (linting it, merging its
    parts across files): its errors are the paper's. A `loose` problem (met reading or parsing a file)
    is the paper's whose title, question or review is at exactly its file and line, else no paper's.
    Warnings hold nothing back and are no paper's here.
    """
    at: dict[tuple[str, int], int] = {}
    for i, paper in enumerate(papers):
        places: list[Location | None] = [paper.location, *(q.location for q in paper.questions)]
        places.append(paper.review.location if paper.review is not None else None)
        for place in places:
            if place is not None:
                at.setdefault((place.file, place.line), i)
    found = [[p for p in problems if p.severity == "error"] for problems in own]
    for problem in loose:
        owner = at.get((problem.location.file, problem.location.line))
        if problem.severity == "error" and owner is not None and problem not in found[owner]:
            found[owner].append(problem)
    return found


def unread_files(outlines: Mapping[str, object | None], file_problems: Mapping[str, list[Problem]]) -> list[str]:
    """The files that could not be read (no outline, and an error about the file): which papers they hold
    is not known, so a build marks none of the lock's notes removed while there is one."""
    return [
        path
        for path, outline in outlines.items()
        if outline is None and any(p.severity == "error" for p in file_problems.get(path, ()))
    ]


def errors_of(
    corpus: Corpus | list[Paper],
    papers: list[Paper],
    keys: list[str],
    paper_lint: list[list[Problem]],
    problems: list[Problem],
) -> list[list[Problem]]:
    """Each paper's errors (see `held.paper_errors`): `paper_lint` and merging its parts are its own, the
    corpus's problems (reading, parsing) its when at one of its lines. Empty when `problems` has no error."""
    if not any(p.severity == "error" for p in problems):
        return []
    if not isinstance(corpus, Corpus):
        return paper_errors(papers, [], paper_lint)
    merged = corpus.merged.paper_problems if corpus.merged is not None else {}
    own = [merged.get(key, []) + found for key, found in zip(keys, paper_lint)]
    return paper_errors(papers, corpus.problems, own)


def unread_of(corpus: Corpus | list[Paper]) -> list[str]:
    """The source files that could not be read (see `held.unread_files`)."""
    if not isinstance(corpus, Corpus) or corpus.merged is None:
        return []
    return unread_files(corpus.merged.outlines, corpus.merged.file_problems)


def no_lists(papers: list[Paper], problems: Iterable[Problem], paths: Iterable[str]) -> str | None:
    """Why these sources hold no question list at all, when they do not: every file was skipped as not
    text (a folder of PDFs or Word files), no paper found. None otherwise (a text file without a paper is
    a list with problems, told by `check`)."""
    problems = list(problems)
    if papers or not problems or any(p.rule != "binary-file" for p in problems):
        return None
    where = ", ".join(f"'{path}'" for path in paths)
    return (
        f"no question lists in {where}: {plural(len(problems), 'file')}, none of them text "
        "(PDF or Word files: save the lists as text or Markdown)"
    )
