"""Stage 3, reading prose for math: the tokens of a stretch of text, as the bare-math finder sees them.

`tokens(text, start, end, walker)` splits prose into `Token`s of a kind each: commands and brace
groups whole (pylatexenc reads them), letters, Latin words, identifiers (`x_i` a formula's, `batch_size`
code), numbers, scripts, brackets, relations and operators, and the prose that ends every formula
(`HARD`: Russian words with the punctuation between them, sentence punctuation, line breaks, HTML
tags, list and quote marks, hyphens in words, a dash beside a Russian word, `%`, `&`, ...).
`bare.py` reads the tokens into formulas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pylatexenc.latexwalker import LatexWalker, LatexWalkerError, get_default_latex_context_db

# Built once: pylatexenc otherwise rebuilds its macro database for every walker.
LATEX_CONTEXT = get_default_latex_context_db()

_HTML_TAGS = (
    "a|abbr|b|big|blockquote|br|center|code|del|details|div|em|font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre"
    "|q|s|samp|small|span|strike|strong|sub|summary|sup|table|tbody|td|th|thead|tr|tt|u|ul|var"
)
_TOKEN = re.compile(
    r"(?P<space>[ \t\u00a0]+)"
    r"|(?P<newline>\s+)"
    rf"|(?P<html></?(?:{_HTML_TAGS})(?:\s[^<>]*)?/?>|<!--|-->|&(?:[A-Za-z]+|#\d+);)"
    # code: a dotted name, with the call that follows it (`x.view(B, -1)`, `torch.nn.Linear(d, k)`, `e.g`)
    r"|(?P<code>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?:\([^()\n]*\))?)"
    r"|(?P<ident>[A-Za-z\u0370-\u03ff][A-Za-z0-9\u0370-\u03ff]*(?:_[A-Za-z0-9]+)+(?![A-Za-z0-9_{\u0370-\u03ff]))"
    r"|(?P<latin>[A-Za-z]+)"
    r"|(?P<greek>[\u0370-\u03ff])"
    # Russian words with the spaces and punctuation between them: prose, one token (most of a list is this)
    r"|(?P<cyr>[\u0400-\u04ff]+(?:(?:[ \t\u00a0,.;:!?«»\"“”„—–…]+|-)[\u0400-\u04ff]+)*)"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<number>\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?)"
    r"|(?P<script>[_^])"
    r"|(?P<open>[(\[])"
    r"|(?P<close>[)\]])"
    r"|(?P<bar>\|)"
    r"|(?P<rel>!=|:=|==|<=|>=|<->|->|=>|<-|[=<>≤≥≠≈≡∼~∝∈∉⊂⊆⊃⊇→←↦⇒⇔])"
    r"|(?P<op>[-+*/·×±∓∘⊙⊗∩∪])"
    r"|(?P<symbol>[∑∏∫√∇∂∀∃])"  # a command written as its sign
    r"|(?P<constant>[∞ℝℕℤℚℂ])"  # a variable-like sign
    r"|(?P<dots>\.\.\.|…)"
    r"|(?P<comma>,)"
    r"|(?P<semi>[;:])"
    r"|(?P<prime>')"
    r"|(?P<bang>!)"
    r"|(?P<stop>[?\"«»“”„—–]|\.)"
    r"|(?P<other>.)",
    re.S,
)
# A stretch of prose with none of these has no formula: no letter to be a variable, no command.
MAY_HOLD_MATH = re.compile(r"[A-Za-z\\{\u0370-\u03ff]")
# Kinds that end every formula.
HARD = frozenset(("marker", "newline", "html", "cyr", "word", "stop", "other", "code", "hyphen", "dash", "cellbar"))
_COMMAND_NAME = re.compile(r"\\(?:[A-Za-z]+|.)", re.S)
# Escapes that mean a literal character in prose, not math.
_TEXT_ESCAPES = frozenset("$%&#_")
# Cyrillic may stand in a formula inside \text{..} and its kin.
TEXT_GROUP = re.compile(r"\\(?:text\w*|mbox|mathrm|operatorname)\s*\{[^{}]*\}")
_TEXT_COMMAND = re.compile(r"\\(?:text\w*|mbox)\b")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Latin words that are math wherever they stand: function names.
FUNCTION_NAMES = frozenset(
    "log ln lg exp sin cos tan tanh sinh cosh sigmoid softmax softplus max min argmax argmin sup inf lim det tr"
    " diag rank dim sign sgn mod gcd Var Cov KL ReLU GELU".split()
)
# Function names written with a one-character subscript: log_2, argmax_a, softmax_j (ReLU_6 is code).
_SUBSCRIPTED_FUNCTIONS = frozenset("log lg ln max min argmax argmin sup inf lim softmax".split())
# Greek letters spelled out (`alpha_t`, `theta = 0`): variables, typeset as `\\alpha`, `\\theta`.
GREEK_NAMES = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho sigma"
    " tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)
# Commands of prose, not math: a citation or a reference stays text (and is no error).
_PROSE_COMMANDS = frozenset(
    "cite citep citet ref eqref autoref label url href footnote emph textbf textit texttt section subsection"
    " item".split()
)
# What a prime or a factorial may follow: f'(x), x', n!, (n+1)!
_PRIME_BASE = frozenset(("letter", "greek", "ident", "close", "brace", "cmd", "prime"))
_BANG_BASE = frozenset(("letter", "greek", "ident", "close", "number"))
# What `x` standing between two of these, spaced, multiplies: `N x N`, `d_model x d_ff`.
_FACTOR = frozenset(("letter", "number", "ident", "close"))


@dataclass(slots=True)
class Token:
    kind: str
    start: int
    end: int
    text: str


class Walker:
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


def _braces_balance(chunk: str) -> bool:
    depth = 0
    k = 0
    while k < len(chunk):
        ch = chunk[k]
        if ch == "\\":
            k += 2
            continue
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return False
        k += 1
    return depth == 0


def _latex_token(text: str, pos: int, end: int, walker: Walker) -> Token:
    """The command or brace group at `pos`, whole; its kind says whether it is prose."""
    ch = text[pos]
    if ch == "\\" and pos + 1 < end and text[pos + 1] in _TEXT_ESCAPES:
        return Token("stop", pos, pos + 2, text[pos : pos + 2])
    name = _COMMAND_NAME.match(text, pos, end) if ch == "\\" else None
    name_end = name.end() if name else pos + 1
    node_end = min(max(walker.node_end(pos), name_end), end)
    if name is not None and name_end < end and text[name_end].isalpha():
        node_end = name_end  # `\\thetaгде`: pylatexenc reads one name, TeX (and MathJax) `\\theta` and a word
    chunk = text[pos:node_end].rstrip() or text[pos:name_end]  # pylatexenc counts the space after a macro
    if "\n" in chunk or not _braces_balance(chunk) or chunk in ("\\begin", "\\end"):
        # a group that spans lines, an unbalanced brace, an environment's lone end: text, not half a formula
        return Token("other", pos, name_end, text[pos:name_end])
    if name is not None and name.group()[1:] in _PROSE_COMMANDS:
        return Token("other", pos, pos + len(chunk), chunk)  # \cite{..}: prose
    node_end = pos + len(chunk)
    if CYRILLIC.search(TEXT_GROUP.sub("", chunk)):
        kind = "cyr"  # {слово}: prose, not a formula of ours
    elif _TEXT_COMMAND.match(chunk) and CYRILLIC.search(chunk):
        kind = "textcmd"  # \text{ошибка}: may stand in a formula, is none on its own
    else:
        kind = "cmd" if ch == "\\" else "brace"
    return Token(kind, pos, node_end, chunk)


def tokens(text: str, start: int, end: int, walker: Walker) -> list[Token]:
    toks: list[Token] = []
    pos = start
    while pos < end:
        if text[pos] in "\\{":
            tok = _latex_token(text, pos, end, walker)
        else:
            m = _TOKEN.match(text, pos, end)
            assert m is not None and m.lastgroup is not None
            tok = Token(m.lastgroup, pos, m.end(), m.group())
        toks.append(tok)
        pos = tok.end
    _name_dashes(toks)
    for tok in toks:
        if tok.kind not in ("op", "rel", "bar"):
            continue
        line_start = text.rfind("\n", 0, tok.start) + 1
        if tok.kind == "bar":
            if text[line_start:end].lstrip().startswith("|"):
                tok.kind = "cellbar"  # a table's row: its bars part cells (a `|` in a cell is written `\\|`)
        elif tok.text in "-+>" and not text[line_start : tok.start].strip():
            if tok.end == len(text) or text[tok.end] in " \t":
                tok.kind = "marker"  # "- x_i", "> x_i": a list item's or a quote's mark, not math
    return toks


def is_word(tok: Token | None) -> bool:
    return tok is not None and (tok.kind in ("cyr", "word", "code") or (tok.kind == "latin" and len(tok.text) > 1))


def _name_dashes(toks: list[Token]) -> None:
    """Identifiers become formulas or code, spelled-out Greek letters variables, a spaced `x` between two
    factors a product; a `-` joining words is a hyphen, one spaced beside Russian a dash."""
    for k, tok in enumerate(toks):
        if tok.kind == "ident":
            base, *parts = tok.text.split("_")
            if len(base) > 1 and base not in GREEK_NAMES:
                if len(parts) == 1 and len(parts[0]) == 1 and (base in _SUBSCRIPTED_FUNCTIONS or len(base) == 2):
                    tok.kind = "latin"  # log_2, softmax_j; xW_1 is math only among operators, as a word
                else:
                    tok.kind = "code"  # batch_size, max_len, ResNet_50
            elif len(parts) > 1:
                tok.kind = "code"  # d_model_dim, x_i_j
        elif tok.kind == "latin":
            if len(tok.text) == 1:
                tok.kind = "letter"
            elif tok.text in GREEK_NAMES:
                tok.kind = "greek"
        elif tok.kind in ("symbol", "constant"):
            tok.kind = "cmd" if tok.kind == "symbol" else "greek"
        elif tok.kind in ("prime", "bang"):
            before = toks[k - 1] if k else None
            if before is None or before.kind not in (_PRIME_BASE if tok.kind == "prime" else _BANG_BASE):
                tok.kind = "stop"  # 'attention', Bayes' theorem, "Внимание!"
            elif tok.kind == "bang" and _ends_sentence(toks, k + 1):
                tok.kind = "stop"  # "равно x!" is an exclamation, "n! перестановок" a factorial
    for k, tok in enumerate(toks):
        if tok.kind == "letter" and tok.text == "x" and _between_factors(toks, k):
            tok.kind = "op"  # `N x N`: times
        elif tok.kind == "op" and tok.text == "*" and k and toks[k - 1].kind == "script":
            tok.kind = "star"  # x^*: the script's argument
        if tok.kind != "op" or tok.text != "-":
            continue
        before = toks[k - 1] if k else None
        after = toks[k + 1] if k + 1 < len(toks) else None
        if (_hyphenates(before) or _hyphenates(after)) and (_touches(before) or _touches(after)):
            tok.kind = "hyphen"  # "max-norm", "L_2-норма", "x_i-й": joined to a word, not spaced from both sides
        if tok.kind == "op" and (after is None or after.kind in ("space", "newline")):
            if _near(toks, k, -1, "cyr") or _near(toks, k, +1, "cyr"):
                tok.kind = "dash"  # "x - вход": a dash between a variable and its meaning


def _hyphenates(tok: Token | None) -> bool:
    """A word a `-` beside it joins (`max-norm`, `L_2-норма`); `-log p` is a minus before a function."""
    return is_word(tok) and not (tok is not None and tok.kind == "latin" and tok.text in FUNCTION_NAMES)


def _touches(tok: Token | None) -> bool:
    """Whether a token stands right beside the one before or after it (no space, no line break between)."""
    return tok is not None and tok.kind not in ("space", "newline")


def _between_factors(toks: list[Token], k: int) -> bool:
    if not (0 < k < len(toks) - 1 and toks[k - 1].kind == "space" and toks[k + 1].kind == "space"):
        return False
    before, after = toks[k - 2] if k > 1 else None, toks[k + 2] if k + 2 < len(toks) else None
    return before is not None and after is not None and before.kind in _FACTOR and after.kind in _FACTOR


def _ends_sentence(toks: list[Token], k: int) -> bool:
    """Whether a sentence may end before toks[k]: at the end, a line break, or a space and a capital."""
    if k >= len(toks) or toks[k].kind == "newline":
        return True
    return toks[k].kind == "space" and (k + 1 >= len(toks) or toks[k + 1].text[:1].isupper())


def _near(toks: list[Token], k: int, step: int, kind: str) -> bool:
    j = k + step
    while 0 <= j < len(toks) and toks[j].kind == "space":
        j += step
    return 0 <= j < len(toks) and toks[j].kind == kind
