"""A title's text and whether a line reads as one: the rules for titles and headings.

A title loses its marker (`1.`, `Статья 2:`), emphasis, leading symbols (`📄`), quotes and a trailing
authors-and-year part (`(Ho et al., 2020)`). A paragraph titles the list after it when it is short and
no sentence; a heading asks (is a question) when it is numbered, ends in `?` or opens with a question
word.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from . import markers
from .blocks import Block
from .labels import ANSWER_LABEL, AUTHORS, ONLY_IMAGE, QUESTION_WORDS
from .lines import Lines

_LEADING_SYMBOLS = re.compile(r"^[^\w«\"“„'(\[*$\\]+")
_TRAILING_PARENS = re.compile(r"\s*(\([^()]*\))\s*$")
_TITLE_PREFIX = re.compile(r"^\s*(?:(?:статья|paper|работа|тема|topic)\s*№?\s*\d*\s*[:.—–-]\s*|\d{1,3}[.)]\s+)", re.I)
_DECORATED = re.compile(r"^\s*(?:\*\*|__|«|\"|\[|#|(?:статья|paper|работа)\b)", re.I)


def titled(text: str) -> bool:
    """Reads as a paper's title even where the numbering goes on: written in Latin letters (no Cyrillic
    word), or decorated (`**Title**`, `«Title»`, `[Title](..)`, `Статья 2: ...`)."""
    return not re.search(r"[а-яё]{2,}", text, re.I) or bool(_DECORATED.match(text))


def question_heading(text: str) -> bool:
    """`3. ...`, `...?`, `Как ...`: a heading that asks."""
    return bool(
        markers.find(text) is not None or text.rstrip("*_ ").endswith("?") or QUESTION_WORDS.match(text.strip("*_ "))
    )


def file_title(path: str) -> str:
    return PurePath(path).stem


def title_text(src: Lines, block: Block, lines: tuple[int, int] | None = None) -> str:
    from .render import plain_text

    first, last = lines or (block.line, block.end)
    text = src.heading_line(block) if block.type == "heading" else src.text(first, last)
    text = " ".join(text.split())
    marker = markers.find(text)
    if marker is not None:
        text = text[marker.end :]
    text = _TITLE_PREFIX.sub("", text)
    text = plain_text(text).strip()
    text = _LEADING_SYMBOLS.sub("", text)  # 📄 Title, ▶ Title
    text = text.strip("*_ ").strip("«»\"“”„'").strip()
    tail = _TRAILING_PARENS.search(text)
    if tail is not None and tail.start() > 0 and AUTHORS.match(tail.group(1)):  # Title (Ho et al., 2020)
        text = text[: tail.start()]
    return text.rstrip(":").strip().strip("«»\"“”„'").strip()


def title_like(src: Lines, block: Block) -> bool:
    if block.type == "heading":
        return True
    if block.type != "paragraph" or block.end - block.line > 1:
        return False
    text = src.text(block.line, block.line).strip()
    if not text or len(text) > 250 or ANSWER_LABEL.match(text) or ONLY_IMAGE.match(text):
        return False
    if block.end > block.line and not AUTHORS.match(src.text(block.end, block.end)):
        return False
    return not (text.endswith(".") and len(text.split()) >= 5)  # a sentence, not a title


def title_in(src: Lines, block: Block) -> tuple[int, int] | None:
    """The line of a paragraph that titles the list after it, and its authors line (0 for none): the
    paragraph's last line, or the one above an authors line. Lines above it are no title of this
    list (a Word export's document heading)."""
    line, authors = block.end, 0
    if block.end > block.line and AUTHORS.match(src.lines[block.end - 1]):
        line, authors = block.end - 1, block.end
    text = src.lines[line - 1].strip()
    if not text or len(text) > 250 or ANSWER_LABEL.match(text) or ONLY_IMAGE.match(text):
        return None
    if text.endswith(".") and len(text.split()) >= 5:  # a sentence, not a title
        return None
    if line > block.line and (text.endswith((".", ",", ";", "-")) or not (text[0].isupper() or text[0] in '*_«"[')):
        return None  # a sentence's last line
    return line, authors
