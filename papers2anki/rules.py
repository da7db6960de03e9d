"""Every rule `check` and `build` report: its name (the `[rule]` at the end of a problem's line), its
severity and what it means, in one list. The README's table of rules is this list
(`tests/test_rule_table.py` holds the two together; `python -m papers2anki.rules` prints the table).
"""

from __future__ import annotations

from typing import NamedTuple


class Rule(NamedTuple):
    """One kind of problem in the lists."""

    name: str  #: the `[rule]` of its problems, e.g. "unbalanced-dollar"
    severity: str  #: "error" (the paper is held back) or "warning"
    meaning: str  #: one line of Markdown: what it finds, and what to do


RULES: tuple[Rule, ...] = (
    # reading the files
    Rule("encoding", "error", "a file in none of the encodings below; give it with `--encoding`"),
    Rule("unreadable", "error", "a file that cannot be read (no permission, or gone while reading)"),
    Rule(
        "binary-file",
        "warning",
        "a PDF, archive or other binary file in the sources folder (skipped; image files are left to the lists "
        "that show them)",
    ),
    Rule("control-character", "warning", "an invisible control character (read as a space)"),
    Rule("unclosed-comment", "warning", "an HTML comment `<!--` never closed (read as text)"),
    # papers, questions, reviews
    Rule(
        "no-title",
        "warning",
        "a list of questions with no paper title before it (named by the front matter or the file)",
    ),
    Rule("no-questions", "warning", "a title with no questions after it (left out)"),
    Rule("stray-text", "warning", "text that is no title, question, answer, review or scaffolding (left out)"),
    Rule("empty-question", "error", "a number with nothing after it, or only punctuation"),
    Rule("duplicate-question", "error", "the same question twice in one paper"),
    Rule("numbering", "warning", "numbering that skips or repeats"),
    Rule("merged-title", "warning", "titles differing only in case or punctuation, across files: one paper"),
    Rule("duplicate-review", "warning", "a second review of the same paper (the first is kept)"),
    # images
    Rule("missing-image", "warning", "an image a list shows that does not exist (the card shows its alt text)"),
    Rule(
        "not-an-image",
        "warning",
        "an image a list shows that is no PNG/JPEG/GIF/WebP/SVG file (the card shows its alt text)",
    ),
    Rule("image-outside", "warning", "an image that lies outside the sources folder (the card shows its alt text)"),
    # formulas
    Rule("unbalanced-dollar", "error", "a `$` or `$$` never closed (write `\\$` for a dollar sign)"),
    Rule("unbalanced-delimiter", "error", "a `\\(` or `\\[` never closed"),
    Rule("unbalanced-environment", "error", "a `\\begin{..}` never closed"),
    Rule("latex-syntax", "error", "a formula that does not parse"),
    Rule("unknown-macro", "error", "a macro Anki's MathJax lacks (`\\foo`)"),
    Rule("unknown-environment", "error", "an environment Anki's MathJax lacks (`\\begin{foo}`)"),
    Rule("unbalanced-left-right", "error", "a `\\left` without its `\\right`, or a `\\right` without its `\\left`"),
    Rule("double-script", "error", "a second subscript or superscript on one base (`a_b_c`, `x^2^3`): write `a_{b_c}`"),
    Rule("dangling-script", "error", "a `_` or `^` at the end of a formula, with nothing to attach (`x^`)"),
    Rule("nested-math", "error", "math delimiters inside a formula (`$\\(x\\)$`)"),
    Rule("misplaced-hash", "error", "a `#` in a formula (write `\\#`)"),
    Rule("misplaced-ampersand", "error", "a `&` outside an environment such as `aligned` (write `\\&`)"),
)

BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def markdown_table() -> str:
    """The README's table of rules: one row per rule, in the order of `RULES`."""
    rows = ["| rule | severity | what |", "|---|---|---|"]
    rows += [f"| `{rule.name}` | {rule.severity} | {rule.meaning} |" for rule in RULES]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
