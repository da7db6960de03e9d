"""Stage 3, finding: where the math is in a piece of prose, however it was written.

`find_math` returns every formula of a text as a `MathSpan`: delimited math (`$..$`, `$$..$$`,
`\\(..\\)`, `\\[..\\]`, `\\begin{env}..\\end{env}`), bare LaTeX runs in Russian prose
(`E_1, \\dots, E_n`) and lone Latin letters used as variables (`размерности d`).
Each span keeps the formula's own text exactly; `render` turns spans into `\\(..\\)` / `\\[..\\]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pylatexenc.latexwalker import LatexWalker, LatexWalkerError, get_default_latex_context_db

# Built once: pylatexenc otherwise rebuilds its macro database for every walker.
LATEX_CONTEXT = get_default_latex_context_db()


@dataclass(frozen=True, slots=True)
class MathSpan:
    """One formula found in a text."""

    start: int  #: offset of the span, delimiters included
    end: int  #: offset just past the span
    tex: str  #: the formula's own text, exactly as written (outer whitespace stripped)
    tex_start: int  #: offset of `tex` in the text, for locating problems inside it
    display: bool  #: display math (`\\[..\\]`) rather than inline
    kind: str  #: "dollar", "double-dollar", "paren", "bracket", "environment", "bare" or "letter"


@dataclass(frozen=True, slots=True)
class TextProblem:
    """A problem at an offset of the text that was searched."""

    offset: int
    severity: str
    message: str
    rule: str


# `.` matches newlines already (re.S): `(?:.|\n)` here made an unclosed backtick backtrack 2**lines.
_CODE = re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1[ \t]*$|\Z)|(`+).+?(?<!`)\2(?!`)", re.M | re.S)
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
# Escapes that mean a literal character in prose, not math.
_TEXT_ESCAPES = {"$", "%", "&", "#", "_"}
_TRIM_EDGES = " \t\n,:;."
_LETTER_BEFORE_OK = re.compile(r"(?:^|[\s(\[«\"'„“])$")
_LETTER_AFTER_OK = re.compile(r"^(?:$|[\s)\]»\"',;:?!”]|-(?=[\u0400-\u04FF])|\.(?:\s|$))")


def _code_regions(text: str) -> list[tuple[int, int]]:
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


def _paragraph_end(text: str, pos: int) -> int:
    """Inline `$..$` may wrap lines but never crosses a blank line."""
    m = re.compile(r"\n[ \t]*\n").search(text, pos)
    return m.start() if m else len(text)


def _span(text: str, start: int, end: int, inner_start: int, inner_end: int, display: bool, kind: str) -> MathSpan:
    raw = text[inner_start:inner_end]
    lead = len(raw) - len(raw.lstrip())
    return MathSpan(start, end, raw.strip(), inner_start + lead, display, kind)


def _delimited(text: str, code: list[tuple[int, int]], problems: list[TextProblem]) -> list[MathSpan]:
    spans: list[MathSpan] = []
    pos, n = 0, len(text)
    code_iter = iter(code + [(n + 1, n + 1)])
    next_code = next(code_iter)
    while pos < n:
        if pos >= next_code[0]:
            pos = max(pos, next_code[1])
            next_code = next(code_iter)
            continue
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
                end = _find_closing(text, pos + 2, "$$", n)
                if end < 0:
                    problems.append(TextProblem(pos, "error", "'$$' is never closed", "unbalanced-dollar"))
                    pos += 2
                    continue
                spans.append(_span(text, pos, end + 2, pos + 2, end, True, "double-dollar"))
                pos = end + 2
                continue
            end = _find_closing(text, pos + 1, "$", _paragraph_end(text, pos))
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


def _prose_tokens(text: str, start: int, end: int, walker: LatexWalker) -> list[_Tok]:
    """Tokens of a stretch of prose; commands and brace groups come whole from pylatexenc."""
    toks: list[_Tok] = []
    pos = start
    while pos < end:
        ch = text[pos]
        if ch in "\\{":
            node_end = pos + 1
            try:
                nodes, _, _ = walker.get_latex_nodes(pos=pos, read_max_nodes=1)
                if nodes and nodes[0] is not None:
                    node_end = nodes[0].pos + nodes[0].len
            except LatexWalkerError:
                pass
            node_end = min(max(node_end, pos + 2 if ch == "\\" else pos + 1), end)
            chunk = text[pos:node_end]
            if len(chunk.rstrip()) > 1:  # pylatexenc counts the space after a macro as its own
                node_end = pos + len(chunk.rstrip())
                chunk = text[pos:node_end]
            if ch == "\\" and len(chunk) >= 2 and chunk[1] in _TEXT_ESCAPES:
                kind = "stop"
            elif re.search(r"[\u0400-\u04FF]", chunk):
                kind = "cyr"  # \text{слово} or {слово}: prose, not a formula of ours
            else:
                kind = "cmd" if ch == "\\" else "group"
            toks.append(_Tok(kind, pos, node_end, chunk))
            pos = node_end
            continue
        m = _PROSE_TOKEN.match(text, pos, end)
        assert m is not None and m.lastgroup is not None
        toks.append(_Tok(m.lastgroup, pos, m.end(), m.group()))
        pos = m.end()
    return toks


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


def _trim(run: list[_Tok]) -> list[_Tok]:
    while run and (run[0].kind == "space" or run[0].text in _TRIM_EDGES):
        run = run[1:]
    while run and (run[-1].kind == "space" or run[-1].text in _TRIM_EDGES):
        run = run[:-1]
    # Drop an unmatched parenthesis at either edge: "(где x_i)" keeps "x_i".
    while run:
        opens = sum(t.text == "(" for t in run)
        closes = sum(t.text == ")" for t in run)
        if closes > opens and run[-1].text == ")":
            run = run[:-1]
        elif opens > closes and run[0].text == "(":
            run = run[1:]
        else:
            break
        while run and (run[0].kind == "space" or run[0].text in _TRIM_EDGES):
            run = run[1:]
        while run and (run[-1].kind == "space" or run[-1].text in _TRIM_EDGES):
            run = run[:-1]
    return run


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


def _bare(text: str, start: int, end: int, walker: LatexWalker) -> list[MathSpan]:
    toks = _prose_tokens(text, start, end, walker)
    spans: list[MathSpan] = []
    used: set[int] = set()
    i = 0
    while i < len(toks):
        if _is_run_breaker(toks, i):
            i += 1
            continue
        j = i
        while j < len(toks) and not _is_run_breaker(toks, j):
            j += 1
        run = _trim(toks[i:j])
        if run and _has_signal(run):
            s, e = run[0].start, run[-1].end
            spans.append(MathSpan(s, e, text[s:e], s, False, "bare"))
            used.update(range(toks.index(run[0]), toks.index(run[-1]) + 1))
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
    delimited = _delimited(text, code, problems)
    spans = list(delimited)
    walker = LatexWalker(text, tolerant_parsing=True, latex_context=LATEX_CONTEXT)
    blocked = sorted([(s.start, s.end) for s in delimited] + code)
    blocked.extend((p.offset, p.offset + 1) for p in problems if text[p.offset] == "$")
    blocked.sort()
    pos = 0
    for b_start, b_end in blocked + [(len(text), len(text))]:
        if b_start > pos:
            spans.extend(_bare(text, pos, b_start, walker))
        pos = max(pos, b_end)
    spans.sort(key=lambda s: s.start)
    return spans, problems
