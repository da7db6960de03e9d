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

Where each rule lives: `headings` (what a heading rules), `flat` (titles, lists and the text between
them), `items` (list items: questions, their parts and answers, numbering), `titles` (a title's text,
what reads as one), `reviews`, `labels` (patterns: `Ответ:`, `Вопросы:`, authors lines); `reader`
holds the state they share and records what they find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import markers
from .blocks import Block, blocks
from .headings import section
from .latex import find_math
from .reader import Reader
from .records import Paper, Problem, Review, Span
from .sources import Source

PROTECT = "\ue000"
_NON_SPACE = re.compile(r"\S")


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


def parse_source(source: Source) -> ParseResult:
    """Papers and reviews of one source, each with its location, and the problems met."""
    r = Reader(source)
    for number, reason in sorted(r.prepared.skipped.items()):
        r.skip(number, number, reason)
    for number in r.prepared.unclosed:
        message = "'<!--' is never closed: read as text (close the comment with '-->')"
        r.problems.append(Problem(r.loc(number), "warning", message, "unclosed-comment"))
    fenced = r.prepared.fenced
    shadow = [
        line if i in fenced else markers.markdown_line(line, markers.find(line)) for i, line in enumerate(r.lines)
    ]
    found = blocks(protect_math("\n".join(shadow)), r.lines)
    found += [Block("details", d.line, d.end, {"details": d}) for d in r.prepared.details]
    found.sort(key=lambda b: b.line)
    section(r, found, 0)
    r.spans.sort(key=lambda s: (s.first, s.last))
    return ParseResult(r.papers, r.reviews, r.problems, r.spans)
