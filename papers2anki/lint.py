"""Lint rules over a loaded corpus and its notes: each rule a small function yielding problems."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from .latex import TextProblem
from .mathcheck import check_formula
from .notes import NoteDraft
from .records import Location, Paper, Problem, Question
from .sources import Source
from .text import skeleton


def locate(sources: dict[str, Source], base: Location, needle: str) -> Location:
    """Where `needle` first occurs in its source at or after `base`'s line (base itself if nowhere)."""
    source = sources.get(base.file)
    if source is None or not needle:
        return base
    start = sum(len(line) + 1 for line in source.text.split("\n")[: base.line - 1])
    found = source.text.find(needle, start)
    return source.location(found) if found >= 0 else base


def _runs(paper: Paper) -> Iterator[list[Question]]:
    """A paper's questions, one run per file: each file numbers its own list."""
    run: list[Question] = []
    for q in paper.questions:
        if run and q.location.file != run[-1].location.file:
            yield run
            run = []
        run.append(q)
    if run:
        yield run


def _numbering(papers: list[Paper], drafts: list[NoteDraft], sources: dict[str, Source]) -> Iterator[Problem]:
    for paper in papers:
        for run in _runs(paper):
            yield from _numbering_of(run)


def _numbering_of(run: list[Question]) -> Iterator[Problem]:
    seen: dict[str, Location] = {}
    previous: list[int] | None = None
    for q in run:
        if q.number in seen:
            yield Problem(
                q.location,
                "warning",
                f"question number {q.number} repeats (first at line {seen[q.number].line})",
                "numbering",
            )
            continue
        seen[q.number] = q.location
        try:
            parts = [int(p) for p in q.number.split(".")]
        except ValueError:
            continue
        if previous is not None and parts != previous and parts != previous[:-1] + [previous[-1] + 1]:
            shown = ".".join(map(str, previous))
            yield Problem(q.location, "warning", f"numbering skips from {shown} to {q.number}", "numbering")
        previous = parts


def _empty(papers: list[Paper], drafts: list[NoteDraft], sources: dict[str, Source]) -> Iterator[Problem]:
    """Questions of punctuation only (`2. ?`); wholly empty ones are reported by parse."""
    for paper in papers:
        for q in paper.questions:
            if q.text.strip() and not skeleton(q.text):
                yield Problem(
                    q.location, "error", f"question {q.number} has no words: '{_quote(q.text)}'", "empty-question"
                )


def _duplicates(papers: list[Paper], drafts: list[NoteDraft], sources: dict[str, Source]) -> Iterator[Problem]:
    for paper in papers:
        seen: dict[str, Location] = {}
        for q in paper.questions:
            key = skeleton(q.text)
            if key and key in seen:
                yield Problem(
                    q.location,
                    "error",
                    f"the same question as at {seen[key].short} in '{paper.title}'",
                    "duplicate-question",
                )
            seen.setdefault(key, q.location)


def _formulas(papers: list[Paper], drafts: list[NoteDraft], sources: dict[str, Source]) -> Iterator[Problem]:
    for draft in drafts:
        for tp, base, text in draft.problems:
            yield _located(sources, base, text, tp)
        for span, base in draft.formulas:
            try:
                found = check_formula(span.tex)
            except RecursionError:  # pylatexenc recurses per brace level
                message = f"the formula is nested too deeply to check in ${_quote(span.tex)}$"
                yield Problem(locate(sources, base, span.tex), "error", message, "latex-syntax")
                continue
            for tp in found:
                where = locate(sources, base, span.tex)
                if where != base:
                    where = Location(where.file, where.line, where.col + tp.offset)
                yield Problem(where, tp.severity, f"{tp.message} in ${_quote(span.tex)}$", tp.rule)


def _quote(tex: str, limit: int = 60) -> str:
    """A formula shown in a message: on one line, and cut when long."""
    tex = " ".join(tex.split())
    return tex if len(tex) <= limit else tex[: limit - 1] + "…"


def _located(sources: dict[str, Source], base: Location, text: str, tp: TextProblem) -> Problem:
    line_start = text.rfind("\n", 0, tp.offset) + 1
    snippet = text[line_start : text.find("\n", tp.offset) if "\n" in text[tp.offset :] else len(text)]
    where = locate(sources, base, snippet)
    return Problem(
        Location(where.file, where.line, where.col + tp.offset - line_start), tp.severity, tp.message, tp.rule
    )


def _controls(papers: list[Paper], drafts: list[NoteDraft], sources: dict[str, Source]) -> Iterator[Problem]:
    for source in sources.values():
        for offset in source.controls:
            yield Problem(
                source.location(offset),
                "warning",
                "an invisible control character, read as a space",
                "control-character",
            )


Rule = Callable[[list[Paper], list[NoteDraft], dict[str, Source]], Iterator[Problem]]

FILE_RULES: list[tuple[str, Rule]] = [("control-character", _controls)]  #: over the source files
PAPER_RULES: list[tuple[str, Rule]] = [  #: over one paper at a time and its notes
    ("numbering", _numbering),
    ("empty-question", _empty),
    ("duplicate-question", _duplicates),
    ("formulas", _formulas),
]
RULES = FILE_RULES + PAPER_RULES


def lint(papers: list[Paper], drafts: list[NoteDraft], sources: dict[str, Source]) -> list[Problem]:
    found: list[Problem] = []
    for _, rule in RULES:
        found.extend(rule(papers, drafts, sources))
    return [one_line(p) for p in found]


def lint_files(sources: dict[str, Source]) -> list[Problem]:
    """The rules about source files; with `lint_paper` of every paper, what `lint` finds (once sorted)."""
    return [one_line(p) for _, rule in FILE_RULES for p in rule([], [], sources)]


def lint_paper(paper: Paper, drafts: list[NoteDraft], sources: dict[str, Source]) -> list[Problem]:
    """The rules about one paper: a build checks again only the papers whose records or files changed."""
    return [one_line(p) for _, rule in PAPER_RULES for p in rule([paper], drafts, sources)]


def problems_of(
    loose: list[Problem], papers: list[Paper], grouped: list[list[NoteDraft]], sources: dict[str, Source]
) -> tuple[list[Problem], list[list[Problem]]]:
    """Every problem of a corpus in the order `check` prints them (`loose`: those met reading and
    parsing), and each paper's own (linting it alone: what holds the paper back)."""
    paper_lint = [lint_paper(paper, drafts, sources) for paper, drafts in zip(papers, grouped)]
    return gathered(loose, lint_files(sources), paper_lint), paper_lint


def gathered(loose: list[Problem], file_lint: list[Problem], paper_lint: list[list[Problem]]) -> list[Problem]:
    """The problems of a corpus, one list sorted by file and line."""
    return sorted(loose + file_lint + [p for found in paper_lint for p in found], key=lambda p: p.sort_key)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(problem: Problem) -> Problem:
    """A message as one printable line: quoted source text may hold line breaks or terminal escapes."""
    message = _UNPRINTABLE.sub(" ", problem.message)
    return problem if message == problem.message else replace(problem, message=message)
