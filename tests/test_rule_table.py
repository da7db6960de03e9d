"""The rules `check` reports are one list in the code (papers2anki/rules.py): each is reported, with the
severity the list gives, by `check` on a list written to break it; the code names no rule outside the
list; and the README's table of rules is that list."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from papers2anki.cli import main
from papers2anki.rules import BY_NAME, RULES, markdown_table

REPO = Path(__file__).resolve().parents[1]
PAPER = "Paper A\n\n1. Question one?\n2. Question two?\n"

#: For each rule: the files of a sources folder that break it (text, or bytes as they are on disk).
BROKEN: dict[str, dict[str, str | bytes]] = {
    "encoding": {"a.txt": "Статья\n\n1. Вопрос?\n".encode("cp1251")},  # checked with --encoding ascii
    "unreadable": {},  # a link to nothing, made by the test
    "binary-file": {"a.txt": PAPER, "paper.pdf": b"%PDF-1.4\x00\x00\x01\x02"},
    "control-character": {"a.txt": "Paper A\n\n1. Question \x01 one?\n2. Two?\n"},
    "unclosed-comment": {"a.md": PAPER + "\n<!-- never closed\n"},
    "no-title": {"a.txt": "1. Question one?\n2. Question two?\n"},
    "no-questions": {"a.txt": PAPER + "\nLonely Title\n"},
    "stray-text": {"a.md": "# Paper A\n\n1. Question one?\n2. Two?\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"},
    "empty-question": {"a.txt": "Paper A\n\n1. Question one?\n2.\n3. Three?\n"},
    "duplicate-question": {"a.txt": "Paper A\n\n1. Question one?\n2. Question one?\n"},
    "numbering": {"a.txt": "Paper A\n\n1. Question one?\n3. Question three?\n"},
    "merged-title": {"a.txt": PAPER, "b.txt": "paper a\n\n1. Question three?\n2. Four?\n"},
    "duplicate-review": {
        "a.md": PAPER,
        "b.md": "## Исследование статьи **Paper A**\n\nАвтор исследования: Иван\n\nText of review.\n",
        "c.md": "## Исследование статьи **Paper A**\n\nАвтор исследования: Петр\n\nAnother review.\n",
    },
    "missing-image": {"a.md": "# Paper A\n\n1. Question ![x](missing.png) one?\n2. Two?\n"},
    "not-an-image": {"a.md": "# Paper A\n\n1. Question ![x](text.png) one?\n2. Two?\n", "text.png": "hello"},
    "image-outside": {"a.md": "# Paper A\n\n1. Question ![x](../outside.png) one?\n2. Two?\n"},
    "unbalanced-dollar": {"a.txt": "Paper A\n\n1. Is $x big?\n2. Second?\n"},
    "unbalanced-delimiter": {"a.txt": "Paper A\n\n1. Is \\(x big?\n2. Second?\n"},
    "unbalanced-environment": {"a.md": "Paper A\n\n1. Question one?\n\n\\begin{align}\nx &= y\n\n2. Two?\n"},
    "latex-syntax": {"a.txt": "Paper A\n\n1. Is $\\frac{x$ big?\n2. Second?\n"},
    "unknown-macro": {"a.txt": "Paper A\n\n1. Is $\\foo x$ big?\n2. Second?\n"},
    "unknown-environment": {"a.txt": "Paper A\n\n1. Is $\\begin{foo} x \\end{foo}$ big?\n2. Second?\n"},
    "unbalanced-left-right": {"a.txt": "Paper A\n\n1. Is $\\left( x$ big?\n2. Second?\n"},
    "double-script": {"a.txt": "Paper A\n\n1. Is $a_b_c$ big?\n2. Second?\n"},
    "dangling-script": {"a.txt": "Paper A\n\n1. Is $x^$ big?\n2. Second?\n"},
    "nested-math": {"a.txt": "Paper A\n\n1. Is $x \\(y\\)$ big?\n2. Second?\n"},
    "misplaced-hash": {"a.txt": "Paper A\n\n1. Is $x # y$ big?\n2. Second?\n"},
    "misplaced-ampersand": {"a.txt": "Paper A\n\n1. Is $x & y$ big?\n2. Second?\n"},
}


def test_every_rule_of_the_list_has_a_broken_list_here() -> None:
    assert list(BROKEN) == [rule.name for rule in RULES]


@pytest.mark.parametrize("name", list(BROKEN))
def test_check_reports_each_rule_with_the_severity_of_the_list(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for file, content in BROKEN[name].items():
        (folder / file).write_bytes(content.encode() if isinstance(content, str) else content)
    if name == "unreadable":
        (folder / "a.txt").write_text(PAPER, encoding="utf-8")
        os.symlink(tmp_path / "nowhere.txt", folder / "gone.txt")
    extra = ["--encoding", "ascii"] if name == "encoding" else []
    result = CliRunner().invoke(main, ["check", "--format", "json", str(folder), *extra])
    reported = {(p["rule"], p["severity"]) for p in json.loads(result.stdout)}
    assert (name, BY_NAME[name].severity) in reported, result.output
    assert result.exit_code == (1 if BY_NAME[name].severity == "error" else 0)


def _rule_names_in_the_code() -> set[str]:
    """The rule names the package's code hands to a problem: every kebab-case string (but a few that name
    something else), and the last argument of every `Problem(..)`, `TextProblem(..)`, `SourceError(..)`."""
    not_rules = {"double-dollar", "left-out", "mac-cyrillic"}  # a kind of math span, of outline line; a codec
    kebab = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
    names = set()
    for path in (REPO / "papers2anki").rglob("*.py"):
        if path.name == "rules.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and kebab.match(node.value):
                names.add(node.value)
            elif isinstance(node, ast.Call) and node.args:
                callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                last = node.args[-1]
                if callee in {"Problem", "TextProblem", "SourceError"} and isinstance(last, ast.Constant):
                    names.add(last.value)
    return names - not_rules


def test_the_code_names_no_rule_outside_the_list() -> None:
    assert _rule_names_in_the_code() == set(BY_NAME)


def test_the_readme_table_is_the_rule_list() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("| rule | severity | what |")
    table = readme[start : readme.index("\n\n", start) + 1]
    assert table == markdown_table(), "run `python -m papers2anki.rules` and paste its table into the README"
