"""Stage 3, finding bare math: formulas written in prose without delimiters, whole or not at all.

`bare_math(text, start, end)` reads a stretch of prose that holds no delimited math, code or money
and returns its formulas. The rules, as the README states them:

- **Tokens.** Commands and brace groups come whole from pylatexenc (`\\operatorname{diag}`,
  `{z_i}`); Cyrillic words, sentence punctuation, HTML tags, line breaks, `%`, `&`, `#` and the like
  are prose and end every formula. A dash (` - ` beside a Russian word) and a hyphen (`L_2-норма`,
  `max-norm`, `k-means`, `GPT-3`) are prose too.
- **Identifiers.** A one-letter or Greek base with one subscript is a formula (`x_i`, `W_q`, `L_2`,
  `α_t`; `d_model` is typeset `d_{model}`). A name with a longer base, or several `_` parts, is code
  and stays text (`batch_size`, `max_len`, `ResNet_50`, `d_model_dim`).
- **Brackets.** `(..)` and `[..]` are paired; a pair is math when everything in it is (then `;` and
  `:` may stand in it: `f(x; \\theta)`), and a formula takes it whole or not at all. A pair holding
  prose (`(max-norm)`, `(где x_i)`) is prose; the formulas inside it are found on their own.
- **Latin words** are English, unless they are a function applied to a math pair (`softmax(z)`,
  `PL(U + V)`), a known function name (`log`, `exp`, `max`, ...), or operands of operators
  (`HW/P^2`, `x = Wu + b`).
- **A formula** is a run of math tokens that has a sign of math in it: a command, a sub- or
  superscript, a relation beside a variable (`k = 5`), an operator between variables (`n - 1`), a
  function applied to a variable (`f(x)`, `softmax(z)`), a prime. Its edges lose spaces, commas and
  Markdown stars. **When unsure, leave text:** a run that would begin or end on an operator (`x =`
  followed by prose), or with an unpaired `|`, is left as text, its letters too.
- **A lone Latin letter** used as a variable (`размерности d`, `матрицы Q, K и V`) is a formula of
  its own, unless a Latin word stands next to it (`M Ranzato`, `I think`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .prose import FUNCTION_NAMES, HARD, MAY_HOLD_MATH, Token, Walker, tokens
from .records import MathSpan
from .spelling import spell

_DULL = frozenset(("space", "number", "comma", "op", "dots", "textcmd"))
# Commands that stand between operands as an operator or relation does.
_OPERATOR_COMMANDS = frozenset(
    "cdot times div pm mp le leq ge geq ne neq approx sim simeq cong equiv propto in notin ni subset subseteq"
    " supset supseteq to mapsto rightarrow leftarrow Rightarrow Leftarrow implies iff odot otimes oplus circ"
    " cap cup wedge vee mid parallel ll gg prec succ preceq succeq".split()
)
# Operands: what an operator may stand between.
_OPERAND = frozenset(("letter", "latin", "greek", "ident", "number", "cmd", "brace", "group", "bar", "dots", "star"))
_VARIABLE = frozenset(("letter", "greek", "ident", "cmd"))
_LEADING_SIGNS = frozenset("-+±∓")
_ROMAN = re.compile(r"[ivx]{1,4}")
# A differential after an integral: `\\int x p(x) dx`.
_DIFFERENTIAL = re.compile(r"d[A-Za-z]")
_INTEGRALS = frozenset(("\\int", "\\iint", "\\iiint", "\\oint", "∫"))
_LETTER_BEFORE_OK = re.compile(r"(?:^|[\s(\[«\"'„“])$")
_LETTER_AFTER_OK = re.compile(r"^(?:$|[\s)\]»\"',;:?!”]|-(?=[\u0400-\u04ff])|\.(?:\s|$))")


@dataclass(slots=True)
class _Item:
    """A token, or a pair of brackets taken whole, at one level of a cell."""

    kind: str
    first: int  #: index of its first token
    last: int  #: index of its last token
    math: bool = True
    signal: bool = False  #: a sign of math inside (a group's content)
    letters: bool = False  #: a variable inside (a group's content)


class _Cell:
    """The tokens between two hard ones: brackets are paired here, words judged, formulas cut."""

    def __init__(self, text: str, toks: list[Token], lo: int, hi: int) -> None:
        self.text = text
        self.toks = toks
        self.pairs = self._pair(lo, hi)
        self.closes = set(self.pairs.values())
        self.items = self._level(lo, hi, nested=False)

    def _pair(self, lo: int, hi: int) -> dict[int, int]:
        """Brackets paired inside out; `[0, 1)` pairs too (an interval)."""
        pairs: dict[int, int] = {}
        stack: list[int] = []
        for k in range(lo, hi):
            kind = self.toks[k].kind
            if kind == "open":
                stack.append(k)
            elif kind == "close" and stack:
                pairs[stack.pop()] = k
        return pairs

    def _level(self, lo: int, hi: int, nested: bool) -> list[_Item]:
        items: list[_Item] = []
        k = lo
        while k < hi:
            tok = self.toks[k]
            if tok.kind == "open" and k in self.pairs:
                close = self.pairs[k]
                if self._label(k, close):
                    items.append(_Item("label", k, close, math=False))  # "(a) x > 0, (b) x < 0"
                    k = close + 1
                    continue
                inner = self._level(k + 1, close, nested=True)
                if inner and all(it.math for it in inner):
                    signal = any(it.signal or self._signal_at(inner, i) for i, it in enumerate(inner))
                    letters = any(it.letters or it.kind in _VARIABLE for it in inner)
                    items.append(_Item("group", k, close, signal=signal, letters=letters))
                else:  # prose in brackets: its formulas are found on their own, `;` and `:` part them
                    items.append(_Item("open", k, k, math=False))
                    for it in inner:
                        it.math = it.math and it.kind != "semi"
                    items.extend(inner)
                    items.append(_Item("close", close, close, math=False))
                k = close + 1
                continue
            item = _Item(tok.kind, k, k)
            if tok.kind == "cmd" and tok.text[1:] in _OPERATOR_COMMANDS:
                item.kind = "opcmd"
            elif tok.kind in ("open", "close"):
                item.math = False  # unpaired
            elif tok.kind == "bar" and not nested:
                item.math = not (self._spaced(k, -1) and self._spaced(k, +1))  # a table's column bar
            items.append(item)
            k += 1
        for i, item in enumerate(items):
            if item.kind == "latin":
                item.math = self._word_is_math(items, i)
            elif item.kind == "semi" and not nested:
                item.math = self._colon_is_math(items, i)
        return items

    def _label(self, open_: int, close: int) -> bool:
        """`(a)`, `(ii)` before a space, at the start or after a comma: an enumeration's label, not math."""
        toks = self.toks
        inner = toks[open_ + 1 : close]
        if len(inner) != 1 or not (inner[0].kind == "letter" or _ROMAN.fullmatch(inner[0].text)):
            return False
        if close + 1 < len(toks) and toks[close + 1].kind != "space":
            return False
        j = open_ - 1
        while j >= 0 and toks[j].kind == "space":
            j -= 1
        return j < 0 or toks[j].kind in HARD or toks[j].kind in ("comma", "semi")

    def _function(self, item: _Item) -> bool:
        return self.toks[item.first].text.split("_")[0] in FUNCTION_NAMES

    def _spaced(self, k: int, step: int) -> bool:
        j = k + step
        return not (0 <= j < len(self.toks)) or self.toks[j].kind in ("space", "newline")

    @staticmethod
    def _neighbour(items: list[_Item], i: int, step: int) -> _Item | None:
        """The next item that is not a space."""
        j = i + step
        while 0 <= j < len(items) and items[j].kind == "space":
            j += step
        return items[j] if 0 <= j < len(items) else None

    @staticmethod
    def _attached(items: list[_Item], i: int, step: int) -> _Item | None:
        j = i + step
        return items[j] if 0 <= j < len(items) else None

    def _word_is_math(self, items: list[_Item], i: int) -> bool:
        """A Latin word is English unless it is a function name, applied, or an operand of operators."""
        word = self.toks[items[i].first].text
        after, before = self._attached(items, i, +1), self._attached(items, i, -1)
        if self._function(items[i]):  # log, softmax_j
            return True
        if after is not None and after.kind == "group":
            return True  # softmax(z), PL(U + V), sg[x]
        if _DIFFERENTIAL.fullmatch(word) and any(self.toks[it.first].text in _INTEGRALS for it in items[:i]):
            return True  # \\int x p(x) dx
        if any(it is not None and it.kind in ("op", "rel", "script") for it in (before, after)):
            return True  # HW/P^2, Wu+b
        prev, nxt = self._neighbour(items, i, -1), self._neighbour(items, i, +1)
        if _is_operator(prev):
            return _is_operator(nxt) or nxt is None or nxt.kind == "comma"
        return _is_operator(nxt) and (prev is None or prev.kind == "comma")

    def _colon_is_math(self, items: list[_Item], i: int) -> bool:
        """`f: X \\to Y`: a colon right after a variable and before more math; elsewhere prose."""
        before, nxt = self._attached(items, i, -1), self._neighbour(items, i, +1)
        if self.toks[items[i].first].text != ":" or before is None or before.kind not in _VARIABLE:
            return False
        return nxt is not None and nxt.kind in ("letter", "greek", "ident", "cmd", "group", "brace")

    def _signal_at(self, items: list[_Item], i: int) -> bool:
        """Whether items[i] is a sign of math among its neighbours."""
        item = items[i]
        kind = item.kind
        if kind in ("cmd", "opcmd", "ident", "prime", "bang"):
            return True
        if kind == "latin" and self._function(item):
            nxt = self._neighbour(items, i, +1)
            return "_" in self.toks[item.first].text or (nxt is not None and nxt.kind in _VARIABLE)  # log_2, log n
        if kind == "script":
            before = self._neighbour(items, i, -1)  # TeX reads `x ^2` as `x^2`
            return before is not None and before.kind not in ("op", "rel", "opcmd", "comma", "semi")
        if kind == "group":
            before = self._attached(items, i, -1)
            applied = before is not None and before.kind in ("letter", "greek", "latin", "ident")
            named = applied and before is not None and (before.kind in ("letter", "greek") or self._function(before))
            return item.signal or (applied and item.letters) or named  # f(x), E[X], N(0, 1)
        if kind == "bar":
            closing = next((j for j in range(i + 1, len(items)) if items[j].kind == "bar"), -1)
            return closing > 0 and any(it.kind in _VARIABLE or it.letters for it in items[i + 1 : closing])  # |x|
        if kind == "rel":
            return any(it.kind in _VARIABLE or it.letters for it in items if it.math)
        if kind == "op" and self.toks[item.first].text != "/":
            prev, nxt = self._neighbour(items, i, -1), self._neighbour(items, i, +1)
            after = self._attached(items, i, +1)
            if (
                self.toks[item.first].text in _LEADING_SIGNS
                and (prev is None or prev.kind in ("comma", "rel", "semi"))
                and after is not None
                and after.kind in _VARIABLE
            ):
                return True  # -x, [-B, B]
            sides = [it for it in (prev, nxt) if it is not None]
            return (
                len(sides) == 2
                and all(it.kind in _OPERAND for it in sides)
                and any(it.kind in _VARIABLE for it in sides)
            )
        return False

    def formulas(self) -> list[MathSpan]:
        spans: list[MathSpan] = []
        items = self.items
        i = 0
        while i < len(items):
            if not items[i].math:
                i += 1
                continue
            j = i
            while j < len(items) and items[j].math:
                j += 1
            spans.extend(self._extent(items[i:j]))
            i = j
        return spans

    def _extent(self, run: list[_Item]) -> list[MathSpan]:
        """A run of math items: one formula, its lone letters, or nothing when it reads as unfinished."""
        toks = self.toks

        def edge(it: _Item) -> bool:
            return it.kind in ("space", "comma", "semi") or (it.kind == "op" and toks[it.first].text == "*")

        a, b = 0, len(run)
        while a < b and edge(run[a]):
            a += 1
        while a < b and edge(run[b - 1]):
            b -= 1
        run = run[a:b]
        if not run:
            return []
        first, last = run[0], run[-1]
        named_symbol = len(run) == 1 and first.kind == "opcmd"  # "а \\odot обозначает"
        if not named_symbol and (
            _is_operator(last) or first.kind in ("rel", "opcmd", "script") or last.kind == "script"
        ):
            return []  # an expression that goes on into prose: leave it all as text
        if first.kind == "op" and not (
            toks[first.first].text in _LEADING_SIGNS and len(run) > 1 and run[1].kind != "space"
        ):
            return []
        if sum(it.kind == "bar" for it in run) % 2 or self._double_script(run):
            return []  # an unpaired |, or `x_i _t`: two formulas side by side more likely than one
        if any(self._signal_at(run, i) for i in range(len(run))):
            start, end = toks[first.first].start, toks[last.last].end
            return [
                MathSpan(start, end, spell(self.toks, first.first, last.last + 1, self.pairs), start, False, "bare")
            ]
        if any(it.kind in ("op", "rel", "bar", "semi", "script") for it in run):
            return []
        return [s for it in run if it.kind == "letter" and (s := self._letter(it.first)) is not None]

    def _double_script(self, run: list[_Item]) -> bool:
        """Whether a base gets a second subscript or superscript (`x_i _t`, `d^2^2`), which TeX refuses."""
        used: set[str] = set()
        i = 0
        while i < len(run):
            item = run[i]
            if item.kind == "space":
                i += 1
                continue
            script = self.toks[item.first].text if item.kind == "script" else ""
            if script:
                if script in used:
                    return True
                used.add(script)
                argument = self._neighbour(run, i, +1)
                i = run.index(argument) + 1 if argument is not None else len(run)
                continue
            used = {"_"} if item.kind == "ident" else set()  # x_i carries its subscript
            i += 1
        return False

    def _letter(self, k: int) -> MathSpan | None:
        tok, text = self.toks[k], self.text
        if k + 1 < len(self.toks) and self.toks[k + 1].kind == "close" and k + 1 not in self.closes:
            return None  # "a) ..., b) ...": an enumeration's label
        if not _LETTER_BEFORE_OK.search(text[max(0, tok.start - 1) : tok.start]):
            return None
        if not _LETTER_AFTER_OK.match(text[tok.end : tok.end + 2]):
            return None
        if _english_beside(self.toks, k, -1) or _english_beside(self.toks, k, +1):
            return None
        return MathSpan(tok.start, tok.end, tok.text, tok.start, False, "letter")


def _is_operator(item: _Item | None) -> bool:
    return item is not None and item.kind in ("op", "rel", "opcmd")


def _english_beside(toks: list[Token], k: int, step: int) -> bool:
    j = k + step
    while 0 <= j < len(toks):
        kind = toks[j].kind
        if kind in ("latin", "letter", "cyr", "word", "number", "cmd", "code", "ident"):
            return kind == "latin"
        if kind == "stop":
            return False
        j += step
    return False


def bare_math(text: str, start: int, end: int, walker: Walker) -> list[MathSpan]:
    """The bare formulas and lone-letter variables of text[start:end], in order."""
    if not MAY_HOLD_MATH.search(text, start, end):
        return []
    toks = tokens(text, start, end, walker)
    spans: list[MathSpan] = []
    lo, worth = 0, False  # worth: the cell has a token that may be math (not only spaces, numbers, commas)
    for k, tok in enumerate(toks):
        if tok.kind in HARD:
            if worth:
                spans.extend(_Cell(text, toks, lo, k).formulas())
            lo, worth = k + 1, False
        elif not worth and tok.kind not in _DULL:
            worth = True
    if worth:
        spans.extend(_Cell(text, toks, lo, len(toks)).formulas())
    return spans
