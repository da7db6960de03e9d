"""Headings: what a heading rules, by what its blocks are.

A heading followed by a list of questions is a paper; followed by prose, an image or code, a question
whose answer runs to the next heading of its level; followed only by deeper headings, a section (a
paper when those headings are its questions). `Исследование статьи ...` starts a review (`reviews`);
the text under a heading is read by `flat`.
"""

from __future__ import annotations

from . import markers
from .blocks import Block
from .flat import flat
from .items import Item
from .labels import AUTHORS
from .reader import Reader
from .records import Paper
from .reviews import REVIEW_HEADING, review
from .titles import question_heading, title_text


def section(r: Reader, found: list[Block], level: int) -> None:
    """Blocks under a heading of `level` (0: the file): the text before the first heading, then each heading."""
    i = next((k for k, b in enumerate(found) if b.type == "heading"), len(found))
    flat(r, found[:i])
    while i < len(found):
        head, j = found[i], _section_end(found, i)
        heading(r, head, found[i + 1 : j])
        i = j


def heading(r: Reader, head: Block, body: list[Block]) -> None:
    """A heading and the blocks it rules: a review, a paper, a question, a section, or a title left out."""
    if REVIEW_HEADING.match(r.heading_line(head)):
        review(r, head, body)
        return
    sub = next((k for k, b in enumerate(body) if b.type == "heading"), len(body))
    for rule in (b for b in body[:sub] if b.type == "thematic_break"):
        r.skip(rule.line, rule.end, "rule")
    own = content = [b for b in body[:sub] if b.type != "thematic_break"]
    deeper = body[sub:]
    lead = 0
    if content and content[0].type == "paragraph" and AUTHORS.match(r.words(content[0])):
        lead = 1  # an authors or venue line under the title
    listed = len(content) > lead and content[lead].type in ("list", "details")
    if listed and content[lead].type == "details" and question_heading(r.heading_line(head)):
        listed = False  # `### 2. Question?` over a `<details>`: a question, then another
    if listed:
        paper = r.start_paper(head)
        for b in content[:lead]:
            r.skip(b.line, b.end, "authors or venue line")
        flat(r, own[own.index(content[lead]) :] if lead else own, paper)
        under(r, paper, deeper, head.level)
        r.section_if_empty(paper, head)  # over topics or papers of its own
        return
    if content and reads_as_question(r, head):
        heading_question(r, head, body)
        return
    if not content and deeper:
        paper = r.start_paper(head)
        under(r, paper, deeper, head.level)
        r.section_if_empty(paper, head)  # its headings were papers or sections
        return
    if not content and over_scaffolding(r, head):
        r.skip(head.line, head.end, "heading of skipped lines")  # `## Содержание` over its links
        return
    if not content:
        r.paper = None
        title = title_text(r, head)
        r.warn(head.line, head.end, f"title '{title}' has no questions after it; left out", "no-questions")
        return
    # A heading over titled lists, or over prose: a section; its text is read on its own.
    r.skip(head.line, head.end, "section heading")
    r.paper, r.last = None, None
    flat(r, own)
    section(r, deeper, head.level)


def under(r: Reader, paper: Paper, deeper: list[Block], level: int) -> None:
    """Deeper headings under a paper's title: its questions, or papers and sections of their own."""
    r.paper, r.last = paper, None
    i = 0
    while i < len(deeper):
        head, j = deeper[i], _section_end(deeper, i)
        body = deeper[i + 1 : j]
        first_sub = next((b for b in body if b.type == "heading"), None)
        own = body[: body.index(first_sub)] if first_sub else body
        if any(b.type in ("list", "details") for b in own) or (not own and first_sub is not None):
            heading(r, head, body)  # a paper or a section of its own
        elif not body and over_scaffolding(r, head):
            r.skip(head.line, head.end, "heading of skipped lines")
        else:
            r.paper = paper
            heading_question(r, head, body)
        i = j


def over_scaffolding(r: Reader, head: Block) -> bool:
    """Is the first non-blank line after a heading one that was skipped (a table of contents)?"""
    line = head.end + 1
    while line <= len(r.lines) and not r.src_lines[line - 1].strip():
        line += 1
    return line in r.prepared.skipped


def reads_as_question(r: Reader, head: Block) -> bool:
    return question_heading(r.heading_line(head)) or r.paper is not None


def heading_question(r: Reader, head: Block, body: list[Block]) -> None:
    """`### 3. Question?` and what follows it up to the next heading of its level: its answer."""
    text = r.heading_line(head)
    marker = markers.find(text)
    line = r.lines[head.line - 1]
    col = len(line) - len(line.lstrip()) + 1
    number = ""
    if marker is not None:
        number, text = marker.number, text[marker.end :].strip()
        col = line.find(text[:1], col - 1) + 1 if text else col
    # Its answer runs to the next heading of its level, or to a `<details>` question after it.
    cut = next((k for k, b in enumerate(body) if b.type == "details"), len(body))
    answer, rest = body[:cut], body[cut:]
    end = answer[-1].end if answer else head.end
    item = Item(head.line, end, number, col, head.end, answer[0].line if answer else 0, own_text=text)
    item.own_answer = r.outdented(item.answer_from, end, 0) if answer else ""
    r.question(item)
    if rest:
        flat(r, rest)


def _section_end(found: list[Block], i: int) -> int:
    """Where the heading at `i` stops ruling: the next heading of its level or higher."""
    level = found[i].level
    return next(
        (k for k in range(i + 1, len(found)) if found[k].type == "heading" and found[k].level <= level), len(found)
    )
