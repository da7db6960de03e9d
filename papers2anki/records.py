"""The plain records that flow between the stages: read -> parse -> normalise -> package."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any


class Plain:
    """Pickled as a call with its field values, in order, its non-ASCII text as UTF-8 bytes.

    Python 3.11 pickles a frozen slotted dataclass through `dataclasses.fields()` per object: at
    100,000 questions that was seconds each way between the worker processes and into the cache.
    And pickle writes a `str` through its UTF-8 form, which CPython then keeps inside the string for
    as long as it lives: every Russian text the main process sent to a worker stayed in memory twice
    (190 MB at 100,000 questions). Bytes made by `str.encode` are not kept. A string that recurs
    (a file's path in each of its locations, a paper's title in each of its notes) is encoded and
    decoded once while it recurs, so that pickle still writes it once and it comes back one string.
    No record has a field of bytes: bytes in a pickled record are always its text.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        names: tuple[str, ...] = type(self).__slots__  # the dataclass's fields, in order
        values = [getattr(self, name) for name in names]
        if not _packing or not any(map(_is_text, values)):
            return (type(self), tuple(values))
        return (_unpacked, (type(self), tuple([_packed(v) for v in values])))


_packing = True


def pack_text(on: bool) -> None:
    """Whether records pickle their text as bytes: worth it only in a process that keeps the strings
    it pickles, not in a worker (whose records live for one job), where plain pickles are made and
    read back twice as fast."""
    global _packing
    _packing = on


def _is_text(value: Any) -> bool:
    """Holds non-ASCII text (ASCII strings are pickled from their own bytes, nothing is kept)."""
    kind = type(value)
    if kind is str:
        return not value.isascii()
    return kind is list and any(type(v) is str and not v.isascii() for v in value)


@functools.lru_cache(maxsize=1024)
def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@functools.lru_cache(maxsize=1024)
def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _packed(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _encoded(value)
    if kind is list:
        return [_encoded(v) if type(v) is str and not v.isascii() else v for v in value]
    return value


def _unpacked(cls: type, values: tuple[Any, ...]) -> Any:
    """A record from `_packed` values."""
    return cls(*[_unpack(v) for v in values])


def _unpack(value: Any) -> Any:
    kind = type(value)
    if kind is bytes:
        return _decoded(value)
    if kind is list:
        return [_decoded(v) if type(v) is bytes else v for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Location(Plain):
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
class Problem(Plain):
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
class Question(Plain):
    """One exam question, its text exactly as written minus the numbering."""

    number: str  #: the list numbering as written, without the trailing dot: "3", "2.1"
    text: str  #: Markdown with its math untouched
    location: Location  #: where the question's first character is
    answer: str = ""  #: Markdown that followed the question inside its list item


@dataclass(slots=True)
class Review(Plain):
    """A Markdown review of a paper (`## Исследование статьи **TITLE**`)."""

    title: str  #: the title as the review writes it
    authors: str  #: the paper's authors, as listed in the review
    reviewer: str  #: "Автор исследования: ..."
    text: str  #: the review's prose, Markdown
    location: Location


@dataclass(slots=True)
class Paper(Plain):
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
class Span(Plain):
    """Lines of a source and what they became: how a file was read, line by line (`parse --outline`)."""

    kind: str  #: "title", "question", "answer", "review", "skipped" (scaffolding) or "left-out" (reported)
    first: int  #: first line, from 1
    last: int  #: last line, inclusive
    note: str = ""  #: the title or question's number, or why lines were skipped


@dataclass(frozen=True, slots=True)
class MathSpan(Plain):
    """One formula found in a text."""

    start: int  #: offset of the span, delimiters included
    end: int  #: offset just past the span
    tex: str  #: the formula's text as written (outer whitespace stripped; bare subscripts braced)
    tex_start: int  #: offset of `tex` in the text, for locating problems inside it
    display: bool  #: display math (`\\[..\\]`) rather than inline
    kind: str  #: "dollar", "double-dollar", "paren", "bracket", "environment", "bare" or "letter"
