"""The work a build sends to its worker processes, one function a kind of job: each calls a stage."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..records import Paper, Problem
from .memory import dumps
from .parallel import in_worker

if TYPE_CHECKING:
    from ..notes import NoteDraft
    from ..package import DeckSpec
    from ..parse import ParseResult
    from ..sources import Source


def read_and_parse(job: tuple[str, str | None]) -> tuple[Source, ParseResult] | Problem:
    """`read_source` + `parse_source` of one file (in a worker process for large corpora)."""
    from ..parse import parse_source
    from ..sources import SourceError, read_source

    path, encoding = job
    try:
        source = read_source(path, encoding)
    except SourceError as exc:
        problem = exc.problem
        if problem.rule == "binary-file":
            return Problem(problem.location, "warning", problem.message, problem.rule)
        return problem
    return source, parse_source(source)


def pickled(call: tuple[Callable[[Any], Any], Any]) -> bytes:
    """A worker's result as the bytes the cache keeps, so that this process does not pickle it again (its
    text packed only where the records outlive the pickling: not in a worker)."""
    fn, arg = call
    return dumps(fn(arg), pack=not in_worker())


def lint_job(
    paper: Paper, drafts: list[NoteDraft], sources: dict[str, Source]
) -> tuple[Paper, list[NoteDraft], dict[str, Source]]:
    """`lint_paper`'s arguments: a job carries only the files its paper's messages point into."""
    files = sorted({d.location.file for d in drafts})
    return paper, drafts, {f: sources[f] for f in files if f in sources}


def lint_paper_job(job: tuple[Paper, list[NoteDraft], dict[str, Source]]) -> list[Problem]:
    from ..lint import lint_paper

    return lint_paper(*job)


def drafts_of_paper(job: tuple[Paper, list[str], dict[str, str]]) -> list[NoteDraft]:
    """A paper's drafts, given the roots of its images and its files as cards name them."""
    from ..notes import drafts_of

    paper, roots, places = job
    return drafts_of([paper], roots, places=places)[0]


def package_and_digest(specs: list[DeckSpec]) -> tuple[bytes, str]:
    """A package and the digest of what it was made from (in a worker, both off the main process)."""
    from ..package import decks_digest, package_bytes

    return package_bytes(specs), decks_digest(specs)
