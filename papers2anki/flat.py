"""Text outside headings (or under one): titles, the lists they name, and what lies between them.

A short text right before a list is the list's title (an authors or venue line may follow it); a list
with no title at all is named by the front matter or the file. Text after a question, when the
numbering goes on after it or from a label `Ответ:` on, is its answer; the rest is scaffolding (rules,
HTML markup, quotes, images) or is left out with a problem.
"""

from __future__ import annotations

import re

from .blocks import Block
from .items import Item, Segment, follows, joined_lists, segments
from .labels import ANSWER_LABEL, AUTHORS, ONLY_IMAGE, QUESTIONS_LABEL
from .reader import Reader
from .records import Paper
from .titles import title_in, title_like, title_text, titled


def flat(r: Reader, seq: list[Block], paper: Paper | None = None) -> None:
    """Titles, lists and what lies between them, outside headings."""
    if paper is not None:
        r.paper, r.last = paper, None
    run: list[Block] = []
    for block in joined_lists(seq):
        if block.type in ("list", "details"):
            run_then_list(r, run, block)
            run = []
        else:
            run.append(block)
    run_then_list(r, run, None)


def run_then_list(r: Reader, run: list[Block], lst: Block | None) -> None:
    """Blocks between two lists (or before the end): an answer, a title, scaffolding or stray text."""
    parts = segments(r, lst) if lst is not None else []
    first = parts[0][1][0].number if parts and parts[0][1] else ""
    goes_on = r.last is not None and bool(first) and follows(r.last.number, first)
    title: tuple[Block, tuple[int, int]] | None = None
    authors: Block | None = None
    above: tuple[int, int] | None = None  # lines of the title's paragraph above it (a Word export)
    if lst is not None and run and not any(ANSWER_LABEL.match(r.words(b)) for b in run):
        last = run[-1]
        if last.type == "paragraph" and len(run) > 1 and AUTHORS.match(r.words(last)):
            if title_like(r, run[-2]):
                title, authors = (run[-2], (run[-2].line, run[-2].end)), last
        if title is None and last.type == "paragraph" and not QUESTIONS_LABEL.match(r.words(last)):
            found = title_in(r, last)
            if found is not None:
                line, authors_line = found
                title = (last, (line, line))
                if authors_line:
                    authors = Block("paragraph", authors_line, authors_line, {})
                if line > last.line:
                    above = (last.line, line - 1)
    if goes_on and title is not None and not titled(r.text(*title[1])):
        title, authors, above = None, None, None  # the numbering goes on: an answer, unless it reads as a title
    taken = {id(title[0]) if title else 0, id(authors) if authors else 0}
    if above is not None:
        words = " ".join(r.text(*above).split())
        if above[0] == above[1] and len(words) <= 250 and not words.endswith((".", ",", ";")):
            r.skip(above[0], above[1], "section heading")
        else:
            message = "text that is neither a title, a question nor a review; left out"
            r.warn(above[0], above[1], message, "stray-text")
    # Text between questions N and N+1, or from a label `Ответ:` on, is an answer.
    answering = goes_on
    for block in run:
        if id(block) not in taken:
            answering = answering or (block.type == "paragraph" and bool(ANSWER_LABEL.match(r.words(block))))
            between(r, block, answering)
    if lst is None:
        return
    paper = None
    if title is not None:
        paper = r.start_paper(title[0], title[1])
        if authors is not None:
            r.skip(authors.line, authors.end, "authors or venue line")
    take_list(r, lst, parts, fresh=title is not None)
    if paper is not None and title is not None:
        r.section_if_empty(paper, title[0])  # a title over topics or papers


def between(r: Reader, block: Block, answering: bool) -> None:
    """A block that is no title: the last question's answer, scaffolding, or left out with a word."""
    words = r.words(block)
    if block.type == "thematic_break":
        r.skip(block.line, block.end, "rule")
        return
    if block.type == "block_html" and not re.sub(r"<[^>]*>", "", words).strip():
        r.skip(block.line, block.end, "HTML markup")
        return
    if r.last is not None and answering:
        r.add_answer(r.last, block.line, block.end)
        return
    if block.type == "block_quote" or ONLY_IMAGE.match(words):
        r.skip(block.line, block.end, "quote between papers" if block.type == "block_quote" else "image")
        return
    if block.type == "paragraph" and QUESTIONS_LABEL.match(words) and r.paper is not None:
        r.skip(block.line, block.end, "label of a list")
        return
    if block.type == "paragraph" and title_like(r, block):
        r.paper, r.last = None, None
        title = title_text(r, block)
        r.warn(block.line, block.end, f"title '{title}' has no questions after it; left out", "no-questions")
        return
    kind = {"block_code": "code", "block_html": "HTML", "block_quote": "a quote"}.get(block.type, block.type)
    kind = "text" if block.type == "paragraph" else kind
    r.warn(block.line, block.end, f"{kind} that is neither a title, a question nor a review; left out", "stray-text")


def take_list(r: Reader, lst: Block, segments: list[Segment], fresh: bool) -> None:
    """A list's segments, each a paper's after its title; with no title, the current paper's, or an
    untitled one's (named by the file)."""
    for k, (title_lines, items) in enumerate(segments):
        if title_lines is not None:
            title, authors = title_lines
            r.start_paper(Block("paragraph", title, title, {}), (title, title))
            if authors:
                r.skip(authors, authors, "authors or venue line")
        elif k == 0 and not fresh and r.paper is None and not any(i.children for i in items):
            r.untitled(items[0].line if items else lst.line)
        take_items(r, items)


def take_items(r: Reader, items: list[Item]) -> None:
    """Each item: a question, or a title over nested items."""
    for item in items:
        if item.children:
            nested(r, item)
        else:
            r.question(item)


def nested(r: Reader, item: Item) -> None:
    """`1. Title` / `* Topic` over nested items: a paper; over nested papers: a section."""
    title_block = Block("list_item", item.line, item.head_end, {})
    if any(child.children for child in item.children):
        r.skip(item.line, item.head_end, "section")
        r.paper, r.last = None, None
        take_items(r, item.children)
        return
    r.start_paper(title_block, (item.line, item.head_end))
    for child in item.children:
        r.question(child)
    if item.answer_from:  # text under a title after its questions: whose answer is not known
        message = "text that is neither a title, a question nor a review; left out"
        r.warn(item.answer_from, item.end, message, "stray-text")
