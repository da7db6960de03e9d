"""Stage 3, finding: where the math is in a piece of prose, however it was written.

`find_math` returns every formula of a text as a `MathSpan`: delimited math (`$..$`, `$$..$$`,
`\\(..\\)`, `\\[..\\]`, `\\begin{env}..\\end{env}`), bare LaTeX runs in Russian prose
(`E_1, \\dots, E_n`) and lone Latin letters used as variables (`размерности d`).
Each span keeps the formula's own text exactly; `render` turns spans into `\\(..\\)` / `\\[..\\]`.

The same function decides for the whole file before Markdown parsing (`parse.protect_math`) and for
each field's text (`render`), so both read a `$` alike. How a dollar pairs:
- `$..$` and `$$..$$` stay within one stretch of lines: never across a blank line (only spaces or
  tabs), a line that starts a list item or question (`markers.find`: `-`, `1.`, `(1)`, `Вопрос 1.`,
  `Q1:`, `•`, ...; or a lettered part `а)`), nor a Markdown heading line (`#`). A `$` with no closing
  `$` within its stretch is reported (`unbalanced-dollar`) at that `$`, and what follows stays text.
- Money is text (see `_is_money`): `$5`, `$300`, `$1.5M`, `стоит $5, а эпоха $300`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pylatexenc.latexwalker import LatexWalker, LatexWalkerError, get_default_latex_context_db

from . import markers
from .records import Plain

# Built once: pylatexenc otherwise rebuilds its macro database for every walker.
LATEX_CONTEXT = get_default_latex_context_db()


@dataclass(frozen=True, slots=True)
class MathSpan(Plain):
    """One formula found in a text."""

    start: int  #: offset of the span, delimiters included
    end: int  #: offset just past the span
    tex: str  #: the formula's own text, exactly as written (outer whitespace stripped)
    tex_start: int  #: offset of `tex` in the text, for locating problems inside it
    display: bool  #: display math (`\\[..\\]`) rather than inline
    kind: str  #: "dollar", "double-dollar", "paren", "bracket", "environment", "bare" or "letter"


@dataclass(frozen=True, slots=True)
class TextProblem(Plain):
    """A problem at an offset of the text that was searched."""

    offset: int
    severity: str
    message: str
    rule: str


# `.` matches newlines already (re.S): `(?:.|\n)` here made an unclosed backtick backtrack 2**lines.
_CODE = re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1[ \t]*$|\Z)|(`+).+?(?<!`)\2(?!`)", re.M | re.S)
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
# Cyrillic that may stand in a formula: inside \text{..} and its kin.
_TEXT_GROUP = re.compile(r"\\(?:text\w*|mbox|mathrm|operatorname)\s*\{[^{}]*\}")
_BEGIN = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
_PROSE_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<latin>[A-Za-z]+)"
    r"|(?P<cyr>[\u0400-\u04FF]+)"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<number>\d+(?:[.,]\d+)?)"
    r"|(?P<script>[_^])"
    r"|(?P<stop>[?!;\"«»“”—–…]|\.(?!\d))"
    r"|(?P<op>.)",
    re.S,
)
# Tokens that end every run and every neighbour search of `_bare`: a formula never spans them.
_HARD_SEPARATORS = frozenset(("cyr", "word", "stop"))
# A run of quiet tokens from a token start, split exactly as _PROSE_TOKEN splits it (same order, each
# token atomic; stop is tried before number, which is safe: no stop character is a digit). Quiet
# tokens cannot make a formula nor a lone letter: anything but single Latin letters, a Latin run
# before a script, scripts, commands and groups. `sep` is the last hard separator matched.
_QUIET = re.compile(
    r"(?:(?![A-Za-z](?![A-Za-z])|[A-Za-z]+[_^]|[_^\\{])"
    r"(?>\s+|[A-Za-z]+|(?P<sep>[\u0400-\u04FF]+|[^\W\d_]+|[?!;\"«»“”—–…]|\.(?!\d))|\d+(?:[.,]\d+)?|.))*",
    re.S,
)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Escapes that mean a literal character in prose, not math.
_TEXT_ESCAPES = {"$", "%", "&", "#", "_"}
_TRIM_EDGES = " \t\n,:;."
_LETTER_BEFORE_OK = re.compile(r"(?:^|[\s(\[«\"'„“])$")
_LETTER_AFTER_OK = re.compile(r"^(?:$|[\s)\]»\"',;:?!”]|-(?=[\u0400-\u04FF])|\.(?:\s|$))")


def _code_regions(text: str) -> list[tuple[int, int]]:
    if "`" not in text and "~~~" not in text:  # no code without its fence or backtick: skip the scan
        return []
    return [m.span() for m in _CODE.finditer(text)]


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

    def __init__(self, text: str) -> None:
        self.text = text
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
    return bool(_CYRILLIC.search(_TEXT_GROUP.sub("", text[pos + 1 : end]))) or bool(_MONEY.match(text, end + 1))


def _span(text: str, start: int, end: int, inner_start: int, inner_end: int, display: bool, kind: str) -> MathSpan:
    raw = text[inner_start:inner_end]
    lead = len(raw) - len(raw.lstrip())
    return MathSpan(start, end, raw.strip(), inner_start + lead, display, kind)


def _delimited(text: str, code: list[tuple[int, int]], problems: list[TextProblem], money: list[int]) -> list[MathSpan]:
    """Delimited formulas; unclosed delimiters noted in `problems`, dollar signs of money in `money`."""
    spans: list[MathSpan] = []
    stretches = _Stretches(text)
    pos, n = 0, len(text)
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
        ch = text[pos]
        if ch == "\\" and pos + 1 < n:
            nxt = text[pos + 1]
            if nxt in "([":
                closer = "\\)" if nxt == "(" else "\\]"
                end = _find_closing(text, pos + 2, closer, n)
                if end < 0:
                    problems.append(
                        TextProblem(pos, "error", f"'\\{nxt}' is never closed by '{closer}'", "unbalanced-delimiter")
                    )
                    pos += 2
                    continue
                spans.append(_span(text, pos, end + 2, pos + 2, end, nxt == "[", "paren" if nxt == "(" else "bracket"))
                pos = end + 2
                continue
            m = _BEGIN.match(text, pos)
            if m:
                end_tag = f"\\end{{{m.group(1)}}}"
                end = text.find(end_tag, m.end())
                if end < 0:
                    problems.append(
                        TextProblem(
                            pos, "error", f"'\\begin{{{m.group(1)}}}' has no '{end_tag}'", "unbalanced-environment"
                        )
                    )
                    pos = m.end()
                    continue
                spans.append(_span(text, pos, end + len(end_tag), pos, end + len(end_tag), True, "environment"))
                pos = end + len(end_tag)
                continue
            pos += 2  # an escape such as \$ is a literal character
            continue
        if ch == "$":
            if text.startswith("$$", pos):
                end = _find_closing(text, pos + 2, "$$", stretches.end_after(pos))
                if end < 0:
                    problems.append(TextProblem(pos, "error", "'$$' is never closed", "unbalanced-dollar"))
                    pos += 2
                    continue
                spans.append(_span(text, pos, end + 2, pos + 2, end, True, "double-dollar"))
                pos = end + 2
                continue
            end = _find_closing(text, pos + 1, "$", stretches.end_after(pos))
            if _is_money(text, pos, end):
                money.append(pos)
                pos += 1
                continue
            if end < 0 or not text[pos + 1 : end].strip():
                problems.append(
                    TextProblem(
                        pos, "error", "'$' is never closed (write '\\$' for a dollar sign)", "unbalanced-dollar"
                    )
                )
                pos += 1
                continue
            spans.append(_span(text, pos, end + 1, pos + 1, end, False, "dollar"))
            pos = end + 1
            continue
        pos += 1
    return spans


@dataclass(slots=True)
class _Tok:
    kind: str
    start: int
    end: int
    text: str


class _Walker:
    """pylatexenc's walker over a text, made on first use: most prose has no command nor brace."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.walker: LatexWalker | None = None

    def node_end(self, pos: int) -> int:
        """Where the command or group at `pos` ends; pos + 1 when pylatexenc reads none."""
        if self.walker is None:
            self.walker = LatexWalker(self.text, tolerant_parsing=True, latex_context=LATEX_CONTEXT)
        try:
            nodes, _, _ = self.walker.get_latex_nodes(pos=pos, read_max_nodes=1)
        except LatexWalkerError:
            return pos + 1
        if nodes and nodes[0] is not None:
            return int(nodes[0].pos + nodes[0].len)
        return pos + 1


def _prose_tokens(text: str, start: int, end: int, walker: _Walker) -> list[_Tok]:
    """Tokens of a stretch of prose; commands and brace groups come whole from pylatexenc.

    Stretches of quiet tokens are skipped from one hard separator to the last one before something
    that may be math: the cells between hard separators cannot hold a formula (see `_QUIET`).
    """
    toks: list[_Tok] = []
    pos = start
    cell_start = True  # nothing before pos in this cell: the stream starts here or a separator ended
    while pos < end:
        if cell_start:
            quiet = _QUIET.match(text, pos, end)
            assert quiet is not None  # it matches the empty string
            if quiet.end() == end:
                break  # quiet to the end: nothing more to find
            separator = quiet.start("sep")
            if separator >= 0:
                pos = separator  # keep the last separator: it closes the cell that follows
        tok = _next_token(text, pos, end, walker)
        toks.append(tok)
        pos = tok.end
        cell_start = tok.kind in _HARD_SEPARATORS
    return toks


def _next_token(text: str, pos: int, end: int, walker: _Walker) -> _Tok:
    """The token at `pos`, which starts one."""
    ch = text[pos]
    if ch in "\\{":
        node_end = min(max(walker.node_end(pos), pos + 2 if ch == "\\" else pos + 1), end)
        chunk = text[pos:node_end]
        if len(chunk.rstrip()) > 1:  # pylatexenc counts the space after a macro as its own
            node_end = pos + len(chunk.rstrip())
            chunk = text[pos:node_end]
        if ch == "\\" and len(chunk) >= 2 and chunk[1] in _TEXT_ESCAPES:
            kind = "stop"
        elif _CYRILLIC.search(chunk):
            kind = "cyr"  # \text{слово} or {слово}: prose, not a formula of ours
        else:
            kind = "cmd" if ch == "\\" else "group"
        return _Tok(kind, pos, node_end, chunk)
    m = _PROSE_TOKEN.match(text, pos, end)
    assert m is not None and m.lastgroup is not None
    return _Tok(m.lastgroup, pos, m.end(), m.group())


def _is_run_breaker(toks: list[_Tok], i: int) -> bool:
    tok = toks[i]
    if tok.kind in ("cyr", "word", "stop"):
        return True
    if tok.kind == "space" and tok.text.count("\n") > 1:
        return True
    if tok.kind == "latin" and len(tok.text) > 1:
        # A Latin word is English unless it is an identifier with a sub/superscript.
        return not (i + 1 < len(toks) and toks[i + 1].kind == "script")
    return False


_RELATIONS = set("=<>≤≥≠≈")


def _has_signal(run: list[_Tok]) -> bool:
    if any(t.text in _RELATIONS for t in run) and any(t.kind == "latin" and len(t.text) == 1 for t in run):
        return True  # k = 5, n > 1000
    for j, tok in enumerate(run):
        if tok.kind == "cmd":
            return True
        if tok.kind == "script" and j > 0 and run[j - 1].kind in ("latin", "group", "cmd", "number", "op"):
            return True
        if tok.kind == "latin" and len(tok.text) == 1 and j + 1 < len(run) and run[j + 1].text == "(":
            return True  # f(x)
    return False


def _trim(toks: list[_Tok], a: int, b: int) -> tuple[int, int]:
    """The run toks[a:b] without spaces, edge punctuation and unmatched edge parentheses, as [a, b)."""
    a, b = _strip_edges(toks, a, b)
    # Drop an unmatched parenthesis at either edge: "(где x_i)" keeps "x_i".
    while a < b:
        opens = sum(toks[k].text == "(" for k in range(a, b))
        closes = sum(toks[k].text == ")" for k in range(a, b))
        if closes > opens and toks[b - 1].text == ")":
            b -= 1
        elif opens > closes and toks[a].text == "(":
            a += 1
        else:
            break
        a, b = _strip_edges(toks, a, b)
    return a, b


def _strip_edges(toks: list[_Tok], a: int, b: int) -> tuple[int, int]:
    while a < b and (toks[a].kind == "space" or toks[a].text in _TRIM_EDGES):
        a += 1
    while a < b and (toks[b - 1].kind == "space" or toks[b - 1].text in _TRIM_EDGES):
        b -= 1
    return a, b


def _neighbour_is_english(toks: list[_Tok], i: int, step: int) -> bool:
    j = i + step
    while 0 <= j < len(toks):
        kind = toks[j].kind
        if kind in ("latin", "cyr", "word", "number", "cmd"):
            return kind == "latin" and len(toks[j].text) > 1
        if kind == "stop":
            return False
        j += step
    return False


def _bare(text: str, start: int, end: int, walker: _Walker) -> list[MathSpan]:
    toks = _prose_tokens(text, start, end, walker)
    spans: list[MathSpan] = []
    used: set[int] = set()
    breaks = [_is_run_breaker(toks, k) for k in range(len(toks))] + [True]
    i = 0
    while i < len(toks):
        if breaks[i]:
            i += 1
            continue
        j = breaks.index(True, i)
        a, b = _trim(toks, i, j)
        if a < b and _has_signal(toks[a:b]):
            s, e = toks[a].start, toks[b - 1].end
            spans.append(MathSpan(s, e, text[s:e], s, False, "bare"))
            used.update(range(a, b))
        i = j
    for k, tok in enumerate(toks):
        if k in used or tok.kind != "latin" or len(tok.text) != 1:
            continue
        if not _LETTER_BEFORE_OK.search(text[max(0, tok.start - 1) : tok.start]):
            continue
        if not _LETTER_AFTER_OK.match(text[tok.end : tok.end + 2]):
            continue
        if _neighbour_is_english(toks, k, -1) or _neighbour_is_english(toks, k, +1):
            continue
        spans.append(MathSpan(tok.start, tok.end, tok.text, tok.start, False, "letter"))
    return spans


def find_math(text: str) -> tuple[list[MathSpan], list[TextProblem]]:
    """Every formula of `text`, in order, and the problems met while looking for them."""
    problems: list[TextProblem] = []
    code = _code_regions(text)
    money: list[int] = []
    delimited = _delimited(text, code, problems, money)
    spans = list(delimited)
    walker = _Walker(text)
    blocked = sorted([(s.start, s.end) for s in delimited] + code)
    blocked.extend(
        (p.offset, p.offset + (2 if text.startswith("$$", p.offset) else 1)) for p in problems if text[p.offset] == "$"
    )
    blocked.extend((offset, offset + 1) for offset in money)
    blocked.sort()
    pos = 0
    for b_start, b_end in blocked + [(len(text), len(text))]:
        if b_start > pos:
            spans.extend(_bare(text, pos, b_start, walker))
        pos = max(pos, b_end)
    spans.sort(key=lambda s: s.start)
    return spans, problems
