"""Stage 2: recognise question lists and reviews in a source, with mistune's block AST.

Layouts are recognised by what the blocks are, not where they are:
- a list of questions is headed by the closest text block before it (a paragraph, a heading, or the
  last item of a list that directly precedes it and whose number prefixes the questions': `1. Title`
  then `- 1.1.`); a list item with a line of text and a nested list numbered `N.k` is a title too;
- a bullet item that only wraps an ordered item (`- 1. ...`) is that question;
- a heading `Исследование статьи TITLE` starts a review that runs to the next heading of its level.

Math is protected before Markdown sees it: every formula's characters are replaced, length for
length, by a private-use character, so Markdown cannot eat `\\{`, `_` or `*` nor break a list on a
formula's line. mistune's tokens carry no line numbers; each block's line is recovered by finding
its text, reduced to letters and digits, in the source from the previous block's line onwards.
Question text is then cut from the source lines, so formulas come through exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import mistune
from mistune.core import BlockState

from .latex import find_math
from .records import Location, Paper, Problem, Question, Review
from .sources import Source
from .text import skeleton

PROTECT = "\ue000"
_MARKER = re.compile(r"^\s{0,3}(?:[-+*](?:\s+|$))?(?:(\d{1,3}(?:\.\d{1,3})*)[.)](?:\s+|$))?")
_REVIEW_HEADING = re.compile(r"^\s*исследование\s+стать[ия]\s*[:—–-]?\s*", re.I)
_REVIEWER = re.compile(r"^\s*автор(?:ы)?\s+исследования\s*:\s*", re.I)
_NON_SPACE = re.compile(r"\S")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$")

_markdown = mistune.create_markdown(renderer=None)


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


def block_tokens(text: str) -> list[dict[str, Any]]:
    """mistune's block-level AST; inline text stays raw in each token's `text`."""
    state = BlockState()
    state.process(text if text.endswith("\n") else text + "\n")
    _markdown.block.parse(state)
    return state.tokens


@dataclass
class _Block:
    """A block token with the source lines it covers (1-based, inclusive)."""

    token: dict[str, Any]
    line: int
    end: int = 0
    children: list[_Block] = field(default_factory=list)

    @property
    def type(self) -> str:
        return str(self.token["type"])

    @property
    def text(self) -> str:
        return str(self.token.get("text", ""))


class _Lines:
    """Recovers the line of each token by searching its text in the (protected) source."""

    def __init__(self, protected: str) -> None:
        self.lines = protected.split("\n")
        self.skeletons = [skeleton(line) for line in self.lines]
        self.cursor = 0
        self.claimed: set[int] = set()

    def _matches(self, i: int, key: str) -> bool:
        # A token with no words (`2.` alone, a rule, only math) is on a line with no words either.
        return bool((key and key in self.skeletons[i]) or (not key and self.lines[i].strip() and not self.words(i)))

    def find(self, text: str) -> int:
        # Search by the token's first line that is not blank (a paragraph may begin with U+2028).
        text_lines = text.split("\n")
        skip = next((k for k, line in enumerate(text_lines) if line.strip()), 0)
        key = skeleton(text_lines[skip])[:24]
        for i in range(self.cursor + skip, len(self.lines)):
            if self._matches(i, key):
                self.cursor = i - skip
                self.claimed.add(i - skip)
                return i - skip + 1
        # mistune can emit a block after one that follows it (`>0` then `- 1. ...`): look back too.
        for i in range(self.cursor):
            if i not in self.claimed and self._matches(i, key):
                self.claimed.add(i)
                return i + 1
        return self.cursor + 1  # not found: stay where we are rather than jump

    def fence(self, marker: str) -> int:
        for i in range(self.cursor, len(self.lines)):
            if self.lines[i].lstrip(" \t>").startswith(marker):
                self.cursor = i
                return i + 1
        return self.cursor + 1

    def words(self, i: int) -> str:
        """The letters and digits of line i after its list markers (`4. 1.` has none)."""
        rest = self.lines[i]
        while (marker := _MARKER.match(rest)) and marker.end():
            rest = rest[marker.end() :]
        return skeleton(rest)

    def last_nonblank(self, start: int, end: int) -> int:
        while end > start and not self.lines[end - 1].strip():
            end -= 1
        return end


def _outdent(lines: list[str], width: int) -> str:
    """Remove an item's content indentation (at most `width` columns), keeping deeper indents (code)."""
    out = []
    for line in lines:
        expanded = line.expandtabs(4)
        strip = min(width, len(expanded) - len(expanded.lstrip(" ")))
        out.append(expanded[strip:])
    return "\n".join(out)


def _first_text(token: dict[str, Any]) -> str:
    if "text" in token or "raw" in token:  # code and HTML blocks keep their text in `raw`
        return str(token.get("text", token.get("raw", "")))
    for child in token.get("children", []):
        found = _first_text(child)
        if found:
            return found
    return ""


def _locate(tokens: list[dict[str, Any]], lines: _Lines) -> list[_Block]:
    blocks = []
    for tok in tokens:
        if tok["type"] == "blank_line":
            continue
        if tok["type"] in ("list", "list_item", "block_quote"):
            # A container starts where its first child does (an empty item `1.` on a wordless line):
            # searching by a later descendant's text would skip the lines before it.
            children = _locate(tok.get("children", []), lines)
            block = _Block(tok, children[0].line if children else lines.find(""), children=children)
        elif tok.get("style") == "fenced":  # found by its fence: the code may start blank or wordless
            block = _Block(tok, lines.fence(str(tok.get("marker", "```"))))
            lines.cursor = min(block.line + str(tok.get("raw", "")).count("\n"), len(lines.lines) - 1)
        else:
            block = _Block(tok, lines.find(_first_text(tok)))
        if tok["type"] in ("paragraph", "block_text", "heading"):  # the next block starts after these lines
            after = block.line - 1 + str(tok["text"]).rstrip("\n").count("\n") + 1
            lines.cursor = min(max(lines.cursor, after), len(lines.lines) - 1)
        blocks.append(block)
    return sorted(blocks, key=lambda b: b.line)  # document order, whatever order mistune gave


def _set_ends(blocks: list[_Block], end: int, lines: _Lines) -> None:
    for i, block in enumerate(blocks):
        nxt = blocks[i + 1].line - 1 if i + 1 < len(blocks) else end
        block.end = max(block.line, lines.last_nonblank(block.line, nxt))
        _set_ends(block.children, block.end, lines)


@dataclass
class ParseResult:
    """What one source file holds."""

    papers: list[Paper]
    reviews: list[Review]
    problems: list[Problem]


class _Parser:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.src_lines = source.text.split("\n")
        self.papers: list[Paper] = []
        self.reviews: list[Review] = []
        self.problems: list[Problem] = []

    # -- helpers over source lines -------------------------------------------------------------
    def loc(self, line: int, col: int = 1) -> Location:
        return Location(self.source.path, line, col)

    def warn(self, line: int, message: str, rule: str, severity: str = "warning") -> None:
        self.problems.append(Problem(self.loc(line), severity, message, rule))

    def cut(self, first: int, last: int) -> tuple[str, str, int]:
        """Lines first..last of an item: (number, text without its marker, column of the text)."""
        head = self.src_lines[first - 1]
        m = _MARKER.match(head)
        number = (m.group(1) or "") if m else ""
        start = m.end() if m else len(head) - len(head.lstrip())
        if m and not m.group(1):  # `- 1. text`: the bullet wraps an ordered marker
            inner = _MARKER.match(head, m.end())
            if inner and inner.group(1):
                number, start = inner.group(1), inner.end()
        rest = _outdent(self.src_lines[first:last], start)
        text = head[start:].strip() + ("\n" + rest if rest.strip() else "")
        return number, text.strip(), start + 1

    def para_lines(self, block: _Block) -> int:
        """How many source lines the block's own paragraph takes."""
        return block.text.rstrip("\n").count("\n") + 1

    def title_of(self, block: _Block) -> tuple[str, int]:
        if block.type == "list_item":
            first = block.children[0] if block.children else block
            _, text, col = self.cut(block.line, block.line + self.para_lines(first) - 1)
        else:
            line = self.src_lines[block.line - 1]
            text = _ATX.sub("", line) if block.type == "heading" else block.text
            col = len(line) - len(line.lstrip()) + 1
        from .render import plain_text

        return plain_text(" ".join(text.split())), col

    # -- layouts -------------------------------------------------------------------------------
    def run(self) -> ParseResult:
        protected = protect_math(self.source.text)
        lines = _Lines(protected)
        blocks = _locate(block_tokens(protected), lines)
        _set_ends(blocks, len(self.src_lines), lines)
        self.walk(blocks)
        return ParseResult(self.papers, self.reviews, self.problems)

    def walk(self, blocks: list[_Block]) -> None:
        pending: _Block | None = None  # the text block that may head the next list of questions
        last_paper: Paper | None = None
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if block.type == "heading" and _REVIEW_HEADING.match(block.text):
                self.flush(pending)
                pending = None
                i = self.review(blocks, i)
                last_paper = None
                continue
            if block.type in ("paragraph", "heading", "block_text"):
                self.flush(pending)
                pending = block
            elif block.type == "list":
                nxt = blocks[i + 1] if i + 1 < len(blocks) else None
                if nxt is not None and nxt.type == "list" and self.heads(block.children[-1], nxt):
                    # `1. Title` heads the next list; the items before it are questions of the
                    # pending title when there is one (`Title`, `1. Q`, `2. Q`, `1. Title2`, `- 1.1. Q`).
                    before = _Block(block.token, block.line, block.end, block.children[:-1])
                    if pending is not None and before.children:
                        self.paper(pending, before)
                    else:
                        self.flush(pending)
                        for item in before.children:
                            self.titles_or_questions(item)
                    pending = block.children[-1]
                elif any(self.nested_questions(item) for item in block.children):
                    self.flush(pending)
                    pending = None
                    for item in block.children:
                        self.titles_or_questions(item)
                elif pending is not None:
                    last_paper = self.paper(pending, block)
                    pending = None
                elif last_paper is not None and blocks[i - 1].type == "list":
                    last_paper.questions.extend(self.questions(block))  # a list continued in another style
                else:
                    self.warn(
                        block.line, "a list of questions with no paper title before it; left out", "no-title", "error"
                    )
            else:
                self.flush(pending)
                pending = None
                self.warn(
                    block.line,
                    f"{block.type.replace('_', ' ')} is neither a title, a question nor a review; left out",
                    "stray-text",
                )
            i += 1
        self.flush(pending)

    def flush(self, pending: _Block | None) -> None:
        if pending is None:
            return
        title, _ = self.title_of(pending)
        if pending.end > pending.line or len(title) > 200:
            self.warn(pending.line, "text that is neither a title, a question nor a review; left out", "stray-text")
        else:
            self.warn(pending.line, f"title '{title}' has no questions after it; left out", "no-questions")

    def heads(self, item: _Block, questions: _Block) -> bool:
        """Does list item `1. Title` head the next list (`- 1.1. ...`)?"""
        number, _, _ = self.cut(item.line, item.line)
        if not number or not questions.children:
            return False
        first, _, _ = self.cut(questions.children[0].line, questions.children[0].line)
        return first.startswith(number + ".")

    def nested_questions(self, item: _Block) -> _Block | None:
        """A nested list numbered `N.k` under item `N. Title`: the item is a title."""
        if item.type != "list_item" or len(item.children) < 2 or item.children[0].type == "list":
            return None
        number, _, _ = self.cut(item.line, item.line)
        for child in item.children[1:]:
            if child.type == "list" and number and child.children:
                first, _, _ = self.cut(child.children[0].line, child.children[0].line)
                if first.startswith(number + "."):
                    return child
        return None

    def titles_or_questions(self, item: _Block) -> None:
        nested = self.nested_questions(item)
        if nested is not None:
            self.paper(item, nested)
        else:
            self.flush(item)

    def paper(self, title_block: _Block, questions: _Block) -> Paper:
        title, col = self.title_of(title_block)
        paper = Paper(title, self.questions(questions), None, self.loc(title_block.line, col))
        self.papers.append(paper)
        return paper

    def questions(self, lst: _Block) -> list[Question]:
        found = []
        for index, item in enumerate(lst.children, 1):
            wrapped = item.children[0] if item.children and item.children[0].type == "list" else None
            if wrapped is not None and len(item.children) == 1 and len(wrapped.children) == 1:
                item = wrapped.children[0]  # `- 1. question`
            own = item.children[0] if item.children and item.children[0].type in ("paragraph", "block_text") else None
            head_lines = self.para_lines(own) if own is not None else 1
            number, text, col = self.cut(item.line, min(item.end, item.line + head_lines - 1))
            answer_from = item.line + head_lines
            answer = ""
            if answer_from <= item.end:
                answer = _outdent(self.src_lines[answer_from - 1 : item.end], col - 1).strip("\n")
            if not number:
                number = str(index)
            found.append(Question(number, text, self.loc(item.line, col), answer))
            if not text.strip():
                self.warn(item.line, f"question {number} is empty", "empty-question", "error")
        return found

    def review(self, blocks: list[_Block], i: int) -> int:
        head = blocks[i]
        level = head.token.get("attrs", {}).get("level", 1)
        title_line = _ATX.sub("", self.src_lines[head.line - 1]) if head.token.get("style") == "atx" else head.text
        title = _REVIEW_HEADING.sub("", title_line.strip())
        from .render import plain_text

        title = plain_text(title).strip(" \"«»'")
        authors = reviewer = ""
        j = i + 1
        body_start = None
        while j < len(blocks) and not (blocks[j].type == "heading" and blocks[j].token["attrs"]["level"] <= level):
            block = blocks[j]
            line = " ".join(block.text.split())
            if not authors and body_start is None and line.startswith("(") and line.endswith(")"):
                authors = line[1:-1].strip()
            elif not reviewer and body_start is None and _REVIEWER.match(line):
                reviewer = _REVIEWER.sub("", line).strip()
            elif body_start is None:
                body_start = block.line
            j += 1
        end = blocks[j - 1].end if j - 1 > i else head.end
        text = "\n".join(self.src_lines[body_start - 1 : end]).strip("\n") if body_start else ""
        self.reviews.append(Review(title, authors, reviewer, text, self.loc(head.line)))
        return j


def parse_source(source: Source) -> ParseResult:
    """Papers and reviews of one source, each with its location, and the problems met."""
    return _Parser(source).run()
