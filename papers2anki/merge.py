"""Papers merged across files, with a record of which file holds which paper.

A full load merges every file; a rebuild after a few files changed merges again only the papers those
files hold (see `rebuild`), with the same function, so that both give the same records and problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .lint import one_line
from .outline import skipped_lines
from .parse import ParseResult
from .records import Location, Paper, Problem, Review
from .sources import Source
from .text import title_key

#: What a file holds, in order: its papers and its reviews, each as (key, title) (a deck's file name
#: comes from the title).
Outline = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


@dataclass(slots=True)
class Merged:
    papers: dict[str, Paper] = field(default_factory=dict)  #: by key, in the order first met
    sources: dict[str, Source] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  #: in the order met
    outlines: dict[str, Outline | None] = field(default_factory=dict)  #: None: the file could not be read
    file_problems: dict[str, list[Problem]] = field(default_factory=dict)  #: reading and parsing a file
    paper_problems: dict[str, list[Problem]] = field(default_factory=dict)  #: merging a paper's parts
    paper_files: dict[str, list[str]] = field(default_factory=dict)  #: the files holding each paper
    skipped: dict[str, int] = field(default_factory=dict)  #: how many lines of each file are scaffolding


def outline_of(parse: ParseResult) -> Outline:
    papers = tuple((paper.key, paper.title) for paper in parse.papers)
    return papers, tuple((title_key(review.title), review.title) for review in parse.reviews)


def merge(parsed: Iterable[tuple[str, tuple[Source, ParseResult] | Problem]]) -> Merged:
    """Merge files' parses, taken in file order: papers with the same folded title become one."""
    out = Merged()
    reviews: list[tuple[str, Review]] = []

    def said(problem: Problem, path: str | None = None, key: str | None = None) -> None:
        problem = one_line(problem)
        out.problems.append(problem)
        if path is not None:
            out.file_problems.setdefault(path, []).append(problem)
        if key is not None:
            out.paper_problems.setdefault(key, []).append(problem)

    def holds(key: str, path: str) -> None:
        files = out.paper_files.setdefault(key, [])
        if path not in files:
            files.append(path)

    for path, result in parsed:
        if isinstance(result, Problem):
            out.outlines[path] = None
            said(result, path=path)
            continue
        source, parse = result
        out.sources[source.path] = source
        out.outlines[path] = outline_of(parse)
        out.skipped[path] = skipped_lines(parse)
        out.file_problems.setdefault(path, [])
        for problem in parse.problems:
            said(problem, path=path)
        reviews.extend((path, review) for review in parse.reviews)
        for paper in parse.papers:
            key = paper.key
            holds(key, path)
            known = out.papers.get(key)
            if known is None:
                out.papers[key] = paper
                continue
            if known.title != paper.title:
                message = f"'{paper.title}' and '{known.title}' ({known.location}) are one paper: merged"
                said(Problem(paper.location or Location(path, 1), "warning", message, "merged-title"), key=key)
            known.questions.extend(paper.questions)
    for path, review in reviews:
        key = title_key(review.title)
        holds(key, path)
        if key not in out.papers:
            out.papers[key] = Paper(review.title, [], None, review.location)
        paper = out.papers[key]
        if paper.review is not None:
            message = f"a second review of '{paper.title}'; the first is kept"
            said(Problem(review.location, "warning", message, "duplicate-review"), key=key)
            continue
        paper.review = review
    return out
