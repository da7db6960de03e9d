"""The parser's state, and how what it finds is recorded: papers, questions, answers, spans, problems.

`Reader` holds the source's lines, the papers, reviews and problems found so far, the span of every
line read, the paper the next questions belong to and its last question (which may still get an
answer). The modules that walk the blocks (`headings`, `flat`, `reviews`) record through it.
"""

from __future__ import annotations

from . import markers
from .blocks import Block
from .items import Item
from .lines import Lines
from .records import Location, Paper, Problem, Question, Review, Span
from .scaffold import ANSWER_LINK, Prepared, prepare
from .sources import Source
from .titles import file_title, title_text


class Reader(Lines):
    """One source being read: what was found so far, and where the next questions go."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.src_lines = source.text.split("\n")
        self.prepared: Prepared = prepare(source.text)
        super().__init__(self.prepared.lines)
        self.papers: list[Paper] = []
        self.reviews: list[Review] = []
        self.problems: list[Problem] = []
        self.spans: list[Span] = []
        self.paper: Paper | None = None  #: the paper the next questions belong to
        self.last: Question | None = None  #: its last question, which may still get an answer

    def loc(self, line: int, col: int = 1) -> Location:
        return Location(self.source.path, line, col)

    def span(self, kind: str, first: int, last: int, note: str = "") -> None:
        self.spans.append(Span(kind, first, max(first, last), note))

    def warn(self, first: int, last: int, message: str, rule: str, severity: str = "warning") -> None:
        self.problems.append(Problem(self.loc(first), severity, message, rule))
        self.span("left-out", first, last, rule)

    def skip(self, first: int, last: int, reason: str) -> None:
        self.span("skipped", first, last, reason)

    def start_paper(self, block: Block, lines: tuple[int, int] | None = None) -> Paper:
        first, last = lines or (block.line, block.end)
        title = title_text(self, block, (first, last))
        line = self.lines[first - 1]
        marker = markers.find(line) if block.type != "heading" else None
        col = (marker.end if marker is not None else len(line) - len(line.lstrip())) + 1
        paper = Paper(title, [], None, self.loc(first, col))
        self.papers.append(paper)
        self.span("title", first, last, title)
        self.paper, self.last = paper, None
        return paper

    def untitled(self, line: int) -> Paper:
        """A list with no title: named by the front matter's `title:`, else by the file."""
        title = self.prepared.title or file_title(self.source.path)
        message = f"a list of questions with no paper title before it; named '{title}'"
        self.problems.append(Problem(self.loc(line), "warning", message, "no-title"))
        paper = Paper(title, [], None, self.loc(line))
        self.papers.append(paper)
        self.paper, self.last = paper, None
        return paper

    def question(self, item: Item) -> None:
        paper = self.paper or self.untitled(item.line)
        first = self.lines[item.line - 1]
        marker = markers.find(first)
        start = marker.end if marker is not None else len(first) - len(first.lstrip())
        rest = self.outdented(item.line + 1, item.head_end, item.col - 1) if item.head_end > item.line else ""
        text = (first[start:].strip() + ("\n" + rest if rest.strip() else "")).strip()
        if item.own_text is not None:
            text = item.own_text
        if "](" in text:  # the pattern, unanchored at its start, is slow to fail on every question
            text = ANSWER_LINK.sub("", text)
        number = item.number or str(len(paper.questions) + 1)
        answer = self.outdented(item.answer_from, item.end, item.col - 1) if item.answer_from else ""
        if item.own_answer is not None:
            answer = item.own_answer
        question = Question(number, text, self.loc(item.line, item.col), answer)
        paper.questions.append(question)
        self.last = question
        self.span("question", item.line, item.head_end, number)
        if item.answer_from:
            self.span("answer", item.answer_from, item.end)
        if not text.strip():
            self.problems.append(Problem(self.loc(item.line), "error", f"question {number} is empty", "empty-question"))

    def add_answer(self, question: Question, first: int, last: int) -> None:
        more = self.outdented(first, last, 0)
        question.answer = f"{question.answer}\n\n{more}" if question.answer else more
        self.span("answer", first, last)

    def section_if_empty(self, paper: Paper, head: Block) -> None:
        """A title that got no questions of its own (its items or headings were papers): a section."""
        if not paper.questions and paper in self.papers:
            self.papers.remove(paper)
            self.spans = [s for s in self.spans if not (s.kind == "title" and s.first == head.line)]
            self.skip(head.line, head.end, "section heading")
