"""The plain records that flow between the stages: read -> parse -> normalise -> package."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file; lines and columns count from 1."""

    file: str  #: the path as the user gave it
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    @property
    def short(self) -> str:
        """`file:line`, as shown on cards."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the input, with where it is and how bad it is."""

    location: Location
    severity: str  #: "error" or "warning"
    message: str
    rule: str  #: a stable machine-readable name, e.g. "unbalanced-dollar"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message} [{self.rule}]"

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """By file and place; the rest makes the order total, so that it never depends on the order found."""
        return (self.location.file, self.location.line, self.location.col, self.rule, self.severity, self.message)


@dataclass(slots=True)
class Question:
    """One exam question, its text exactly as written minus the numbering."""

    number: str  #: the list numbering as written, without the trailing dot: "3", "2.1"
    text: str  #: Markdown with its math untouched
    location: Location  #: where the question's first character is
    answer: str = ""  #: Markdown that followed the question inside its list item


@dataclass(slots=True)
class Review:
    """A Markdown review of a paper (`## Исследование статьи **TITLE**`)."""

    title: str  #: the title as the review writes it
    authors: str  #: the paper's authors, as listed in the review
    reviewer: str  #: "Автор исследования: ..."
    text: str  #: the review's prose, Markdown
    location: Location


@dataclass(slots=True)
class Paper:
    """A research paper: its questions and, when there is one, its review."""

    title: str  #: as written in the question list (or the review when there is no list)
    questions: list[Question] = field(default_factory=list)
    review: Review | None = None
    location: Location | None = None  #: where the title is

    @property
    def key(self) -> str:
        """The identity used to merge papers across files: case, spacing and punctuation folded."""
        from .text import title_key

        return title_key(self.title)


@dataclass(frozen=True, slots=True)
class Span:
    """Lines of a source and what they became: how a file was read, line by line (`parse --outline`)."""

    kind: str  #: "title", "question", "answer", "review", "skipped" (scaffolding) or "left-out" (reported)
    first: int  #: first line, from 1
    last: int  #: last line, inclusive
    note: str = ""  #: the title or question's number, or why lines were skipped


@dataclass(frozen=True, slots=True)
class MathSpan:
    """One formula found in a text."""

    start: int  #: offset of the span, delimiters included
    end: int  #: offset just past the span
    tex: str  #: the formula's text as written (outer whitespace stripped; bare subscripts braced)
    tex_start: int  #: offset of `tex` in the text, for locating problems inside it
    display: bool  #: display math (`\\[..\\]`) rather than inline
    kind: str  #: "dollar", "double-dollar", "paren", "bracket", "environment", "bare" or "letter"
