"""Stage 2: recognise papers, questions, answers and reviews in a source, with mistune's block AST.

Before Markdown sees the text, scaffolding is blanked (`scaffold`: front matter, comments, layout
commands, links to anchors), formulas are protected (their characters replaced length for length, so
Markdown cannot eat `\\{`, `_` or `*` nor end a list on a formula's line) and item markers Markdown
does not know (`(1)`, `Вопрос 1.`, `1.2`, `•`) are spelled as Markdown ones (`markers`). mistune's
blocks then carry their own source lines (`blocks`), and texts are cut from the source lines, so
formulas come through exactly as written.

The structure, by what blocks are, not where they are:
- a heading followed by a list of questions is a paper; followed by prose, an image or code, a
  question whose answer runs to the next heading of its level; followed only by deeper headings, a
  section (a paper when those headings are its questions);
- a short text right before a list is the list's title (an authors or venue line may follow it);
  with no blank lines, a line between two numbered runs after which the numbering restarts is the
  next paper's title; a list with no title at all is named by the front matter or the file;
- an item with nested items is a paper or topic (its items are questions), unless it reads as a
  question (`?` or `:` at its end), whose sub-items are part of it; letter items (`а)`) always are;
- text after a question, in its item or (when the numbering goes on after it) outside, is its answer;
- `Исследование статьи TITLE` starts a review that runs to the next heading of its level or to the
  next paper's list; a list it introduces with `Вопросы ...:` holds questions of the reviewed paper.
Every non-blank line ends in a title, a question, an answer, a review, a skipped line (with its
reason) or a reported problem: `ParseResult.spans` says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from . import markers
from .blocks import Block, blocks
from .latex import find_math
from .records import Location, Paper, Problem, Question, Review, Span
from .scaffold import ANSWER_LINK, Details, Prepared, prepare
from .sources import Source

PROTECT = "\ue000"
_NON_SPACE = re.compile(r"\S")
_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)|\s+#+\s*$")
_REVIEW_HEADING = re.compile(r"^\s*исследование\s+стать[ия]\s*[:—–-]?\s*", re.I)
_REVIEWER = re.compile(r"^\s*автор(?:ы)?\s+исследования\s*:\s*", re.I)
_QUESTIONS_LABEL = re.compile(r"^\s*(?:\*\*|__)?\s*(?:вопросы|questions)\b[^\n]*:\s*(?:\*\*|__)?\s*$", re.I)
_LEADING_SYMBOLS = re.compile(r"^[^\w«\"“„'(\[*$\\]+")
_TRAILING_PARENS = re.compile(r"\s*(\([^()]*\))\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$|^\s*\|\s*:?-+:?\s*\|\s*$")
_ANSWER_LABEL = re.compile(r"^\s*(?:\*\*|__)?(?:ответ|answer|решение|solution)\s*(?:\*\*|__)?\s*[:.—-]", re.I)
_AUTHORS = re.compile(
    r"^\s*(?:\(.*\)|\[.*\]\(.*\)|(?:авторы|authors?|by)\s*:.*|.*\bet al\b.*|.*\b(?:19|20)\d\d\b.*|"
    r".*\b(?:NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|AAAI|IJCAI|arXiv|JMLR|TPAMI)\b.*)\s*$",
    re.I,
)
_TITLE_PREFIX = re.compile(r"^\s*(?:(?:статья|paper|работа|тема|topic)\s*№?\s*\d*\s*[:.—–-]\s*|\d{1,3}[.)]\s+)", re.I)
_ONLY_IMAGE = re.compile(r"^\s*!\[([^\]]*)\]\([^)]*\)\s*$")
_QUESTION_WORDS = re.compile(
    r"^(?:что|как|почему|зачем|какие|какой|какая|каким|в чем|в чём|чем|опишите|выпишите|выведите|объясните|"
    r"сформулируйте|докажите|приведите|назовите|сравните|расскажите|перечислите|определите|покажите|запишите)\b",
    re.I,
)


def protect_math(text: str) -> str:
    """Replace every formula's visible characters by PROTECT, keeping offsets and line breaks."""
    spans, _ = find_math(text)
    if not spans:
        return text
    out, pos = [], 0
    for span in spans:
        if span.kind == "letter":
            continue
        out.append(text[pos : span.start])
        out.append(_NON_SPACE.sub(PROTECT, text[span.start : span.end]))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


@dataclass
class ParseResult:
    """What one source file holds, and how each of its lines was read."""

    papers: list[Paper]
    reviews: list[Review]
    problems: list[Problem]
    spans: list[Span] = field(default_factory=list)  #: in line order


@dataclass
class _Item:
    """A list item as a question or a title: its lines and nested items."""

    line: int
    end: int
    number: str
    col: int  #: column of its text
    head_end: int  #: last line of its own text (the question)
    answer_from: int = 0  #: first line of its answer, 0 for none
    children: list[_Item] = field(default_factory=list)
    own_text: str | None = None  #: the question's text when it is not its lines' (an image's alt text, a summary)
    own_answer: str | None = None  #: the answer's text when it is not its lines' (inside `<details>`)


_DECORATED = re.compile(r"^\s*(?:\*\*|__|«|\"|\[|#|(?:статья|paper|работа)\b)", re.I)


def _titled(text: str) -> bool:
    """Reads as a paper's title even where the numbering goes on: written in Latin letters (no Cyrillic
    word), or decorated (`**Title**`, `«Title»`, `[Title](..)`, `Статья 2: ...`)."""
    return not re.search(r"[а-яё]{2,}", text, re.I) or bool(_DECORATED.match(text))


def _question_heading(text: str) -> bool:
    """`3. ...`, `...?`, `Как ...`: a heading that asks."""
    return bool(
        markers.find(text) is not None or text.rstrip("*_ ").endswith("?") or _QUESTION_WORDS.match(text.strip("*_ "))
    )


def _has_words(line: str) -> bool:
    return any(c.isalpha() for c in line)


def _number_of(line: str) -> str:
    marker = markers.find(line)
    return marker.number if marker is not None else ""


def _number_parts(number: str) -> list[int]:
    return [int(p) for p in number.split(".") if p.isdigit()]


def _follows(previous: str, number: str) -> bool:
    """`number` goes on from `previous` (2 after 1, 1.3 after 1.2, 3 after 2.4)."""
    a, b = _number_parts(previous), _number_parts(number)
    if not a or not b:
        return False
    return b == a[:-1] + [a[-1] + 1] or (len(b) == 1 and b[0] == a[0] + 1)


class _Reader:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.src_lines = source.text.split("\n")
        self.prepared: Prepared = prepare(source.text)
        self.lines = self.prepared.lines
        self.papers: list[Paper] = []
        self.reviews: list[Review] = []
        self.problems: list[Problem] = []
        self.spans: list[Span] = []
        self.paper: Paper | None = None  #: the paper the next questions belong to
        self.last: Question | None = None  #: its last question, which may still get an answer

    # -- helpers over lines --------------------------------------------------------------------
    def loc(self, line: int, col: int = 1) -> Location:
        return Location(self.source.path, line, col)

    def span(self, kind: str, first: int, last: int, note: str = "") -> None:
        self.spans.append(Span(kind, first, max(first, last), note))

    def warn(self, first: int, last: int, message: str, rule: str, severity: str = "warning") -> None:
        self.problems.append(Problem(self.loc(first), severity, message, rule))
        self.span("left-out", first, last, rule)

    def skip(self, first: int, last: int, reason: str) -> None:
        self.span("skipped", first, last, reason)

    def text(self, first: int, last: int) -> str:
        return "\n".join(self.lines[first - 1 : last])

    def words(self, block: Block) -> str:
        return " ".join(self.text(block.line, block.end).split())

    def outdented(self, first: int, last: int, width: int) -> str:
        out = []
        for line in self.lines[first - 1 : last]:
            expanded = line.expandtabs(4)
            strip = min(width, len(expanded) - len(expanded.lstrip(" ")))
            out.append(expanded[strip:])
        return "\n".join(out).strip("\n")

    # -- the file -----------------------------------------------------------------------------
    def run(self) -> ParseResult:
        for number, reason in sorted(self.prepared.skipped.items()):
            self.skip(number, number, reason)
        for number in self.prepared.unclosed:
            message = "'<!--' is never closed: read as text (close the comment with '-->')"
            self.problems.append(Problem(self.loc(number), "warning", message, "unclosed-comment"))
        fenced = self.prepared.fenced
        shadow = [
            line if i in fenced else markers.markdown_line(line, markers.find(line))
            for i, line in enumerate(self.lines)
        ]
        found = blocks(protect_math("\n".join(shadow)), self.lines)
        found += [Block("details", d.line, d.end, {"details": d}) for d in self.prepared.details]
        found.sort(key=lambda b: b.line)
        self.section(found, 0)
        self.spans.sort(key=lambda s: (s.first, s.last))
        return ParseResult(self.papers, self.reviews, self.problems, self.spans)

    # -- headings ------------------------------------------------------------------------------
    def section(self, found: list[Block], level: int) -> None:
        """Blocks under a heading of `level` (0: the file): the text before the first heading, then each heading."""
        i = next((k for k, b in enumerate(found) if b.type == "heading"), len(found))
        self.flat(found[:i])
        while i < len(found):
            head, j = found[i], _section_end(found, i)
            self.heading(head, found[i + 1 : j])
            i = j

    def heading(self, head: Block, body: list[Block]) -> None:
        if _REVIEW_HEADING.match(self.heading_line(head)):
            self.review(head, body)
            return
        sub = next((k for k, b in enumerate(body) if b.type == "heading"), len(body))
        for rule in (b for b in body[:sub] if b.type == "thematic_break"):
            self.skip(rule.line, rule.end, "rule")
        own = content = [b for b in body[:sub] if b.type != "thematic_break"]
        deeper = body[sub:]
        lead = 0
        if content and content[0].type == "paragraph" and _AUTHORS.match(self.words(content[0])):
            lead = 1  # an authors or venue line under the title
        listed = len(content) > lead and content[lead].type in ("list", "details")
        if listed and content[lead].type == "details" and _question_heading(self.heading_line(head)):
            listed = False  # `### 2. Question?` over a `<details>`: a question, then another
        if listed:
            paper = self.start_paper(head)
            for b in content[:lead]:
                self.skip(b.line, b.end, "authors or venue line")
            self.flat(own[own.index(content[lead]) :] if lead else own, paper)
            self.under(paper, deeper, head.level)
            self.section_if_empty(paper, head)  # over topics or papers of its own
            return
        if content and self.reads_as_question(head):
            self.heading_question(head, body)
            return
        if not content and deeper:
            paper = self.start_paper(head)
            self.under(paper, deeper, head.level)
            self.section_if_empty(paper, head)  # its headings were papers or sections
            return
        if not content and self.over_scaffolding(head):
            self.skip(head.line, head.end, "heading of skipped lines")  # `## Содержание` over its links
            return
        if not content:
            self.paper = None
            title = self.title_text(head)
            self.warn(head.line, head.end, f"title '{title}' has no questions after it; left out", "no-questions")
            return
        # A heading over titled lists, or over prose: a section; its text is read on its own.
        self.skip(head.line, head.end, "section heading")
        self.paper, self.last = None, None
        self.flat(own)
        self.section(deeper, head.level)

    def under(self, paper: Paper, deeper: list[Block], level: int) -> None:
        """Deeper headings under a paper's title: its questions, or papers and sections of their own."""
        self.paper, self.last = paper, None
        i = 0
        while i < len(deeper):
            head, j = deeper[i], _section_end(deeper, i)
            body = deeper[i + 1 : j]
            first_sub = next((b for b in body if b.type == "heading"), None)
            own = body[: body.index(first_sub)] if first_sub else body
            if any(b.type in ("list", "details") for b in own) or (not own and first_sub is not None):
                self.heading(head, body)  # a paper or a section of its own
            elif not body and self.over_scaffolding(head):
                self.skip(head.line, head.end, "heading of skipped lines")
            else:
                self.paper = paper
                self.heading_question(head, body)
            i = j

    def over_scaffolding(self, head: Block) -> bool:
        """Is the first non-blank line after a heading one that was skipped (a table of contents)?"""
        line = head.end + 1
        while line <= len(self.lines) and not self.src_lines[line - 1].strip():
            line += 1
        return line in self.prepared.skipped

    def heading_line(self, head: Block) -> str:
        """A heading's own text: without its `#`s, or the lines above a setext underline."""
        if head.token.get("style") == "setext":
            return self.text(head.line, head.end - 1).strip()
        return _ATX.sub("", self.lines[head.line - 1]).strip()

    def reads_as_question(self, head: Block) -> bool:
        return _question_heading(self.heading_line(head)) or self.paper is not None

    def heading_question(self, head: Block, body: list[Block]) -> None:
        """`### 3. Question?` and what follows it up to the next heading of its level: its answer."""
        text = self.heading_line(head)
        marker = markers.find(text)
        line = self.lines[head.line - 1]
        col = len(line) - len(line.lstrip()) + 1
        number = ""
        if marker is not None:
            number, text = marker.number, text[marker.end :].strip()
            col = line.find(text[:1], col - 1) + 1 if text else col
        # Its answer runs to the next heading of its level, or to a `<details>` question after it.
        cut = next((k for k, b in enumerate(body) if b.type == "details"), len(body))
        answer, rest = body[:cut], body[cut:]
        end = answer[-1].end if answer else head.end
        item = _Item(head.line, end, number, col, head.end, answer[0].line if answer else 0, own_text=text)
        item.own_answer = self.outdented(item.answer_from, end, 0) if answer else ""
        self.question(item)
        if rest:
            self.flat(rest)

    def section_if_empty(self, paper: Paper, head: Block) -> None:
        """A title that got no questions of its own (its items or headings were papers): a section."""
        if not paper.questions and paper in self.papers:
            self.papers.remove(paper)
            self.spans = [s for s in self.spans if not (s.kind == "title" and s.first == head.line)]
            self.skip(head.line, head.end, "section heading")

    # -- titles --------------------------------------------------------------------------------
    def title_text(self, block: Block, lines: tuple[int, int] | None = None) -> str:
        from .render import plain_text

        first, last = lines or (block.line, block.end)
        text = self.heading_line(block) if block.type == "heading" else self.text(first, last)
        text = " ".join(text.split())
        marker = markers.find(text)
        if marker is not None:
            text = text[marker.end :]
        text = _TITLE_PREFIX.sub("", text)
        text = plain_text(text).strip()
        text = _LEADING_SYMBOLS.sub("", text)  # 📄 Title, ▶ Title
        text = text.strip("*_ ").strip("«»\"“”„'").strip()
        tail = _TRAILING_PARENS.search(text)
        if tail is not None and tail.start() > 0 and _AUTHORS.match(tail.group(1)):  # Title (Ho et al., 2020)
            text = text[: tail.start()]
        return text.rstrip(":").strip().strip("«»\"“”„'").strip()

    def start_paper(self, block: Block, lines: tuple[int, int] | None = None) -> Paper:
        first, last = lines or (block.line, block.end)
        title = self.title_text(block, (first, last))
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
        title = self.prepared.title or _file_title(self.source.path)
        message = f"a list of questions with no paper title before it; named '{title}'"
        self.problems.append(Problem(self.loc(line), "warning", message, "no-title"))
        paper = Paper(title, [], None, self.loc(line))
        self.papers.append(paper)
        self.paper, self.last = paper, None
        return paper

    def title_like(self, block: Block) -> bool:
        if block.type == "heading":
            return True
        if block.type != "paragraph" or block.end - block.line > 1:
            return False
        text = self.text(block.line, block.line).strip()
        if not text or len(text) > 250 or _ANSWER_LABEL.match(text) or _ONLY_IMAGE.match(text):
            return False
        if block.end > block.line and not _AUTHORS.match(self.text(block.end, block.end)):
            return False
        return not (text.endswith(".") and len(text.split()) >= 5)  # a sentence, not a title

    def title_in(self, block: Block) -> tuple[int, int] | None:
        """The line of a paragraph that titles the list after it, and its authors line (0 for none): the
        paragraph's last line, or the one above an authors line. Lines above it are no title of this
        list (a Word export's document heading)."""
        line, authors = block.end, 0
        if block.end > block.line and _AUTHORS.match(self.lines[block.end - 1]):
            line, authors = block.end - 1, block.end
        text = self.lines[line - 1].strip()
        if not text or len(text) > 250 or _ANSWER_LABEL.match(text) or _ONLY_IMAGE.match(text):
            return None
        if text.endswith(".") and len(text.split()) >= 5:  # a sentence, not a title
            return None
        if line > block.line and (text.endswith((".", ",", ";", "-")) or not (text[0].isupper() or text[0] in '*_«"[')):
            return None  # a sentence's last line
        return line, authors

    # -- text between headings -----------------------------------------------------------------
    def flat(self, seq: list[Block], paper: Paper | None = None) -> None:
        """Titles, lists and what lies between them, outside headings."""
        if paper is not None:
            self.paper, self.last = paper, None
        run: list[Block] = []
        for block in _joined_lists(seq):
            if block.type in ("list", "details"):
                self.run_then_list(run, block)
                run = []
            else:
                run.append(block)
        self.run_then_list(run, None)

    def run_then_list(self, run: list[Block], lst: Block | None) -> None:
        """Blocks between two lists (or before the end): an answer, a title, scaffolding or stray text."""
        segments = self.segments(lst) if lst is not None else []
        first = segments[0][1][0].number if segments and segments[0][1] else ""
        goes_on = self.last is not None and bool(first) and _follows(self.last.number, first)
        title: tuple[Block, tuple[int, int]] | None = None
        authors: Block | None = None
        above: tuple[int, int] | None = None  # lines of the title's paragraph above it (a Word export)
        if lst is not None and run and not any(_ANSWER_LABEL.match(self.words(b)) for b in run):
            last = run[-1]
            if last.type == "paragraph" and len(run) > 1 and _AUTHORS.match(self.words(last)):
                if self.title_like(run[-2]):
                    title, authors = (run[-2], (run[-2].line, run[-2].end)), last
            if title is None and last.type == "paragraph" and not _QUESTIONS_LABEL.match(self.words(last)):
                found = self.title_in(last)
                if found is not None:
                    line, authors_line = found
                    title = (last, (line, line))
                    if authors_line:
                        authors = Block("paragraph", authors_line, authors_line, {})
                    if line > last.line:
                        above = (last.line, line - 1)
        if goes_on and title is not None and not _titled(self.text(*title[1])):
            title, authors, above = None, None, None  # the numbering goes on: an answer, unless it reads as a title
        taken = {id(title[0]) if title else 0, id(authors) if authors else 0}
        if above is not None:
            words = " ".join(self.text(*above).split())
            if above[0] == above[1] and len(words) <= 250 and not words.endswith((".", ",", ";")):
                self.skip(above[0], above[1], "section heading")
            else:
                message = "text that is neither a title, a question nor a review; left out"
                self.warn(above[0], above[1], message, "stray-text")
        # Text between questions N and N+1, or from a label `Ответ:` on, is an answer.
        answering = goes_on
        for block in run:
            if id(block) not in taken:
                answering = answering or (block.type == "paragraph" and bool(_ANSWER_LABEL.match(self.words(block))))
                self.between(block, answering)
        if lst is None:
            return
        paper = None
        if title is not None:
            paper = self.start_paper(title[0], title[1])
            if authors is not None:
                self.skip(authors.line, authors.end, "authors or venue line")
        self.take_list(lst, segments, fresh=title is not None)
        if paper is not None and title is not None:
            self.section_if_empty(paper, title[0])  # a title over topics or papers

    def between(self, block: Block, answering: bool) -> None:
        """A block that is no title: the last question's answer, scaffolding, or left out with a word."""
        words = self.words(block)
        if block.type == "thematic_break":
            self.skip(block.line, block.end, "rule")
            return
        if block.type == "block_html" and not re.sub(r"<[^>]*>", "", words).strip():
            self.skip(block.line, block.end, "HTML markup")
            return
        if self.last is not None and answering:
            self.add_answer(self.last, block.line, block.end)
            return
        if block.type == "block_quote" or _ONLY_IMAGE.match(words):
            self.skip(block.line, block.end, "quote between papers" if block.type == "block_quote" else "image")
            return
        if block.type == "paragraph" and _QUESTIONS_LABEL.match(words) and self.paper is not None:
            self.skip(block.line, block.end, "label of a list")
            return
        if block.type == "paragraph" and self.title_like(block):
            self.paper, self.last = None, None
            title = self.title_text(block)
            self.warn(block.line, block.end, f"title '{title}' has no questions after it; left out", "no-questions")
            return
        kind = {"block_code": "code", "block_html": "HTML", "block_quote": "a quote"}.get(block.type, block.type)
        kind = "text" if block.type == "paragraph" else kind
        self.warn(
            block.line, block.end, f"{kind} that is neither a title, a question nor a review; left out", "stray-text"
        )

    def add_answer(self, question: Question, first: int, last: int) -> None:
        more = self.outdented(first, last, 0)
        question.answer = f"{question.answer}\n\n{more}" if question.answer else more
        self.span("answer", first, last)

    # -- lists ---------------------------------------------------------------------------------
    def take_list(self, lst: Block, segments: list[tuple[tuple[int, int] | None, list[_Item]]], fresh: bool) -> None:
        for k, (title_lines, items) in enumerate(segments):
            if title_lines is not None:
                title, authors = title_lines
                self.start_paper(Block("paragraph", title, title, {}), (title, title))
                if authors:
                    self.skip(authors, authors, "authors or venue line")
            elif k == 0 and not fresh and self.paper is None and not any(i.children for i in items):
                self.untitled(items[0].line if items else lst.line)
            self.items(items)

    def items(self, items: list[_Item]) -> None:
        for item in items:
            if item.children:
                self.outline(item)
            else:
                self.question(item)

    def outline(self, item: _Item) -> None:
        """`1. Title` / `* Topic` over nested items: a paper; over nested papers: a section."""
        title_block = Block("list_item", item.line, item.head_end, {})
        if any(child.children for child in item.children):
            self.skip(item.line, item.head_end, "section")
            self.paper, self.last = None, None
            self.items(item.children)
            return
        self.start_paper(title_block, (item.line, item.head_end))
        for child in item.children:
            self.question(child)
        if item.answer_from:  # text under a title after its questions: whose answer is not known
            message = "text that is neither a title, a question nor a review; left out"
            self.warn(item.answer_from, item.end, message, "stray-text")

    def question(self, item: _Item) -> None:
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

    def segments(self, lst: Block) -> list[tuple[tuple[int, int] | None, list[_Item]]]:
        """A list's items, split where a line with no marker ends an item and the numbering restarts
        after it (a Word export without blank lines): that line is the next paper's title."""
        if lst.type == "details":
            d: Details = lst.token["details"]
            item = _Item(d.line, d.end, "", 1, d.answer_line - 1 if d.answer_line else d.end, d.answer_line)
            item.own_text, item.own_answer = d.question, d.answer
            return [(None, [item])]
        items = self.list_items(lst)
        out: list[tuple[tuple[int, int] | None, list[_Item]]] = [(None, [])]
        for k, item in enumerate(items):
            nxt = items[k + 1] if k + 1 < len(items) else None
            out[-1][1].append(item)
            if nxt is None or item.head_end <= item.line or item.children or item.answer_from:
                continue
            tail = self.lines[item.head_end - 1]
            if item.number and nxt.number:
                restarts = not _follows(item.number, nxt.number)
            else:  # bullets: a line that reads as a title (`Title:`, Latin words) ends the item
                restarts = not item.number and not nxt.number and (tail.rstrip().endswith(":") or _titled(tail))
            if restarts and _has_words(tail) and not tail[:1].isspace() and markers.find(tail) is None:
                title, authors = item.head_end, 0
                if title - 1 > item.line and _AUTHORS.match(tail):
                    above = self.lines[title - 2]
                    if above.strip() and not above[:1].isspace() and markers.find(above) is None:
                        title, authors = title - 1, title
                item.head_end = item.end = title - 1
                out.append(((title, authors), []))
        return out

    def list_items(self, lst: Block) -> list[_Item]:
        items = [self.item(li) for li in lst.children]
        return _by_numbers(items)

    def item(self, li: Block) -> _Item:
        kids = list(li.children)
        if kids and kids[0].type == "list" and kids[0].line == li.line and kids[0].children:
            inner = kids[0].children[0]  # `- 1. question`: a bullet wrapping a numbered item
            kids = inner.children + kids[0].children[1:] + kids[1:]
        line = self.lines[li.line - 1]
        marker = markers.find(line)
        number = marker.number if marker is not None else ""
        col = (marker.end if marker is not None else len(line) - len(line.lstrip())) + 1
        item = _Item(li.line, li.end, number, col, li.line)
        k = 0
        if kids and kids[0].type in ("paragraph", "block_text"):
            item.head_end = kids[0].end
            k = 1
            alt = _ONLY_IMAGE.match(self.text(li.line, kids[0].end)[marker.end if marker else 0 :])
            if alt:
                item.own_text = alt.group(1).strip()
        # A label `Ответ:` inside the question's own lines starts its answer; so does a table written
        # right under it (a row, then a `|---|` row: GitHub reads a table there, mistune a paragraph).
        for ln in range(li.line + 1, item.head_end + 1):
            if _ANSWER_LABEL.match(self.lines[ln - 1]) or (
                ln < item.head_end and "|" in self.lines[ln - 1] and _TABLE_RULE.match(self.lines[ln])
            ):
                item.answer_from, item.head_end = ln, ln - 1
                return item
        while k < len(kids) and kids[k].type in ("paragraph", "block_text") and self.lettered(kids[k]):
            item.head_end = kids[k].end
            k += 1
        kids = kids[:k] + _joined_lists(kids[k:])  # nested lists one after another are one list
        if k < len(kids) and kids[k].type == "list":
            children = self.list_items(kids[k])
            if self.is_title(item, children):
                item.children = children
                k += 1
            elif kids[k].line == item.head_end + 1 and not self.labelled_answer(kids[k].line):
                item.head_end = kids[k].end  # sub-points right under the question: part of it
                k += 1
            # after a blank line: the answer
        if k < len(kids):
            item.answer_from = kids[k].line
        return item

    def labelled_answer(self, line: int) -> bool:
        """`- Ответ: ...` under a question: its answer, not a sub-point."""
        text = self.lines[line - 1]
        marker = markers.find(text)
        return bool(_ANSWER_LABEL.match(text[marker.end if marker else 0 :]))

    def lettered(self, block: Block) -> bool:
        return all(markers.LETTERED.match(line) for line in self.lines[block.line - 1 : block.end] if line.strip())

    def is_title(self, item: _Item, children: list[_Item]) -> bool:
        """Does an item over nested items name a paper or topic (rather than ask a question with parts)?"""
        if item.number and any(c.number.startswith(item.number + ".") for c in children):
            return True
        if any(self.text(c.line, c.head_end).rstrip().endswith("?") for c in children):
            return True
        own = " ".join(self.text(item.line, item.head_end).split())
        if own.endswith(("?", ":")) or _QUESTION_WORDS.match(own[item.col - 1 :].strip("*_ ")):
            return False
        return len(own.split()) <= 20

    # -- reviews -------------------------------------------------------------------------------
    def review(self, head: Block, body: list[Block]) -> None:
        from .render import plain_text

        title = plain_text(_REVIEW_HEADING.sub("", self.title_text(head))).strip(" \"«»'*")
        self.paper, self.last = None, None
        # The review ends where the next paper's list begins: a title right before a list.
        end = len(body)
        for k in range(len(body) - 1):
            b, nxt = body[k], body[k + 1]
            numbered = nxt.type == "list" and _number_of(self.lines[nxt.line - 1]) != ""
            if numbered and b.type == "paragraph" and self.title_like(b):
                if not _QUESTIONS_LABEL.match(self.words(b)) and not self.words(b).endswith(":"):
                    end = k
                    break
        own, rest = body[:end], body[end:]
        authors = reviewer = ""
        parts: list[Block] = []
        k = 0
        while k < len(own):
            block = own[k]
            words = self.words(block)
            if block.type == "paragraph" and _QUESTIONS_LABEL.match(words) and k + 1 < len(own):
                if own[k + 1].type == "list":
                    paper = Paper(title, [], None, self.loc(block.line))
                    self.papers.append(paper)
                    self.paper, self.last = paper, None
                    self.span("title", block.line, block.end, title)
                    self.take_list(own[k + 1], self.segments(own[k + 1]), fresh=True)
                    self.paper, self.last = None, None
                    k += 2
                    continue
            if not parts and not authors and words.startswith("(") and words.endswith(")"):
                authors = words[1:-1].strip()
            elif not parts and not reviewer and _REVIEWER.match(words):
                reviewer = _REVIEWER.sub("", words).strip()
            else:
                parts.append(block)
            k += 1
        text = "\n\n".join(self.text(b.line, b.end).strip("\n") for b in parts)
        last = own[-1].end if own else head.end
        self.reviews.append(Review(title, authors, reviewer, text, self.loc(head.line)))
        self.span("review", head.line, last, title)
        if rest:
            self.flat(rest)


def _joined_lists(seq: list[Block]) -> list[Block]:
    """Lists with nothing between them are one list (`1. Title`, then `- 1.1. question`)."""
    out: list[Block] = []
    for block in seq:
        if block.type == "list" and out and out[-1].type == "list":
            last = out[-1]
            out[-1] = Block("list", last.line, block.end, last.token, last.children + block.children)
        else:
            out.append(block)
    return out


def _section_end(found: list[Block], i: int) -> int:
    """Where the heading at `i` stops ruling: the next heading of its level or higher."""
    level = found[i].level
    return next(
        (k for k in range(i + 1, len(found)) if found[k].type == "heading" and found[k].level <= level), len(found)
    )


def _by_numbers(items: list[_Item]) -> list[_Item]:
    """Items numbered `N.k` after an item `N` of the same list are its children (`1. Title`, `1.1 Q`)."""
    out: list[_Item] = []
    for item in items:
        parent = _parent_of(out, item.number)
        if parent is not None:
            parent.children.append(item)
            parent.end = max(parent.end, item.end)
        else:
            out.append(item)
    return out


def _parent_of(items: list[_Item], number: str) -> _Item | None:
    if "." not in number or not items:
        return None
    prefix = number.rsplit(".", 1)[0]
    for item in reversed(items):
        if item.number == prefix and not item.answer_from:
            return item
        found = _parent_of(item.children, number)
        if found is not None:
            return found
        break
    return None


def _file_title(path: str) -> str:
    return PurePath(path).stem


def parse_source(source: Source) -> ParseResult:
    """Papers and reviews of one source, each with its location, and the problems met."""
    return _Reader(source).run()
