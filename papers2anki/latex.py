"""Stage 3, finding: where the math is in a piece of prose, however it was written.

`find_math` returns every formula of a text as a `MathSpan`: delimited math (`$..$`, `$$..$$`,
`\\(..\\)`, `\\[..\\]`, `\\begin{env}..\\end{env}`), bare LaTeX runs in Russian prose
(`E_1, \\dots, E_n`) and lone Latin letters used as variables (`размерности d`).
Each span keeps the formula's own text exactly; `render` turns spans into `\\(..\\)` / `\\[..\\]`.

The same function decides for the whole file before Markdown parsing (`parse.protect_math`) and for
each field's text (`render`), so both read math alike. Code (backticks, fences) and web addresses are
never math. How a delimiter pairs:
- Inline math (`$..$`, `\\(..\\)`) stays within one stretch of lines: never across a blank line (only
  spaces or tabs), a line that starts a list item or question (`markers.find`: `-`, `1.`, `(1)`,
  `Вопрос 1.`, `Q1:`, `•`, ...; or a lettered part `а)`), nor a Markdown heading line (`#`).
- Display math (`$$..$$`, `\\[..\\]`, `\\begin{env}..\\end{env}`) too; opened at the start of a line,
  it may hold list-like lines without Russian words (`- c &= d` in an aligned block), never a blank
  line, a heading or an item in words.
- An opener with no closer within its stretch is reported (`unbalanced-dollar`, `unbalanced-delimiter`,
  `unbalanced-environment`) at that opener, and what follows stays text: the questions stay apart.
- Money is text (see `_is_money`): `$5`, `$300`, `$1.5M`, `стоит $5, а эпоха $300`.

Bare math (no delimiters) is `bare.bare_math`'s, searched between the delimited formulas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import markers
from .bare import bare_math
from .prose import CYRILLIC, LATEX_CONTEXT, TEXT_GROUP, Walker
from .records import MathSpan

__all__ = ["LATEX_CONTEXT", "MathSpan", "TextProblem", "find_math"]


@dataclass(frozen=True, slots=True)
class TextProblem:
    """A problem at an offset of the text that was searched."""

    offset: int
    severity: str
    message: str
    rule: str


# `.` matches newlines already (re.S): `(?:.|\n)` here made an unclosed backtick backtrack 2**lines.
_CODE = re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1[ \t]*$|\Z)|(`+).+?(?<!`)\2(?!`)", re.M | re.S)
# Web addresses: a link's target, an autolink, a bare http(s) address.
_URL = re.compile(r"\]\([^)\s]*|<[a-z][a-z0-9+.-]*:[^\s<>]*>|\bhttps?://[^\s<>()\[\]]+", re.I)
_DELIMITER_START = re.compile(r"[\\$]")
# Lines that may end the search for a closing `$`: blank lines and headings for certain, item lines to
# be confirmed by `markers.find` (the pattern, at a line start, is a superset of what it reads).
_BREAK_LINE = re.compile(
    r"^(?:(?P<sure>[ \t]*$|[ \t]{0,3}#{1,6}(?:[ \t]|$))"
    r"|(?=" + markers.ITEM_START.pattern + "|" + markers.LETTERED.pattern[1:] + "))",  # empty: no line is skipped
    re.M,
)
# A money amount after a `$`: a number, perhaps a magnitude, then a space, punctuation or the end.
_MONEY = re.compile(r"\d+(?:[.,]\d+)*(?:[KkMmBbТт]|bn|млн|млрд|трлн|тыс)?(?=[\s.,;:!?)\]»\"'…—–/-]|\Z)")
_BEGIN = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")


def _code_regions(text: str) -> list[tuple[int, int]]:
    """Code and web addresses: never math (`x_i` in backticks, `$x$` or `a_b` in a link's target)."""
    regions = []
    if "`" in text or "~~~" in text:  # no code without its fence or backtick: skip the scan
        regions = [m.span() for m in _CODE.finditer(text)]
    if "](" in text or ":" in text:  # every address the pattern finds has one of them
        regions = _merged(sorted(regions + [m.span() for m in _URL.finditer(text)]))
    return regions


def _merged(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in regions:
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _find_closing(text: str, start: int, closer: str, limit: int) -> int:
    """The offset of the next unescaped `closer` at or after `start`, or -1."""
    pos = start
    while True:
        pos = text.find(closer, pos, limit)
        if pos < 0:
            return -1
        before = pos
        while before > start and text[before - 1] == "\\":
            before -= 1
        backslashes = pos - before
        if backslashes % 2 == 0 and not (closer == "$" and text.startswith("$$", pos)):
            return pos
        pos += len(closer) if closer != "$" else (2 if text.startswith("$$", pos) else 1)


class _Stretches:
    """Where the stretch of lines holding an offset ends, for `$` and `$$`: at the start of the next blank
    line, list item or question line (`markers.find`, or a lettered part) or heading line, else the text's
    end. Asked at growing offsets, it searches each part of the text once."""

    def __init__(self, text: str, items: bool = True) -> None:
        self.text = text
        self.items = items  #: whether every list item and question line ends a stretch, or only one in words
        self.searched = 0  #: no stretch ends in [searched, end): the answer for any offset in between
        self.end = -1

    def end_after(self, pos: int) -> int:
        if not (self.searched <= pos + 1 <= self.end):
            self.searched, self.end = pos + 1, self._next_break(pos + 1)
        return self.end

    def _next_break(self, start: int) -> int:
        text = self.text
        for m in _BREAK_LINE.finditer(text, start):
            if m.group("sure") is not None:
                return m.start()
            line_end = text.find("\n", m.start())
            line = text[m.start() : line_end if line_end >= 0 else len(text)]
            if not self.items and not CYRILLIC.search(TEXT_GROUP.sub("", line)):
                continue  # `- c &= d` in a display block is math; `- Вопрос` is the next question
            if markers.find(line) is not None or markers.LETTERED.match(line):
                return m.start()
        return len(text)


def _is_money(text: str, pos: int, end: int) -> bool:
    """Whether the `$` at `pos`, whose closing candidate is at `end` (-1: none), is a dollar sign.

    It is when a number follows it directly and then a space, punctuation or the end (`$5,`, `$300 `,
    `$1.5M `), and either nothing closes it, or what it would enclose has Cyrillic outside `\\text{}`
    (`стоит $5, а эпоха $300`), or the closing candidate starts a second amount (`$5 или $10`).
    A number closed at once or followed by math is a formula: `$5$`, `$2^n$`, `$1 + x$`.
    """
    if not _MONEY.match(text, pos + 1):
        return False
    if end < 0:
        return True
    return bool(CYRILLIC.search(TEXT_GROUP.sub("", text[pos + 1 : end]))) or bool(_MONEY.match(text, end + 1))


def _span(text: str, start: int, end: int, inner_start: int, inner_end: int, display: bool, kind: str) -> MathSpan:
    raw = text[inner_start:inner_end]
    lead = len(raw) - len(raw.lstrip())
    return MathSpan(start, end, raw.strip(), inner_start + lead, display, kind)


class _Delimited:
    """The delimited formulas of a text, found left to right; unclosed delimiters noted in `problems`, the
    dollar signs of money in `money`. Each `_at_*` reads the delimiter at `pos` and says where to go on."""

    def __init__(self, text: str, problems: list[TextProblem], money: list[int]) -> None:
        self.text = text
        self.spans: list[MathSpan] = []
        self.problems = problems
        self.money = money
        self.stretches, self.blocks = _Stretches(text), _Stretches(text, items=False)

    def find(self, code: list[tuple[int, int]]) -> list[MathSpan]:
        text, pos, n = self.text, 0, len(self.text)
        code_iter = iter(code + [(n + 1, n + 1)])
        next_code = next(code_iter)
        while pos < n:
            if pos >= next_code[0]:
                pos = max(pos, next_code[1])
                next_code = next(code_iter)
                continue
            found = _DELIMITER_START.search(text, pos, next_code[0])  # other characters are passed over
            if found is None:
                pos = next_code[0]
                continue
            pos = found.start()
            if text[pos] == "$":
                pos = self._at_dollar(pos)
            elif pos + 1 < n:
                pos = self._at_backslash(pos)
            else:
                pos += 1
        return self.spans

    def _limit(self, pos: int, display: bool) -> int:
        """Where the closer of the delimiter at `pos` must be: within its stretch of lines; display math
        opened at the start of a line may hold list-like lines (`- b` in an aligned block) too."""
        if display and not self.text[self.text.rfind("\n", 0, pos) + 1 : pos].strip():
            return self.blocks.end_after(pos)
        return self.stretches.end_after(pos)

    def _unclosed(self, pos: int, message: str, rule: str) -> None:
        self.problems.append(TextProblem(pos, "error", message, rule))

    def _at_backslash(self, pos: int) -> int:
        text = self.text
        nxt = text[pos + 1]
        if nxt in "([":
            closer = "\\)" if nxt == "(" else "\\]"
            end = _find_closing(text, pos + 2, closer, self._limit(pos, nxt == "["))
            if end < 0:
                self._unclosed(pos, f"'\\{nxt}' is never closed by '{closer}'", "unbalanced-delimiter")
                return pos + 2
            self.spans.append(_span(text, pos, end + 2, pos + 2, end, nxt == "[", "paren" if nxt == "(" else "bracket"))
            return end + 2
        m = _BEGIN.match(text, pos)
        if m:
            end_tag = f"\\end{{{m.group(1)}}}"
            end = text.find(end_tag, m.end(), self._limit(pos, True))
            if end < 0:
                self._unclosed(pos, f"'\\begin{{{m.group(1)}}}' has no '{end_tag}'", "unbalanced-environment")
                return m.end()
            self.spans.append(_span(text, pos, end + len(end_tag), pos, end + len(end_tag), True, "environment"))
            return end + len(end_tag)
        return pos + 2  # an escape such as \\$ is a literal character

    def _at_dollar(self, pos: int) -> int:
        text = self.text
        if text.startswith("$$", pos):
            end = _find_closing(text, pos + 2, "$$", self._limit(pos, True))
            if end < 0:
                self._unclosed(pos, "'$$' is never closed", "unbalanced-dollar")
                return pos + 2
            self.spans.append(_span(text, pos, end + 2, pos + 2, end, True, "double-dollar"))
            return end + 2
        end = _find_closing(text, pos + 1, "$", self.stretches.end_after(pos))
        if _is_money(text, pos, end):
            self.money.append(pos)
            return pos + 1
        if end < 0 or not text[pos + 1 : end].strip():
            self._unclosed(pos, "'$' is never closed (write '\\$' for a dollar sign)", "unbalanced-dollar")
            return pos + 1
        self.spans.append(_span(text, pos, end + 1, pos + 1, end, False, "dollar"))
        return end + 1


def _opener_length(text: str, pos: int) -> int:
    if text.startswith("$$", pos):
        return 2
    if text.startswith("$", pos):
        return 1
    m = _BEGIN.match(text, pos)
    return m.end() - pos if m else 2  # \\begin{env}, else \\( or \\[


def find_math(text: str) -> tuple[list[MathSpan], list[TextProblem]]:
    """Every formula of `text`, in order, and the problems met while looking for them."""
    problems: list[TextProblem] = []
    code = _code_regions(text)
    money: list[int] = []
    delimited = _Delimited(text, problems, money).find(code)
    spans = list(delimited)
    walker = Walker(text)
    blocked = sorted([(s.start, s.end) for s in delimited] + code)
    blocked.extend((p.offset, p.offset + _opener_length(text, p.offset)) for p in problems)  # unclosed openers
    blocked.extend((offset, offset + 1) for offset in money)
    blocked.sort()
    pos = 0
    for b_start, b_end in blocked + [(len(text), len(text))]:
        if b_start > pos:
            spans.extend(bare_math(text, pos, b_start, walker))
        pos = max(pos, b_end)
    spans.sort(key=lambda s: s.start)
    return spans, problems
