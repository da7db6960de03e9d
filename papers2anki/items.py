"""List items as questions or titles: their lines, numbers, nested items and answers.

An item with nested items is a paper or topic (its items are questions) unless it reads as a question
(`?` or `:` at its end), whose sub-items are part of it; letter items (`а)`) always are. Items numbered
`N.k` after an item `N` are its children. A label `Ответ:` or text after a blank line starts an item's
answer. Where a line with no marker ends an item and the numbering restarts after it (a Word export
without blank lines), that line is the next paper's title: `segments` cuts the list there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import markers
from .blocks import Block
from .labels import ANSWER_LABEL, AUTHORS, ONLY_IMAGE, QUESTION_WORDS
from .lines import Lines
from .scaffold import Details
from .titles import titled

_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$|^\s*\|\s*:?-+:?\s*\|\s*$")


@dataclass
class Item:
    """A list item as a question or a title: its lines and nested items."""

    line: int
    end: int
    number: str
    col: int  #: column of its text
    head_end: int  #: last line of its own text (the question)
    answer_from: int = 0  #: first line of its answer, 0 for none
    children: list[Item] = field(default_factory=list)
    own_text: str | None = None  #: the question's text when it is not its lines' (an image's alt text, a summary)
    own_answer: str | None = None  #: the answer's text when it is not its lines' (inside `<details>`)


#: A run of a list's items, and the lines of the title before it (its line, its authors line or 0), if any.
Segment = tuple[tuple[int, int] | None, list[Item]]


def _has_words(line: str) -> bool:
    return any(c.isalpha() for c in line)


def number_of(line: str) -> str:
    marker = markers.find(line)
    return marker.number if marker is not None else ""


def _number_parts(number: str) -> list[int]:
    return [int(p) for p in number.split(".") if p.isdigit()]


def follows(previous: str, number: str) -> bool:
    """`number` goes on from `previous` (2 after 1, 1.3 after 1.2, 3 after 2.4)."""
    a, b = _number_parts(previous), _number_parts(number)
    if not a or not b:
        return False
    return b == a[:-1] + [a[-1] + 1] or (len(b) == 1 and b[0] == a[0] + 1)


def segments(src: Lines, lst: Block) -> list[Segment]:
    """A list's items, split where a line with no marker ends an item and the numbering restarts
    after it (a Word export without blank lines): that line is the next paper's title."""
    if lst.type == "details":
        d: Details = lst.token["details"]
        item = Item(d.line, d.end, "", 1, d.answer_line - 1 if d.answer_line else d.end, d.answer_line)
        item.own_text, item.own_answer = d.question, d.answer
        return [(None, [item])]
    items = list_items(src, lst)
    out: list[Segment] = [(None, [])]
    for k, item in enumerate(items):
        nxt = items[k + 1] if k + 1 < len(items) else None
        out[-1][1].append(item)
        if nxt is None or item.head_end <= item.line or item.children or item.answer_from:
            continue
        tail = src.lines[item.head_end - 1]
        if item.number and nxt.number:
            restarts = not follows(item.number, nxt.number)
        else:  # bullets: a line that reads as a title (`Title:`, Latin words) ends the item
            restarts = not item.number and not nxt.number and (tail.rstrip().endswith(":") or titled(tail))
        if restarts and _has_words(tail) and not tail[:1].isspace() and markers.find(tail) is None:
            title, authors = item.head_end, 0
            if title - 1 > item.line and AUTHORS.match(tail):
                above = src.lines[title - 2]
                if above.strip() and not above[:1].isspace() and markers.find(above) is None:
                    title, authors = title - 1, title
            item.head_end = item.end = title - 1
            out.append(((title, authors), []))
    return out


def list_items(src: Lines, lst: Block) -> list[Item]:
    items = [list_item(src, li) for li in lst.children]
    return _by_numbers(items)


def list_item(src: Lines, li: Block) -> Item:
    kids = list(li.children)
    if kids and kids[0].type == "list" and kids[0].line == li.line and kids[0].children:
        inner = kids[0].children[0]  # `- 1. question`: a bullet wrapping a numbered item
        kids = inner.children + kids[0].children[1:] + kids[1:]
    line = src.lines[li.line - 1]
    marker = markers.find(line)
    number = marker.number if marker is not None else ""
    col = (marker.end if marker is not None else len(line) - len(line.lstrip())) + 1
    item = Item(li.line, li.end, number, col, li.line)
    k = 0
    if kids and kids[0].type in ("paragraph", "block_text"):
        item.head_end = kids[0].end
        k = 1
        alt = ONLY_IMAGE.match(src.text(li.line, kids[0].end)[marker.end if marker else 0 :])
        if alt:
            item.own_text = alt.group(1).strip()
    # A label `Ответ:` inside the question's own lines starts its answer; so does a table written
    # right under it (a row, then a `|---|` row: GitHub reads a table there, mistune a paragraph).
    for ln in range(li.line + 1, item.head_end + 1):
        if ANSWER_LABEL.match(src.lines[ln - 1]) or (
            ln < item.head_end and "|" in src.lines[ln - 1] and _TABLE_RULE.match(src.lines[ln])
        ):
            item.answer_from, item.head_end = ln, ln - 1
            return item
    while k < len(kids) and kids[k].type in ("paragraph", "block_text") and lettered(src, kids[k]):
        item.head_end = kids[k].end
        k += 1
    kids = kids[:k] + joined_lists(kids[k:])  # nested lists one after another are one list
    if k < len(kids) and kids[k].type == "list":
        children = list_items(src, kids[k])
        if is_title(src, item, children):
            item.children = children
            k += 1
        elif kids[k].line == item.head_end + 1 and not labelled_answer(src, kids[k].line):
            item.head_end = kids[k].end  # sub-points right under the question: part of it
            k += 1
        # after a blank line: the answer
    if k < len(kids):
        item.answer_from = kids[k].line
    return item


def labelled_answer(src: Lines, line: int) -> bool:
    """`- Ответ: ...` under a question: its answer, not a sub-point."""
    text = src.lines[line - 1]
    marker = markers.find(text)
    return bool(ANSWER_LABEL.match(text[marker.end if marker else 0 :]))


def lettered(src: Lines, block: Block) -> bool:
    return all(markers.LETTERED.match(line) for line in src.lines[block.line - 1 : block.end] if line.strip())


def is_title(src: Lines, item: Item, children: list[Item]) -> bool:
    """Does an item over nested items name a paper or topic (rather than ask a question with parts)?"""
    if item.number and any(c.number.startswith(item.number + ".") for c in children):
        return True
    if any(src.text(c.line, c.head_end).rstrip().endswith("?") for c in children):
        return True
    own = " ".join(src.text(item.line, item.head_end).split())
    if own.endswith(("?", ":")) or QUESTION_WORDS.match(own[item.col - 1 :].strip("*_ ")):
        return False
    return len(own.split()) <= 20


def joined_lists(seq: list[Block]) -> list[Block]:
    """Lists with nothing between them are one list (`1. Title`, then `- 1.1. question`)."""
    out: list[Block] = []
    for block in seq:
        if block.type == "list" and out and out[-1].type == "list":
            last = out[-1]
            out[-1] = Block("list", last.line, block.end, last.token, last.children + block.children)
        else:
            out.append(block)
    return out


def _by_numbers(items: list[Item]) -> list[Item]:
    """Items numbered `N.k` after an item `N` of the same list are its children (`1. Title`, `1.1 Q`)."""
    out: list[Item] = []
    for item in items:
        parent = _parent_of(out, item.number)
        if parent is not None:
            parent.children.append(item)
            parent.end = max(parent.end, item.end)
        else:
            out.append(item)
    return out


def _parent_of(items: list[Item], number: str) -> Item | None:
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
