"""Stage 4a: the note types (fields final, ids fixed) and each note's HTML fields.

Anki treats a change of field names, their order or template names as a different note type (it
imports into a copy `Name+` and never updates the old notes again): FIELDS and TEMPLATE names below
are final. Template text and CSS may change freely; Anki updates them when the type's `mod` is newer.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .latex import MathSpan, TextProblem
from .media import Finder, Image
from .records import Location, Paper, Question, Review
from .render import Rendered, render_markdown

QUESTION_MODEL_ID = 1733906842001
REVIEW_MODEL_ID = 1733906842002
QUESTION_MODEL_NAME = "papers2anki Question"
REVIEW_MODEL_NAME = "papers2anki Review"
QUESTION_FIELDS = ("Question", "Answer", "Paper", "Authors", "Number", "Source")
REVIEW_FIELDS = ("Title", "Authors", "Reviewer", "Review", "Source")
QUESTION_TEMPLATE = "Question"
REVIEW_TEMPLATE = "Review"


def _asset(name: str) -> str:
    return resources.files("papers2anki").joinpath(f"data/{name}").read_text("utf-8")


@dataclass(frozen=True, slots=True)
class NoteType:
    """A note type as data: what genanki needs and what the lock fingerprints."""

    id: int
    name: str
    fields: tuple[str, ...]
    template: str
    qfmt: str
    afmt: str
    css: str

    @property
    def fingerprint(self) -> str:
        return _type_print(self)


@functools.cache
def _type_print(t: NoteType) -> str:
    """Once per note type (there are two): it is asked for every package a build writes."""
    return type_fingerprint(t.name, t.fields, t.template, t.qfmt, t.afmt, t.css)


def type_fingerprint(name: str, fields: Iterable[str], template: str, qfmt: str, afmt: str, css: str) -> str:
    """A note type's digest, as the lock keeps it: of what Anki compares when it imports the type."""
    blob = json.dumps([name, list(fields), template, qfmt, afmt, css])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def note_types() -> tuple[NoteType, NoteType]:
    css = _asset("cards.css")
    return (
        NoteType(
            QUESTION_MODEL_ID,
            QUESTION_MODEL_NAME,
            QUESTION_FIELDS,
            QUESTION_TEMPLATE,
            _asset("question-front.html"),
            _asset("question-back.html"),
            css,
        ),
        NoteType(
            REVIEW_MODEL_ID,
            REVIEW_MODEL_NAME,
            REVIEW_FIELDS,
            REVIEW_TEMPLATE,
            _asset("review-front.html"),
            _asset("review-back.html"),
            css,
        ),
    )


@dataclass(slots=True)
class NoteDraft:
    """A note before it has an identity: its fields, where it came from, what it contains."""

    kind: str  #: "question" or "review"
    paper_key: str
    fields: list[str]
    content: str  #: the source text that identifies the note's content, for matching
    location: Location
    position: int  #: order within its deck
    formulas: list[tuple[MathSpan, Location]] = field(default_factory=list)
    problems: list[tuple[TextProblem, Location, str]] = field(default_factory=list)  #: (problem, base, text)
    images: list[Image] = field(default_factory=list)  #: the local images its fields refer to

    @property
    def fingerprint(self) -> str:
        return content_fingerprint(self.fields)


def content_fingerprint(fields: list[str]) -> str:
    """A note's content digest, as the lock keeps it: of its fields but Number and Source (they follow
    positions; they change with the content, not on their own)."""
    return hashlib.sha256("\x1f".join(fields[:4]).encode()).hexdigest()[:16]


def _render(draft: NoteDraft, text: str, base: Location, inline: bool, finder: Finder | None) -> str:
    find = None if finder is None else (lambda url: finder.find(url, base.file))
    return _add(draft, render_markdown(text, inline=inline, find=find), text, base)


@lru_cache(maxsize=1)
def _title(title: str) -> Rendered:
    """A paper's title as a field: every question of the paper shows it, rendered once for them all."""
    return render_markdown(title, inline=True)


def _add(draft: NoteDraft, rendered: Rendered, text: str, base: Location) -> str:
    """The field's HTML; its formulas and problems noted on the draft."""
    for span in rendered.formulas:
        draft.formulas.append((span, base))
    for problem in rendered.problems:
        draft.problems.append((problem, base, text))
    draft.images.extend(rendered.images)
    return rendered.html


def _authors(paper: Paper) -> str:
    return paper.review.authors if paper.review else ""


def question_draft(
    paper: Paper, question: Question, position: int, finder: Finder | None = None, place: str | None = None
) -> NoteDraft:
    """A question's note; `finder` finds the images of its question and answer (without one, they show
    their alt text); `place`: its file as the Source field names it (see `drafts_of`; None: as given)."""
    from .render import escape_text

    draft = NoteDraft("question", paper.key, [], question.text, question.location, position)
    q_html = _render(draft, question.text, question.location, True, finder)
    a_html = _render(draft, question.answer, question.location, False, finder) if question.answer else ""
    draft.fields = [
        q_html,
        a_html,
        _add(draft, _title(paper.title), paper.title, paper.location or question.location),
        escape_text(_authors(paper)),
        escape_text(question.number),
        escape_text(source_field(question.location, place)),
    ]
    return draft


def review_draft(
    paper: Paper, review: Review, position: int, finder: Finder | None = None, place: str | None = None
) -> NoteDraft:
    from .render import escape_text

    draft = NoteDraft("review", paper.key, [], review.title, review.location, position)
    body = _render(draft, review.text, review.location, False, finder)
    draft.fields = [
        escape_text(paper.title),
        escape_text(review.authors),
        escape_text(review.reviewer),
        body,
        escape_text(source_field(review.location, place)),
    ]
    draft.content = review.text
    return draft


def source_field(location: Location, place: str | None) -> str:
    """The Source field: `file:line`, the file as cards show it (`place`), else as the location has it."""
    return f"{location.file if place is None else place}:{location.line}"


def files_of(papers: Iterable[Paper]) -> list[str]:
    """The files the papers' questions and reviews are in, in order of first use."""
    files: dict[str, None] = {}
    for paper in papers:
        for question in paper.questions:
            files[question.location.file] = None
        if paper.review is not None:
            files[paper.review.location.file] = None
    return list(files)


def drafts_of(
    papers: list[Paper],
    roots: Iterable[str] = (),
    course: str | os.PathLike[str] = os.curdir,
    *,
    places: Mapping[str, str] | None = None,
) -> list[list[NoteDraft]]:
    """Each paper's notes, in study order: its questions, then its review.

    `roots`: the sources folders the lists' images must lie in (`source_roots`); a list in none of
    them has its own folder. `course`: the course folder (`sources.course_folder` of the lock), from
    which the Source field names each file, whatever the working folder (`sources.course_paths`);
    `places`: those names already found, by file (any file missing from it is named from `course`)."""
    from .sources import course_paths

    files = files_of(papers)
    if places is None or any(f not in places for f in files):
        places = {**course_paths(files, course), **(places or {})}
    finder = Finder(list(roots))
    out = []
    for paper in papers:
        drafts = [question_draft(paper, q, i, finder, places[q.location.file]) for i, q in enumerate(paper.questions)]
        if paper.review is not None:
            place = places[paper.review.location.file]
            drafts.append(review_draft(paper, paper.review, len(drafts), finder, place))
        out.append(drafts)
    return out
