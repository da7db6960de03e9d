"""Reviews: `Исследование статьи TITLE` and what follows it.

A review runs to the next heading of its level or to the next paper's list (a title right before a
numbered list). A `(authors)` line and an `Автор исследования: ...` line at its start are its authors
and reviewer; a list it introduces with `Вопросы ...:` holds questions of the reviewed paper.
"""

from __future__ import annotations

import re

from .blocks import Block
from .flat import flat, take_list
from .items import number_of, segments
from .labels import QUESTIONS_LABEL
from .reader import Reader
from .records import Paper, Review
from .titles import title_like, title_text

REVIEW_HEADING = re.compile(r"^\s*исследование\s+стать[ия]\s*[:—–-]?\s*", re.I)
_REVIEWER = re.compile(r"^\s*автор(?:ы)?\s+исследования\s*:\s*", re.I)


def review(r: Reader, head: Block, body: list[Block]) -> None:
    """`Исследование статьи TITLE` and the blocks it rules, up to the next paper's list."""
    from .render import plain_text

    title = plain_text(REVIEW_HEADING.sub("", title_text(r, head))).strip(" \"«»'*")
    r.paper, r.last = None, None
    # The review ends where the next paper's list begins: a title right before a list.
    end = len(body)
    for k in range(len(body) - 1):
        b, nxt = body[k], body[k + 1]
        numbered = nxt.type == "list" and number_of(r.lines[nxt.line - 1]) != ""
        if numbered and b.type == "paragraph" and title_like(r, b):
            if not QUESTIONS_LABEL.match(r.words(b)) and not r.words(b).endswith(":"):
                end = k
                break
    own, rest = body[:end], body[end:]
    authors = reviewer = ""
    parts: list[Block] = []
    k = 0
    while k < len(own):
        block = own[k]
        words = r.words(block)
        if block.type == "paragraph" and QUESTIONS_LABEL.match(words) and k + 1 < len(own):
            if own[k + 1].type == "list":
                paper = Paper(title, [], None, r.loc(block.line))
                r.papers.append(paper)
                r.paper, r.last = paper, None
                r.span("title", block.line, block.end, title)
                take_list(r, own[k + 1], segments(r, own[k + 1]), fresh=True)
                r.paper, r.last = None, None
                k += 2
                continue
        if not parts and not authors and words.startswith("(") and words.endswith(")"):
            authors = words[1:-1].strip()
        elif not parts and not reviewer and _REVIEWER.match(words):
            reviewer = _REVIEWER.sub("", words).strip()
        else:
            parts.append(block)
        k += 1
    text = "\n\n".join(r.text(b.line, b.end).strip("\n") for b in parts)
    last = own[-1].end if own else head.end
    r.reviews.append(Review(title, authors, reviewer, text, r.loc(head.line)))
    r.span("review", head.line, last, title)
    if rest:
        flat(r, rest)
