"""Item markers: the ways a line of a list says "an item starts here", as data, tried in order.

Markdown knows `-`, `+`, `*`, `1.` and `1)` followed by a space. People also write `(1)`, `Вопрос 1.`,
`Q1:`, `•`, `1.1 text`, a number followed by a no-break space or a tab, and letter items `а)`, `b.`
for the parts of one question. `find` reads a line's marker(s); `markdown_line` rewrites a line whose
marker Markdown would not see into one it sees, for the block parser only: texts are always cut from
the source itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GAP = r"(?:[ \t\u00a0]+|$)"  # what follows a marker: spaces, tabs or no-break spaces, or the line's end
_NUMBER = r"\d{1,3}(?:\.\d{1,3})*"
_QUESTION_WORD = r"(?:[Вв]опрос|ВОПРОС|[Qq]uestion|Q)\s*№?\s*"  # before a question's number: Вопрос 1, Q1

#: (name, pattern, Markdown sees it as a list marker when followed by a space or tab), in the order tried.
MARKERS: list[tuple[str, str, bool]] = [
    ("bullet", r"[-+*]", True),
    ("number", rf"(?P<n1>{_NUMBER})[.)]", True),  # 1.  1)  1.2.  (Markdown reads only `1.` and `1)`)
    ("dotted", r"(?P<n2>\d{1,3}(?:\.\d{1,3})+)", False),  # 1.2 text
    ("parenthesised", r"\((?P<n3>\d{1,3})\)", False),  # (1)
    ("word", rf"{_QUESTION_WORD}(?P<n4>\d{{1,3}})\s*[.:)]?", False),  # Вопрос 1.  Q1:
    ("symbol", r"[•●▪◦‣·]", False),  # Word's bullets
    ("spaced", r"(?P<n5>\d{1,3})(?=[\u00a0\t])", False),  # 1<no-break space>text, 1<tab>text
    # **1.**  __2)__  **Вопрос 3.**  **Q4.**: Word's bold numbering
    ("emphasised", rf"(?:\*\*|__)(?:{_QUESTION_WORD})?(?P<n6>{_NUMBER})[.):]?(?:\*\*|__)", False),
    ("dashed", r"(?P<n7>\d{1,3})[ \t]*[-–—](?=[ \t])", False),  # 1 - text,  2 — text
]
_MARKER = re.compile(
    r"(?P<indent>[ \t]*)(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern, _ in MARKERS) + rf"){_GAP}"
)
#: The marker pattern, to search a whole text for lines that may start an item (compiled with re.M and
#: anchored at line starts, it matches every line that `find` reads, and a few more: confirm with `find`).
ITEM_START = _MARKER
_MARKDOWN_GAP = re.compile(r"[ \t]|$")
#: Letter items: the parts of one question (`а)`, `б.`, `a)`, `(b)`), never questions of their own.
LETTERED = re.compile(r"^[ \t]*(?:\(?[а-яёa-z]\)|[а-яёa-z]\.(?=[ \t]))[ \t]+\S")
FILLER = "\ue001"  #: widens a rewritten marker to the original's width for the block parser


@dataclass(frozen=True, slots=True)
class Marker:
    """The marker(s) at the start of a line: `- 1.2.` is a bullet wrapping number 1.2."""

    kind: str  #: the name of the innermost marker in MARKERS
    number: str  #: "3", "1.2"; "" for bullets
    start: int  #: offset of the first marker in the line
    end: int  #: offset of the text after the last marker and its gap
    markdown: bool  #: Markdown reads the first marker as a list item as written
    first: str = ""  #: the kind of the first marker (`bullet` in `- 1.`)
    first_end: int = 0  #: offset just past the first marker


_MARKDOWN = {name: markdown for name, _, markdown in MARKERS}
_NUMBERS = ("n1", "n2", "n3", "n4", "n5", "n6", "n7")


def find(line: str) -> Marker | None:
    """The markers at the start of `line`, or None. A bullet may wrap a number (`- 1.`, `* Вопрос 2.`)."""
    m = _MARKER.match(line)
    if m is None:
        return None
    kind = m.lastgroup or ""  # the marker's own group: it closes after its number's
    start, end = m.end("indent"), m.end()
    if end == start:
        return None
    first, first_end = kind, m.end(kind)
    number = _number(m)
    markdown = _MARKDOWN[kind] and bool(_MARKDOWN_GAP.match(line, first_end))
    if kind == "number" and line[first_end - 1] == "." and "." in number:
        markdown = False  # `1.2.` is no Markdown list item
    if kind in ("bullet", "symbol"):
        inner = _MARKER.match(line, end)
        if inner is not None and inner.end() > end and inner.lastgroup not in ("bullet", "symbol"):
            kind = inner.lastgroup or ""
            number, end = _number(inner), inner.end()
    return Marker(kind, number, start, end, markdown, first, first_end)


def _number(m: re.Match[str]) -> str:
    return next((found for g in _NUMBERS if (found := m.group(g)) is not None), "")


def markdown_line(line: str, marker: Marker | None) -> str:
    """`line` with its first marker spelled `1.` (a number of any kind) or `-` (a symbol), as wide as
    written, so that Markdown reads a list item whatever its number (`3.` cannot start a Markdown
    list after a paragraph line; `(1)`, `1.2` and `Вопрос 1.` are no Markdown at all)."""
    if marker is None or marker.first == "bullet":  # `- 1.2. text`: the bullet wraps the number
        return line
    spelled = "-" if marker.first == "symbol" else "1."
    gap = max(1, marker.first_end - marker.start + 1 - len(spelled))
    spelled += " " * gap if gap <= 4 else " " + FILLER * (gap - 1)  # five spaces would make code
    return line[: marker.start] + spelled + line[marker.first_end :].lstrip(" \t\u00a0")
