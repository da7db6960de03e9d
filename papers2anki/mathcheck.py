"""Stage 3, validating: will a formula typeset in Anki's MathJax?

pylatexenc parses each formula; what it reports as a parse error, what Anki's MathJax does not
define (the lists in `data/mathjax_tex.json`, generated from MathJax 3.2.2's own sources by
`tools/mathjax/gen_tex_data.mjs`), unbalanced `\\left`/`\\right` and stray `&`, `#` or dangling
`_`/`^` are reported with their offset in the formula. Results are cached per formula text:
lists repeat their notation.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from pylatexenc import latexwalker as lw

from .latex import LATEX_CONTEXT, TextProblem

_ALIGN_ENVS_HINT = ("&",)


@lru_cache(maxsize=1)
def mathjax_names() -> tuple[frozenset[str], frozenset[str]]:
    """(macros, environments) that Anki's MathJax defines."""
    data = json.loads(resources.files("papers2anki").joinpath("data/mathjax_tex.json").read_text("utf-8"))
    return frozenset(data["macros"]), frozenset(data["environments"])


def _double_scripts(nodes: list[lw.LatexNode | None], out: list[TextProblem]) -> None:
    """`a_b_c`, `x^2^3`, `x_i _t`: a second sub- or superscript on one base, which MathJax refuses."""
    atoms: list[tuple[str | lw.LatexNode, int]] = []
    for node in nodes:
        if isinstance(node, lw.LatexCharsNode):
            atoms.extend((ch, node.pos + i) for i, ch in enumerate(node.chars) if not ch.isspace())
        elif node is not None and not isinstance(node, lw.LatexCommentNode):
            atoms.append((node, node.pos))
    used: set[str] = set()
    i = 0
    while i < len(atoms):
        atom, pos = atoms[i]
        if isinstance(atom, str) and atom in ("_", "^"):
            if atom in used:
                which = "subscript" if atom == "_" else "superscript"
                out.append(TextProblem(pos, "error", f"a second {which} on one base: use braces", "double-script"))
            used.add(atom)
            i += 2  # the script and its argument
            continue
        if not (isinstance(atom, str) and atom == "'"):  # a prime is a superscript of its own base's, as in TeX
            used = set()
        i += 1


def _walk(nodes: list[lw.LatexNode | None], in_env: bool, out: list[TextProblem], depth: list[int]) -> None:
    macros, envs = mathjax_names()
    _double_scripts(nodes, out)
    for node in nodes:
        if node is None:
            continue
        if isinstance(node, lw.LatexMacroNode):
            name = node.macroname
            if name not in macros:
                out.append(
                    TextProblem(node.pos, "error", f"\\{name} is not defined in Anki's MathJax", "unknown-macro")
                )
            if name == "left":
                depth[0] += 1
            elif name == "right":
                depth[0] -= 1
                if depth[0] < 0:
                    out.append(TextProblem(node.pos, "error", "\\right without a \\left", "unbalanced-left-right"))
                    depth[0] = 0
            if node.nodeargd is not None:
                _walk(list(node.nodeargd.argnlist or []), in_env, out, depth)
        elif isinstance(node, lw.LatexEnvironmentNode):
            if node.environmentname not in envs:
                out.append(
                    TextProblem(
                        node.pos,
                        "error",
                        f"environment '{node.environmentname}' is not defined in Anki's MathJax",
                        "unknown-environment",
                    )
                )
            _walk(list(node.nodelist), True, out, [0])
        elif isinstance(node, lw.LatexGroupNode):
            _walk(list(node.nodelist), in_env, out, depth)
        elif isinstance(node, lw.LatexSpecialsNode):
            if node.specials_chars == "&" and not in_env:
                out.append(
                    TextProblem(node.pos, "error", "'&' outside an environment such as aligned", "misplaced-ampersand")
                )
        elif isinstance(node, lw.LatexCharsNode):
            text = node.chars
            if "#" in text:
                out.append(
                    TextProblem(
                        node.pos + text.index("#"), "error", "'#' cannot be used in a formula", "misplaced-hash"
                    )
                )
            stripped = text.rstrip()
            if stripped.endswith(("_", "^")) and node is nodes[-1] and node is not None:
                out.append(
                    TextProblem(
                        node.pos + len(stripped) - 1,
                        "error",
                        f"'{stripped[-1]}' has nothing to attach",
                        "dangling-script",
                    )
                )
        elif isinstance(node, lw.LatexMathNode):
            out.append(TextProblem(node.pos, "error", "math delimiters inside a formula", "nested-math"))


@lru_cache(maxsize=65536)
def check_formula(tex: str) -> tuple[TextProblem, ...]:
    """Problems of one formula, offsets relative to `tex`; empty when it will typeset."""
    try:
        nodes, _, _ = lw.LatexWalker(tex, tolerant_parsing=False, latex_context=LATEX_CONTEXT).get_latex_nodes()
    except lw.LatexWalkerParseError as exc:
        pos = exc.pos if isinstance(exc.pos, int) else 0
        message = str(exc.msg).strip() if getattr(exc, "msg", None) else str(exc).split("@")[0].strip()
        return (
            TextProblem(min(pos, max(len(tex) - 1, 0)), "error", f"LaTeX does not parse: {message}", "latex-syntax"),
        )
    except lw.LatexWalkerError as exc:
        return (TextProblem(0, "error", f"LaTeX does not parse: {exc}", "latex-syntax"),)
    out: list[TextProblem] = []
    depth = [0]
    _walk(list(nodes), False, out, depth)
    if depth[0] > 0:
        out.append(TextProblem(0, "error", "\\left without a matching \\right", "unbalanced-left-right"))
    return tuple(out)
