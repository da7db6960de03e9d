"""Stage 3, spelling a bare formula in TeX: what it says in prose, as TeX means it.

`spell(tokens, lo, hi, pairs)` gives the TeX of the formula `bare` found in tokens [lo, hi) (`pairs`:
its brackets' pairs): a bare subscript of several characters braced, a function's name upright, a Greek
letter spelled out as its command, ASCII relations as TeX's, braces that hold a set escaped.
"""

from __future__ import annotations

import re

from .prose import FUNCTION_NAMES, GREEK_NAMES, Token

# Function names that MathJax sets upright as commands of its own; other names take \\operatorname.
_NAMED_FUNCTIONS = frozenset("log ln lg exp sin cos tan tanh sinh cosh max min sup inf lim det dim gcd".split())
# A one-letter (or Greek) base and a bare subscript of several letters or digits, not inside a name.
_LONG_SUBSCRIPT = re.compile(
    r"((?<![A-Za-z0-9\\\u0370-\u03ff])[A-Za-z\u0370-\u03ff]|\\[A-Za-z]+)_([A-Za-z0-9]{2,})(?![A-Za-z0-9_{\u0370-\u03ff])"
)
_FUNCTION_WORD = re.compile(r"([A-Za-z]{2,})(?=_|$)")
# ASCII spellings of relations, as TeX writes them.
_RELATIONS_TEX = {
    "!=": "\\ne",
    "<=": "\\le",
    ">=": "\\ge",
    "->": "\\to",
    "=>": "\\Rightarrow",
    "<-": "\\leftarrow",
    "<->": "\\leftrightarrow",
    "~": "\\sim",
    "x": "\\times",
}


def spell(toks: list[Token], lo: int, hi: int, pairs: dict[int, int]) -> str:
    """The formula as written, made to mean in TeX what it says in prose. Offsets of problems inside
    it may shift by what was added:
    - a bare subscript of several characters braced: `d_model` -> `d_{model}`, `\\theta_old` ->
      `\\theta_{old}`; a script over brackets or a sign braced: `x^(i)` -> `x^{(i)}`, `x^-1` -> `x^{-1}`;
    - a function's name upright: `log` -> `\\log`, `softmax(z)` -> `\\operatorname{softmax}(z)` (a name of
      two letters applied, `PL(U)`, is a product and stays);
    - a Greek letter spelled out as its command: `theta` -> `\\theta`, `alpha_t` -> `\\alpha_t`;
    - ASCII relations as TeX's: `~` -> `\\sim`, `!=` -> `\\ne`, `<=` -> `\\le`, `->` -> `\\to`;
      `N x N` -> `N \\times N`;
    - braces that hold a set: `{0, 1}` -> `\\{0, 1\\}`."""
    parts: list[str] = []
    k = lo
    while k < hi:
        tok = toks[k]
        after = toks[k + 1] if k + 1 < hi else None
        word = _FUNCTION_WORD.match(tok.text) if tok.kind in ("latin", "ident") else None
        if word and (
            word.group(1) in FUNCTION_NAMES
            or (tok.kind == "latin" and after is not None and after.text == "(" and len(tok.text) > 2)
        ):
            name = word.group(1)
            command = f"\\{name}" if name in _NAMED_FUNCTIONS else f"\\operatorname{{{name}}}"
            parts.append(command + tok.text[len(name) :])
        elif tok.kind == "greek" and tok.text in GREEK_NAMES:
            parts.append(_command(f"\\{tok.text}", after))
        elif tok.kind == "ident":
            base, sub = tok.text.split("_")
            base = f"\\{base}" if base in GREEK_NAMES else base
            sub = f"{{\\{sub}}}" if sub in GREEK_NAMES else f"{{{sub}}}" if len(sub) > 1 else sub
            parts.append(f"{base}_{sub}")
        elif (tok.kind == "rel" or (tok.kind == "op" and tok.text == "x")) and tok.text in _RELATIONS_TEX:
            parts.append(_command(_RELATIONS_TEX[tok.text], after))
        elif (
            tok.kind == "script" and after is not None and (after.kind == "open" or (after.text in "-+" and k + 2 < hi))
        ):
            close = pairs.get(k + 1, k + 2) if after.kind == "open" else k + 2  # x^(i), x^-1
            parts.append(tok.text + "{" + spell(toks, k + 1, close + 1, pairs) + "}")
            k = close + 1
            continue
        elif tok.kind == "brace" and (k == lo or toks[k - 1].kind not in ("script", "cmd")):
            parts.append("\\{" + tok.text[1:-1] + "\\}")  # x \\in {0, 1}: a set
        else:
            parts.append(tok.text.replace("~", "\\sim ") if "~" in tok.text and "\\~" not in tok.text else tok.text)
        k += 1
    return _LONG_SUBSCRIPT.sub(r"\1_{\2}", "".join(parts))


def _command(command: str, after: Token | None) -> str:
    """A command, spaced from a letter that follows it: `\\to y`, not `\\toy`."""
    return command + " " if after is not None and after.text[:1].isalpha() else command
